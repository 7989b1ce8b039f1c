"""The shared readout: ridge, cross-validated ridge, classifier, RLS."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import biornn as bn


def _regression(n=300, d=8, k=1, noise=0.1, seed=0, offset=3.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) + offset
    W = rng.normal(size=(d, k))
    Y = X @ W + 0.7 + noise * rng.normal(size=(n, k))
    return X, (Y[:, 0] if k == 1 else Y), W


def _normal_equations(X, Y, alpha):
    """Ridge with an unpenalised intercept, solved on the augmented system."""
    A = np.hstack([X, np.ones((X.shape[0], 1))])
    P = alpha * np.eye(A.shape[1])
    P[-1, -1] = 0.0
    sol = np.linalg.solve(A.T @ A + P, A.T @ Y)
    return sol[:-1], sol[-1]


@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize("alpha", [0.0, 1e-3, 10.0])
def test_ridge_equals_normal_equations(alpha, k):
    X, Y, _ = _regression(k=k)
    r = bn.Ridge(alpha=alpha).fit(X, Y)
    W, b = _normal_equations(X, Y, alpha)
    np.testing.assert_allclose(r.coef_, W.T if k > 1 else W, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(r.intercept_, b, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(r.predict(X), X @ W + b, rtol=1e-8, atol=1e-9)


def test_ridge_without_intercept_equals_normal_equations():
    X, y, _ = _regression()
    r = bn.Ridge(alpha=2.0, fit_intercept=False).fit(X, y)
    np.testing.assert_allclose(r.coef_, np.linalg.solve(X.T @ X + 2 * np.eye(X.shape[1]), X.T @ y))
    assert r.intercept_ == 0.0


@settings(max_examples=25, deadline=None)
@given(n_chunks=st.integers(1, 6), alpha=st.floats(1e-6, 1e3), seed=st.integers(0, 10_000))
def test_partial_fit_over_chunks_equals_one_fit(n_chunks, alpha, seed):
    X, Y, _ = _regression(n=120, k=2, seed=seed)
    whole = bn.Ridge(alpha=alpha).fit(X, Y)
    parts = bn.Ridge(alpha=alpha)
    for idx in np.array_split(np.arange(len(X)), n_chunks):
        parts.partial_fit(X[idx], Y[idx])
    np.testing.assert_allclose(parts.coef_, whole.coef_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(parts.intercept_, whole.intercept_, rtol=1e-7, atol=1e-9)


def test_cross_validation_picks_alpha_with_smallest_held_out_error():
    # Many noisy features, few samples: the best alpha is clearly interior.
    rng = np.random.default_rng(3)
    X = rng.normal(size=(80, 60))
    y = X[:, 0] + 0.5 * rng.normal(size=80)
    grid = [1e-6, 1e-2, 1.0, 10.0, 100.0, 1e5]
    r = bn.Ridge(alpha=grid, n_folds=4).fit(X, y)
    # brute force: fit every alpha on every fold's complement, score on the fold
    folds = np.array_split(np.arange(80), 4)
    mse = []
    for a in grid:
        err = 0.0
        for f in folds:
            train = np.setdiff1d(np.arange(80), f)
            m = bn.Ridge(alpha=a).fit(X[train], y[train])
            err += np.sum((m.predict(X[f]) - y[f]) ** 2)
        mse.append(err / 80)
    np.testing.assert_allclose(r.cv_mse_, mse, rtol=1e-6)
    assert r.alpha_ == grid[int(np.argmin(mse))]
    assert r.alpha_ not in (grid[0], grid[-1])


def test_rls_converges_to_ridge_solution():
    X, y, _ = _regression(n=400, d=5, noise=0.05, offset=0.0)
    alpha = 0.5
    rls = bn.RLS(alpha=alpha).fit(X, y)
    ridge = bn.Ridge(alpha=alpha, fit_intercept=False).fit(X, y)
    # RLS with P(0) = I/alpha is exactly recursive ridge: same minimiser
    np.testing.assert_allclose(rls.coef_[0], ridge.coef_, rtol=1e-8, atol=1e-10)


def test_rls_forgetting_tracks_a_changed_system():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 3))
    w1, w2 = np.array([1.0, -1.0, 0.5]), np.array([-2.0, 0.0, 1.0])
    y = np.concatenate([X[:300] @ w1, X[300:] @ w2])
    tracked = bn.RLS(forgetting=0.95).fit(X, y)
    stuck = bn.RLS(forgetting=1.0).fit(X, y)
    assert np.linalg.norm(tracked.coef_[0] - w2) < 1e-3
    assert np.linalg.norm(stuck.coef_[0] - w2) > 0.3


def test_rls_update_returns_a_priori_error():
    rls = bn.RLS(n_features=2, n_outputs=1, alpha=1.0)
    err = rls.update([1.0, 2.0], [3.0])
    np.testing.assert_allclose(err, [-3.0])  # weights start at zero


def test_ridge_classifier_separates_classes_and_decides_by_argmax():
    rng = np.random.default_rng(0)
    centres = np.array([[0, 0], [4, 0], [0, 4]])
    labels = np.repeat(np.array(["a", "b", "c"]), 50)
    X = centres[np.repeat(np.arange(3), 50)] + 0.5 * rng.normal(size=(150, 2))
    clf = bn.RidgeClassifier(alpha=1e-3).fit(X, labels)
    assert clf.score(X, labels) > 0.97
    d = clf.decision_function(X)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[np.argmax(d, axis=1)])
    binary = bn.RidgeClassifier().fit(X[:100], labels[:100])
    assert binary.decision_function(X[:100]).shape == (100,)
    assert binary.score(X[:100], labels[:100]) > 0.97


def test_get_and_set_params_follow_the_estimator_contract():
    r = bn.Ridge(alpha=2.0)
    assert r.get_params() == {"alpha": 2.0, "fit_intercept": True, "n_folds": 5,
                              "dtype": "float64"}
    assert r.set_params(alpha=3.0) is r and r.alpha == 3.0
    with pytest.raises(ValueError, match="invalid parameter 'beta'"):
        r.set_params(beta=1)
    X, y, _ = _regression()
    assert r.fit(X, y) is r


@pytest.mark.parametrize("bad, match", [
    (dict(X=np.full((5, 2), np.nan), y=np.ones(5)), "X contains NaN"),
    (dict(X=np.ones((5, 2)), y=np.array([1, 2, np.inf, 1, 1.0])), "y contains NaN"),
    (dict(X=np.ones((5, 2)), y=np.ones(4)), "same length"),
    (dict(X=np.ones(5), y=np.ones(5)), "X must be 2-d"),
])
def test_ridge_rejects_bad_input_with_named_errors(bad, match):
    with pytest.raises(ValueError, match=match):
        bn.Ridge().fit(**bad)


def test_negative_alpha_is_rejected():
    X, y, _ = _regression()
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        bn.Ridge(alpha=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="alpha"):
        bn.Ridge(alpha=[1.0, -1.0]).fit(X, y)


def test_predict_before_fit_and_feature_mismatch_are_errors():
    with pytest.raises(AttributeError, match="not fitted"):
        bn.Ridge().predict(np.ones((2, 2)))
    X, y, _ = _regression(d=3)
    r = bn.Ridge().fit(X, y)
    with pytest.raises(ValueError, match="expecting 3 features"):
        r.predict(np.ones((2, 4)))


try:  # scikit-learn is not a dependency; when it is installed, run its contract checks
    from sklearn.utils.estimator_checks import parametrize_with_checks
except ImportError:  # pragma: no cover
    parametrize_with_checks = None

if parametrize_with_checks is not None:
    # biornn does not emit sklearn's DataConversionWarning for column-vector labels.
    _EXPECTED = {"Ridge": {}, "RLS": {},
                 "RidgeClassifier": dict(check_supervised_y_2d="no sklearn DataConversionWarning")}

    @parametrize_with_checks([bn.Ridge(), bn.RidgeClassifier(), bn.RLS()],
                             expected_failed_checks=lambda est: _EXPECTED[type(est).__name__])
    def test_scikit_learn_estimator_contract(estimator, check):
        check(estimator)


def test_cross_validation_by_cholesky_equals_the_shared_eigendecomposition(monkeypatch):
    # short grids are solved per alpha by Cholesky, long ones through one eigh per fold:
    # the same alphas must score the same either way (weighted rows included)
    from biornn.readout import _CHOLESKY_GRID
    rng = np.random.default_rng(7)
    X = rng.normal(size=(90, 40)) * np.logspace(-1, 1, 40)      # unequal column scales
    y = X[:, :3] @ [1.0, -2.0, 0.5] + rng.normal(size=90)
    w = rng.uniform(0.2, 2.0, size=90)
    short = [0.01, 1.0, 100.0]
    long = short + list(np.logspace(3, 6, _CHOLESKY_GRID))
    calls = []
    eigh = np.linalg.eigh
    monkeypatch.setattr(np.linalg, "eigh", lambda G: calls.append(1) or eigh(G))
    a = bn.Ridge(alpha=short, n_folds=5).fit(X, y, sample_weight=w)
    assert not calls                                             # Cholesky path
    b = bn.Ridge(alpha=long, n_folds=5).fit(X, y, sample_weight=w)
    assert len(calls) == 5                                       # one eigh per fold
    np.testing.assert_allclose(a.cv_mse_, b.cv_mse_[:3], rtol=1e-8)


def test_cross_validation_is_accurate_for_targets_far_from_zero():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5))
    y = X @ np.arange(1.0, 6.0) + 100.0 + 1e-6 * rng.normal(size=200)
    grid = [1e-8, 1e-4, 1e-2]
    r = bn.Ridge(alpha=grid, n_folds=4).fit(X, y)
    centred = bn.Ridge(alpha=grid, n_folds=4).fit(X, y - 100.0)
    np.testing.assert_allclose(r.cv_mse_, centred.cv_mse_, rtol=1e-3)
    assert r.intercept_ == pytest.approx(100.0, abs=1e-5)


def test_partial_fit_on_a_loaded_ridge_refuses_to_forget(tmp_path):
    X, y, _ = _regression()
    loaded = bn.load(bn.save(bn.Ridge().fit(X, y), tmp_path / "r"))
    with pytest.raises(ValueError, match="call fit"):
        loaded.partial_fit(X[:2], y[:2])
    loaded.fit(X, y)


def test_refit_with_scalar_alpha_drops_stale_cv_scores():
    X, y, _ = _regression()
    r = bn.Ridge(alpha=[0.1, 1.0]).fit(X, y)
    assert hasattr(r, "cv_mse_")
    r.set_params(alpha=5.0).fit(X, y)
    assert not hasattr(r, "cv_mse_") and r.alpha_ == 5.0


def test_classifier_partial_fit_equals_fit_and_checks_lengths():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(90, 4))
    labels = np.repeat([0, 1, 2], 30)
    X[np.arange(90), labels] += 3.0
    whole = bn.RidgeClassifier(alpha=0.1).fit(X, labels)
    parts = bn.RidgeClassifier(alpha=0.1)
    for idx in np.array_split(np.arange(90), 3):
        parts.partial_fit(X[idx], labels[idx], classes=[0, 1, 2])
    np.testing.assert_allclose(parts.coef_, whole.coef_, atol=1e-10)
    with pytest.raises(ValueError, match="same length"):
        whole.score(X, labels[:1])
    with pytest.raises(ValueError, match="at least 2"):
        bn.RidgeClassifier().partial_fit(X, labels, classes=[0])


def test_rls_with_intercept_recovers_offset():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 3))
    y = X @ [1.0, -2.0, 0.5] + 4.0
    rls = bn.RLS(fit_intercept=True, alpha=1e-3).fit(X, y)
    np.testing.assert_allclose(rls.coef_[0], [1.0, -2.0, 0.5], atol=1e-4)
    np.testing.assert_allclose(rls.intercept_, [4.0], atol=1e-3)


def test_gram_matrix_symmetrised_block_by_block():
    from biornn.readout import _symmetrize

    U = np.triu(np.random.default_rng(0).normal(size=(10, 10)))
    np.testing.assert_array_equal(_symmetrize(U, block=3), U + np.triu(U, 1).T)


def test_ridge_with_more_features_than_one_block_equals_normal_equations():
    X, y, _ = _regression(n=900, d=600, noise=0.5)
    W, b = _normal_equations(X, y, 1.0)
    r = bn.Ridge(alpha=1.0).fit(X, y)
    np.testing.assert_allclose(r.coef_, W, rtol=1e-6, atol=1e-9)


def test_unfitted_readouts_raise_not_fitted_error_that_is_value_and_attribute_error():
    from biornn.readout import NotFittedError

    for est in (bn.Ridge(), bn.RidgeClassifier(), bn.RLS()):
        with pytest.raises(NotFittedError, match="not fitted") as info:
            est.predict(np.ones((2, 2)))
        assert isinstance(info.value, ValueError) and isinstance(info.value, AttributeError)
    with pytest.raises(NotFittedError, match="accumulate first"):
        bn.Ridge().solve()


@pytest.mark.filterwarnings("ignore::biornn.readout.GridEdgeWarning")
def test_accumulate_chunks_then_solve_equals_one_fit_and_keeps_given_folds():
    X, Y, _ = _regression(n=240, k=2, seed=4)
    grid = [1e-3, 1.0, 1e3]
    whole = bn.Ridge(alpha=grid, n_folds=3).fit(X, Y)
    stream = bn.Ridge(alpha=grid, n_folds=3)
    folds = np.repeat([0, 1, 2], 80)          # the folds one contiguous fit uses
    for idx in np.array_split(np.arange(240), 7):
        assert stream.accumulate(X[idx], Y[idx], folds=folds[idx]) is stream
    assert not hasattr(stream, "coef_")      # nothing solved yet
    stream.solve()
    np.testing.assert_allclose(stream.coef_, whole.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(stream.cv_mse_, whole.cv_mse_, rtol=1e-8)
    with pytest.raises(ValueError, match="folds must be"):
        bn.Ridge(alpha=grid, n_folds=3).accumulate(X[:5], Y[:5], folds=[0, 1, 2, 3, 0])


@pytest.mark.filterwarnings("ignore::biornn.readout.GridEdgeWarning")
def test_clone_gives_an_unfitted_copy_with_the_same_parameters():
    from biornn.readout import clone

    X, y, _ = _regression()
    r = bn.Ridge(alpha=[0.1, 1.0, 10.0], n_folds=3).fit(X, y)
    c = clone(r)
    assert type(c) is bn.Ridge and c.get_params() == r.get_params()
    assert c.alpha is not r.alpha and not hasattr(c, "coef_")


@pytest.mark.parametrize("edge, grid", [("smallest", [1.0, 10.0, 100.0]),
                                        ("largest", [1.0, 100.0, 1e4])])
def test_alpha_at_the_edge_of_its_grid_warns(edge, grid):
    from biornn.readout import GridEdgeWarning

    X, y, _ = _regression(n=400, d=5, noise=1e-3)
    if edge == "largest":      # pure noise targets: more penalty is always better
        y = np.random.default_rng(1).normal(size=400)
    with pytest.warns(GridEdgeWarning, match=edge):
        bn.Ridge(alpha=grid, n_folds=4).fit(X, y)


def test_interior_alpha_does_not_warn():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(80, 60))
    y = X[:, 0] + 0.5 * rng.normal(size=80)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = bn.Ridge(alpha=[1e-6, 1e-2, 1.0, 10.0, 100.0, 1e5], n_folds=4).fit(X, y)
    assert r.alpha_ not in (1e-6, 1e5)


def test_float32_normal_equations_agree_with_float64_to_single_precision():
    X, Y, _ = _regression(n=500, d=20, k=2, noise=0.1, offset=0.5)
    r64 = bn.Ridge(alpha=1e-2).fit(X, Y)
    r32 = bn.Ridge(alpha=1e-2, dtype="float32").fit(X, Y)
    assert r32._stats.xx.dtype == np.float32 and r32.coef_.dtype == np.float64
    np.testing.assert_allclose(r32.coef_, r64.coef_, rtol=1e-3, atol=1e-4)
    assert not np.array_equal(r32.coef_, r64.coef_)   # it did compute in single precision
    with pytest.raises(ValueError, match="dtype must be one of"):
        bn.Ridge(dtype="float16").fit(X, Y)


def test_normal_equations_beyond_memory_are_refused_before_allocating():
    X = np.zeros((2, 400_000))          # X^T X alone would take 1.2 TB
    with pytest.raises(ValueError, match=r"normal equations for 400000 features needs about "
                                         r"[\d.]+ TiB, more than this machine's"):
        bn.Ridge().fit(X, np.zeros(2))


# -- sample weights -----------------------------------------------------------------
def _weighted_normal_equations(X, Y, w, alpha):
    """min sum_i w_i ||y_i - W^T x_i - b||^2 + alpha ||W||^2, solved directly."""
    mx, my = w @ X / w.sum(), w @ Y / w.sum()
    Xc, Yc = X - mx, Y - my
    W = np.linalg.solve(Xc.T @ (w[:, None] * Xc) + alpha * np.eye(X.shape[1]),
                        Xc.T @ (w[:, None] * Yc))
    return W, my - mx @ W


def test_weighted_ridge_solves_the_weighted_normal_equations():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(60, 4)) + 5.0
    Y = X @ rng.normal(size=(4, 2)) + rng.normal(size=(60, 2))
    w = rng.uniform(0.0, 3.0, size=60)
    W, b = _weighted_normal_equations(X, Y, w, alpha=2.0)
    r = bn.Ridge(alpha=2.0).fit(X, Y, sample_weight=w)
    np.testing.assert_allclose(r.coef_, W.T, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(r.intercept_, b, rtol=1e-9, atol=1e-10)
    # the unweighted fit differs: the weights matter
    assert not np.allclose(bn.Ridge(alpha=2.0).fit(X, Y).coef_, W.T, atol=1e-3)


def test_integer_weights_equal_repeated_rows_and_chunks_add_up():
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(40, 3)), rng.normal(size=40)
    w = rng.integers(0, 4, size=40)
    rep = bn.Ridge(alpha=0.5).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    wt = bn.Ridge(alpha=0.5).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(wt.coef_, rep.coef_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(wt.intercept_, rep.intercept_, rtol=1e-9, atol=1e-12)
    chunked = bn.Ridge(alpha=0.5)
    chunked.partial_fit(X[:25], y[:25], sample_weight=w[:25])
    chunked.partial_fit(X[25:], y[25:], sample_weight=w[25:])
    np.testing.assert_allclose(chunked.coef_, rep.coef_, rtol=1e-9, atol=1e-12)


def test_weighted_classifier_follows_the_heavier_class():
    # two identical inputs with different labels: the heavier-weighted label wins
    X = np.array([[0.0], [0.0], [1.0], [1.0]])
    y = np.array([0, 1, 0, 1])
    clf = bn.RidgeClassifier(alpha=1e-6).fit(X, y, sample_weight=[5.0, 1.0, 1.0, 5.0])
    assert clf.predict([[0.0], [1.0]]).tolist() == [0, 1]
    clf = bn.RidgeClassifier(alpha=1e-6).fit(X, y, sample_weight=[1.0, 5.0, 5.0, 1.0])
    assert clf.predict([[0.0], [1.0]]).tolist() == [1, 0]


@pytest.mark.parametrize("bad, match", [([1.0, -1.0, 1.0], "non-negative"),
                                        ([0.0, 0.0, 0.0], "non-negative"),
                                        ([1.0, 1.0], "one weight per sample"),
                                        ([1.0, np.nan, 1.0], "sample_weight")])
def test_bad_sample_weights_are_refused(bad, match):
    with pytest.raises(ValueError, match=match):
        bn.Ridge().fit(np.eye(3), [1.0, 2.0, 3.0], sample_weight=bad)
