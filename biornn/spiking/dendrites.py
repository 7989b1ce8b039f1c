"""Two-compartment neurons: a dendrite with an NMDA-like nonlinearity coupled to the soma.

The soma is any point neuron (the liquid's integrate-and-fire cell); the dendrite
is one passive compartment coupled to it by a conductance ``g_c``.  Synaptic
currents routed to the dendrite (``inputs``) enter there, not at the soma:

    soma:      ... + I_dend,            I_dend = g_c (v_d - v) + g_load v
    g_load   = g_c / (1 + g_c R_d)      (compensates the passive load, see below)
    dendrite:  tau_d dv_d/dt = -v_d + R_d (g_c (v - v_d) + sum(inputs) + I_nl)
    I_nl     = g_nmda B(V_d) (E_nmda - V_d),       V_d = v_rest + v_d
    dg_nmda/dt = -g_nmda / tau_nmda + kappa * sum(excitatory inputs)

``g_nmda`` is driven by the excitatory input current itself, so each synaptic
event of charge ``q`` adds ``kappa q`` to the NMDA conductance (rising with the
input's decay, falling with ``tau_nmda``): the chemical synapses need no change.
The voltage dependence ``B`` makes the dendrite regenerative:

- ``"nmda"``: Mg2+ block of Jahr & Stevens (1990),
  ``B(V) = 1 / (1 + [Mg]/3.57 mM * exp(-0.062 V/mV))``;
- ``"sigmoid"``: ``B(V) = 1 / (1 + exp(-(V - V_half)/slope))``, a generic sigmoidal
  dendritic spike (Poirazi, Brannon & Mel 2003);
- ``"none"``: ``B`` fixed at its value at rest (the same conductance, no nonlinearity).

Attaching a passive dendrite lowers the soma's input resistance from ``R_m`` to
``1 / (1/R_m + g_load)`` and, with a background current, its resting potential;
the ``+ g_load v`` term (on by default, ``compensate_load``) lowers the soma's own
leak by ``g_load`` so that the whole cell keeps ``R_m`` and its rest, and a
change of firing comes from how inputs sum on the dendrite, not from passive
loading.  ``"none"`` (same conductances, gate frozen at rest) is the control.

Clustered synchronous input depolarises the dendrite enough to unblock the NMDA
conductance and sums supralinearly: an NMDA spike/plateau (Schiller et al. 2000;
Polsky, Mel & Schiller 2004); the same input spread in time, or without the
nonlinearity, sums linearly or sublinearly.

References: Jahr CE, Stevens CF (1990) J Neurosci 10:3178-3182.  Schiller J, Major
G, Koester HJ, Schiller Y (2000) Nature 404:285-289.  Polsky A, Mel BW, Schiller J
(2004) Nat Neurosci 7:621-627.  Poirazi P, Brannon T, Mel BW (2003) Neuron
37:989-999.
"""

from __future__ import annotations

import brian2 as b2
import numpy as np

from .._validate import check_choice, check_nonnegative, check_positive
from .parts import NeuronPart

__all__ = ["DENDRITE_DEFAULTS", "NONLINEARITIES", "dendrite_parameters", "dendritic_compartment",
           "attach_gate_update", "passive_load"]

#: Defaults (SI), scaled for the liquid's cells (R_m = 1 Mohm, tau_m = 30 ms).
DENDRITE_DEFAULTS = {
    "g_c": 0.5e-6,        # S, soma-dendrite coupling conductance
    "R_d": 2e6,           # ohm, input resistance of the isolated dendrite
    "tau_d": 10e-3,       # s, dendritic membrane time constant
    "tau_nmda": 80e-3,    # s, decay of the NMDA conductance
    "kappa": 5e3,         # S/C, NMDA conductance per coulomb of excitatory input charge
    "E_nmda": 0.0,        # V
    "Mg": 1.0,            # mM
    "v_rest": -70e-3,     # V, absolute potential where v = v_d = 0
    "V_half": -40e-3,     # V, sigmoid midpoint ("sigmoid" only)
    "slope": 6e-3,        # V, sigmoid slope ("sigmoid" only)
}

