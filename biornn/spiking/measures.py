"""Measures of what a liquid's mechanisms do: rates, synchrony, coupling, suppression.

Functions that take spikes work on the ``output="spikes"`` form of
:meth:`~biornn.spiking.lsm.LiquidStateMachine.run` (a list, one
``(neuron_indices, spike_times)`` pair per trial) and return plain floats in SI
units.  Two functions measure a built liquid itself:

- :func:`coupling_coefficients`: the steady-state coupling coefficient of every
  gap-junction pair, from the resistive network the junctions and leaks form;
- :func:`soma_rest_and_input_resistance`: resting potential and input
  resistance of the liquid's cells, measured by simulating the built column with
  its threshold out of reach and a small current step.

The rest build inputs (:func:`burst_inputs`, :func:`delayed_recall_inputs`) or
read spike trains (:func:`firing_rates`, :func:`partner_coincidence`,
:func:`pair_synchrony`, :func:`population_synchrony`, :func:`suppression`, and
:func:`recall_curve`, a liquid's memory curve through
:func:`biornn.metrics.delayed_recall`; see also :func:`biornn.metrics.memory_time`).
"""

from __future__ import annotations

import numpy as np

from .._rng import as_generator
from .._validate import as_float_array, check_nonnegative, check_positive, \
    check_positive_int
from ..tasks import SpikeTrials
from .gap_junctions import spike_synchrony

__all__ = ["firing_rates", "partner_coincidence", "pair_synchrony", "suppression",
           "coupling_coefficients", "burst_inputs", "soma_rest_and_input_resistance",
           "spikelet_at_rest", "mean_ci", "population_synchrony", "delayed_recall_inputs",
           "recall_curve"]


def _window(window, name="window"):
    lo, hi = (float(x) for x in window)
    if not 0 <= lo < hi:
        raise ValueError(f"{name} must be (start, stop) with 0 <= start < stop, got {window!r}")
    return lo, hi


def firing_rates(spikes, inhibitory, window):
    """Mean firing rate (Hz) of the excitatory and inhibitory neurons, per trial.

    Parameters
    ----------
    spikes : list of (neuron_indices, spike_times)
    inhibitory : ndarray of bool (n_neurons,)
    window : (start, stop)
        Seconds; spikes with ``start <= t < stop`` count.

    Returns
    -------
    rate_E, rate_I : ndarray (n_trials,)
    """
    inh = np.asarray(inhibitory, dtype=bool)
    lo, hi = _window(window)
    out = np.zeros((len(spikes), 2))
    for k, (i, t) in enumerate(spikes):
        i, t = np.asarray(i, dtype=int), np.asarray(t, dtype=float)
        sel = (t >= lo) & (t < hi)
        n_inh = np.count_nonzero(inh[i[sel]])
        out[k] = [(sel.sum() - n_inh) / max(1, (~inh).sum()), n_inh / max(1, inh.sum())]
    return out[:, 0] / (hi - lo), out[:, 1] / (hi - lo)


def _pair_trains(i, t, pairs):
    order = np.argsort(t, kind="stable")
    i, t = np.asarray(i, dtype=int)[order], np.asarray(t, dtype=float)[order]
    neurons = np.unique(pairs)
    return {n: t[i == n] for n in neurons}


def partner_coincidence(spikes, pairs, window=0.15e-3):
    """Fraction of the coupled neurons' spikes with a coupled partner firing within ``window``.

    For every spike of a neuron in ``pairs`` (array (n, 2) of neuron indices), is
    there a spike of one of its partners at ``|t' - t| <= window`` (s)?  Pooled
    over trials.  At 0.15 ms (one and a half 0.1 ms steps) it counts spikes
    fired in the same or the next time step: lockstep firing.  Its chance level
    is the same measure on the same pairs in a liquid without the coupling.
    """
    pairs = np.asarray(pairs, dtype=int).reshape(-1, 2)
    window = check_nonnegative("window", window)
    hits = total = 0
    for i, t in spikes:
        trains = _pair_trains(i, t, pairs)
        partners = {n: [] for n in trains}
        for a, b in pairs:
            partners[a].append(b)
            partners[b].append(a)
        for n, own in trains.items():
            if not len(own):
                continue
            near = np.zeros(len(own), dtype=bool)
            for m in partners[n]:
                other = trains[m]
                if len(other):
                    pos = np.clip(np.searchsorted(other, own), 1, len(other)) - 1
                    nxt = np.clip(pos + 1, 0, len(other) - 1)
                    gap = np.minimum(np.abs(other[pos] - own), np.abs(other[nxt] - own))
                    near |= gap <= window + 1e-12
            hits += int(near.sum())
            total += len(own)
    return hits / total if total else float("nan")


