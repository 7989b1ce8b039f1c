"""Metrics: definitions checked against first principles."""

import numpy as np
import pytest

import biornn as bn


def test_nrmse_divides_rmse_by_target_std():
    rng = np.random.default_rng(0)
    y = rng.normal(size=200) * 3 + 1
    p = y + rng.normal(size=200)
    assert bn.metrics.nrmse(y, p) == pytest.approx(np.sqrt(np.mean((y - p) ** 2)) / np.std(y))
    assert bn.metrics.nmse(y, p) == pytest.approx(bn.metrics.nrmse(y, p) ** 2)
    assert bn.metrics.nrmse(y, np.full_like(y, y.mean())) == pytest.approx(1.0)
    assert bn.metrics.nrmse(y, y) == 0.0


def test_nrmse_rejects_mismatched_or_constant_targets():
    with pytest.raises(ValueError, match="same shape"):
        bn.metrics.nrmse(np.ones(5), np.ones(4))
    with pytest.raises(ValueError, match="constant"):
        bn.metrics.nrmse(np.ones(5), np.zeros(5))
    with pytest.raises(ValueError, match="NaN"):
        bn.metrics.nrmse(np.array([1.0, np.nan]), np.ones(2))


def test_memory_capacity_counts_perfectly_recalled_delays():
    rng = np.random.default_rng(0)
    u, Y = bn.tasks.memory_capacity_data(500, 4, seed=0)
    P = Y.copy()
    P[:, 2] = rng.normal(size=500)          # delay 3 forgotten
    P[:, 3] = 2 * Y[:, 3] + 1                # affine reconstruction still counts fully
    mc, r2 = bn.metrics.memory_capacity(Y, P, per_delay=True)
    assert r2[0] == pytest.approx(1) and r2[1] == pytest.approx(1) and r2[3] == pytest.approx(1)
    assert r2[2] < 0.05
    assert mc == pytest.approx(r2.sum())


def test_accuracy():
    assert bn.metrics.accuracy([1, 2, 3, 4], [1, 2, 0, 4]) == 0.75


def test_confidence_interval_matches_the_t_formula_and_shrinks_with_more_seeds():
    from scipy import stats

    from biornn.metrics import confidence_interval

    rng = np.random.default_rng(0)
    x = rng.normal(0.8, 0.05, 5)
    m, h = confidence_interval(x)
    assert m == pytest.approx(x.mean())
    assert h == pytest.approx(stats.t.ppf(0.975, 4) * x.std(ddof=1) / np.sqrt(5))
    # on a synthetic accuracy with fixed spread, the interval narrows as seeds are added
    widths = [np.mean([confidence_interval(rng.normal(0.8, 0.05, n))[1] for _ in range(200)])
              for n in (3, 5, 10, 30)]
    assert widths == sorted(widths, reverse=True)
    assert np.isnan(confidence_interval([0.7])[1])
    with pytest.raises(ValueError, match="values"):
        confidence_interval([0.5, np.nan])
