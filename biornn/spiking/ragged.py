"""Running a liquid on trials of different durations (recordings stay ragged).

:meth:`LiquidStateMachine.run` simulates a batch of trials for one duration, padding
the shorter ones; padding 2,500 spoken digits (0.42 s on average) to the longest
(2.3 s) makes the liquid simulate five times more time than the recordings hold.
Here the trials are grouped into a few duration buckets, each bucket runs for its own
longest trial, and each trial's states are cut back to its own duration.  The
buckets minimise the simulated trial-seconds ``sum_b n_b max_{i in b} d_i`` over
partitions of the sorted durations into ``n_buckets`` contiguous groups (dynamic
programming, exact).

On ``cpp_standalone`` one compiled binary serves every bucket (its duration and
the liquid's connectivity are data, :mod:`biornn.spiking.standalone`): it is built
once with room for the largest chunk of copies and of input spikes, so buckets of
any duration and size reuse it.

Because every trial gets its own seed (its initial membrane potentials) and a liquid
is causal (what happens after ``d_i`` never changes the states before it), each
trial's states equal those of running it alone for its own duration
(``tests/spiking/test_ragged.py`` checks this).
"""

from __future__ import annotations

import numpy as np

from .. import states as _states
from .._rng import as_generator
from .._validate import as_float_array, check_choice, check_positive, check_positive_int
from .encoding import check_spike_trials

__all__ = ["duration_buckets", "run_ragged", "run_analog_ragged"]


