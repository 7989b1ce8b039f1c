"""Spikes -> features: exponential filter and binned counts."""

import numpy as np
import pytest

from biornn.states import binned_counts, exponential_filter, sample_times


def test_exponential_filter_equals_analytic_sum():
    idx = np.array([0, 1, 0, 2, 0])
    t = np.array([0.003, 0.010, 0.0125, 0.020, 0.030])
    ts = np.array([0.005, 0.0125, 0.02, 0.05])
    X = exponential_filter(idx, t, 3, ts, tau=0.01)
    expected = np.zeros((4, 3))
    for k, s in enumerate(ts):
        for i, ti in zip(idx, t):
            if ti <= s:
                expected[k, i] += np.exp(-(s - ti) / 0.01)
    np.testing.assert_allclose(X, expected, rtol=1e-12)


def test_exponential_filter_batches_trials():
    idx = np.array([0, 0, 1])
    t = np.array([0.01, 0.01, 0.02])
    tr = np.array([0, 1, 1])
    X = exponential_filter(idx, t, 2, [0.02], tau=0.03, trial_indices=tr, n_trials=3)
    assert X.shape == (3, 1, 2)
    np.testing.assert_allclose(X[0, 0], [np.exp(-1 / 3), 0])
    np.testing.assert_allclose(X[1, 0], [np.exp(-1 / 3), 1])
    np.testing.assert_allclose(X[2], 0)


def test_binned_counts_and_sample_times():
    ts = sample_times(0.05, 0.01)
    np.testing.assert_allclose(ts, [0.01, 0.02, 0.03, 0.04, 0.05])
    counts = binned_counts([0, 0, 1], [0.0, 0.011, 0.049], 2, np.concatenate([[0], ts]))
    assert counts.shape == (5, 2)
    assert counts[0, 0] == 1 and counts[1, 0] == 1 and counts[4, 1] == 1 and counts.sum() == 3


@pytest.mark.parametrize("args", [
    ([0, 5], [0.1, 0.2], 3, [0.3]),      # index out of range
    ([0], [np.nan], 3, [0.3]),           # NaN time
    ([0], [0.1], 3, [0.3, 0.2]),         # decreasing sample times
])
def test_states_reject_bad_input(args):
    with pytest.raises(ValueError):
        exponential_filter(*args)
