"""Experimental preparations that check the biophysical features (used by tests and figures).

Each function builds a small Brian2 network, runs it once and returns plain numpy
arrays in SI units:

- :func:`gprotein_response`: metabotropic current of a voltage-clamped cell to given
  presynaptic spike trains (GABA_B cooperativity, time course);
- :func:`coupled_pair_steady_state`: coupling coefficient of a passive pair;
- :func:`gap_junction_synchrony`: spike synchrony of noisy coupled pairs against ``g``;
- :func:`dendritic_input_output`: peak somatic depolarisation against the number of
  inputs on the dendrite, clustered in time or spread out.

The test cell is a leaky integrate-and-fire neuron with ``v`` measured from rest,
the liquid's cell (Maass et al. 2002: tau_m = 30 ms, R_m = 1 Mohm, threshold 15 mV),
with an optional white-noise term ``sigma sqrt(2/tau_m) xi``.
"""

from __future__ import annotations

import brian2 as b2
import numpy as np

from .._rng import derive_seed
from .._validate import as_float_array, check_nonnegative, check_positive
from .dendrites import attach_gate_update, dendritic_compartment
from .gap_junctions import connect_gap_junctions, gap_junction_current, spike_synchrony
from .metabotropic import connect_metabotropic, metabotropic_current
from .parts import NeuronPart

__all__ = ["lif_cells", "gprotein_response", "coupled_pair_steady_state",
           "gap_junction_synchrony", "dendritic_input_output"]

_CELL = """
dv/dt = (-v + R_m*({total}))/tau_m{noise} : volt (unless refractory)
I_inj : amp
"""


def lif_cells(n, parts=(), *, tau_m=30e-3, R_m=1e6, v_th=15e-3, v_reset=13.5e-3,
              refractory=2e-3, sigma=0.0, dt=0.1e-3):
    """``NeuronGroup`` of ``n`` LIF cells with injected ``I_inj`` plus the currents of ``parts``.

    The liquid's cell (:func:`biornn.spiking.neurons.lif_equations`) with what a
    single-cell preparation needs and the liquid does not: a white-noise term of SD
    ``sigma`` (V) and one set of constants for all cells.
    """
    parts = list(parts)
    total = " + ".join(["I_inj", *[p.name for p in parts]])
    noise = " + sigma*sqrt(2/tau_m)*xi" if sigma else ""
    eqs = _CELL.format(total=total, noise=noise) + "\n".join(p.equations for p in parts)
    namespace = {"tau_m": tau_m * b2.second, "R_m": R_m * b2.ohm, "sigma": sigma * b2.volt,
                 "v_th": v_th * b2.volt, "v_reset": v_reset * b2.volt}
    for p in parts:
        namespace.update(p.namespace)
    return b2.NeuronGroup(n, eqs, threshold="v > v_th", reset="v = v_reset",
                          refractory=refractory * b2.second, namespace=namespace,
                          method="euler", dt=dt * b2.second)


def _spike_generator(trains, dt):
    idx = np.concatenate([np.full(len(t), k) for k, t in enumerate(trains)]).astype(int)
    times = np.concatenate([np.asarray(t, dtype=float) for t in trains])
    return b2.SpikeGeneratorGroup(len(trains), idx, times * b2.second, dt=dt * b2.second)


def gprotein_response(spike_trains, duration, receptor="gabab", *, g_max=1e-6,
                      dt=0.1e-3, record_dt=1e-3, **overrides):
    """Response of voltage-clamped cells (v = rest), one per presynaptic spike train.

    Returns
    -------
    dict with ``t`` (T,), and ``R``, ``G``, ``I`` (n_trains, T): pooled receptor
    activation, G-protein and the current (A; negative = outward/hyperpolarising).
    """
    trains = [as_float_array(f"spike_trains[{k}]", t, ndim=1) for k, t in enumerate(spike_trains)]
    part = metabotropic_current(receptor, g_max=g_max, **overrides)
    cells = b2.NeuronGroup(len(trains), "v : volt\n" + part.equations, namespace=part.namespace,
                           method="exact", dt=dt * b2.second)
    src = _spike_generator(trains, dt)
    syn = connect_metabotropic(src, cells, receptor, **overrides)
    mon = b2.StateMonitor(cells, [f"R_{receptor}", f"G_{receptor}", f"I_{receptor}"],
                          record=True, dt=record_dt * b2.second)
    b2.Network(cells, src, syn, mon).run(check_positive("duration", duration) * b2.second,
                                         namespace={})
    return {"t": np.asarray(mon.t / b2.second),
            "R": np.asarray(getattr(mon, f"R_{receptor}")),
            "G": np.asarray(getattr(mon, f"G_{receptor}")),
            "I": np.asarray(getattr(mon, f"I_{receptor}") / b2.amp)}


