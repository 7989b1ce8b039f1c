"""Data sets and task generators.

Every generator is seeded (``seed``: int or numpy Generator) and returns plain
float arrays shaped ``(time, features)`` (or ``(batch, time, features)``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._rng import as_generator
from ._validate import check_positive, check_positive_int, to_seconds

# ---------------------------------------------------------------------------
# Analog time-series tasks (NARMA, Mackey-Glass, memory capacity, sinusoids)
# ---------------------------------------------------------------------------



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
    duration : float, default 0.5
        Seconds.
    rate : float, default 20.0
        Hz per channel.
    jitter : float, default 0.004
        SD of the Gaussian jitter (s); 0 gives exact copies.
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
    duration = to_seconds("duration", duration)
    rate = check_positive("rate", rate)
    jitter = to_seconds("jitter", jitter, allow_zero=True)
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



# ---------------------------------------------------------------------------
# Sequence-learning tasks (adding problem, ...)
# ---------------------------------------------------------------------------

