"""Metrics shared by every model: regression errors, memory capacity, accuracy, separation."""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, to_seconds

# ---------------------------------------------------------------------------
# Regression and classification
# ---------------------------------------------------------------------------



# ---------------------------------------------------------------------------
# Reservoir properties (memory capacity, separation, kernel rank)
# ---------------------------------------------------------------------------

def separation(states_u, states_v):
    """Separation property: mean distance between the states driven by two inputs.

    ``sep(t) = mean_pairs || x_u(t) - x_v(t) ||`` (Euclidean norm over neurons), the
    quantity on the y-axis of Maass, Natschläger & Markram (2002), Figure 2; plot it
    for input pairs at several input distances ``d(u, v)``
    (:func:`spike_train_distance`).

    Parameters
    ----------
    states_u, states_v : array_like, shape (pairs, samples, neurons) or (samples, neurons)
        States for the inputs ``u`` and ``v`` of each pair (same shapes).

    Returns
    -------
    numpy.ndarray, shape (samples,)
        Mean over pairs of the state distance at each sample.
    """
    a = as_float_array("states_u", states_u, ndim=(2, 3))
    b = as_float_array("states_v", states_v, ndim=(2, 3))
    if a.shape != b.shape:
        raise ValueError(f"states_u and states_v must have the same shape, got {a.shape} "
                         f"and {b.shape}")
    if a.ndim == 2:
        a, b = a[None], b[None]
    return np.linalg.norm(a - b, axis=-1).mean(axis=0)


def spike_train_distance(times_u, times_v, duration, *, tau=0.005, dt=1e-4):
    """Distance between two spike trains after Gaussian low-pass filtering.

    ``d(u, v) = sqrt( (1/T) int_0^T ((u * k)(t) - (v * k)(t))^2 dt )`` with the
    kernel ``k(t) = exp(-(t / tau)^2)``, ``tau = 5 ms``: the input distance of Maass,
    Natschläger & Markram (2002), Figure 2 (the normalisation by the duration ``T``
    is our choice; with it two independent 20 Hz trains lie about 0.5 apart).

    Parameters
    ----------
    times_u, times_v : array_like of float
        Spike times (s) of the two trains (one channel each).
    duration : float
        ``T`` in seconds.
    tau : float, default 0.005
    dt : float, default 1e-4
        Integration grid (s).

    Returns
    -------
    float
    """
    duration = to_seconds("duration", duration)
    tau = to_seconds("tau", tau)
    dt = to_seconds("dt", dt)
    u = as_float_array("times_u", times_u, ndim=1)
    v = as_float_array("times_v", times_v, ndim=1)
    grid = np.arange(0.0, duration, dt)
    traces = np.zeros((2, grid.size))
    for trace, times in zip(traces, (u, v)):
        for t0 in times:
            lo, hi = np.searchsorted(grid, (t0 - 4 * tau, t0 + 4 * tau))
            trace[lo:hi] += np.exp(-(((grid[lo:hi] - t0) / tau) ** 2))
    return float(np.sqrt(np.mean((traces[0] - traces[1]) ** 2)))


