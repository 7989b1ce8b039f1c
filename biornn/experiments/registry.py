"""The table of experiment kinds, loaded lazily by name.

Every experiment kind lives in one module of :mod:`biornn.experiments` as an
:class:`Experiment`: its runner ``runner(spec, seed, report)``, the schema of
its spec, the figures it can draw.  :data:`KINDS` is the one explicit table
from kind to ``"module:attribute"``; :func:`get` imports only the module of the
kind asked for, so listing or validating a spec never imports Brian2 unless
that spec needs a spiking model.  Adding a kind means writing its module and
adding one line to :data:`KINDS`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

__all__ = ["Experiment", "experiment", "KINDS", "get", "experiments"]


@dataclass(frozen=True)
class Experiment:
    """An experiment kind: its runner, spec schema and figures.

    Attributes
    ----------
    kind : str
        The name a spec gives in ``experiment.kind``.
    runner : callable
        ``runner(spec, seed, report)``: wires task -> model -> readout -> metrics
        and records what it measured on the :class:`~biornn.experiments.Report`.
    schema : dict
        Table name -> ``{key: Field}`` or a :class:`~biornn.schema.ModelParams`.
    figures : tuple of str
        Figures the runner may draw.
    help : str
        One line for listings (default: the runner docstring's first line).
    requires : tuple of str
        Modules the runner imports, checked when a spec is loaded.
    check : callable, optional
        ``check(spec)`` raises ``ValueError`` naming the key(s) when values that are
        each valid do not fit together (a washout shorter than a delay, say); called
        when a spec is loaded, so ``biornn validate`` and ``run`` agree and a sweep
        refuses a bad point before anything runs.
    """

    kind: str
    runner: object
    schema: dict
    figures: tuple = ()
    help: str = ""
    requires: tuple = ()
    check: object = None

    def __call__(self, spec, seed, report):
        return self.runner(spec, seed, report)


def experiment(kind: str, *, schema: dict, figures=(), help: str = "", requires=(),
               check=None):
    """Decorator turning ``runner(spec, seed, report)`` into an :class:`Experiment`.

    It registers nothing: the module attribute it creates is found through
    :data:`KINDS`.
    """
    def deco(runner):
        return Experiment(kind, runner, schema, tuple(figures),
                          help or (runner.__doc__ or "").strip().split("\n")[0],
                          tuple(requires), check)
    return deco


#: kind -> "module:attribute" (modules relative to ``biornn.experiments``).
KINDS = {
    "esn_benchmark": "reservoir:esn_benchmark",
    "mackey_glass_closed_loop": "reservoir:mackey_glass_closed_loop",
    "lsm_vs_esn": "lsm_vs_esn:lsm_vs_esn",
    "hopfield_capacity": "hopfield:hopfield_capacity",
    "rtrl_vs_bptt": "gradient:rtrl_vs_bptt",
    "adding_problem": "gradient:adding_problem",
    "force": "gradient:force",
    "stdp_study": "plasticity:stdp_study",
    "spoken_digits": "spoken_digits:spoken_digits",
    "liquid_features_study": "liquid_features:liquid_features_study",
    "plasticity_study": "plasticity_study:plasticity_study",
}


def get(kind: str) -> Experiment:
    """The :class:`Experiment` of ``kind`` (its module imported on first use).

    Raises
    ------
    KeyError
        ``kind`` is not in :data:`KINDS` (the message lists the known kinds).
    """
    try:
        module, _, attr = KINDS[kind].partition(":")
    except KeyError:
        raise KeyError(f"unknown experiment kind {kind!r}; known: {sorted(KINDS)}") from None
    exp = getattr(importlib.import_module(f"{__package__}.{module}"), attr)
    if not isinstance(exp, Experiment) or exp.kind != kind:
        raise RuntimeError(f"{KINDS[kind]} does not define experiment kind {kind!r}")
    return exp


def experiments() -> dict[str, Experiment]:
    """Every experiment kind, by name (imports each kind's module)."""
    return {kind: get(kind) for kind in KINDS}
