"""Protocols that define plasticity rules, reproduced (Brian2; used by simulations/).

- :func:`song_abbott_neuron`: Song, Miller & Abbott (2000, Nat Neurosci 3:919), one
  conductance-based integrate-and-fire neuron, 1000 excitatory Poisson inputs through
  additive STDP and 200 inhibitory ones.  STDP makes the weights bimodal and the
  output rate almost independent of the input rate.
- :func:`triplet_frequency_dependence`: the pairing protocol of Sjöström, Turrigiano &
  Nelson (2001, Neuron 32:1149) on the triplet rule with Pfister & Gerstner's (2006)
  visual-cortex parameters.
"""

from __future__ import annotations

import brian2 as b2
import numpy as np

from .._rng import as_generator, derive_seed
from .._validate import as_float_array, check_positive, check_positive_int
from .parts import SynapsePart
from .plasticity import measure_stdp_window, stdp_parameters, stdp_synapses

__all__ = ["SONG2000", "song_abbott_neuron", "triplet_frequency_dependence"]

#: Song, Miller & Abbott (2000) parameters (SI; conductances relative to the leak).
SONG2000 = {"tau_m": 20e-3, "v_rest": -70e-3, "E_ex": 0.0, "E_in": -70e-3, "v_th": -54e-3,
            "v_reset": -60e-3, "tau_ex": 5e-3, "tau_in": 5e-3, "g_max": 0.015, "g_in": 0.05,
            "n_ex": 1000, "n_in": 200, "rate_in": 10.0, "A_plus": 0.005, "ratio": 1.05,
            "tau_stdp": 20e-3}


def song_abbott_neuron(input_rates, *, duration=100.0, stdp=True, measure=10.0, dt=0.1e-3,
                       seed=None, **overrides):
    """Song et al. (2000): one neuron per input rate, all in one Brian2 run.

    Each neuron receives ``n_ex`` Poisson inputs at its rate (Hz) through synapses of
    conductance ``w`` in ``[0, g_max]`` (drawn uniformly) and ``n_in`` inhibitory
    inputs at ``rate_in``; with ``stdp`` the excitatory weights follow the additive
    rule (:mod:`.plasticity`, ``A_minus = ratio * A_plus``)::

        tau_m dv/dt = v_rest - v + g_ex (E_ex - v) + g_in (E_in - v)

    Returns
    -------
    dict
        ``weights`` (neurons, n_ex) final ``w / g_max``; ``rates`` (neurons,) output
        rate (Hz) over the last ``measure`` seconds.
    """
    rates = as_float_array("input_rates", input_rates, ndim=1)
    p = dict(SONG2000)
    p.update(overrides)
    duration = check_positive("duration", duration)
    measure = min(check_positive("measure", measure), duration)
    n, n_ex, n_in = len(rates), check_positive_int("n_ex", p["n_ex"]), int(p["n_in"])
    rng = as_generator(seed)
    b2.seed(derive_seed(rng))
    clock = dt * b2.second
    ns = {k: p[k] * (b2.second if k.startswith("tau") else b2.volt)
          for k in ("tau_m", "v_rest", "E_ex", "E_in", "v_th", "v_reset", "tau_ex", "tau_in")}
    eqs = """dv/dt = (v_rest - v + g_ex*(E_ex - v) + g_in*(E_in - v))/tau_m : volt
             dg_ex/dt = -g_ex/tau_ex : 1
             dg_in/dt = -g_in/tau_in : 1"""
    neuron = b2.NeuronGroup(n, eqs, threshold="v > v_th", reset="v = v_reset",
                            method="euler", namespace=ns, dt=clock)
    neuron.v = p["v_rest"] * b2.volt
    ex = b2.PoissonGroup(n * n_ex, np.repeat(rates, n_ex) * b2.Hz, dt=clock)
    inh = b2.PoissonGroup(n * n_in, p["rate_in"] * b2.Hz, dt=clock)
    w0 = rng.uniform(0, p["g_max"], n * n_ex)
    base = SynapsePart("w : 1", "g_ex_post += w")
    connect = {"i": np.arange(n * n_ex), "j": np.repeat(np.arange(n), n_ex)}
    if stdp:
        syn = stdp_synapses(ex, neuron, "additive", w_init=w0, w_max=p["g_max"], base=base,
                            connect=connect, dt=dt, A_plus=p["A_plus"],
                            A_minus=p["ratio"] * p["A_plus"], tau_plus=p["tau_stdp"],
                            tau_minus=p["tau_stdp"])
    else:
        syn = b2.Synapses(ex, neuron, "w : 1", on_pre="g_ex_post += w", dt=clock,
                          namespace={})
        syn.connect(**connect)
        syn.w = w0
    isyn = b2.Synapses(inh, neuron, on_pre="g_in_post += w_in", dt=clock,
                       namespace={"w_in": p["g_in"]})
    isyn.connect(j=f"i // {n_in}")
    counter = b2.SpikeMonitor(neuron, record=False)
    net = b2.Network(neuron, ex, inh, syn, isyn, counter)
    net.run((duration - measure) * b2.second, namespace={})
    before = np.asarray(counter.count[:], dtype=float)
    net.run(measure * b2.second, namespace={})
    out = (np.asarray(counter.count[:], dtype=float) - before) / measure
    return {"weights": np.asarray(syn.w[:]).reshape(n, n_ex) / p["g_max"], "rates": out}


def triplet_frequency_dependence(frequencies, deltas=(10e-3, -10e-3), *, n_pairings=60,
                                 w_init=0.4, dt=0.1e-3, **overrides):
    """Weight change of the triplet rule after ``n_pairings`` at each frequency.

    The Sjöström et al. (2001) protocol as simulated by Pfister & Gerstner (2006):
    pairs (pre then post ``delta`` later) repeated at ``frequency``.  Returns
    ``(len(deltas), len(frequencies))`` changes ``Delta w / w_max`` (``w_max`` = 1,
    the rule's unit, so the figure is the normalised change of their Fig. 6).
    """
    freqs = as_float_array("frequencies", frequencies, ndim=1)
    deltas = as_float_array("deltas", deltas, ndim=1)
    n_pairings = check_positive_int("n_pairings", n_pairings)
    slowest = max(v for k, v in stdp_parameters("triplet", **overrides).items()
                  if k.startswith("tau"))
    out = []
    for f in freqs:
        # pairs further apart than 20 time constants do not interact (traces < e^-20):
        # one pair is simulated and its change counted n_pairings times
        alone = 1.0 / f > 20 * slowest
        dw = measure_stdp_window(deltas, "triplet", n_pairings=1 if alone else n_pairings,
                                 frequency=f, w_init=w_init, dt=dt, **overrides)
        out.append(dw * n_pairings if alone else dw)
    return np.stack(out, axis=1)
