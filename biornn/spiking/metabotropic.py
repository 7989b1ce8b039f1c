"""Metabotropic (G-protein-coupled) synaptic currents: GABA_B and a slow mGluR-like current.

Kinetic model of Destexhe & Sejnowski (1995) in the pulse form of Destexhe,
Mainen & Sejnowski (1998): transmitter ``T`` (a pulse of ``T_max`` lasting
``pulse``) activates receptors ``R``, activated receptors produce G-protein ``G``,
and ``n`` G-proteins open one channel:

    dR/dt = K1 T (1 - R) - K2 R
    dG/dt = K3 R - K4 G
    I     = g_max G^n / (G^n + K_D) (E_rev - V)

Because ``n = 4`` the current is cooperative: one spike makes little ``G`` and
almost no current, a burst makes much more ``G`` and a large current.

Implementation (event-driven, lumped per neuron)
------------------------------------------------
Between pulses the kinetics are linear (``R`` decays with ``K2``), so the sum of the
receptor activations of all synapses onto a neuron obeys the same equations as one
synapse.  Each synapse therefore keeps only its own ``r`` and the time of its last
spike; on a spike it computes in closed form the receptor activation at the end of
the transmitter pulse,

    r_inf = K1 T_max / (K1 T_max + K2)
    r    <- r_inf + (r e^{-K2 (t - t_last)} - r_inf) e^{-(K1 T_max + K2) pulse}

and adds the change (times its weight ``w``, the synapse's share of receptors) to
the neuron's pool ``R``.  Only ``R`` and ``G`` are integrated, once per neuron: the
cost grows with neurons and spikes, not with synapses x time steps.  With one
synapse and ``w = 1`` this is Destexhe's model exactly, up to the pulse being
applied at once instead of over 0.3 ms.  With many synapses the G-proteins of a
neuron form one pool acting on one set of channels, so synchronous input from
several synapses cooperates as a burst from one does (the spill-over reading of
Destexhe & Sejnowski 1995); this is the modelling choice the lumping makes.

Parameters, verified against the source
---------------------------------------
``GABAB_DESTEXHE``: the values of ``gabab.mod`` in ModelDB model 18198 (Destexhe,
Mainen & Sejnowski 1998, "Kinetic models of synaptic transmission", in Koch & Segev,
*Methods in Neuronal Modeling*, 2nd ed., MIT Press): K1 = 0.52 /ms/mM,
K2 = 0.0013 /ms, K3 = 0.098 /ms, K4 = 0.033 /ms, K_D = 100, n = 4,
E_rev = -95 mV, transmitter pulse 0.5 mM for 0.3 ms (and a 1 ms dead time, moot
here since neurons are refractory longer).  ``R`` and ``G`` are dimensionless there.
The same file notes the time course was fitted to GABA_B IPSCs of Otis et al. (1993):
peak ~100 ms; here one pulse gives a G peak at ln(K4/K2)/(K4 - K2) = 102 ms.

``MGLUR_SLOW``: an mGluR-like slow excitatory current with the same kinetic scheme.
Its rates are *our choice*, not a fitted model: they give a slow cationic EPSC
(E_rev = 0 mV, the TRPC channel of Kim et al. 2003) that needs a burst, peaks a few
hundred ms after it and lasts about a second, as the mGluR1 slow EPSC of cerebellar
Purkinje cells (Batchelor & Garthwaite 1997).

References
----------
Destexhe A, Sejnowski TJ (1995) G protein activation kinetics and spillover of GABA
may account for differences between inhibitory responses in the hippocampus and
thalamus. PNAS 92:9515-9519.
Destexhe A, Mainen ZF, Sejnowski TJ (1998) Kinetic models of synaptic transmission.
In: Methods in Neuronal Modeling (Koch C, Segev I, eds), pp 1-25. MIT Press.
Batchelor AM, Garthwaite J (1997) Frequency detection and temporally dispersed
synaptic signal association through a metabotropic glutamate receptor pathway.
Nature 385:74-77.
"""

from __future__ import annotations

import brian2 as b2
import numpy as np

from .._validate import check_choice, check_nonnegative, check_positive, check_positive_int
from .parts import NeuronPart, SynapsePart

__all__ = ["GABAB_DESTEXHE", "MGLUR_SLOW", "RECEPTORS", "receptor_parameters",
           "metabotropic_current", "metabotropic_synapse", "connect_metabotropic",
           "metabotropic_reference"]