def pair_synchrony(spikes, pairs, duration, window=2e-3):
    """Mean chance-corrected synchrony of the ``pairs`` (:func:`.gap_junctions.spike_synchrony`).

    Averaged over pairs in which both neurons fire, in all trials of
    ``duration`` (s); NaN when there is none.
    """
    pairs = np.asarray(pairs, dtype=int).reshape(-1, 2)
    duration = check_positive("duration", duration)
    values = []
    for i, t in spikes:
        trains = _pair_trains(i, t, pairs)
        values += [spike_synchrony(trains[a], trains[b], window, duration)
                   for a, b in pairs if len(trains[a]) and len(trains[b])]
    return float(np.mean(values)) if values else float("nan")


def mean_ci(values):
    """Mean and half-width of its 95% confidence interval (Student t) over ``values``."""
    from scipy import stats

    x = as_float_array("values", values, ndim=1)
    if len(x) < 2:
        return float(np.mean(x)), float("nan")
    return float(x.mean()), float(stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))


def suppression(rate_with, rate_without):
    """Relative suppression ``1 - mean(rate_with) / mean(rate_without)`` (0: none, 1: silenced)."""
    a = as_float_array("rate_with", rate_with, ndim=(0, 1))
    b = as_float_array("rate_without", rate_without, ndim=(0, 1))
    base = float(np.mean(b))
    if base <= 0:
        raise ValueError("rate_without must be > 0 on average to define a suppression")
    return 1.0 - float(np.mean(a)) / base


def coupling_coefficients(pairs, g, R_m, n_neurons=None):
    """Steady-state coupling coefficient ``v_j / v_i`` of each junction, current into ``i``.

    The cells are passive with leak ``1/R_m`` and the junctions form a resistive
    network: ``(I/R_m + L) v = I_inj``, ``L`` the graph Laplacian of the junction
    conductances.  For an isolated pair this is ``g R / (1 + g R)``; a cell with
    several partners leaks current into each, so its coefficients are smaller.

    Parameters
    ----------
    pairs : array (n_pairs, 2)
    g : float or array (n_pairs,)
        Junction conductances (S).
    R_m : float
        Input resistance of an uncoupled cell (ohm).

    Returns
    -------
    ndarray (n_pairs, 2)
        Column 0: ``v_b / v_a`` with current into ``a``; column 1: the reverse.
    """
    pairs = np.asarray(pairs, dtype=int).reshape(-1, 2)
    g = np.broadcast_to(as_float_array("g", g, ndim=(0, 1)), (len(pairs),))
    R_m = check_positive("R_m", R_m)
    if not len(pairs):
        return np.zeros((0, 2))
    cells, local = np.unique(pairs, return_inverse=True)
    local = local.reshape(-1, 2)
    n = len(cells)
    G = np.eye(n) / R_m
    np.add.at(G, (local[:, 0], local[:, 0]), g)
    np.add.at(G, (local[:, 1], local[:, 1]), g)
    np.add.at(G, (local[:, 0], local[:, 1]), -g)
    np.add.at(G, (local[:, 1], local[:, 0]), -g)
    Z = np.linalg.inv(G)                       # transfer resistances
    a, b = local[:, 0], local[:, 1]
    return np.column_stack([Z[a, b] / Z[a, a], Z[b, a] / Z[b, b]])


def burst_inputs(n_channels, duration, *, background_rate=20.0, burst_rate=200.0,
                 burst_start=0.2, burst_length=0.05, n_trials=1, seed=None):
    """Poisson input at ``background_rate`` with a burst at ``burst_rate`` on every channel.

    The burst, ``[burst_start, burst_start + burst_length)``, drives the whole
    liquid, its inhibitory neurons included: the protocol for slow inhibition
    (GABA_B) acting after an inhibitory burst.  Returns :class:`SpikeTrials`.
    """
    n_channels = check_positive_int("n_channels", n_channels)
    duration = check_positive("duration", duration)
    background_rate = check_nonnegative("background_rate", background_rate)
    burst_rate = check_nonnegative("burst_rate", burst_rate)
    start = check_nonnegative("burst_start", burst_start)
    stop = start + check_positive("burst_length", burst_length)
    if stop > duration:
        raise ValueError(f"the burst must end by duration={duration}, got it ending at {stop}")
    rng = as_generator(seed)
    trials = [_merge([_poisson(rng, n_channels, background_rate, 0.0, duration),
                      _poisson(rng, n_channels, burst_rate, start, stop)])
              for _ in range(check_positive_int("n_trials", n_trials))]
    return SpikeTrials(trials, n_channels=n_channels, duration=duration)


