"""Composable pieces of Brian2 models: neuron-side currents and synapse-side rules.

Brian2 fixes a ``NeuronGroup``'s or ``Synapses``' equations when the object is
built, so features cannot be bolted onto an existing object.  Instead each
feature module (:mod:`.plasticity`, :mod:`.gap_junctions`, :mod:`.dendrites`,
:mod:`.metabotropic`) returns *parts*, which a builder (the liquid, or a small
test network) joins before it creates the Brian2 objects:

- :class:`NeuronPart` ``(name, equations, namespace)``: a current ``name`` that the
  neuron adds to its membrane sum, with the equations that define it.  It has the
  same fields as :class:`biornn.spiking.neurons.Current`, so either can be given to
  :func:`biornn.spiking.neurons.lif_equations`.
- :class:`SynapsePart` ``(model, on_pre, on_post, namespace)``: lines added to a
  ``Synapses`` model and to its pre-/post-synaptic event code;
  :func:`join_synapse_parts` concatenates several (a dynamic synapse + STDP + a
  metabotropic receptor) and rejects name clashes.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["NeuronPart", "SynapsePart", "join_synapse_parts", "defined_names"]


class NeuronPart(NamedTuple):
    """A current a neuron adds to its membrane equation (see module docstring)."""

    name: str
    equations: str
    namespace: dict


class SynapsePart(NamedTuple):
    """Lines of a ``Synapses`` model and of its ``on_pre`` / ``on_post`` code."""

    model: str = ""
    on_pre: str = ""
    on_post: str = ""
    namespace: dict = {}


_DEFINED = re.compile(r"^\s*(?:d(\w+)/dt|(\w+))\s*(?:=|:)")


def defined_names(equations: str) -> list[str]:
    """Names of the variables an equation string defines (as ``dx/dt``, ``x =`` or ``x : unit``)."""
    names = []
    for line in equations.splitlines():
        line = line.split("#", 1)[0]
        if not line.strip():
            continue
        match = _DEFINED.match(line)
        if match:
            names.append(match.group(1) or match.group(2))
    return names


def _join_code(blocks) -> str:
    lines = []
    for block in blocks:
        lines.extend(ln.strip() for ln in block.splitlines() if ln.strip())
    return "\n".join(lines)


def join_synapse_parts(*parts: SynapsePart) -> SynapsePart:
    """Concatenate synapse parts in order (event code runs in the order given).

    Raises
    ------
    ValueError
        If two parts define the same model variable, or give the same namespace
        name different values.
    """
    seen: dict[str, int] = {}
    namespace: dict = {}
    for k, part in enumerate(parts):
        for name in defined_names(part.model):
            if name in seen:
                raise ValueError(
                    f"synapse parts {seen[name]} and {k} both define the variable {name!r}")
            seen[name] = k
        for key, value in part.namespace.items():
            if key in namespace and namespace[key] is not value and not _same(namespace[key], value):
                raise ValueError(f"synapse parts give the constant {key!r} two values: "
                                 f"{namespace[key]!r} and {value!r}")
            namespace[key] = value
    return SynapsePart(model=_join_code(p.model for p in parts),
                       on_pre=_join_code(p.on_pre for p in parts),
                       on_post=_join_code(p.on_post for p in parts),
                       namespace=namespace)


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except Exception:  # arrays, quantities with different dimensions
        return False
