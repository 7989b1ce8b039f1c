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
Population code
    :func:`population_code` spreads each analog feature over several channels
    (ramps with staggered offsets, in push-pull pairs), each in ``[0, 1]``, so that
    different parts of the signal's range drive different input synapses;
    :func:`population_decode` inverts it.
"""

from __future__ import annotations

import numpy as np

from .._rng import as_generator
from .._validate import as_sequences, check_bool, check_in_range, check_positive_int, \
    to_seconds, to_si, to_si_array

__all__ = ["check_spike_trials", "poisson_spikes", "spikes_to_steps", "check_analog",
           "population_code", "population_decode"]


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


def _ramps(n_channels, low, high, overlap, push_pull):
    """Offsets, width and number of ON ramps of :func:`population_code` (validated)."""
    n_channels = check_positive_int("n_channels", n_channels)
    push_pull = check_bool("push_pull", push_pull)
    low, high = float(low), float(high)
    if not (np.isfinite(low) and np.isfinite(high) and high > low):
        raise ValueError(f"low and high must be finite with high > low, got low={low}, "
                         f"high={high}")
    overlap = check_in_range("overlap", overlap, 1.0, np.inf)
    if push_pull and n_channels % 2:
        raise ValueError(f"n_channels must be even with push_pull=True (ON and OFF "
                         f"channels in pairs), got {n_channels}")
    n_on = n_channels // 2 if push_pull else n_channels
    width = min(overlap * (high - low) / n_on, high - low)
    offsets = low + np.arange(n_on) * ((high - low - width) / max(n_on - 1, 1))
    return offsets, width, n_on


def population_code(signals, n_channels=8, *, low=0.0, high=1.0, overlap=1.0,
                    push_pull=True):
    """Spread analog signals over ``n_channels`` input channels per feature.

    Each ON channel ``k`` is a ramp ``r_k(s) = clip((s - theta_k) / w, 0, 1)`` with
    offsets ``theta_k`` staggered evenly so the ramps tile ``[low, high]`` (width
    ``w = overlap (high - low) / n_on``); with ``push_pull`` every ON channel has an
    OFF partner ``clip((theta_k + w - s) / w, 0, 1)``, the ramp of the mirrored signal,
    so a fall of the signal excites as many synapses as a rise.  Together the
    channels form a thermometer-like population code (rank-order / tiling codes of
    sensory populations; for liquids, the encoding of an analog input over a
    population of input neurons as in Maass, Natschläger & Markram 2002), monotone in
    ``s``: ``sum_k r_k(s)`` rises strictly from 0 at ``low`` to ``n_on`` at ``high``,
    which :func:`population_decode` inverts.  Values outside ``[low, high]`` saturate.

    Parameters
    ----------
    signals : array_like, (trials, time, features) or (time, features)
        Or a list of ``(time, features)`` arrays (returned as a list).
    n_channels : int, default 8
        Channels per feature (even with ``push_pull``).
    low, high : float
        The range the ramps tile (the signal's range, e.g. 0 and 0.5 for NARMA input).
    overlap : float >= 1, default 1.0
        Ramp width in units of the offset spacing; 1 tiles without overlap, so the
        ON sum is exactly linear: ``s = low + w sum_k r_k``.
    push_pull : bool, default True

    Returns
    -------
    numpy.ndarray
        Same rank as ``signals``, ``features * n_channels`` channels (feature ``f``'s
        channels at ``f*n_channels ...``, ON first, then OFF), values in ``[0, 1]``:
        the analog input of :meth:`~biornn.spiking.LSM.run_analog` (``mode="current"``
        or ``"poisson"``).

    Examples
    --------
    >>> population_code(np.array([[0.0], [0.5], [1.0]]), 4).round(2).tolist()
    [[0.0, 0.0, 1.0, 1.0], [1.0, 0.0, 0.0, 1.0], [1.0, 1.0, 0.0, 0.0]]
    """
    offsets, width, _ = _ramps(n_channels, low, high, overlap, push_pull)
    batch, form = as_sequences("signals", signals)

    def code(x):
        ramps = [np.clip((x[..., None] - offsets) / width, 0.0, 1.0)]
        if push_pull:
            ramps.append(np.clip((offsets + width - x[..., None]) / width, 0.0, 1.0))
        return np.concatenate(ramps, axis=-1).reshape(*x.shape[:-1], -1)

    return _same_form(code, batch, form)


def _same_form(fn, batch, form):
    """``fn`` applied per sequence, returned in the form the caller gave."""
    if isinstance(batch, list):
        return [fn(x) for x in batch]
    out = fn(batch)
    return out[0] if form == "single" else out


def population_decode(codes, n_channels=8, *, low=0.0, high=1.0, overlap=1.0,
                      push_pull=True):
    """Invert :func:`population_code` (same parameters): the signal, clipped to
    ``[low, high]``, from its channels.

    The ON-minus-OFF sum ``S(s) = sum_k r_k(s) - sum_k r'_k(s)`` is piecewise linear
    and strictly increasing on ``[low, high]``; it is inverted by linear interpolation
    through its breakpoints (exact).

    Returns
    -------
    numpy.ndarray or list
        ``(trials, time, features)`` or ``(time, features)``, as ``codes`` was given.
    """
    offsets, width, n_on = _ramps(n_channels, low, high, overlap, push_pull)
    batch, form = as_sequences("codes", codes)
    per = 2 * n_on if push_pull else n_on
    n_in = (batch[0] if isinstance(batch, list) else batch).shape[-1]
    if n_in % per:
        raise ValueError(f"codes must have a multiple of n_channels={per} channels, got {n_in}")

    def net(c):   # ON sum minus OFF sum, per feature
        c = c.reshape(*c.shape[:-1], -1, per)
        return c[..., :n_on].sum(-1) - (c[..., n_on:].sum(-1) if push_pull else 0.0)

    grid = np.unique(np.clip(np.concatenate([[low, high], offsets, offsets + width]),
                             low, high))
    ref = net(population_code(grid[:, None], n_channels, low=low, high=high,
                              overlap=overlap, push_pull=push_pull))[:, 0]
    return _same_form(lambda c: np.interp(net(c), ref, grid), batch, form)
