"""Spike-timing-dependent plasticity (STDP) on any Brian2 synapse group.

Pair-based rules (Song, Miller & Abbott 2000) keep a presynaptic trace ``apre``
(decay ``tau_plus``) and a postsynaptic trace ``apost`` (decay ``tau_minus``),
each incremented by 1 at its neuron's spike; the weight ``w`` in ``[0, w_max]``
changes at every spike:

- ``"additive"`` (hard bounds; Song et al. 2000)::

      pre spike : w <- clip(w - w_max A_minus apost, 0, w_max)
      post spike: w <- clip(w + w_max A_plus  apre,  0, w_max)

  so an isolated pair at ``dt = t_post - t_pre`` changes ``w`` by
  ``w_max A_plus exp(-dt/tau_plus)`` (dt > 0) or ``-w_max A_minus exp(dt/tau_minus)``
  (dt < 0).
- ``"multiplicative"`` (soft bounds, weight-dependent; van Rossum, Bi & Turrigiano
  2000; Guetig et al. 2003 with mu = 1)::

      pre spike : w <- w - A_minus w apost
      post spike: w <- w + A_plus (w_max - w) apre

- ``"triplet"`` (Pfister & Gerstner 2006, all-to-all): fast traces ``r1``
  (``tau_plus``), ``o1`` (``tau_minus``) and slow traces ``r2`` (``tau_x``), ``o2``
  (``tau_y``)::

      pre spike : w <- w - w_max o1 (A2_minus + A3_minus r2);  r1 += 1, r2 += 1
      post spike: w <- w + w_max r1 (A2_plus  + A3_plus  o2);  o1 += 1, o2 += 1

  (``r2`` and ``o2`` are read before their own increment).  Default parameters:
  Pfister & Gerstner (2006, J Neurosci 26:9673, Table 4), the fit to the visual-cortex
  data set (Sjöström, Turrigiano & Nelson 2001, L5 pyramidal pairs, pairing frequency
  0.1-50 Hz at +-10 ms), all-to-all interactions, full (not minimal) model:
  ``tau_x`` = 101 ms, ``tau_y`` = 125 ms, ``A2_plus`` = 5e-10, ``A3_plus`` = 6.2e-3,
  ``A2_minus`` = 7e-3, ``A3_minus`` = 2.3e-4, with ``tau_plus`` = 16.8 ms and
  ``tau_minus`` = 33.7 ms fixed from Bi & Poo (1998).  For this data set pairs at
  low frequency depress and potentiation needs high pairing frequency.  (The
  hippocampal fit of the same table, to Wang et al. 2005, has different values.)

Traces are ``(event-driven)``: nothing is integrated between spikes.  The rule
is a :class:`~biornn.spiking.parts.SynapsePart` that modifies a weight variable
named by the caller (``"w"``, or a synapse's amplitude ``"A"``), so it composes
with a static or dynamic synapse model; the variable must not be ``(constant)``.
"""

from __future__ import annotations

import brian2 as b2
import numpy as np

from .._validate import (as_float_array, check_choice, check_nonnegative, check_positive,
                         check_positive_int)
from .parts import SynapsePart, join_synapse_parts

__all__ = ["STDP_RULES", "stdp_parameters", "stdp_synapse", "stdp_synapses",
           "stdp_window", "measure_stdp_window"]

_PAIR = {"A_plus": 0.005, "A_minus": 0.00525, "tau_plus": 20e-3, "tau_minus": 20e-3}

#: Default parameters (SI).  Pair rules: Song, Miller & Abbott (2000), A_minus/A_plus = 1.05.
#: Triplet: Pfister & Gerstner (2006) Table 4, visual cortex, all-to-all interactions.
STDP_RULES = {
    "additive": dict(_PAIR),
    "multiplicative": dict(_PAIR),
    "triplet": {"A2_plus": 5e-10, "A3_plus": 6.2e-3, "A2_minus": 7e-3, "A3_minus": 2.3e-4,
                "tau_plus": 16.8e-3, "tau_minus": 33.7e-3, "tau_x": 101e-3,
                "tau_y": 125e-3},
}


