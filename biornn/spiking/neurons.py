"""Neuron equations for the spiking models, written once and composed by the builders.

The leaky integrate-and-fire neuron of Maass, Natschläger & Markram (2002):

    tau_m dv/dt = -v + R_m (I_b + I_syn_e + I_syn_i + ...),   v >= v_th -> v = v_reset

(the resting potential is 0; ``v`` is measured from rest), with refractory period
``tau_ref`` during which ``v`` is clamped.  Synaptic currents are not hard-coded: each
current is a :class:`Current` part that brings its own name and equations (an
exponentially decaying postsynaptic current, an injected input, a gap-junction
current, ...); :func:`lif_equations` sums the parts into the membrane equation.  A
projection that is event-driven increments its current (``I_syn_e_post += w``); a
projection with a ``(summed)`` variable writes its own current variable, never one
shared with another projection.
"""

from __future__ import annotations

from dataclasses import dataclass

import brian2 as b2

__all__ = ["Current", "exponential_current", "injected_current", "lif_equations",
           "LIF_THRESHOLD", "LIF_RESET"]

LIF_THRESHOLD = "v > v_th"
LIF_RESET = "v = v_reset"


@dataclass(frozen=True)
class Current:
    """One input current of a neuron.

    Parameters
    ----------
    name : str
        Variable name, added to the membrane sum (``I_syn_e``).
    equations : str
        Brian2 equation lines that define ``name`` (a differential equation, a
        parameter, or a ``(summed)``-written variable), with units.
    namespace : dict
        Constants the equations use (Brian2 quantities).
    """

    name: str
    equations: str
    namespace: dict


def exponential_current(name: str, tau: float) -> Current:
    """Postsynaptic current that jumps at each spike and decays: ``dI/dt = -I/tau``.

    ``tau`` in seconds.  Synapses add their amplitude to ``<name>_post`` on a spike.
    """
    tau_name = f"tau_{name}"
    return Current(name, f"d{name}/dt = -{name}/{tau_name} : amp",
                   {tau_name: float(tau) * b2.second})


def injected_current(name: str = "I_inj") -> Current:
    """Current written every time step by a ``(summed)`` projection from analog inputs."""
    return Current(name, f"{name} : amp", {})


def lif_equations(currents, *, tau_m, R_m) -> tuple[b2.Equations, dict]:
    """Membrane equation of the leaky integrate-and-fire neuron plus its currents.

    ``tau_m dv/dt = -v + R_m (I_b + sum(currents))``; ``v_th``, ``v_reset``,
    ``tau_ref`` and ``I_b`` are per-neuron constants so that excitatory and
    inhibitory neurons share one group.  ``tau_m`` (s) and ``R_m`` (ohm) are shared
    constants: the exact integrator then needs only scalar exponentials, computed
    once per time step rather than once per neuron (3x faster on the numpy target).

    Returns
    -------
    equations : brian2.Equations
    namespace : dict
        Merged namespaces of the current parts.
    """
    currents = list(currents)
    names = [c.name for c in currents]
    if len(set(names)) != len(names):
        raise ValueError(f"currents must have distinct names, got {names}")
    total = " + ".join(["I_b", *names])
    lines = [f"dv/dt = (-v + R_m*({total}))/tau_m : volt (unless refractory)",
             "I_b : amp (constant)",
             "v_th : volt (constant)", "v_reset : volt (constant)",
             "tau_ref : second (constant)"]
    namespace: dict = {"tau_m": float(tau_m) * b2.second, "R_m": float(R_m) * b2.ohm}
    for c in currents:
        lines.append(c.equations)
        namespace.update(c.namespace)
    return b2.Equations("\n".join(lines)), namespace
