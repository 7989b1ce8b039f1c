"""Delayed recall, memory time, separation between classes and population synchrony."""

import numpy as np
import pytest

from biornn import metrics
from biornn.spiking import measures as M

# readouts at delays without signal pick the largest alpha of the grid: expected here
pytestmark = pytest.mark.filterwarnings("ignore::biornn.readout.GridEdgeWarning")


def _decaying_states(n_trials=200, n_samples=8, n_classes=4, tau=2.0, seed=0):
    """Class-specific states whose signal decays by exp(-s/tau) under constant noise."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(n_classes, size=n_trials)
    signal = np.eye(n_classes)[labels] * 3.0                      # (trials, classes)
    decay = np.exp(-np.arange(n_samples) / tau)
    X = signal[:, None, :] * decay[None, :, None] + rng.normal(size=(n_trials, n_samples,
                                                                     n_classes))
    return X, labels


def test_delayed_recall_falls_from_perfect_to_chance_as_the_signal_decays():
    X, y = _decaying_states()
    acc = metrics.delayed_recall(X, y, 150, alpha=[0.01, 0.1, 1.0, 10.0, 100.0, 1e3])
    assert acc.shape == (8,)
    assert acc[0] > 0.85                      # signal 3 sd above the noise
    assert acc[-1] < 0.45                     # signal 0.09 sd: near chance 0.25
    assert np.all(np.diff(acc[::2]) <= 0.05)  # no recovery beyond noise


def test_delayed_recall_refuses_mismatched_labels_and_no_test_trials():
    X, y = _decaying_states(n_trials=20)
    with pytest.raises(ValueError, match="labels"):
        metrics.delayed_recall(X, y[:-1], 10)
    with pytest.raises(ValueError, match="n_train"):
        metrics.delayed_recall(X, y, 20)


def test_memory_time_is_the_area_above_chance():
    d = np.arange(0, 0.5 + 1e-9, 0.05)
    assert metrics.memory_time(np.ones_like(d), d, 0.25) == pytest.approx(0.5)
    assert metrics.memory_time(np.full_like(d, 0.25), d, 0.25) == 0.0
    assert metrics.memory_time(np.full_like(d, 0.1), d, 0.25) == 0.0       # below chance: 0
    step = np.where(d <= 0.2 + 1e-9, 1.0, 0.25)
    assert metrics.memory_time(step, d, 0.25) == pytest.approx(0.2 + 0.025)  # trapezoid
    half = np.full_like(d, 0.625)                                          # halfway up
    assert metrics.memory_time(half, d, 0.25) == pytest.approx(0.25)
    with pytest.raises(ValueError, match="delays"):
        metrics.memory_time([1, 1], [0.1, 0.0], 0.5)


def test_class_separation_exceeds_its_within_class_baseline_only_with_class_signal():
    rng = np.random.default_rng(1)
    y = np.repeat([0, 1, 2], 10)
    noise = rng.normal(size=(30, 20))
    between, within = metrics.class_separation(noise + 10 * np.eye(20)[y], y)
    assert between > 2 * within
    between, within = metrics.class_separation(noise, y)
    assert between == pytest.approx(within, rel=0.15)
    with pytest.raises(ValueError, match="two classes"):
        metrics.class_separation(noise, np.zeros(30))


def test_delayed_recall_inputs_keep_the_template_and_draw_fresh_distractors():
    inputs, labels = M.delayed_recall_inputs(2, 3, 0.1, 0.4, rate=50.0, jitter=0.0,
                                             distractor_rate=30.0, n_trials=40, seed=3)
    assert inputs.duration == pytest.approx(0.5) and inputs.n_channels == 3
    first = {}
    after = []
    for (c, t), label in zip(inputs, labels):
        assert np.all(np.diff(t) >= 0) and t.max() < 0.5
        head = (c[t < 0.1], t[t < 0.1])
        if label in first:                          # jitter 0: the template itself
            np.testing.assert_array_equal(head[1], first[label][1])
        first.setdefault(label, head)
        after.append(t[t >= 0.1])
    rate = np.mean([len(a) for a in after]) / 3 / 0.4
    assert 25 < rate < 35
    assert not np.array_equal(after[0], after[1])   # distractors differ between trials
    quiet, _ = M.delayed_recall_inputs(2, 3, 0.1, 0.4, distractor_rate=0.0, n_trials=5, seed=3)
    assert all(np.all(t < 0.1) for _, t in quiet)


def test_recall_curve_of_spikes_remembers_until_noise_covers_the_filtered_trace():
    rng = np.random.default_rng(2)
    labels = np.tile([0, 1], 40)
    spikes = []
    for label in labels:     # class neuron fires a burst just before the template's end
        i = [label] * 5
        t = list(0.095 + 0.001 * np.arange(5))
        n_noise = rng.poisson(20 * 0.4 * 10)       # 20 Hz on 10 neurons after the template
        i += list(rng.integers(10, size=n_noise))
        t += list(rng.uniform(0.1, 0.5, n_noise))
        spikes.append((np.array(i), np.array(t)))
    acc, X = M.recall_curve(spikes, labels, 10, 0.1, [0.0, 0.3], 60, tau_filter=0.03,
                            alpha=[1e-4, 0.01, 1.0, 100.0])
    assert X.shape == (80, 2, 10)
    assert acc[0] == 1.0                  # the burst dominates the state at the end
    assert acc[1] < 0.8                   # exp(-10) of it is left under 20 Hz noise


def test_population_synchrony_is_one_in_lockstep_and_low_for_independent_cells():
    rng = np.random.default_rng(4)
    t = np.sort(rng.uniform(0, 2, 40))
    lockstep = [(np.repeat(np.arange(20), 40), np.tile(t, 20))]
    assert M.population_synchrony(lockstep, np.arange(20), (0, 2))[0] == pytest.approx(1.0)
    n = 50
    idx = rng.integers(n, size=n * 40)
    indep = [(idx, rng.uniform(0, 2, idx.size))]
    chi = M.population_synchrony(indep, np.arange(n), (0, 2))[0]
    assert chi < 3 / np.sqrt(n)           # chance level about 1/sqrt(n)
    assert np.isnan(M.population_synchrony([(np.array([0]), np.array([0.5]))],
                                           np.arange(5), (0, 2))[0])
