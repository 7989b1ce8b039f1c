"""Reward-modulated STDP: eligibility traces gated by dopamine (Izhikevich 2007).

Izhikevich (2007, Cereb Cortex 17:2443) solves the distal reward problem with three
variables per synapse: the weight ``w``, an eligibility trace ``c`` set by STDP, and
the extracellular dopamine ``d`` shared by all synapses::

    dc/dt = -c / tau_c + STDP(tau) delta(t - t_pre/post)
    dw/dt = c d

A pre-post pairing does not change ``w``; it tags the synapse (``c``), and the tag
turns into a weight change only if dopamine arrives while it lasts (``tau_c`` = 1 s),
so a reward 1-3 s after the pairing still finds it.  ``STDP`` is the pair rule of
:mod:`.plasticity` (traces ``apre``, ``apost``; amplitudes relative to ``w_max``)::

    pre spike : c <- c - w_max A_minus apost
    post spike: c <- c + w_max A_plus  apre

Implementation, as in Izhikevich's published code (daspnet.m): every ``update_dt``
(10 ms) the weight takes the dopamine sampled there, then the tag decays by one step::

    w <- clip(w + c d update_dt, 0, w_max);    c <- c exp(-update_dt / tau_c)

(the code's ``sd = 0.99 sd`` is ``exp(-10 ms / 0.995 s)``); between updates ``c`` only
collects STDP increments, so the update costs one multiply-add per synapse.

``d(t)`` (in 1/s) is a ``TimedArray`` named ``dopamine`` built by
:func:`dopamine_signal` from what the user delivers: a function of time, samples, or
reward events ``(times, amounts)`` each adding ``amount`` that decays with ``tau_d``
(0.2 s), plus a tonic level.  Izhikevich's values, in these units: ``A_plus = 0.1 /
w_max``, ``A_minus = 1.5 A_plus``, ``tau_plus = tau_minus = 20 ms``, ``w_max`` = 4 mV,
``d = (0.002 + DA) / 10 ms`` with ``DA`` += 0.5 at a reward (so 50 /s) and tonic
0.2 /s.

Centred dopamine (a departure from the paper, off by default)
-------------------------------------------------------------
Over a long run every synapse's expected change splits into two terms::

    E[dw/dt] = Cov(c, d) + E[c] E[d]

Only the first tells a synapse whose pairings predict reward from one whose do not;
the second moves *every* synapse by the sign of its mean tag, which for the pair rule
with ``A_minus > A_plus`` and weakly correlated spikes is negative, so tonic and
phasic dopamine alike depress the unrewarded synapses.  Frémaux, Sprekeler & Gerstner
(2010, J Neurosci 30:13326) call it the unsupervised bias of R-STDP and show that the
rule learns only if the success signal has zero mean, i.e. if dopamine reports reward
minus expected reward, as dopamine neurons do (Schultz, Dayan & Montague 1997,
Science 275:1593).  ``centre=tau_mean`` subtracts a causal running mean::

    d_centred(t) = d(t) - dbar(t),   tau_mean dbar/dt = d - dbar,   dbar(0) = tonic

so ``E[d_centred] = 0`` in a steady state and ``E[dw/dt] = Cov(c, d)``: a constant
(tonic) dopamine changes no weight, and rewards uncorrelated with a synapse's tags
leave its mean where it was.  ``tau_mean`` must be long against the reward delay and
``tau_c`` (it is a high-pass filter on ``d``; 10 s keeps the 1-3 s covariance).
It removes the bias, not the spread: weights still diffuse, and where network activity
correlates with reward the covariance moves more than one synapse (in the
distal-reward network the others are no longer depressed but rise later; figures in
``simulations/izhikevich2007_distal_reward.py``).
"""

from __future__ import annotations

import brian2 as b2
import numpy as np
from scipy.signal import lfilter

from .._validate import as_float_array, check_positive
from .parts import SynapsePart
from .plasticity import checked_rule_parameters

__all__ = ["REWARD_STDP", "reward_stdp_parameters", "reward_stdp_synapse", "dopamine_signal"]

#: Default parameters (SI): Izhikevich (2007) as in the module docstring (w_max = 4).
REWARD_STDP = {"A_plus": 0.025, "A_minus": 0.0375, "tau_plus": 20e-3, "tau_minus": 20e-3,
               "tau_c": 1.0, "update_dt": 10e-3}


def reward_stdp_parameters(**overrides) -> dict:
    """Validated R-STDP parameters (SI); ``ValueError`` names an unknown or bad one."""
    return checked_rule_parameters(REWARD_STDP, overrides, "reward-modulated STDP")


