"""Neuron models ("cells") of the liquid: equations written once, composed by the builders.

The leaky integrate-and-fire neuron of Maass, Natschläger & Markram (2002):

    tau_m dv/dt = -v + R_m (I_b + I_in),   v > v_th -> v = v_reset

(the resting potential is 0; ``v`` is measured from rest), with refractory period
``tau_ref`` during which ``v`` is clamped.  ``I_in`` is the sum of the cell's input
currents.  Those are not hard-coded: each is a :class:`Current` part that brings its own
name and equations (an exponentially decaying postsynaptic current, an injected
input, a gap-junction current, ...), and :meth:`NeuronModel.equations_for` adds the
line ``I_in = I_syn_e + I_syn_i + ... : amp``.  A projection that is event-driven
increments its current (``I_syn_e_post += w``); a projection with a ``(summed)``
variable writes its own current variable, never one shared with another projection.

The adaptive LIF adds a spike-triggered adaptation current ``w`` (the adaptation of the
AdEx model of Brette & Gerstner 2005 without its exponential spike-initiation and
subthreshold terms):

    tau_m dv/dt = -v + R_m (I_b + I_in - w),   tau_w dw/dt = -w,   spike: w -> w + b

so that under constant drive the firing rate falls from its onset value as ``w``
builds up over ``tau_w`` (spike-frequency adaptation).

A cell is a :class:`NeuronModel`: Brian2 equations using ``I_in``, threshold, reset,
refractoriness and the :class:`~biornn._validate.ParameterSet` class of its
parameters.  Users supply their own (``LSM(cell=NeuronModel(...))``) or pick a
built-in by name (:data:`CELLS`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields

import brian2 as b2

from .._validate import ParameterSet, param

__all__ = ["Current", "exponential_current", "injected_current", "lif_equations",
           "LIF_THRESHOLD", "LIF_RESET", "LIFParameters", "AdaptiveLIFParameters",
           "NeuronModel", "LIF", "ADAPTIVE_LIF", "CELLS", "BRIAN_UNITS"]

LIF_THRESHOLD = "v > v_th"
LIF_RESET = "v = v_reset"

#: Brian2 unit of each declared parameter unit.
BRIAN_UNITS = {"s": b2.second, "V": b2.volt, "A": b2.amp, "ohm": b2.ohm, "S": b2.siemens,
               "Hz": b2.Hz, "F": b2.farad, "1": 1}


@dataclass(frozen=True)
class LIFParameters(ParameterSet):
    """Parameters of the liquid's LIF cell (Maass, Natschläger & Markram 2002).

    Values in SI units; Brian2 quantities and strings with units are accepted.

    Parameters
    ----------
    tau_m : float (s), default 0.03
        Membrane time constant.
    R_m : float (ohm), default 1e6
        Input resistance.
    v_th, v_reset : float (V), default 0.015, 0.0135
        Threshold and reset, measured from rest.
    tau_ref_E, tau_ref_I : float (s), default 0.003, 0.002
        Absolute refractory period of excitatory / inhibitory cells.
    I_b : float (A), default 13.5e-9
        Constant background current (13.5 mV through 1 MOhm, just below threshold).
    v_init_low, v_init_high : float (V), default 0.0135, 0.015
        Initial potentials are uniform in this interval, drawn for every trial.
    tau_syn_e, tau_syn_i : float (s), default 0.003, 0.006
        Decay of excitatory / inhibitory postsynaptic currents.
    """

    tau_m: float = param(0.03, "s", "positive")
    R_m: float = param(1e6, "ohm", "positive")
    v_th: float = param(0.015, "V")
    v_reset: float = param(0.0135, "V")
    tau_ref_E: float = param(0.003, "s", "nonnegative")
    tau_ref_I: float = param(0.002, "s", "nonnegative")
    I_b: float = param(13.5e-9, "A")
    v_init_low: float = param(0.0135, "V")
    v_init_high: float = param(0.015, "V")
    tau_syn_e: float = param(0.003, "s", "positive")
    tau_syn_i: float = param(0.006, "s", "positive")


@dataclass(frozen=True)
class AdaptiveLIFParameters(LIFParameters):
    """LIF parameters plus a spike-triggered adaptation current (module docstring).

    Parameters
    ----------
    tau_w : float (s), default 0.144
        Decay of the adaptation current: the AdEx value of Brette & Gerstner (2005,
        J Neurophysiol 94:3637, their Table 1).
    b : float (A), default 2.68e-9
        Increment of ``w`` per spike.  Brette & Gerstner's b = 0.0805 nA with
        g_L = 30 nS shifts the steady state by b/g_L = 2.68 mV per spike; the same
        2.68 mV in the Maass cell (R_m = 1 MOhm) is 2.68 nA.  Their subthreshold
        coupling ``a`` is left out so the cell rests where the Maass cell does.
    (other parameters as :class:`LIFParameters`)
    """

    tau_w: float = param(0.144, "s", "positive")
    b: float = param(2.68e-9, "A", "nonnegative")


@dataclass(frozen=True)
class Current:
    """One input current of a neuron.

    Parameters
    ----------
    name : str
        Variable name, added to the input sum ``I_in`` (``I_syn_e``).
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