def duration_buckets(durations, n_buckets=4):
    """Group trials into at most ``n_buckets`` buckets of similar duration.

    Minimises ``sum_b n_b max_{i in b} d_i`` (the trial-seconds a batched simulation
    pays) over partitions of the trials sorted by duration into contiguous groups.

    Parameters
    ----------
    durations : array_like (trials,)
        Seconds (or any positive length), one per trial.
    n_buckets : int, default 4

    Returns
    -------
    list of int ndarray
        Trial positions of each bucket, shortest bucket first.
    """
    d = as_float_array("durations", durations, ndim=1)
    if d.size == 0:
        raise ValueError("durations must hold at least one trial")
    if np.any(d <= 0):
        raise ValueError(f"durations must be positive, got minimum {d.min()}")
    k_max = min(check_positive_int("n_buckets", n_buckets), d.size)
    order = np.argsort(d, kind="stable")
    s = d[order]
    n = s.size
    # cost[j]: best cost of the first j sorted trials; a bucket (i, j] costs (j - i) s[j-1]
    cost = np.arange(n + 1) * np.r_[0.0, s]
    cuts = [np.zeros(n + 1, dtype=int)]
    i = np.arange(n + 1)
    for _ in range(k_max - 1):
        new, arg = cost.copy(), np.zeros(n + 1, dtype=int)
        for j in range(2, n + 1):
            c = cost[1:j] + (j - i[1:j]) * s[j - 1]
            best = int(np.argmin(c))
            if c[best] < new[j]:
                new[j], arg[j] = c[best], best + 1
        cost = new
        cuts.append(arg)
    bounds, j = [n], n
    for arg in reversed(cuts[1:]):
        if arg[j] > 0:
            j = int(arg[j])
            bounds.append(j)
    bounds = [0] + sorted(set(bounds))
    return [order[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


def _trial_seeds(seed, n):
    if isinstance(seed, (list, tuple, np.ndarray)):
        if len(seed) != n:
            raise ValueError(f"seed must have one entry per trial ({n}), got {len(seed)}")
        return list(seed)
    return [int(s) for s in as_generator(seed).integers(2**62, size=n)]


def _states_of(lsm, neurons, times, duration, output):
    """States of one trial from its spikes before ``duration``, as ``lsm.run`` samples them."""
    ts = _states.sample_times(duration, lsm.sample_interval)
    if output == "counts":
        return _states.binned_counts(neurons, times, lsm.n_neurons, np.r_[0.0, ts])
    return _states.exponential_filter(neurons, times, lsm.n_neurons, ts, lsm.tau_filter)


def _reserve_standalone(lsm, trials, durations, buckets, chunk_size, n_channels):
    """Build (or reuse) one compiled liquid with room for every bucket's chunks."""
    from .standalone import StandaloneSimulator
    copies, spikes = 1, 64
    for b in buckets:
        size, n_chunks = lsm._chunking(b.size, chunk_size)
        copies = max(copies, size)
        counts = np.array([trials[i][0].size for i in b])
        spikes = max(spikes, max(int(counts[k * size:(k + 1) * size].sum())
                                 for k in range(n_chunks)))
    sim = lsm._simulator
    if (sim is not None and sim.key[:4] == ("spikes", sim.n_copies, n_channels, lsm.target)
            and sim.n_copies >= copies and sim.capacity >= spikes):
        return
    lsm._simulator = None
    sim = StandaloneSimulator(lsm, "spikes", copies, n_channels, float(durations.max()),
                              capacity=2 ** int(np.ceil(np.log2(spikes))))
    sim.key = ("spikes", copies, n_channels, lsm.target, None)
    lsm._simulator = sim


def _run_buckets(lsm, n_trials, durations, n_buckets, seed, output, run_bucket):
    """Run each bucket for its longest trial and cut every trial at its own duration.

    The buckets record spikes; a trial's spikes at or after its duration (which a run
    of that trial alone would not simulate) are dropped before its states are formed.
    """
    check_choice("output", output, ("filtered", "counts", "spikes"))
    seeds = _trial_seeds(seed, n_trials)
    result = [None] * n_trials
    for bucket in duration_buckets(durations, n_buckets):
        duration = float(durations[bucket].max())
        spikes = run_bucket(bucket, duration, [seeds[i] for i in bucket])
        for (neurons, times), i in zip(spikes, bucket):
            keep = times < durations[i]
            neurons, times = neurons[keep], times[keep]
            result[i] = ((neurons, times) if output == "spikes" else
                         _states_of(lsm, neurons, times, durations[i], output))
    return result


def run_ragged(lsm, inputs, durations, *, n_buckets=4, seed=None, chunk_size=None,
               progress=False, output="filtered"):
    """Drive ``lsm`` with spike trains of different durations, each for its own duration.

    Parameters
    ----------
    lsm : LiquidStateMachine
    inputs : list of (channel_indices, spike_times)
        One pair per trial (as :func:`biornn.audio.spike_encode` returns them).
    durations : array_like (trials,)
        Seconds; every spike of trial ``i`` must fall before ``durations[i]``.
    n_buckets : int, default 4
        Separate simulations (see :func:`duration_buckets`).
    seed : None, int, Generator or sequence (one per trial)
        Initial potentials of each trial (see :meth:`LiquidStateMachine.run`).
    chunk_size, progress, output
        As for :meth:`LiquidStateMachine.run`.

    Returns
    -------
    list
        One entry per trial, in the order given: ``(samples_i, neurons)`` states with
        ``samples_i = floor(durations[i] / lsm.sample_interval)``, or the
        ``(neuron_indices, spike_times)`` before ``durations[i]`` for ``output="spikes"``.
    """
    trials = check_spike_trials(inputs, n_channels=lsm.n_inputs)
    d = as_float_array("durations", durations, ndim=1)
    if d.size != len(trials):
        raise ValueError(f"durations must have one entry per trial ({len(trials)}), "
                         f"got {d.size}")
    late = [i for i, (_, t) in enumerate(trials) if t.size and t.max() >= d[i]]
    if late:
        raise ValueError(f"inputs[{late[0]}] has a spike at or after its duration "
                         f"({d[late[0]]} s)")
    if lsm.target == "cpp_standalone":
        n_channels = lsm.n_inputs or 1 + max((int(c.max()) for c, _ in trials if c.size),
                                             default=0)
        _reserve_standalone(lsm, trials, d, duration_buckets(d, n_buckets), chunk_size,
                            n_channels)
    return _run_buckets(lsm, len(trials), d, n_buckets, seed, output,
                        lambda b, dur, s: lsm.run([trials[i] for i in b], duration=dur,
                                                  seed=s, chunk_size=chunk_size,
                                                  progress=progress, output="spikes"))


def run_analog_ragged(lsm, signals, *, input_dt, n_buckets=4, seed=None, progress=False,
                      output="filtered", **analog):
    """Drive ``lsm`` with analog signals ``(time_i, channels)`` of different lengths.

    Each bucket's signals are padded with zeros after their end (which cannot change
    the states before it) and run through :meth:`LiquidStateMachine.run_analog`; trial
    ``i`` lasts ``time_i * input_dt`` seconds.

    Parameters
    ----------
    lsm : LiquidStateMachine
    signals : list of array (time_i, channels)
    input_dt : float
        Seconds per signal step.
    n_buckets, seed, progress, output
        As for :func:`run_ragged`.
    **analog
        ``mode``, ``input_scale``, ``max_rate``, ``chunk_size`` of ``run_analog``.

    Returns
    -------
    list, one entry per trial in the order given (see :func:`run_ragged`).
    """
    if not isinstance(signals, (list, tuple)) or not signals:
        raise TypeError("signals must be a non-empty list of (time, channels) arrays")
    sigs = [as_float_array(f"signals[{i}]", s, ndim=2) for i, s in enumerate(signals)]
    if any(s.shape[1] != sigs[0].shape[1] for s in sigs):
        raise ValueError("signals must all have the same number of channels, got "
                         f"{sorted({s.shape[1] for s in sigs})}")
    input_dt = check_positive("input_dt", input_dt)
    if analog.get("mode", "current") != "current":
        raise ValueError("run_analog_ragged injects current (mode='current'); for spikes, "
                         "encode the signals (biornn.audio.spike_encode) and use run_ragged")
    lengths = np.array([s.shape[0] for s in sigs])
    if lengths.min() < 1:
        raise ValueError("every signal needs at least one time step")

    def run_bucket(bucket, duration, seeds):
        T = int(lengths[bucket].max())
        batch = np.zeros((bucket.size, T, sigs[0].shape[1]))
        for k, i in enumerate(bucket):
            batch[k, :lengths[i]] = sigs[i]
        return lsm.run_analog(batch, input_dt=input_dt, seed=seeds, progress=progress,
                              output="spikes", **analog)

    return _run_buckets(lsm, len(sigs), lengths * input_dt, n_buckets, seed, output,
                        run_bucket)