def reward_stdp_synapse(dopamine, weight="w", unit="1", gate=None, **overrides):
    """Synapse part and regular weight update of R-STDP on the variable ``weight``.

    Parameters
    ----------
    dopamine : brian2.TimedArray or str
        ``d(t)`` in 1/s: a TimedArray named ``dopamine`` (see :func:`dopamine_signal`),
        or an expression the synapse can evaluate (in 1/s), e.g. ``"d_post"`` for a
        dopamine level that the network itself computes (closed loop, as the
        reward of :func:`~biornn.spiking.plasticity_protocols.izhikevich_distal_reward`).
    weight, unit : str
        The weight variable (declared by the caller's base model, not constant) and
        its unit; ``<weight>_max`` is declared here.
    gate : str, optional
        Per-synapse constant (0/1, declared here) multiplying every eligibility
        increment, so plastic and fixed synapses can share one object.

    Returns
    -------
    part : SynapsePart
    update : (code, dt)
        To pass to ``synapses.run_regularly(code, dt=dt)``.
    """
    p = reward_stdp_parameters(**overrides)
    w, wmax = weight, f"{weight}_max"
    g = f"{gate}*" if gate else ""
    model = [f"{wmax} : {unit} (constant)", "c : " + unit,
             "dapre/dt = -apre/tau_plus : 1 (event-driven)",
             "dapost/dt = -apost/tau_minus : 1 (event-driven)"]
    if gate:
        model.append(f"{gate} : 1 (constant)")
    on_pre = ["apre += 1", f"c -= {g}{wmax}*A_minus*apost"]
    on_post = ["apost += 1", f"c += {g}{wmax}*A_plus*apre"]
    closed_loop = isinstance(dopamine, str)
    level = f"({dopamine})" if closed_loop else "dopamine(t)"
    ns = {"A_plus": p["A_plus"], "A_minus": p["A_minus"],
          "tau_plus": p["tau_plus"] * b2.second, "tau_minus": p["tau_minus"] * b2.second,
          "update_dt": p["update_dt"] * b2.second,
          "c_decay": float(np.exp(-p["update_dt"] / p["tau_c"]))}
    if not closed_loop:
        ns["dopamine"] = dopamine
    code = f"{w} = clip({w} + c*{level}*update_dt, 0*{wmax}, {wmax})\nc *= c_decay"
    part = SynapsePart("\n".join(model), "\n".join(on_pre), "\n".join(on_post), ns)
    return part, (code, p["update_dt"] * b2.second)


def dopamine_signal(dopamine, duration, *, dt=10e-3, tau_d=0.2, tonic=0.0, centre=None,
                    name="dopamine"):
    """Dopamine ``d(t)`` (1/s) sampled every ``dt`` over ``duration``, as a TimedArray.

    Parameters
    ----------
    dopamine : None, callable, array or (times, amounts)
        ``None``: no phasic dopamine.  A callable ``f(t)`` of an array of times (s):
        the concentration itself.  A 1-d array: samples every ``dt``, exactly
        ``ceil(duration/dt)`` of them.  A pair ``(times, amounts)``: rewards, each
        adding ``amount`` at ``time`` that decays as ``exp(-(t - time)/tau_d)``.
    duration, dt, tau_d : float
        Seconds.
    tonic : float
        Constant level added to the signal (1/s; may be negative).
    centre : float, optional
        ``tau_mean`` (s) of the centred dopamine of the module docstring (a departure
        from Izhikevich 2007): the signal minus its causal running mean ``dbar``
        (``dbar[0] = tonic``, ``dbar[k+1] = dbar[k] + (1 - exp(-dt/tau_mean)) (d[k] -
        dbar[k])``).  ``None`` (default): the paper's dopamine, uncentred.

    Returns
    -------
    values : ndarray, shape (ceil(duration/dt),)
    timed : brian2.TimedArray
    """
    duration = check_positive("duration", duration)
    dt = check_positive("dt", dt)
    n = int(np.ceil(duration / dt - 1e-9))
    t = np.arange(n) * dt
    if dopamine is None:
        values = np.zeros(n)
    elif callable(dopamine):
        values = as_float_array("dopamine(t)", dopamine(t), ndim=1)
        if values.shape != (n,):
            raise ValueError(f"dopamine(t) must return one value per time ({n}), "
                             f"got shape {values.shape}")
    elif isinstance(dopamine, tuple) and len(dopamine) == 2:
        times = as_float_array("dopamine times", dopamine[0], ndim=1)
        amounts = np.broadcast_to(as_float_array("dopamine amounts", dopamine[1]),
                                  times.shape)
        tau_d = check_positive("tau_d", tau_d)
        # each reward lands on the first sample at or after it, decayed to that
        # sample; then d[k] = d[k-1] exp(-dt/tau_d) + deposits[k] (exact on the grid)
        first = np.ceil(times / dt - 1e-9).astype(int)
        keep = first < n
        deposits = np.zeros(n)
        np.add.at(deposits, first[keep],
                  amounts[keep] * np.exp(-(first[keep] * dt - times[keep]) / tau_d))
        values = lfilter([1.0], [1.0, -np.exp(-dt / tau_d)], deposits)
    else:
        values = as_float_array("dopamine", dopamine, ndim=1)
        if len(values) != n:
            raise ValueError(f"dopamine must have one sample per dt = {dt} s over "
                             f"{duration} s ({n} samples), got {len(values)}")
    values = values + float(tonic)
    if centre is not None:
        alpha = 1.0 - np.exp(-dt / check_positive("centre", centre))
        # dbar[k] = (1 - alpha) dbar[k-1] + alpha d[k-1], started at the tonic level
        mean, _ = lfilter([0.0, alpha], [1.0, alpha - 1.0], values,
                          zi=[float(tonic)])
        values = values - mean
    return values, b2.TimedArray(values / b2.second, dt=dt * b2.second, name=name)