def coupled_pair_steady_state(g, *, current=10e-9, R_m=1e6, duration=0.3):
    """Steady potentials ``(v_1, v_2)`` of a passive pair coupled by ``g``, ``current`` into cell 1."""
    cells = lif_cells(2, [gap_junction_current()], R_m=R_m, v_th=1.0)
    cells.I_inj = [current, 0.0] * b2.amp
    gj = connect_gap_junctions(cells, g, pairs=[[0, 1]])
    b2.Network(cells, gj).run(duration * b2.second, namespace={})
    return float(cells.v[0] / b2.volt), float(cells.v[1] / b2.volt)


def gap_junction_synchrony(g_values, *, duration=3.0, I_b=14e-9, sigma=2e-3,
                           spikelet_area=1e-4, window=2e-3, seed=None):
    """Spike synchrony of independent noisy LIF pairs, one pair per conductance.

    All pairs run in one network (pair k: cells k and n + k, coupled by
    ``g_values[k]``), driven by a constant ``I_b`` below threshold and independent
    noise of SD ``sigma``.  Returns the synchrony (:func:`spike_synchrony`) and the
    mean firing rate (Hz) of each pair.
    """
    g = as_float_array("g_values", g_values, ndim=1)
    n = len(g)
    rng = np.random.default_rng(derive_seed(seed))
    b2.seed(int(rng.integers(2**31 - 1)))
    tau_m, R_m = 30e-3, 1e6
    cells = lif_cells(2 * n, [gap_junction_current()], sigma=sigma, tau_m=tau_m, R_m=R_m)
    cells.I_inj = I_b * b2.amp
    cells.v = rng.uniform(0, 15e-3, 2 * n) * b2.volt
    gj = connect_gap_junctions(cells, g, pairs=np.c_[np.arange(n), np.arange(n, 2 * n)],
                               spikelet_area=spikelet_area, capacitance=tau_m / R_m)
    spikes = b2.SpikeMonitor(cells)
    b2.Network(cells, gj, spikes).run(duration * b2.second, namespace={})
    trains = spikes.spike_trains()
    sync = np.array([spike_synchrony(trains[k] / b2.second, trains[n + k] / b2.second,
                                     window, duration) for k in range(n)])
    counts = np.asarray(spikes.count[:], dtype=float)
    return sync, 0.5 * (counts[:n] + counts[n:]) / duration


def dendritic_input_output(n_inputs, *, nonlinearity="nmda", spread=0.0, amplitude=10e-9,
                           tau_syn=3e-3, onset=20e-3, after=0.3, gate_dt=None, **overrides):
    """Peak depolarisation of soma and dendrite against the number of dendritic inputs.

    One non-spiking two-compartment cell per entry of ``n_inputs``.  Its ``n``
    excitatory synaptic events (each an exponentially decaying current of
    ``amplitude`` and decay ``tau_syn``) arrive on the dendrite together
    (``spread = 0``: clustered, synchronous) or ``spread`` seconds apart.

    Returns
    -------
    v_soma, v_dend : ndarray (len(n_inputs),)
        Peak depolarisation from rest (V).
    """
    ns = np.asarray(n_inputs, dtype=int).ravel()
    if np.any(ns < 1):
        raise ValueError(f"n_inputs must be >= 1, got {n_inputs!r}")
    spread = check_nonnegative("spread", spread)
    syn_current = NeuronPart("I_syn_d", "dI_syn_d/dt = -I_syn_d/tau_syn_d : amp",
                             {"tau_syn_d": check_positive("tau_syn", tau_syn) * b2.second})
    part = dendritic_compartment([syn_current], nonlinearity=nonlinearity,
                                 gate_variable=gate_dt is not None, **overrides)
    cells = lif_cells(len(ns), [part], v_th=1.0)
    if gate_dt is not None:
        attach_gate_update(cells, gate_dt, nonlinearity, **overrides)
    if spread > 0:  # one input neuron per cell, firing n times
        trains = [onset + np.arange(n) * spread for n in ns]
        weights = np.full(len(ns), amplitude)
    else:  # n synchronous events of the same current = one event n times larger
        trains = [np.array([onset]) for _ in ns]
        weights = ns * amplitude
    src = _spike_generator(trains, 0.1e-3)
    syn = b2.Synapses(src, cells, "A_d : amp (constant)", on_pre="I_syn_d_post += A_d")
    syn.connect(j="i")
    syn.A_d = weights * b2.amp
    mon = b2.StateMonitor(cells, ["v", "v_d"], record=True, dt=0.2 * b2.ms)
    b2.Network(cells, src, syn, mon).run((onset + spread * ns.max() + after) * b2.second,
                                         namespace={})
    return (np.asarray(mon.v / b2.volt).max(axis=1),
            np.asarray(mon.v_d / b2.volt).max(axis=1))
