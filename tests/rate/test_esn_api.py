"""ESN as users of reservoirpy and scikit-learn expect it: stateful runs, parameters,
a readout that is cloned rather than trained in place, refusals of absurd sizes."""

import numpy as np
import pytest

import biornn as bn
from biornn.readout import NotFittedError


def _narma(n=500, seed=0):
    return bn.tasks.narma(n, seed=seed)


def test_run_without_reset_continues_where_the_last_run_ended():
    u = np.random.default_rng(0).uniform(-0.5, 0.5, (300, 2))
    esn = bn.ESN(60, leak_rate=0.6, input_scaling=0.5, bias_scaling=0.1, seed=1)
    whole = esn.run(u)
    esn.reset()
    first = esn.run(u[:120])
    np.testing.assert_array_equal(esn.state, first[-1])
    rest = esn.run(u[120:], reset=False)
    np.testing.assert_allclose(np.vstack([first, rest]), whole, rtol=1e-12, atol=1e-14)
    # the default starts again from zeros
    np.testing.assert_array_equal(esn.run(u[120:]), bn.ESN(60, leak_rate=0.6, input_scaling=0.5,
                                                            bias_scaling=0.1, seed=1).run(u[120:]))
    with pytest.raises(ValueError, match="not both"):
        esn.run(u, reset=False, initial_state=np.zeros(60))


