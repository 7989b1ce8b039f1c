"""Data sets and task generators.

Every generator is seeded (``seed``: int or numpy Generator) and returns plain
float arrays shaped ``(time, features)`` (or ``(batch, time, features)``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._rng import as_generator
from ._validate import (as_float_array, check_nonnegative, check_nonnegative_int,
                        check_positive, check_positive_int, is_plain_number, to_duration,
                        to_seconds, to_si, warn_implausible)
from .datasets import SpokenDigits, spoken_digits  # noqa: F401  (real recordings)

# ---------------------------------------------------------------------------
# Analog time-series tasks (NARMA, Mackey-Glass, memory capacity, sinusoids)
# ---------------------------------------------------------------------------

def narma(n_steps, order=10, *, seed=None, washout=None, saturate=None, max_tries=20):
    """NARMA time series of a given order (Atiya & Parlos 2000; Jaeger 2003).

    For the standard ``order = 10``::

        y(t+1) = 0.3 y(t) + 0.05 y(t) Σ_{i=0}^{9} y(t-i) + 1.5 u(t-9) u(t) + 0.1,
        u(t) ~ U[0, 0.5] i.i.d.

    Other orders use the same coefficients with the sum and the delayed input
    over ``order`` steps.  Above order 10 the plain recurrence diverges for
    almost every input draw, so by default (``saturate=None``) the right-hand
    side is passed through ``tanh`` for orders > 10, as is common for NARMA-20
    and NARMA-30 in the reservoir literature; ``saturate=True/False`` forces
    the choice.  The task is to predict ``y(t)`` from ``u(t)`` (and
    the reservoir's memory of earlier inputs).  The system occasionally
    diverges for some input draws (mostly for orders above 10); a diverging
    draw is discarded and the input redrawn from the same generator, up to
    ``max_tries`` times.

    Parameters
    ----------
    n_steps : int
        Length of the returned series.
    order : int, default 10
    seed : None, int or numpy.random.Generator
    washout : int, optional
        Steps simulated and dropped before the returned series so it starts
        near stationarity; default ``2 * order`` (the initial zeros).

    Returns
    -------
    u, y : ndarray (n_steps, 1)
        Input and target, aligned so that ``y[t]`` is the system's output in
        response to ``u[t]`` (it depends on ``u[t]`` and ``u[t - order + 1]``):
        the state after input ``u[t]`` should predict ``y[t]``.
    """
    n_steps = check_positive_int("n_steps", n_steps)
    order = check_positive_int("order", order)
    washout = 2 * order if washout is None else check_nonnegative_int("washout", washout)
    max_tries = check_positive_int("max_tries", max_tries)
    saturate = order > 10 if saturate is None else bool(saturate)
    rng = as_generator(seed)
    total = n_steps + washout + 1  # one extra step: y(t+1) is the response to u(t)
    for _ in range(max_tries):
        u = rng.uniform(0.0, 0.5, size=total)
        y = np.zeros(total)
        window = 0.0  # running sum of the last `order` outputs
        with np.errstate(over="ignore", invalid="ignore"):
            for t in range(total - 1):
                window += y[t] - (y[t - order] if t >= order else 0.0)
                u_delayed = u[t - order + 1] if t >= order - 1 else 0.0
                y[t + 1] = 0.3 * y[t] + 0.05 * y[t] * window + 1.5 * u_delayed * u[t] + 0.1
                if saturate:
                    y[t + 1] = np.tanh(y[t + 1])
        if np.all(np.isfinite(y)) and np.max(np.abs(y)) < 10.0:
            return u[washout:-1, None], y[washout + 1:, None]
    raise RuntimeError(f"NARMA-{order} diverged in {max_tries} input draws; "
                       "use a lower order or a shorter series")


def mackey_glass(n_steps, *, tau=17.0, beta=0.2, gamma=0.1, exponent=10, sample_step=1.0,
                 integration_step=0.1, discard=1000.0, x0=1.2, seed=None):
    """Mackey-Glass chaotic time series (Mackey & Glass 1977).

    Integrates the delay differential equation::

        dx/dt = beta x(t - tau) / (1 + x(t - tau)^exponent) - gamma x(t)

    with the classical 4th-order Runge-Kutta method at ``integration_step``
    (default 0.1 time units; the delayed term at half steps is the mean of the
    two neighbouring history points), starting from a constant history ``x0``
    perturbed by a small seeded random offset, drops the first ``discard``
    time units, and samples every ``sample_step`` time units (default 1, the
    protocol of Jaeger 2001 and Jaeger & Haas 2004 with tau = 17).

    Returns
    -------
    ndarray (n_steps, 1)
    """
    n_steps = check_positive_int("n_steps", n_steps)
    for name, val in (("tau", tau), ("beta", beta), ("gamma", gamma),
                      ("sample_step", sample_step), ("integration_step", integration_step),
                      ("x0", x0)):
        check_positive(name, val)
    check_nonnegative("discard", discard)
    h = float(integration_step)
    sub = sample_step / h
    if abs(sub - round(sub)) > 1e-9:
        raise ValueError(f"sample_step ({sample_step}) must be a multiple of "
                         f"integration_step ({integration_step})")
    sub = int(round(sub))
    lag = tau / h
    if abs(lag - round(lag)) > 1e-9:
        raise ValueError(f"tau ({tau}) must be a multiple of integration_step ({h})")
    lag = int(round(lag))
    n_discard = int(round(discard / h))
    total = n_discard + (n_steps - 1) * sub + 1
    rng = as_generator(seed)
    x = np.empty(lag + total)
    x[:lag + 1] = x0 + 0.01 * rng.uniform(-1.0, 1.0)

    def f(xt, xd):
        return beta * xd / (1.0 + xd ** exponent) - gamma * xt

    for i in range(lag, lag + total - 1):
        d0, d1 = x[i - lag], x[i - lag + 1]
        dm = 0.5 * (d0 + d1)
        xi = x[i]
        k1 = f(xi, d0)
        k2 = f(xi + 0.5 * h * k1, dm)
        k3 = f(xi + 0.5 * h * k2, dm)
        k4 = f(xi + h * k3, d1)
        x[i + 1] = xi + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    series = x[lag + n_discard::sub][:n_steps]
    return series[:, None].copy()


def memory_capacity_data(n_steps, max_delay, *, low=-0.8, high=0.8, seed=None):
    """I.i.d. input and its delayed copies, for the memory-capacity task (Jaeger 2001).

    Returns
    -------
    u : ndarray (n_steps, 1)
        ``u(t) ~ U[low, high]`` i.i.d.
    targets : ndarray (n_steps, max_delay)
        ``targets[t, k-1] = u(t - k)`` for ``k = 1..max_delay``; entries before
        the start (``t < k``) are NaN, so drop the first ``max_delay`` steps
        (any washout at least that long does).
    """
    n_steps = check_positive_int("n_steps", n_steps)
    max_delay = check_positive_int("max_delay", max_delay)
    if not high > low:
        raise ValueError(f"high must exceed low, got low={low}, high={high}")
    u = as_generator(seed).uniform(low, high, size=n_steps)
    targets = np.full((n_steps, max_delay), np.nan)
    for k in range(1, max_delay + 1):
        targets[k:, k - 1] = u[:-k] if k < n_steps else []
    return u[:, None], targets


def sinusoids(n_steps, *, periods=(60.0, 120.0, 180.0, 240.0), amplitudes=None,
              phases=None, dt=1.0, seed=None):
    """Sum of sinusoids ``f(t) = Σ_i A_i sin(2π t / T_i + φ_i)``.

    The default is the four-sinusoid periodic target of FORCE learning
    (Sussillo & Abbott 2009, Fig. 2: periods with ratios 1:2:3:4); with
    ``phases=None`` all phases are zero, otherwise ``phases="random"`` draws
    them uniformly from the seeded generator.

    Returns
    -------
    ndarray (n_steps, 1), sampled at ``t = 0, dt, 2 dt, ...``
    """
    n_steps = check_positive_int("n_steps", n_steps)
    check_positive("dt", dt)
    periods = as_float_array("periods", periods, ndim=1)
    if periods.size == 0 or np.any(periods <= 0):
        raise ValueError(f"periods must be positive, got {periods.tolist()}")
    amplitudes = (np.ones_like(periods) / periods.size if amplitudes is None
                  else as_float_array("amplitudes", amplitudes, shape=(periods.size,)))
    if phases is None:
        phases = np.zeros_like(periods)
    elif isinstance(phases, str) and phases == "random":
        phases = as_generator(seed).uniform(0.0, 2 * np.pi, size=periods.size)
    else:
        phases = as_float_array("phases", phases, shape=(periods.size,))
    t = np.arange(n_steps) * dt
    return (amplitudes * np.sin(2 * np.pi * t[:, None] / periods + phases)).sum(axis=1)[:, None]




# ---------------------------------------------------------------------------
# Spiking tasks (spike-train templates)
# ---------------------------------------------------------------------------

class SpikeTrials(list):
    """Spike inputs of many trials: a list with one ``(channel_indices, spike_times)``
    pair per trial.

    ``channel_indices`` is an int array and ``spike_times`` a float array in seconds,
    both of shape ``(n_spikes,)``, sorted by time; spike ``k`` of the trial is fired by
    input channel ``channel_indices[k]`` at ``spike_times[k]``.  The list also carries
    ``n_channels`` and ``duration`` (s), which spiking models read when given it.
    """

    def __init__(self, trials=(), *, n_channels, duration):
        super().__init__(trials)
        self.n_channels = int(n_channels)
        self.duration = float(duration)


@dataclass
class SpikeTemplateData:
    """Result of :func:`spike_templates`.

    Attributes
    ----------
    inputs : SpikeTrials
        One ``(channel_indices, spike_times)`` per trial (see :class:`SpikeTrials`).
    labels : numpy.ndarray of int, shape (n_trials,)
        Template each trial is a jittered copy of.
    templates : SpikeTrials
        The ``n_templates`` noise-free templates, in the same format.
    jitter, rate, duration, n_channels : float, float, float, int
    """

    inputs: SpikeTrials
    labels: np.ndarray
    templates: SpikeTrials
    jitter: float
    rate: float
    duration: float
    n_channels: int


def _poisson_train(rng, n_channels, rate, duration):
    counts = rng.poisson(rate * duration, size=n_channels)
    channels = np.repeat(np.arange(n_channels), counts)
    times = rng.uniform(0.0, duration, size=channels.size)
    order = np.argsort(times, kind="stable")
    return channels[order], times[order]


def spike_templates(n_templates=2, n_channels=4, duration=0.5, rate=20.0, jitter=0.004,
                    n_trials=200, *, seed=None):
    """Jittered instances of Poisson spike-train templates (classification task).

    Each template is ``n_channels`` independent homogeneous Poisson spike trains of
    ``rate`` Hz over ``[0, duration)``.  A trial picks a template (labels balanced,
    order random) and moves every spike by Gaussian jitter ``N(0, jitter^2)``; spikes
    moved outside ``[0, duration)`` are dropped.  The task of Maass, Natschläger &
    Markram (2002): a readout of the liquid state tells which template a noisy
    instance came from.

    Parameters
    ----------
    n_templates : int, default 2
    n_channels : int, default 4
    duration : float (s), default 0.5
    rate : float (Hz), default 20.0
        Per channel.
    jitter : float (s), default 0.004
        SD of the Gaussian jitter; 0 gives exact copies.

        ``duration``, ``rate`` and ``jitter`` also take Brian2 quantities or strings
        with units (``"500 ms"``, ``20 * brian2.Hz``).  Plain numbers are SI; one
        implausible for its role (a duration above 100 s, a jitter not below the
        duration, a rate above 1 kHz) draws a ``UnitWarning``.
    n_trials : int, default 200
    seed : None, int or numpy.random.Generator

    Returns
    -------
    SpikeTemplateData
        ``.inputs`` (a :class:`SpikeTrials` list of ``(channel_indices, spike_times)``),
        ``.labels`` ``(n_trials,)``, ``.templates``.
    """
    n_templates = check_positive_int("n_templates", n_templates)
    n_channels = check_positive_int("n_channels", n_channels)
    n_trials = check_positive_int("n_trials", n_trials)
    duration = to_duration("duration", duration)
    rate_hz = check_positive("rate", to_si("rate", rate, "Hz"))
    if rate_hz > 1000 and is_plain_number(rate):
        warn_implausible("rate", f"{rate!r} is read as {rate_hz:g} Hz (above 1 kHz)")
    rate = rate_hz
    jitter_s = to_seconds("jitter", jitter, allow_zero=True)
    if jitter_s >= duration and is_plain_number(jitter):
        warn_implausible("jitter", f"{jitter!r} is read as {jitter_s:g} s, not below the "
                         f"duration ({duration:g} s)")
    jitter = jitter_s
    rng = as_generator(seed)
    templates = SpikeTrials([_poisson_train(rng, n_channels, rate, duration)
                             for _ in range(n_templates)],
                            n_channels=n_channels, duration=duration)
    labels = rng.permutation(np.arange(n_trials) % n_templates)
    inputs = SpikeTrials(n_channels=n_channels, duration=duration)
    for label in labels:
        channels, times = templates[label]
        times = times + rng.normal(0.0, jitter, size=times.size) if jitter else times.copy()
        keep = (times >= 0) & (times < duration)
        order = np.argsort(times[keep], kind="stable")
        inputs.append((channels[keep][order], times[keep][order]))
    return SpikeTemplateData(inputs, labels, templates, jitter, rate, duration, n_channels)




# ---------------------------------------------------------------------------
# Associative-memory tasks (random patterns, corrupted cues)
# ---------------------------------------------------------------------------

def random_patterns(n_patterns, n_units, seed=None):
    """Random binary patterns for associative memories (Hopfield 1982; Amit et al. 1985).

    Every bit is ±1 with probability 1/2, independently: the unbiased random
    patterns of the standard capacity analysis.

    Parameters
    ----------
    n_patterns : int
        Number of patterns P.
    n_units : int
        Pattern length N.
    seed : None, int or numpy.random.Generator

    Returns
    -------
    ndarray (n_patterns, n_units), float64 with entries ±1
    """
    n_patterns = check_positive_int("n_patterns", n_patterns)
    n_units = check_positive_int("n_units", n_units)
    rng = as_generator(seed)
    return 2.0 * rng.integers(0, 2, size=(n_patterns, n_units)) - 1.0


def corrupt(patterns, flip_fraction, seed=None):
    """Copies of ±1 patterns with a fixed fraction of their bits flipped.

    Exactly ``round(flip_fraction * N)`` bits, chosen uniformly without
    replacement and independently for each pattern, change sign, so every cue
    starts at overlap ``m = 1 - 2 * flip_fraction`` (up to rounding) with its
    pattern.

    Parameters
    ----------
    patterns : array_like (N,) or (P, N) of ±1
    flip_fraction : float in [0, 1]
    seed : None, int or numpy.random.Generator

    Returns
    -------
    ndarray, same shape as ``patterns``, float64 with entries ±1
    """
    x = as_float_array("patterns", patterns, ndim=(1, 2))
    if not np.all(np.abs(x) == 1.0):
        raise ValueError("patterns must contain only -1 and +1 entries")
    flip_fraction = check_nonnegative("flip_fraction", flip_fraction)
    if flip_fraction > 1.0:
        raise ValueError(f"flip_fraction must lie in [0, 1], got {flip_fraction}")
    rng = as_generator(seed)
    cues = np.array(x, ndmin=2, copy=True)
    n_flip = int(round(flip_fraction * cues.shape[1]))
    if n_flip:
        # the first n_flip columns of an independent random ordering per row
        flip = np.argsort(rng.random(cues.shape), axis=1)[:, :n_flip]
        np.put_along_axis(cues, flip, -np.take_along_axis(cues, flip, axis=1), axis=1)
    return cues.reshape(x.shape)




# ---------------------------------------------------------------------------
# Sequence-learning tasks (adding problem, ...)
# ---------------------------------------------------------------------------


def adding_problem(n_sequences, length, *, seed=None):
    """The adding problem (Hochreiter & Schmidhuber 1997), in the variant of Le et al. (2015).

    Each sequence has two input channels: values ``u_t ~ U[0, 1]`` and a marker
    channel that is 0 except at two positions, one drawn uniformly in the first
    half of the sequence and one in the second half.  The target, given once at
    the end, is the sum of the two marked values.  Always answering 1 (the mean
    of the target) scores an MSE of Var(u₁ + u₂) = 2/12 ≈ 0.167, the baseline a
    network must beat (Le, Jaitly & Hinton 2015, "A simple way to initialize
    recurrent networks of rectified linear units", Sect. 4.1).

    Parameters
    ----------
    n_sequences : int
    length : int >= 2
        Sequence length T.
    seed : None, int or Generator

    Returns
    -------
    x : ndarray (n_sequences, length, 2)
        Channel 0 the values, channel 1 the markers.
    y : ndarray (n_sequences, 1)
        The sum of the two marked values.
    """
    n_sequences = check_positive_int("n_sequences", n_sequences)
    length = check_positive_int("length", length)
    if length < 2:
        raise ValueError(f"length must be at least 2, got {length}")
    rng = as_generator(seed)
    x = np.zeros((n_sequences, length, 2))
    x[:, :, 0] = rng.uniform(0.0, 1.0, (n_sequences, length))
    half = length // 2
    first = rng.integers(0, half, n_sequences)
    second = rng.integers(half, length, n_sequences)
    rows = np.arange(n_sequences)
    x[rows, first, 1] = 1.0
    x[rows, second, 1] = 1.0
    y = (x[rows, first, 0] + x[rows, second, 0])[:, None]
    return x, y


def last_step_targets(y, length):
    """Turn one target per sequence into per-step targets and a mask for the last step.

    Parameters
    ----------
    y : array (B, O)
    length : int
        Sequence length T.

    Returns
    -------
    y_steps : ndarray (B, T, O), zero except at the last step
    mask : ndarray (B, T), 1 at the last step, else 0
    """
    y = as_float_array("y", y, ndim=2)
    length = check_positive_int("length", length)
    y_steps = np.zeros((y.shape[0], length, y.shape[1]))
    y_steps[:, -1] = y
    mask = np.zeros((y.shape[0], length))
    mask[:, -1] = 1.0
    return y_steps, mask