NONLINEARITIES = ("nmda", "sigmoid", "none")

_GATES = {
    "nmda": "1/(1 + Mg_d/(3.57*mM)*exp(-0.062*({V})/mV))",
    "sigmoid": "1/(1 + exp(-(({V}) - V_half_d)/slope_d))",
}


def dendrite_parameters(**overrides) -> dict:
    """Validated dendrite parameters: conductances, resistances, time constants > 0 etc."""
    params = dict(DENDRITE_DEFAULTS)
    for key, value in overrides.items():
        if key not in params:
            raise ValueError(f"unknown dendrite parameter {key!r}; known: {sorted(params)}")
        params[key] = value
    for key in ("g_c", "R_d", "tau_d", "tau_nmda", "slope"):
        params[key] = check_positive(key, params[key])
    for key in ("kappa", "Mg"):
        params[key] = check_nonnegative(key, params[key])
    for key in ("E_nmda", "v_rest", "V_half"):
        params[key] = float(params[key])
    return params


def dendritic_compartment(inputs=(), *, excitatory=None, nonlinearity="nmda", name="I_dend",
                          v="v", switch=None, gate_variable=False, compensate_load=True,
                          **overrides) -> NeuronPart:
    """Neuron-side part: the dendrite, its NMDA-like current and the current into the soma.

    Parameters
    ----------
    inputs : sequence of NeuronPart or str
        Synaptic currents that enter the dendrite instead of the soma.  A
        ``NeuronPart`` is defined here (do not add it to the soma as well); a name
        (``"I_syn_e"``) is a current the neuron already sums at the soma: it is
        *moved* to the dendrite (subtracted from ``name``, added to the dendrite).
    excitatory : sequence of str, optional
        Names of the inputs that drive the NMDA conductance (default: all).
    nonlinearity : {"nmda", "sigmoid", "none"}
    name : str
        The current into the soma, ``g_c (v_d - v)`` (minus moved inputs).
    switch : str, optional
        Name of a per-neuron constant (declared here, 0 or 1) that turns the
        dendrite on or off, so one group can hold point and two-compartment cells
        (the liquid's E and I cells).
    compensate_load : bool, default True
        Lower the soma's own leak by the dendrite's passive load
        ``g_load = g_c / (1 + g_c R_d)`` (a current ``+g_load v`` into the soma), so
        that the whole cell keeps the point neuron's resting potential and input
        resistance ``R_m`` (the paper's values are those of the whole cell): the
        dendrite then changes how inputs sum, not the cell's passive properties.
        Requires ``g_load < 1/R_m``, which :func:`passive_load` lets a builder check.
    gate_variable : bool
        Hold ``B(V_d)`` in a state variable ``B_nl`` instead of evaluating it at
        every step; :func:`attach_gate_update` then refreshes it on a coarser clock
        (the exponential of the Mg2+ block is most of a dendrite's cost).
    **overrides
        Parameters of :data:`DENDRITE_DEFAULTS` (SI units).

    Returns
    -------
    NeuronPart
        State variables ``v_d`` (volt) and ``g_nmda`` (siemens), current ``I_nl``.
    """
    check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
    p = dendrite_parameters(**overrides)
    names = [x if isinstance(x, str) else x.name for x in inputs]
    moved = [x for x in inputs if isinstance(x, str)]
    excitatory = names if excitatory is None else list(excitatory)
    unknown = set(excitatory) - set(names)
    if unknown:
        raise ValueError(f"excitatory names {sorted(unknown)} are not among the inputs {names}")
    V = "v_rest_d + v_d"
    gate = "B_nl" if gate_variable else _gate_expression(nonlinearity, p)
    on = f"{switch}*" if switch else ""
    total_in = " + ".join(names) if names else "0*amp"
    drive = " + ".join(excitatory) if excitatory else "0*amp"
    to_soma = f"g_c_d*(v_d - {v})" + (f" + g_load_d*{v}" if compensate_load else "") \
        + "".join(f" - {m}" for m in moved)
    eqs = f"""
    {name} = {on}({to_soma}) : amp
    dv_d/dt = (-v_d + R_d*({on}g_c_d*({v} - v_d) + {on}({total_in}) + I_nl))/tau_d : volt
    I_nl = g_nmda*{gate}*(E_nmda_d - ({V})) : amp
    dg_nmda/dt = -g_nmda/tau_nmda + kappa_d*{on}({drive}) : siemens
    """
    if switch:
        eqs += f"\n{switch} : 1 (constant)"
    if gate_variable:
        eqs += "\nB_nl : 1"
    namespace = {"g_c_d": p["g_c"] * b2.siemens, "R_d": p["R_d"] * b2.ohm,
                 "tau_d": p["tau_d"] * b2.second, "tau_nmda": p["tau_nmda"] * b2.second,
                 "kappa_d": p["kappa"] * b2.siemens / b2.coulomb,
                 "E_nmda_d": p["E_nmda"] * b2.volt, "v_rest_d": p["v_rest"] * b2.volt,
                 "Mg_d": p["Mg"] * b2.mmolar, "V_half_d": p["V_half"] * b2.volt,
                 "slope_d": p["slope"] * b2.volt, "mM": b2.mmolar,
                 "g_load_d": passive_load(**overrides) * b2.siemens}
    for part in inputs:
        if not isinstance(part, str):
            eqs += "\n" + part.equations
            namespace.update(part.namespace)
    return NeuronPart(name, eqs, namespace)