def _poisson(rng, n_channels, rate, lo, hi):
    """Homogeneous Poisson spikes at ``rate`` on each channel in ``[lo, hi)``."""
    n = rng.poisson(rate * (hi - lo) * n_channels)
    return rng.integers(n_channels, size=n), rng.uniform(lo, hi, n)


def _merge(parts):
    c = np.concatenate([p[0] for p in parts])
    t = np.concatenate([p[1] for p in parts])
    order = np.argsort(t, kind="stable")
    return c[order], t[order]


def soma_rest_and_input_resistance(lsm, *, step=1e-9, settle=0.3):
    """Resting potential (V) and input resistance (ohm) of the liquid's E and I cells.

    Builds one copy of ``lsm``'s column as it runs (all its extensions
    included), puts the threshold out of reach so no neuron fires, lets the
    membranes settle for twice ``settle`` seconds under the background current
    ``I_b`` (potential ``v_1``), then adds ``step`` amperes to it and lets them
    settle again (``v_2``): ``rest = v_1``, ``R_in = (v_2 - v_1) / step``.  The
    error of either is about ``exp(-settle / tau)`` of the slowest time constant
    ``tau`` (the membrane's, 30 ms in the Maass column).

    Returns
    -------
    dict
        ``rest_E``, ``rest_I``, ``R_in_E``, ``R_in_I``: means over the cells of a type.
    """
    import brian2 as b2

    from .runtime import build_liquid

    step, settle = check_positive("step", step), check_positive("settle", settle)
    b2.prefs.codegen.target = "numpy" if lsm.target == "cpp_standalone" else lsm.target
    parts = build_liquid(lsm, 1, 1)
    liquid = parts["liquid"]
    net = b2.Network(*parts["objects"])
    liquid.v_th = 1 * b2.volt
    liquid.v = 0 * b2.volt
    net.run(2 * settle * b2.second, namespace={})
    v1 = np.asarray(liquid.v / b2.volt)
    liquid.I_b = liquid.I_b + step * b2.amp
    net.run(settle * b2.second, namespace={})
    v2 = np.asarray(liquid.v / b2.volt)
    inh = lsm.inhibitory
    R = (v2 - v1) / step
    return {"rest_E": float(v1[~inh].mean()), "rest_I": float(v1[inh].mean()),
            "R_in_E": float(R[~inh].mean()), "R_in_I": float(R[inh].mean())}


def spikelet_at_rest(lsm, g, spikelet_area, *, duration=5e-3):
    """Spikelet a liquid cell at rest receives when its coupled partner fires.

    Two of ``lsm``'s inhibitory cells (its ``tau_m``, ``R_m``, threshold, reset
    and refractory period) joined by one junction of conductance ``g`` (S) with
    ``spikelet_area`` (V s); both sit at the rest the background current ``I_b``
    gives (``I_b R_m``); cell 0 is pushed over threshold at the first step.

    Returns
    -------
    amplitude : float
        Peak depolarisation (V) of cell 1 above its rest.
    fired : bool
        Whether cell 1 fired.
    """
    import brian2 as b2

    from .gap_junctions import connect_gap_junctions, gap_junction_current
    from .protocols import lif_cells

    nrn = lsm.neuron
    rest = nrn["I_b"] * nrn["R_m"]
    cells = lif_cells(2, [gap_junction_current()], tau_m=nrn["tau_m"], R_m=nrn["R_m"],
                      v_th=nrn["v_th"], v_reset=nrn["v_reset"], refractory=nrn["tau_ref_I"],
                      dt=lsm.dt)
    cells.I_inj = nrn["I_b"] * b2.amp
    cells.v = [nrn["v_th"] + 1e-3, rest] * b2.volt
    gj = connect_gap_junctions(cells, g, pairs=[[0, 1]], spikelet_area=spikelet_area,
                               capacitance=nrn["tau_m"] / nrn["R_m"])
    mon = b2.StateMonitor(cells, "v", record=[1], dt=lsm.dt * b2.second)
    spikes = b2.SpikeMonitor(cells)
    b2.Network(cells, gj, mon, spikes).run(check_positive("duration", duration) * b2.second,
                                           namespace={})
    return float(np.max(mon.v[0] / b2.volt) - rest), bool(spikes.count[1] > 0)


