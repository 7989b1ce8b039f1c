"""Inputs -> spikes or currents for the spiking models (plain numpy, validated).

Formats
-------
Spike input
    A list with one entry per trial; each entry is a pair
    ``(channel_indices, spike_times)`` of 1-d arrays of equal length: spike ``k`` of
    the trial is fired by input channel ``channel_indices[k]`` (int, ``0 <=
    index < n_channels``) at ``spike_times[k]`` seconds (``0 <= t < duration``).
    :func:`biornn.tasks.spike_templates` returns this format.  One trial alone
    (a bare pair) is accepted too.
Analog input
    An array ``(trials, time, channels)`` (or ``(time, channels)`` for one trial)
    sampled every ``input_dt`` seconds.  It reaches the liquid either as an injected
    current (each channel times an input weight in amperes, held for ``input_dt``)
    or rate-coded as Poisson spikes (:func:`poisson_spikes`, rate = signal x
    ``max_rate``, signal clipped to ``[0, 1]``).
"""

from __future__ import annotations

import numpy as np

from .._rng import as_generator
from .._validate import as_sequences, to_seconds, to_si, to_si_array

__all__ = ["check_spike_trials", "poisson_spikes", "spikes_to_steps", "check_analog"]


def _is_pair(x) -> bool:
    return (isinstance(x, tuple) and len(x) == 2
            and all(np.ndim(part) == 1 for part in x))


def check_spike_trials(inputs, *, n_channels=None, duration=None):
    """Validate spike input and return it as a list of ``(int64, float64)`` pairs.

    Each trial's spikes are returned sorted by time.  ``n_channels`` and
    ``duration`` are checked when given.

    Raises
    ------
    TypeError
        Not a list of pairs of arrays.
    ValueError
        Wrong rank, unequal lengths, non-integer or out-of-range channel, negative,
        NaN or too-late spike time.
    """
    if _is_pair(inputs):
        inputs = [inputs]
    if isinstance(inputs, np.ndarray) or not isinstance(inputs, (list, tuple)):
        raise TypeError("inputs must be a list of (channel_indices, spike_times) pairs, "
                        f"one per trial; got {type(inputs).__name__}")
    if len(inputs) == 0:
        raise ValueError("inputs must contain at least one trial")
    out = []
    for k, trial in enumerate(inputs):
        name = f"inputs[{k}]"
        if not (isinstance(trial, (tuple, list)) and len(trial) == 2):
            raise TypeError(f"{name} must be a pair (channel_indices, spike_times), "
                            f"got {type(trial).__name__}")
        channels = np.asarray(trial[0])
        times = to_si_array(f"{name} spike_times", trial[1], "s")
        if channels.ndim != 1:
            raise ValueError(f"{name} channel_indices must be 1-d, got shape {channels.shape}")
        if channels.shape != times.shape:
            raise ValueError(f"{name}: channel_indices {channels.shape} and spike_times "
                             f"{times.shape} must have the same length")
        if channels.size:
            if not np.issubdtype(channels.dtype, np.integer):
                if not (np.issubdtype(channels.dtype, np.floating)
                        and np.all(channels == np.round(channels))):
                    raise ValueError(f"{name} channel_indices must be integers, got "
                                     f"{channels.dtype}")
            if channels.min() < 0 or (n_channels is not None and channels.max() >= n_channels):
                raise ValueError(f"{name} channel_indices must lie in [0, {n_channels}), got "
                                 f"values in [{channels.min()}, {channels.max()}]")
            if not np.all(np.isfinite(times)):
                raise ValueError(f"{name} spike_times contain NaN or infinite values")
            if times.min() < 0:
                raise ValueError(f"{name} spike_times must be >= 0 s, got {times.min()}")
            if duration is not None and times.max() >= duration:
                hint = (" (all of them lie beyond the duration: spike times are in "
                        "seconds; were they given in ms? pass them with a unit, e.g. "
                        "times * brian2.ms)" if times.min() >= duration else "")
                raise ValueError(f"{name} spike_times must be < duration = {duration} s, "
                                 f"got {times.max()}{hint}")
        order = np.argsort(times, kind="stable")
        out.append((channels.astype(np.int64)[order], times[order]))
    return out


def spikes_to_steps(channels, times, dt):
    """Quantise spike times to time steps, keeping at most one spike per channel and step.

    Brian2 cannot fire an input twice in one step; two spikes of one channel that
    fall in the same ``dt`` bin are merged into one.

    Returns
    -------
    channels : int64 array, steps : int64 array
        Sorted by step then channel.
    """
    steps = np.floor(np.asarray(times) / dt + 1e-6).astype(np.int64)
    width = int(np.max(channels, initial=0)) + 1
    key = np.unique(steps * width + np.asarray(channels))
    return key % width, key // width


def poisson_spikes(signals, *, max_rate=100.0, input_dt=1e-3, seed=None):
    """Rate-code analog signals as inhomogeneous Poisson spike trains.

    Channel ``c`` fires with rate ``max_rate * clip(s_c(t), 0, 1)`` Hz, the signal
    held constant over each ``input_dt`` sample (one Bernoulli draw per channel and
    sample, probability ``rate * input_dt``; requires ``max_rate * input_dt <= 1``).

    Parameters
    ----------
    signals : array_like, (trials, time, channels) or (time, channels)
    max_rate : float (Hz), default 100.0
    input_dt : float (s), default 1e-3
        Both also as Brian2 quantities or strings with units (``"1 ms"``).
    seed : None, int or numpy.random.Generator

    Returns
    -------
    list of (channel_indices, spike_times)
        One pair per trial (the spike input format above).
    """
    batch = check_analog(signals)
    max_rate = to_si("max_rate", max_rate, "Hz")
    if not max_rate > 0:
        raise ValueError(f"max_rate must be > 0 Hz, got {max_rate}")
    input_dt = to_seconds("input_dt", input_dt)
    if max_rate * input_dt > 1:
        raise ValueError(f"max_rate * input_dt must be <= 1, got {max_rate * input_dt}")
    rng = as_generator(seed)
    out = []
    for trial in batch:
        p = np.clip(trial, 0.0, 1.0) * max_rate * input_dt
        steps, channels = np.nonzero(rng.random(p.shape) < p)
        times = (steps + rng.random(steps.size)) * input_dt
        order = np.argsort(times, kind="stable")
        out.append((channels[order].astype(np.int64), times[order]))
    return out


def check_analog(signals):
    """Validate analog input and return it as ``(trials, time, channels)`` floats."""
    batch, _ = as_sequences("signals", signals)
    if isinstance(batch, list):
        raise ValueError("signals must all have the same length (stack them into "
                         "(trials, time, channels))")
    return batch