def passive_load(**overrides) -> float:
    """Conductance (S) the passive dendrite adds to the soma at steady state.

    ``g_load = 1 / (1/g_c + R_d) = g_c / (1 + g_c R_d)``: the soma's leak ``1/R_m``
    becomes ``1/R_m + g_load`` (input resistance ``1 / (1/R_m + g_load)``) unless
    compensated (``compensate_load=True`` in :func:`dendritic_compartment`).
    """
    p = dendrite_parameters(**overrides)
    return p["g_c"] / (1 + p["g_c"] * p["R_d"])


def _gate_expression(nonlinearity, params):
    if nonlinearity == "none":  # the NMDA gate, frozen at rest
        return repr(float(_gate_value("nmda", params, params["v_rest"])))
    return _GATES[nonlinearity].format(V="v_rest_d + v_d")


def attach_gate_update(group, gate_dt, nonlinearity="nmda", **overrides):
    """Refresh ``B_nl`` of a ``gate_variable=True`` dendrite every ``gate_dt`` seconds.

    Adds a ``run_regularly`` operation to ``group`` (it runs with the group) and
    sets ``B_nl`` to its value at rest.  The gate then lags the voltage by up to
    ``gate_dt``; at 0.5 ms the input-output curve stays within 1% of the exact one
    (``tests/spiking/test_dendrites.py``) and removes one exponential per neuron and
    step.  Returns the ``CodeRunner``.
    """
    check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
    p = dendrite_parameters(**overrides)
    gate_dt = check_positive("gate_dt", gate_dt)
    rest = _gate_value("nmda" if nonlinearity == "none" else nonlinearity, p, p["v_rest"])
    group.B_nl = rest
    return group.run_regularly(f"B_nl = {_gate_expression(nonlinearity, p)}",
                               dt=gate_dt * b2.second, when="before_groups")


def _gate_value(nonlinearity, params, V):
    """Numeric value of the gate at absolute potential ``V`` (V)."""
    if nonlinearity == "nmda":
        return 1 / (1 + params["Mg"] / 3.57 * np.exp(-0.062 * V * 1e3))
    return 1 / (1 + np.exp(-(V - params["V_half"]) / params["slope"]))
