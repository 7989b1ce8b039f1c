"""spike_templates task and the separation metric."""

import numpy as np
import pytest

import biornn as bn


def test_spike_templates_are_jittered_copies_with_balanced_labels():
    d = bn.tasks.spike_templates(n_templates=3, n_channels=5, duration=1.0, rate=30.0,
                                 jitter=0.0, n_trials=30, seed=1)
    assert np.bincount(d.labels).tolist() == [10, 10, 10]
    assert d.inputs.n_channels == 5 and d.inputs.duration == 1.0
    for (c, t), label in zip(d.inputs, d.labels):
        np.testing.assert_array_equal(c, d.templates[label][0])
        np.testing.assert_array_equal(t, d.templates[label][1])
    rate = np.mean([len(t) for _, t in d.templates]) / 5 / 1.0
    assert 20 < rate < 40
    j = bn.tasks.spike_templates(n_templates=3, n_channels=5, duration=1.0, rate=30.0,
                                 jitter=0.004, n_trials=30, seed=1)
    c, t = j.inputs[0]
    assert np.all(np.diff(t) >= 0) and np.all((t >= 0) & (t < 1.0))
    tc, tt = j.templates[j.labels[0]]
    shift = [np.min(np.abs(tt[tc == ch] - x)) for ch, x in zip(c, t)]
    assert 0.001 < np.median(shift) < 0.006


def test_spike_templates_reproducible_and_validated():
    a = bn.tasks.spike_templates(n_trials=4, seed=5)
    b = bn.tasks.spike_templates(n_trials=4, seed=5)
    np.testing.assert_array_equal(a.inputs[2][1], b.inputs[2][1])
    with pytest.raises(ValueError, match="jitter"):
        bn.tasks.spike_templates(jitter=-0.1)


def test_separation_is_mean_state_distance():
    rng = np.random.default_rng(0)
    x = rng.random((3, 4, 5))
    np.testing.assert_allclose(bn.metrics.separation(x, x), 0.0)
    y = x.copy()
    y[:, :, 0] += 2.0
    np.testing.assert_allclose(bn.metrics.separation(x, y), 2.0)
    with pytest.raises(ValueError, match="same shape"):
        bn.metrics.separation(x, y[:2])


def test_spike_train_distance_grows_with_moved_spikes():
    rng = np.random.default_rng(1)
    u = np.sort(rng.uniform(0, 0.5, 10))
    assert bn.metrics.spike_train_distance(u, u, 0.5) == 0.0
    v1 = u.copy(); v1[0] = 0.49
    v3 = u.copy(); v3[:3] = [0.49, 0.48, 0.47]
    d1 = bn.metrics.spike_train_distance(u, v1, 0.5)
    d3 = bn.metrics.spike_train_distance(u, v3, 0.5)
    assert 0 < d1 < d3
    # one spike moved far away: two Gaussian bumps, integral of k^2 = tau sqrt(pi/2)
    assert d1 == pytest.approx(np.sqrt(2 * 0.005 * np.sqrt(np.pi / 2) / 0.5), rel=0.05)


def test_paper_scale_options():
    rng = np.random.default_rng(2)
    x = rng.random((2, 3, 4))
    y = x + 1.0
    np.testing.assert_allclose(bn.metrics.separation(x, y, metric="mean_squared"), 1.0)
    np.testing.assert_allclose(bn.metrics.separation(x, y), 2.0)        # sqrt(4 * 1)
    u, v = np.array([0.1, 0.2]), np.array([0.1, 0.3])
    d = bn.metrics.spike_train_distance(u, v, 0.5)
    assert bn.metrics.spike_train_distance(u, v, 0.5, squared=True) == pytest.approx(d ** 2)
    with pytest.raises(ValueError, match="metric"):
        bn.metrics.separation(x, y, metric="cosine")
