"""From model output to readout features, shared by every reservoir.

Spike trains -> exponentially filtered traces or binned counts, washout, and
sequence-to-vector reducers.  All functions take and return plain float arrays
in SI units (seconds).
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_nonnegative_int, check_positive_int, \
    to_seconds

# ---------------------------------------------------------------------------
# Washout and reducers (rate and spiking)
# ---------------------------------------------------------------------------

def _time_axis_arrays(name, states):
    if isinstance(states, (list, tuple)):
        return [np.asarray(s) for s in states], "list"
    arr = np.asarray(states)
    if arr.ndim not in (2, 3):
        raise ValueError(f"{name} must be (time, features), (batch, time, features) or a "
                         f"list of (time, features), got shape {arr.shape}")
    return arr, "array"


def washout(states, n_steps):
    """Drop the first ``n_steps`` time steps (the initial transient) of states.

    Works on ``(time, features)``, ``(batch, time, features)`` and lists of
    ``(time, features)``; raises if a sequence is not longer than ``n_steps``.
    """
    n_steps = check_nonnegative_int("washout", n_steps)
    arr, form = _time_axis_arrays("states", states)
    seqs = arr if form == "list" else [arr] if arr.ndim == 2 else None
    lengths = [s.shape[0] for s in seqs] if seqs is not None else [arr.shape[1]]
    if n_steps >= min(lengths):
        raise ValueError(f"washout ({n_steps}) must be shorter than the sequence "
                         f"({min(lengths)} steps)")
    if form == "list":
        return [s[n_steps:] for s in arr]
    return arr[n_steps:] if arr.ndim == 2 else arr[:, n_steps:]


def last(states):
    """The state at the last time step: (features,) or (batch, features)."""
    arr, form = _time_axis_arrays("states", states)
    if form == "list":
        return np.stack([s[-1] for s in arr])
    return arr[-1] if arr.ndim == 2 else arr[:, -1]


def mean(states):
    """The state averaged over time: (features,) or (batch, features)."""
    arr, form = _time_axis_arrays("states", states)
    if form == "list":
        return np.stack([s.mean(axis=0) for s in arr])
    return arr.mean(axis=0) if arr.ndim == 2 else arr.mean(axis=1)


def segment_mean(states, n_segments=4):
    """The state averaged over ``n_segments`` equal time segments, concatenated.

    Segment ``k`` of a sequence of ``T`` steps covers steps ``floor(k T / n) ..
    floor((k + 1) T / n) - 1``, so every sequence, whatever its length, gives
    ``n_segments * features`` values ``[mean_1, ..., mean_n]``: a fixed-size summary
    that keeps the coarse time course of an utterance (with ``n_segments=1`` it is
    :func:`mean`).

    Parameters
    ----------
    states : (time, features), (batch, time, features) or list of (time_i, features)
    n_segments : int, default 4
        At most the length of the shortest sequence.

    Returns
    -------
    ndarray (n_segments * features,) or (batch, n_segments * features)
    """
    n_segments = check_positive_int("n_segments", n_segments)
    arr, form = _time_axis_arrays("states", states)
    seqs = arr if form == "list" or arr.ndim == 3 else [arr]
    out = []
    for i, s in enumerate(seqs):
        T = s.shape[0]
        if T < n_segments:
            raise ValueError(f"states[{i}] has {T} time steps, fewer than n_segments "
                             f"({n_segments})")
        edges = (np.arange(n_segments + 1) * T) // n_segments
        sums = np.add.reduceat(s, edges[:-1], axis=0)
        out.append((sums / np.diff(edges)[:, None]).reshape(-1))
    out = np.stack(out)
    return out[0] if form == "array" and arr.ndim == 2 else out




# ---------------------------------------------------------------------------
# Spikes -> features
# ---------------------------------------------------------------------------


def sample_times(duration, interval):
    """Readout sampling times ``interval, 2 interval, ..., <= duration`` (seconds).

    The last sample falls at ``duration`` when ``duration`` is a multiple of
    ``interval`` (within 1e-9 relative), so ``states[:, -1]`` is the state at the end.
    """
    duration = to_seconds("duration", duration)
    interval = to_seconds("interval", interval)
    n = int(np.floor(duration / interval * (1 + 1e-9)))
    if n < 1:
        raise ValueError(f"interval ({interval} s) must not exceed duration ({duration} s)")
    return interval * np.arange(1, n + 1)


def _spike_arrays(indices, times, n_neurons, trials, n_trials):
    n_neurons = check_positive_int("n_neurons", n_neurons)
    idx = np.asarray(indices)
    t = as_float_array("spike_times", times, ndim=1)
    if idx.ndim != 1 or idx.shape != t.shape:
        raise ValueError(f"spike_indices must be 1-d like spike_times {t.shape}, got {idx.shape}")
    if idx.size and (not np.issubdtype(idx.dtype, np.integer)
                     or idx.min() < 0 or idx.max() >= n_neurons):
        raise ValueError(f"spike_indices must be integers in [0, {n_neurons}), got "
                         f"{idx.dtype} in [{idx.min()}, {idx.max()}]")
    if trials is None:
        return idx.astype(np.int64), t, np.zeros(idx.size, dtype=np.int64), 1, n_neurons
    n_trials = check_positive_int("n_trials", n_trials)
    tr = np.asarray(trials)
    if tr.shape != t.shape or (tr.size and (tr.min() < 0 or tr.max() >= n_trials)):
        raise ValueError(f"trial_indices must match spike_times {t.shape} with values in "
                         f"[0, {n_trials})")
    return idx.astype(np.int64), t, tr.astype(np.int64), n_trials, n_neurons


def exponential_filter(spike_indices, spike_times, n_neurons, times, tau=0.03, *,
                       trial_indices=None, n_trials=None):
    """Spike trains low-pass filtered with an exponential kernel, sampled at ``times``.

    ``x_i(t) = sum_{t_s <= t} exp(-(t - t_s) / tau)`` over the spikes ``t_s`` of
    neuron ``i``: the liquid state of Maass, Natschläger & Markram (2002), there with
    ``tau = 30 ms``.  Spikes at exactly a sample time count for that sample.

    Parameters
    ----------
    spike_indices : array of int, shape (n_spikes,)
        Neuron index of each spike, in ``[0, n_neurons)``.
    spike_times : array of float, shape (n_spikes,)
        Spike times in seconds (any order).
    n_neurons : int
    times : array of float, shape (samples,)
        Increasing sampling times (s), e.g. from :func:`sample_times`.
    tau : float, default 0.03
        Filter time constant (s).
    trial_indices, n_trials : optional
        Trial of each spike, to filter many trials at once.

    Returns
    -------
    numpy.ndarray
        ``(samples, n_neurons)``, or ``(n_trials, samples, n_neurons)`` when
        ``trial_indices`` is given.
    """
    idx, t, tr, n_tr, n = _spike_arrays(spike_indices, spike_times, n_neurons,
                                        trial_indices, n_trials)
    tau = to_seconds("tau", tau)
    ts = as_float_array("times", times, ndim=1)
    if ts.size == 0 or np.any(np.diff(ts) <= 0):
        raise ValueError("times must be a non-empty increasing array of sample times")
    n_s = ts.size
    out = np.zeros((n_tr, n_s, n))
    # sample k receives the spikes in (ts[k-1], ts[k]] with weight exp(-(ts[k]-t)/tau);
    # earlier spikes arrive through the recursion x_k = x_{k-1} exp(-dt_k/tau) + new_k
    k = np.searchsorted(ts, t, side="left")
    keep = k < n_s
    k, idx, tr, t = k[keep], idx[keep], tr[keep], t[keep]
    np.add.at(out, (tr, k, idx), np.exp(-(ts[k] - t) / tau))
    decay = np.exp(-np.diff(ts) / tau)
    for s in range(1, n_s):
        out[:, s] += out[:, s - 1] * decay[s - 1]
    return out if trial_indices is not None else out[0]


def binned_counts(spike_indices, spike_times, n_neurons, bin_edges, *,
                  trial_indices=None, n_trials=None):
    """Spike counts per neuron in the bins ``[edge_k, edge_{k+1})``.

    Parameters
    ----------
    spike_indices, spike_times, n_neurons, trial_indices, n_trials
        As for :func:`exponential_filter`.
    bin_edges : array of float, shape (bins + 1,)
        Increasing bin edges (s); e.g. ``np.arange(0, duration + w / 2, w)``.

    Returns
    -------
    numpy.ndarray of float
        ``(bins, n_neurons)`` or ``(n_trials, bins, n_neurons)``.
    """
    idx, t, tr, n_tr, n = _spike_arrays(spike_indices, spike_times, n_neurons,
                                        trial_indices, n_trials)
    edges = as_float_array("bin_edges", bin_edges, ndim=1)
    if edges.size < 2 or np.any(np.diff(edges) <= 0):
        raise ValueError("bin_edges must be an increasing array of at least 2 edges")
    b = np.searchsorted(edges, t, side="right") - 1
    keep = (b >= 0) & (b < edges.size - 1)
    out = np.zeros((n_tr, edges.size - 1, n))
    np.add.at(out, (tr[keep], b[keep], idx[keep]), 1.0)
    return out if trial_indices is not None else out[0]