def stdp_parameters(rule="additive", **overrides) -> dict:
    """Validated parameters of ``rule`` with ``overrides`` (SI floats).

    Raises ``ValueError`` naming the rule or parameter: unknown rule, unknown key,
    a time constant that is not > 0, or a negative amplitude.
    """
    check_choice("rule", rule, STDP_RULES)
    return checked_rule_parameters(STDP_RULES[rule], overrides, f"STDP rule {rule!r}")


def checked_rule_parameters(defaults: dict, overrides: dict, what: str) -> dict:
    """``defaults`` updated by ``overrides``, every value checked: time constants
    (``tau*`` and other non-amplitude keys) > 0, amplitudes (``A*``) >= 0.  Shared by
    every STDP-like rule; ``ValueError`` names an unknown or bad parameter."""
    params = dict(defaults)
    for key, value in overrides.items():
        if key not in params:
            raise ValueError(f"unknown parameter {key!r} for {what}; known: {sorted(params)}")
        params[key] = value
    for key, value in params.items():
        params[key] = (check_nonnegative(key, value) if key.startswith("A")
                       else check_positive(key, value))
    return params


def stdp_synapse(rule="additive", weight="w", unit="1", gate=None, **overrides) -> SynapsePart:
    """Synapse part implementing ``rule`` on the variable ``weight``.

    Declares the traces and ``<weight>_max : <unit> (constant)``; the caller's
    base model declares ``weight`` itself (not ``(constant)``).  ``gate`` names a
    per-synapse constant (declared here, 0 or 1) that multiplies every weight
    change, so one ``Synapses`` object can hold plastic and fixed synapses (the
    liquid's E->E and E->I synapses share one object).
    """
    p = stdp_parameters(rule, **overrides)
    w, wmax = weight, f"{weight}_max"
    ns = {k: (v * b2.second if k.startswith("tau") else v) for k, v in p.items()}
    g = f"{gate}*" if gate else ""

    def update(sign, change):
        return f"{w} = clip({w} {sign} {g}{change}, 0*{wmax}, {wmax})"

    model = [f"{wmax} : {unit} (constant)"] + ([f"{gate} : 1 (constant)"] if gate else [])
    if rule == "triplet":
        model += ["dr1/dt = -r1/tau_plus : 1 (event-driven)",
                  "dr2/dt = -r2/tau_x : 1 (event-driven)",
                  "do1/dt = -o1/tau_minus : 1 (event-driven)",
                  "do2/dt = -o2/tau_y : 1 (event-driven)"]
        on_pre = [update("-", f"{wmax}*o1*(A2_minus + A3_minus*r2)"), "r1 += 1", "r2 += 1"]
        on_post = [update("+", f"{wmax}*r1*(A2_plus + A3_plus*o2)"), "o1 += 1", "o2 += 1"]
    else:
        model += ["dapre/dt = -apre/tau_plus : 1 (event-driven)",
                  "dapost/dt = -apost/tau_minus : 1 (event-driven)"]
        if rule == "additive":
            dep, pot = f"{wmax}*A_minus*apost", f"{wmax}*A_plus*apre"
        else:  # multiplicative: soft bounds
            dep, pot = f"{w}*A_minus*apost", f"({wmax} - {w})*A_plus*apre"
        on_pre = ["apre += 1", update("-", dep)]
        on_post = ["apost += 1", update("+", pot)]
    return SynapsePart("\n".join(model), "\n".join(on_pre), "\n".join(on_post), ns)