def test_step_by_step_equals_a_run_and_reset_returns_to_zeros():
    u = np.random.default_rng(1).normal(size=(40, 1))
    esn = bn.ESN(30, leak_rate=0.4, seed=2)
    X = esn.run(u)
    esn.reset()
    np.testing.assert_array_equal(esn.state, np.zeros(30))
    steps = np.array([esn.step(ut) for ut in u])
    np.testing.assert_allclose(steps, X, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(esn.state, steps[-1])
    esn.state[:] = 5.0                       # a copy: the network is not moved
    np.testing.assert_array_equal(esn.state, steps[-1])


def test_feedback_network_steps_with_the_given_output():
    y = 0.5 * np.sin(np.arange(60) / 4.0)[:, None]
    esn = bn.ESN(25, feedback_scaling=0.7, seed=3)
    X = esn.run(None, teacher=y)             # teacher forcing feeds y(t-1) into x(t)
    esn.reset()
    prev = np.zeros(1)
    for t in range(60):
        x = esn.step(feedback=prev)
        prev = y[t]
    np.testing.assert_allclose(x, X[-1], rtol=1e-12, atol=1e-14)


def test_a_readout_shared_by_two_networks_is_cloned_not_trained_in_place():
    u, y = _narma(600)
    shared = bn.Ridge(alpha=1e-6)
    a = bn.ESN(40, input_scaling=0.1, readout=shared, seed=0).fit(u[:400], y[:400], washout=50)
    before = a.predict(u[400:])
    bn.ESN(40, input_scaling=0.1, readout=shared, seed=1).fit(u[:400], y[:400], washout=50)
    np.testing.assert_array_equal(a.predict(u[400:]), before)
    assert not hasattr(shared, "coef_")       # the object passed was never fitted
    assert a.readout is shared and a.readout_ is not shared


def test_unfitted_network_raises_not_fitted_error():
    esn = bn.ESN(10, seed=0)
    with pytest.raises(NotFittedError, match="call fit") as info:
        esn.predict(np.zeros((5, 1)))
    assert isinstance(info.value, ValueError) and isinstance(info.value, AttributeError)


def test_get_params_returns_the_arguments_and_set_params_redraws_from_the_seed():
    esn = bn.ESN(50, spectral_radius=0.8, leak_rate=1, readout=bn.Ridge(alpha=1e-3), seed=4)
    params = esn.get_params(deep=False)
    assert params["leak_rate"] == 1 and params["seed"] == 4 and params["n_units"] == 50
    assert params["readout"] is esn.readout
    assert esn.get_params()["readout__alpha"] == 1e-3
    u = np.random.default_rng(0).normal(size=(30, 1))
    esn.run(u)
    esn.set_params(spectral_radius=0.5, readout__alpha=1e-2)
    assert esn.spectral_radius == 0.5 and esn.readout.alpha == 1e-2
    np.testing.assert_array_equal(esn.run(u), bn.ESN(50, spectral_radius=0.5, seed=4).run(u))
    with pytest.raises(ValueError, match="invalid parameter 'radius'"):
        esn.set_params(radius=1.0)


def test_score_is_the_r2_of_predictions_after_washout():
    u, y = _narma(800)
    esn = bn.ESN(50, input_scaling=0.1, seed=0).fit(u[:600], y[:600], washout=100)
    p = esn.predict(u[600:])
    r2 = 1 - np.sum((y[650:] - p[50:]) ** 2) / np.sum((y[650:] - y[650:].mean()) ** 2)
    assert esn.score(u[600:], y[600:], washout=50) == pytest.approx(r2, rel=1e-12)


def test_grid_search_cv_tunes_an_esn():
    sklearn = pytest.importorskip("sklearn")
    from sklearn.model_selection import GridSearchCV

    rng = np.random.default_rng(0)
    U = rng.uniform(0, 0.5, (6, 200, 1))
    Y = np.roll(U, 3, axis=1)                 # recall the input 3 steps back
    grid = {"spectral_radius": [0.1, 0.9], "leak_rate": [0.05, 1.0]}
    base = dict(n_units=40, input_scaling=0.5, seed=0)
    search = GridSearchCV(bn.ESN(**base, readout=bn.Ridge(alpha=1e-8)), grid, cv=3)
    search.fit(U, Y, washout=20)
    # the same search by hand: contiguous folds of sequences, R² on the held-out ones
    folds = np.array_split(np.arange(6), 3)
    for i, params in enumerate(search.cv_results_["params"]):
        scores = []
        for test in folds:
            train = np.setdiff1d(np.arange(6), test)
            esn = bn.ESN(**base, **params, readout=bn.Ridge(alpha=1e-8))
            scores.append(esn.fit(U[train], Y[train], washout=20).score(U[test], Y[test]))
        assert search.cv_results_["mean_test_score"][i] == pytest.approx(np.mean(scores))
    assert search.best_params_["leak_rate"] == 1.0     # a slow leak cannot recall 3 steps
    assert search.best_score_ > 0.5
    assert sklearn.base.clone(search.best_estimator_).get_params()["n_units"] == 40


def test_absurd_sizes_are_refused_with_a_memory_estimate_before_allocating():
    with pytest.raises(ValueError, match=r"n_units=1000000000.*needs about [\d.]+ EiB, more "
                                         r"than this machine's"):
        bn.ESN(10**9, seed=0)
    esn = bn.ESN(2000, seed=0)
    long_run = np.broadcast_to(np.zeros((1, 1)), (10**8, 1))   # no memory behind it
    with pytest.raises(ValueError, match=r"states of 1 sequence\(s\) x 100000000 steps.*"
                                         r"needs about [\d.]+ TiB"):
        esn.run(long_run)


def test_sparse_reservoir_positions_are_drawn_without_an_n_squared_array():
    import tracemalloc

    from biornn.rate.reservoir import _random_positions

    n, nnz = 4000, round(0.05 * 4000**2)
    tracemalloc.start()
    keys = _random_positions(n, nnz, np.random.default_rng(0))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert keys.size == nnz and np.all(np.diff(keys) > 0)      # distinct, sorted
    assert peak < 8 * n * n / 4        # the old draw held an 8 N² byte permutation


@pytest.mark.parametrize("nnz", [10, 30])       # 30 > half the grid: the empty cells are drawn
def test_sparse_reservoir_positions_are_uniform_over_the_grid(nnz):
    from biornn.rate.reservoir import _random_positions

    counts = np.zeros(36)
    for seed in range(2000):
        keys = _random_positions(6, nnz, np.random.default_rng(seed))
        assert keys.size == nnz and np.unique(keys).size == nnz
        counts[keys] += 1
    # each cell is drawn with probability nnz/36; binomial sd over 2000 draws <= 0.011
    np.testing.assert_allclose(counts / 2000, nnz / 36, atol=0.045)
