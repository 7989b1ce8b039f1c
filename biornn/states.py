"""From model output to readout features, shared by every reservoir.

Spike trains -> exponentially filtered traces or binned counts, washout, and
sequence-to-vector reducers.  All functions take and return plain float arrays
in SI units (seconds).
"""

from __future__ import annotations

import numpy as np

from ._validate import check_nonnegative_int

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




# ---------------------------------------------------------------------------
# Spikes -> features
# ---------------------------------------------------------------------------