def stdp_synapses(source, target, rule="additive", *, w_init, w_max, base=None,
                  weight="w", unit="1", delay=0.0, name=None, connect=None, dt=None,
                  **overrides):
    """Create a plastic ``Synapses`` from ``source`` to ``target``.

    Parameters
    ----------
    rule : {"additive", "multiplicative", "triplet"}
    w_init, w_max : float or array
        Initial weights and upper bounds (in ``unit``; ``0 <= w_init <= w_max``).
    base : SynapsePart, optional
        The transmission model that uses the weight, e.g.
        ``SynapsePart("w : 1", "I_syn_post += w*nA")``.  Default: a bare
        ``w : 1`` with no effect on the target (for pairing protocols).
    connect : dict, optional
        Keyword arguments of ``Synapses.connect`` (default one-to-one ``j="i"``).
    dt : float, optional
        Time step of the synapses (s); default Brian2's ``defaultclock``.
    **overrides
        Rule parameters (see :data:`STDP_RULES`).
    """
    base = base if base is not None else SynapsePart(model=f"{weight} : {unit}")
    part = join_synapse_parts(base, stdp_synapse(rule, weight, unit, **overrides))
    syn = b2.Synapses(source, target, model=part.model, on_pre=part.on_pre,
                      on_post=part.on_post, namespace=part.namespace,
                      name=name or "stdp_synapses*",
                      dt=None if dt is None else check_positive("dt", dt) * b2.second)
    syn.connect(**(connect or {"j": "i"}))
    w_max_arr = np.broadcast_to(as_float_array("w_max", w_max), (len(syn),))
    w_arr = np.broadcast_to(as_float_array("w_init", w_init), (len(syn),))
    if np.any(w_max_arr < 0):
        raise ValueError(f"w_max must be >= 0, got {w_max!r}")
    if np.any(w_arr < 0) or np.any(w_arr > w_max_arr):
        raise ValueError(f"w_init must lie in [0, w_max], got {w_init!r}")
    scale = 1.0 if unit == "1" else getattr(b2, unit)  # SI floats -> Brian2 quantity
    setattr(syn, f"{weight}_max", w_max_arr * scale)
    setattr(syn, weight, w_arr * scale)
    syn.delay = check_nonnegative("delay", delay) * b2.second
    return syn


def stdp_window(delta_t, rule="additive", w=0.5, w_max=1.0, **overrides):
    """Weight change of one isolated pair at ``delta_t = t_post - t_pre`` (s).

    Pair rules only (for the triplet rule the change depends on the history).
    Returns an array like ``delta_t``, in the units of ``w_max``.
    """
    if rule == "triplet":
        raise ValueError("stdp_window is defined for pair rules; rule 'triplet' "
                         "depends on spike history: use measure_stdp_window")
    p = stdp_parameters(rule, **overrides)
    dt = as_float_array("delta_t", delta_t)
    pot = np.exp(-np.abs(dt) / p["tau_plus"]) * p["A_plus"]
    dep = -np.exp(-np.abs(dt) / p["tau_minus"]) * p["A_minus"]
    if rule == "additive":
        pot, dep = pot * w_max, dep * w_max
    else:
        pot, dep = pot * (w_max - w), dep * w
    return np.where(dt > 0, pot, np.where(dt < 0, dep, 0.0))


def measure_stdp_window(delta_ts, rule="additive", *, n_pairings=60, frequency=1.0,
                        w_init=0.5, dt=0.1e-3, **overrides):
    """Pairing protocol: relative weight change after ``n_pairings`` at each ``delta_t``.

    One synapse per ``delta_t`` (all in one Brian2 run): its presynaptic neuron fires
    at ``k / frequency`` and its postsynaptic neuron ``delta_t`` later, for
    ``k = 0 .. n_pairings-1``.  Returns ``(w_final - w_init) / w_max`` with
    ``w_max = 1``, one per ``delta_t``.
    """
    deltas = as_float_array("delta_ts", delta_ts, ndim=1)
    n_pairings = check_positive_int("n_pairings", n_pairings)
    period = 1.0 / check_positive("frequency", frequency)
    dt = check_positive("dt", dt)
    if np.any(np.abs(deltas) > period / 2 + 1e-12):
        raise ValueError(f"|delta_ts| must be <= half the pairing period {period / 2} s")
    lead = np.abs(deltas).max() + 10 * dt
    k = np.arange(n_pairings)
    pre_t = lead + np.add.outer(np.zeros(len(deltas)), k * period)
    post_t = pre_t + deltas[:, None]
    idx = np.repeat(np.arange(len(deltas)), n_pairings)
    # snap to the grid so each pair has exactly the requested interval
    pre = b2.SpikeGeneratorGroup(len(deltas), idx, np.round(pre_t.ravel() / dt) * dt * b2.second,
                                 dt=dt * b2.second)
    post = b2.SpikeGeneratorGroup(len(deltas), idx,
                                  np.round(post_t.ravel() / dt) * dt * b2.second,
                                  dt=dt * b2.second)
    syn = stdp_synapses(pre, post, rule, w_init=w_init, w_max=1.0, dt=dt, **overrides)
    net = b2.Network(pre, post, syn)
    net.run((post_t.max() + period / 2) * b2.second)
    return np.asarray(syn.w[:]) - w_init