#: Per-neuron constants a builder sets from the parameters when a cell declares them.
PER_NEURON = ("I_b", "v_th", "v_reset", "tau_ref")

_LIF_MEMBRANE = """
dv/dt = (-v + R_m*(I_b + I_in{extra}))/tau_m : volt (unless refractory)
I_b : amp (constant)
v_th : volt (constant)
v_reset : volt (constant)
tau_ref : second (constant)
"""
_WORD = re.compile(r"[A-Za-z_]\w*")


@dataclass(frozen=True)
class NeuronModel:
    """A cell of the liquid: Brian2 equations whose summed input current is ``I_in``.

    Parameters
    ----------
    equations : str
        Brian2 equations of one cell, with units, defining ``v`` (volt, measured
        from rest) and using ``I_in`` (amp), the sum of the liquid's currents
        (synaptic, injected, extensions'), which the builder defines.  Per-neuron
        constants named ``I_b``, ``v_th``, ``v_reset`` (volt/amp ``(constant)``) and
        ``tau_ref`` (second), when declared, are set by the builder from the
        parameters (``tau_ref`` from ``tau_ref_E`` / ``tau_ref_I`` by cell type).
    threshold, reset, refractory : str
        Brian2 threshold condition, reset code and refractoriness.
    parameters : type, default LIFParameters
        The :class:`~biornn._validate.ParameterSet` class (a subclass of
        :class:`LIFParameters`: the builder needs the initial potentials, refractory
        periods and synaptic time constants).  Its fields the equations or the
        reset use, and do not define, become Brian2 constants with their units.
    namespace : dict, optional
        Further constants (Brian2 quantities).
    method : str, optional
        Integration method this cell needs (``"euler"`` for nonlinear equations);
        ``None`` keeps the liquid's.
    name : str

    Examples
    --------
    A LIF cell with a quadratic leak (a user's own equations)::

        cell = NeuronModel('''
            dv/dt = (-v + v**2/(30*mV) + R_m*(I_b + I_in))/tau_m : volt (unless refractory)
            I_b : amp (constant)
            v_th : volt (constant)
            v_reset : volt (constant)
            tau_ref : second (constant)''', method="euler", name="qif")
        LSM((5, 3, 3), cell=cell)
    """

    equations: str
    threshold: str = LIF_THRESHOLD
    reset: str = LIF_RESET
    refractory: str = "tau_ref"
    parameters: type = LIFParameters
    namespace: dict = field(default_factory=dict, hash=False, compare=False)
    method: str | None = None
    name: str = "custom"

    def __post_init__(self):
        if not isinstance(self.equations, str) or "I_in" not in self.equations:
            raise ValueError(f"cell {self.name!r}: equations must be a string using I_in, "
                             "the summed input current")
        if not (isinstance(self.parameters, type) and issubclass(self.parameters,
                                                                  LIFParameters)):
            raise TypeError(f"cell {self.name!r}: parameters must be a subclass of "
                            f"LIFParameters, got {self.parameters!r}")

    def equations_for(self, currents, params) -> tuple[b2.Equations, dict]:
        """Equations with the currents' parts and ``I_in``, and their namespace.

        ``params`` is an instance of :attr:`parameters`.
        """
        currents = list(currents)
        names = [c.name for c in currents]
        if len(set(names)) != len(names):
            raise ValueError(f"currents must have distinct names, got {names}")
        lines = [self.equations.strip(),
                 f"I_in = {' + '.join(names) if names else '0*amp'} : amp"]
        namespace: dict = {}
        for c in currents:
            lines.append(c.equations)
            namespace.update(c.namespace)
        eqs = b2.Equations("\n".join(lines))
        used = set(_WORD.findall(" ".join([self.equations, self.threshold, self.reset])))
        for f in fields(params):
            if f.name in used and f.name not in eqs.names:
                namespace[f.name] = params[f.name] * BRIAN_UNITS[f.metadata["unit"]]
        namespace.update(self.namespace)
        return eqs, namespace

    def per_neuron(self, equations) -> list[str]:
        """The :data:`PER_NEURON` constants these equations declare."""
        return [n for n in PER_NEURON if n in equations.names]


LIF = NeuronModel(_LIF_MEMBRANE.format(extra=""), name="lif")
"""The Maass (2002) LIF cell (module docstring)."""

ADAPTIVE_LIF = NeuronModel(_LIF_MEMBRANE.format(extra=" - w") + "dw/dt = -w/tau_w : amp",
                           reset="v = v_reset\nw += b", parameters=AdaptiveLIFParameters,
                           name="adaptive_lif")
"""LIF with a spike-triggered adaptation current (module docstring)."""

#: Built-in cells by name (``LSM(cell="adaptive_lif")``).
CELLS = {"lif": LIF, "adaptive_lif": ADAPTIVE_LIF}


def lif_equations(currents, *, tau_m, R_m) -> tuple[b2.Equations, dict]:
    """Membrane equation of the LIF cell (:data:`LIF`) plus its currents.

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
    return LIF.equations_for(currents, LIFParameters(tau_m=tau_m, R_m=R_m))