#: Destexhe, Mainen & Sejnowski (1998), ModelDB 18198 gabab.mod (SI units; mM = mol/m^3).
GABAB_DESTEXHE = {
    "K1": 0.52e3,        # /(s mM)    0.52 /ms/mM
    "K2": 1.3,           # /s         0.0013 /ms
    "K3": 98.0,          # /s         0.098 /ms
    "K4": 33.0,          # /s         0.033 /ms
    "K_D": 100.0,        # G^n units
    "n": 4,
    "T_max": 0.5,        # mM
    "pulse": 0.3e-3,     # s
    "E_rev": -95e-3,     # V (E_K)
}

#: Slow mGluR-like excitatory current (rates chosen here, see module docstring).
MGLUR_SLOW = {
    "K1": 0.1e3,         # /(s mM)
    "K2": 2.5,           # /s   receptor deactivation, 400 ms
    "K3": 50.0,          # /s
    "K4": 5.0,           # /s   G-protein/second-messenger decay, 200 ms
    "K_D": 4.0,
    "n": 2,
    "T_max": 1.0,        # mM
    "pulse": 1e-3,       # s
    "E_rev": 0.0,        # V (non-selective cation channel)
}

RECEPTORS = {"gabab": GABAB_DESTEXHE, "mglur": MGLUR_SLOW}


def receptor_parameters(receptor="gabab", **overrides) -> dict:
    """Validated parameter dict of a receptor, with ``overrides`` applied.

    Raises ``ValueError`` naming the parameter for an unknown receptor, an unknown
    key, a rate or time constant that is not > 0, or a non-integer ``n``.
    """
    check_choice("receptor", receptor, RECEPTORS)
    params = dict(RECEPTORS[receptor])
    for key, value in overrides.items():
        if key not in params:
            raise ValueError(f"unknown {receptor} parameter {key!r}; known: {sorted(params)}")
        params[key] = value
    for key in ("K1", "K2", "K3", "K4", "K_D", "T_max", "pulse"):
        params[key] = check_positive(key, params[key])
    params["n"] = check_positive_int("n", params["n"])
    params["E_rev"] = float(params["E_rev"])
    return params


def _rates(params) -> tuple[float, float, float]:
    """(r_inf, e^{-(K1 T + K2) pulse}, K1 T + K2) of the closed-form pulse."""
    on = params["K1"] * params["T_max"]
    rate = on + params["K2"]
    return on / rate, float(np.exp(-rate * params["pulse"])), rate


def metabotropic_current(receptor="gabab", *, g_max, name=None, v="v", v_rest=-70e-3,
                         **overrides) -> NeuronPart:
    """Neuron-side part: pooled receptor ``R``, G-protein ``G`` and the current.

    Parameters
    ----------
    receptor : {"gabab", "mglur"}
    g_max : float
        Maximal conductance in siemens (>= 0).
    name : str, optional
        Current name, default ``"I_<receptor>"``; state variables are
        ``R_<receptor>`` and ``G_<receptor>``.
    v : str
        The membrane potential variable of the neuron.
    v_rest : float
        Absolute potential (V) where ``v = 0``: the driving force is
        ``E_rev - (v + v_rest)``.  Use 0 for a neuron whose ``v`` is absolute.
    **overrides
        Kinetic parameters replacing the defaults (SI units).
    """
    params = receptor_parameters(receptor, **overrides)
    g_max = check_nonnegative("g_max", g_max)
    sfx = receptor
    name = name or f"I_{sfx}"
    n = params["n"]
    eqs = f"""
    {name} = g_max_{sfx}*G_{sfx}**{n}/(G_{sfx}**{n} + K_D_{sfx})*(E_rev_{sfx} - v_rest_{sfx} - {v}) : amp
    dR_{sfx}/dt = -K2_{sfx}*R_{sfx} : 1
    dG_{sfx}/dt = K3_{sfx}*R_{sfx} - K4_{sfx}*G_{sfx} : 1
    """
    namespace = {f"g_max_{sfx}": g_max * b2.siemens, f"K_D_{sfx}": params["K_D"],
                 f"E_rev_{sfx}": params["E_rev"] * b2.volt,
                 f"v_rest_{sfx}": float(v_rest) * b2.volt,
                 f"K2_{sfx}": params["K2"] / b2.second, f"K3_{sfx}": params["K3"] / b2.second,
                 f"K4_{sfx}": params["K4"] / b2.second}
    return NeuronPart(name, eqs, namespace)