def population_synchrony(spikes, neurons, window, bin_width=5e-3):
    """Population synchrony ``chi`` of ``neurons``, per trial (Golomb 2007).

    With ``n_i(k)`` the spike count of neuron ``i`` in bin ``k`` and
    ``N(k) = mean_i n_i(k)``, ``chi^2 = Var_k N / mean_i Var_k n_i`` over the neurons
    that fire.  ``chi`` is 1 when all neurons fire in the same bins and about
    ``1/sqrt(n)`` for ``n`` independent neurons (its chance level).

    Parameters
    ----------
    spikes : list of (neuron_indices, spike_times)
    neurons : array of int
        The neurons measured (e.g. the excitatory ones).
    window : (start, stop)
        Seconds, cut into bins of ``bin_width`` (s; the last partial bin dropped).

    Returns
    -------
    ndarray (n_trials,)
        NaN for a trial in which fewer than two of ``neurons`` fire.
    """
    from ..states import binned_counts

    lo, hi = _window(window)
    bin_width = check_positive("bin_width", bin_width)
    neurons = np.asarray(neurons, dtype=int).ravel()
    edges = lo + bin_width * np.arange(int(np.floor((hi - lo) / bin_width * (1 + 1e-9))) + 1)
    if len(edges) < 3:
        raise ValueError(f"window {window!r} holds fewer than two bins of {bin_width} s")
    n = int(neurons.max()) + 1 if neurons.size else 1
    out = np.full(len(spikes), np.nan)
    for k, (i, t) in enumerate(spikes):
        i, t = np.asarray(i, dtype=int), np.asarray(t, dtype=float)
        sel = np.isin(i, neurons)
        counts = binned_counts(i[sel], t[sel], n, edges)[:, neurons]
        var = counts.var(axis=0)
        if np.count_nonzero(var) >= 2:
            out[k] = np.sqrt(counts[:, var > 0].mean(axis=1).var() / var[var > 0].mean())
    return out


def delayed_recall_inputs(n_templates, n_channels, template_duration, delay, *, rate=20.0,
                          jitter=0.01, distractor_rate=20.0, n_trials=100, seed=None):
    """Inputs of a delayed-recall task: a jittered template, then unrelated spikes.

    Each trial is a jittered copy of one of ``n_templates`` Poisson templates over
    ``[0, template_duration)`` (:func:`biornn.tasks.spike_templates`) followed, until
    ``template_duration + delay``, by fresh Poisson spikes at ``distractor_rate`` on
    every channel, drawn anew for every trial, so they carry nothing about the label.
    A readout of the state at ``template_duration + d`` that still names the
    template shows the liquid's fading memory of it (Maass, Natschläger & Markram
    2002, Fig. 3: recall of earlier input segments).  ``distractor_rate = 0``
    leaves the liquid to itself after the template.

    Returns
    -------
    inputs : SpikeTrials
        Of duration ``template_duration + delay``.
    labels : ndarray of int (n_trials,)
    """
    from ..tasks import spike_templates

    template_duration = check_positive("template_duration", template_duration)
    delay = check_nonnegative("delay", delay)
    distractor_rate = check_nonnegative("distractor_rate", distractor_rate)
    rng = as_generator(seed)
    data = spike_templates(n_templates, n_channels, template_duration, rate, jitter,
                           n_trials, seed=rng)
    end = template_duration + delay
    trials = [_merge([trial, _poisson(rng, n_channels, distractor_rate, template_duration,
                                      end)]) for trial in data.inputs]
    return SpikeTrials(trials, n_channels=n_channels, duration=end), data.labels



def recall_curve(spikes, labels, n_neurons, template_duration, delays, n_train, *,
                 tau_filter=0.03, alpha=1.0, n_folds=5):
    """A liquid's memory curve: recall of the template at each delay after its end.

    The liquid's responses ``spikes`` to :func:`delayed_recall_inputs` are filtered
    with ``exp(-t/tau_filter)`` (:func:`biornn.states.exponential_filter`, the
    liquid state of Maass et al. 2002) and sampled at ``template_duration + d``
    for each ``d`` in ``delays``; :func:`biornn.metrics.delayed_recall` trains a
    linear readout on the first ``n_train`` trials at each delay.

    Returns
    -------
    accuracy : ndarray (len(delays),)
        Test accuracy per delay (chance ``1 / n_templates``).
    states : ndarray (trials, len(delays), n_neurons)
    """
    from ..metrics import delayed_recall
    from ..states import exponential_filter

    d = as_float_array("delays", delays, ndim=1)
    times = check_positive("template_duration", template_duration) + d
    idx = np.concatenate([np.asarray(i, dtype=int) for i, _ in spikes])
    t = np.concatenate([np.asarray(t, dtype=float) for _, t in spikes])
    trial = np.repeat(np.arange(len(spikes)), [len(i) for i, _ in spikes])
    X = exponential_filter(idx, t, n_neurons, times, tau_filter, trial_indices=trial,
                           n_trials=len(spikes))
    return delayed_recall(X, labels, n_train, alpha=alpha, n_folds=n_folds), X