def metabotropic_synapse(receptor="gabab", **overrides) -> SynapsePart:
    """Synapse-side part: per-synapse ``r_<receptor>``, ``t_<receptor>``, weight ``w_<receptor>``.

    On each presynaptic spike the receptor activation jumps to its value at the
    end of the transmitter pulse (closed form, see module docstring) and the
    change, times ``w_<receptor>`` (dimensionless, default to set: 1), is added to
    the postsynaptic pool ``R_<receptor>``.  The synapses' ``t_<receptor>`` must
    start far in the past or ``r`` at 0 (both defaults do: ``r = 0``).
    """
    params = receptor_parameters(receptor, **overrides)
    sfx = receptor
    r_inf, shrink, _ = _rates(params)
    model = f"""
    w_{sfx} : 1 (constant)
    r_{sfx} : 1
    t_{sfx} : second
    """
    on_pre = f"""
    dr_{sfx} = r_{sfx}*exp(-K2_{sfx}*(t - t_{sfx}))
    r_{sfx} = r_inf_{sfx} + (dr_{sfx} - r_inf_{sfx})*shrink_{sfx}
    R_{sfx}_post += w_{sfx}*(r_{sfx} - dr_{sfx})
    t_{sfx} = t
    """
    namespace = {f"K2_{sfx}": params["K2"] / b2.second, f"r_inf_{sfx}": r_inf,
                 f"shrink_{sfx}": shrink}
    return SynapsePart(model=model, on_pre=on_pre, namespace=namespace)


def connect_metabotropic(source, target, receptor="gabab", *, weight=1.0, delay=0.0,
                         name=None, connect=None, **overrides):
    """Create the ``Synapses`` of a metabotropic projection onto ``target``.

    ``target`` must contain :func:`metabotropic_current` of the same receptor (and
    the same kinetic ``overrides``).  ``connect`` is a dict passed to
    ``Synapses.connect`` (``i=``, ``j=``, ``p=``, ``condition=``; default
    one-to-one); ``weight`` (>= 0, scalar or one per synapse) sets
    ``w_<receptor>``, ``delay`` in seconds.  Returns the ``Synapses`` (add it to
    your ``Network``).
    """
    part = metabotropic_synapse(receptor, **overrides)
    _check_weights("weight", weight)
    syn = b2.Synapses(source, target, model=part.model, on_pre=part.on_pre,
                      namespace=part.namespace, method="exact",
                      name=name or f"{receptor}_synapses*")
    syn.connect(**(connect or {"j": "i"}))
    setattr(syn, f"w_{receptor}", weight)
    syn.delay = check_nonnegative("delay", delay) * b2.second
    return syn


def _check_weights(name, weight):
    arr = np.asarray(weight, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0 and finite, got {weight!r}")


def metabotropic_reference(spike_times, t, receptor="gabab", **overrides):
    """Destexhe's model integrated directly (scipy), transmitter as square pulses.

    An independent reference for tests: returns ``(R, G, open_fraction)`` sampled
    at times ``t`` (s) for one synapse receiving ``spike_times`` (s).
    """
    from scipy.integrate import solve_ivp

    p = receptor_parameters(receptor, **overrides)
    t = np.asarray(t, dtype=float)
    edges = sorted({0.0, float(t[-1])} | {float(s) for s in spike_times}
                   | {float(s) + p["pulse"] for s in spike_times})
    edges = [e for e in edges if e <= t[-1]]
    starts = np.asarray(spike_times, dtype=float)

    def rhs(time, y, transmitter):
        R, G = y
        return [p["K1"] * transmitter * (1 - R) - p["K2"] * R, p["K3"] * R - p["K4"] * G]

    y = np.zeros(2)
    out = np.zeros((len(t), 2))
    for a, b in zip(edges[:-1], edges[1:]):
        mid = 0.5 * (a + b)
        on = np.any((starts <= mid) & (mid < starts + p["pulse"]))
        inside = (t >= a) & (t <= b)
        sol = solve_ivp(rhs, (a, b), y, args=(p["T_max"] if on else 0.0,), rtol=1e-9,
                        atol=1e-12, dense_output=True, method="LSODA")
        if inside.any():
            out[inside] = sol.sol(t[inside]).T
        y = sol.y[:, -1]
    G = out[:, 1]
    return out[:, 0], G, G ** p["n"] / (G ** p["n"] + p["K_D"])
