"""The linear readout shared by every model: ridge regression, a ridge classifier, RLS.

A reservoir (ESN, LSM, the recurrent part of a FORCE network) turns inputs into
states ``X`` of shape ``(samples, features)``; the readout maps them linearly to
targets ``Y`` of shape ``(samples, outputs)``.  The same classes serve every
model, which is what makes different reservoirs comparable.

The estimators follow scikit-learn's contract (``fit`` returns ``self``,
``get_params``/``set_params``, fitted attributes end in ``_``) without
importing scikit-learn.

Ridge regression (Hoerl & Kennard 1970) minimises
``||Y - X W - 1 b^T||^2 + alpha ||W||^2`` (the intercept ``b`` is not
penalised); with centred data the solution is

    W = (X_c^T X_c + alpha I)^{-1} X_c^T Y_c,    b = mean(Y) - mean(X)^T W.

Only the sufficient statistics ``n, sum(x), sum(y), X^T X, X^T Y, sum(y^2)`` are
kept, so :meth:`Ridge.partial_fit` (or :meth:`Ridge.accumulate` chunk by chunk,
then :meth:`Ridge.solve` once) trains on states that never fit in memory at once
(O(N²) memory whatever the number of samples).  ``dtype="float32"`` keeps
``X^T X`` and solves the normal equations in single precision, on request: half
the memory for the Gram matrix and less time, at a cost in accuracy that grows as
``alpha`` shrinks (``benchmarks/esn_batch.py --parts float32`` prints both).
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.linalg import blas

from ._validate import (as_float_array, check_bool, check_choice, check_memory,
                        check_nonnegative, check_positive_int, check_in_range,
                        check_same_length)
from ._estimator import (Estimator, GridEdgeWarning, NotFittedError, clone,  # noqa: F401
                         not_fitted_error, r2_score)
from ._normal_equations import _Stats, _gram_update, _solve_ridge, _symmetrize  # noqa: F401
from .io import Array, maybe, register_saveable

# alpha grids up to this long are cross-validated by one Cholesky solve per alpha
_CHOLESKY_GRID = 6

__all__ = ["Ridge", "RidgeClassifier", "RLS", "NotFittedError", "GridEdgeWarning", "clone"]


def _check_weights(sample_weight, n_samples):
    """``None`` or a float array of ``n_samples`` finite, non-negative weights, not all 0."""
    if sample_weight is None:
        return None
    w = as_float_array("sample_weight", sample_weight, ndim=1)
    if w.shape[0] != n_samples:
        raise ValueError(f"sample_weight must have one weight per sample ({n_samples}), "
                         f"got {w.shape[0]}")
    if np.any(w < 0) or not np.any(w > 0):
        raise ValueError("sample_weight must be non-negative with at least one positive "
                         f"weight, got minimum {w.min() if w.size else 'none'}")
    return w


@register_saveable
class Ridge(Estimator):
    """Ridge regression readout, closed form, with intercept and cross-validated alpha.

    Hoerl & Kennard (1970); in reservoir computing the standard linear readout
    (Jaeger 2001; Lukoševičius 2012).

    Minimises ``||Y - X W - b||² + alpha ||W||²``; see the module docstring for
    the solution.

    Parameters
    ----------
    alpha : float or sequence of float, default 1.0
        Regularisation strength (>= 0).  A sequence is a grid: the value with the
        smallest mean squared error over ``n_folds`` contiguous folds is chosen,
        using one eigendecomposition per fold for all alphas, then the model is
        refit on all data.  The choice is stored in ``alpha_``; a choice at either
        end of the grid warns (:class:`GridEdgeWarning`), as the best value may
        lie outside it.
    fit_intercept : bool, default True
        Fit an unpenalised intercept ``b``.
    n_folds : int, default 5
        Number of contiguous (time-ordered) folds for the alpha grid.
    dtype : {"float64", "float32"}, default "float64"
        Precision of ``X^T X`` and of the solve of the normal equations;
        ``"float32"`` halves the Gram matrix's memory and saves time, but needs an
        ``alpha`` well above its rounding (the coefficients are returned in
        float64).

    Attributes
    ----------
    coef_ : ndarray (n_features,) or (n_outputs, n_features)
    intercept_ : float or ndarray (n_outputs,)
    alpha_ : float
        The alpha used for the fit.
    cv_mse_ : ndarray (n_alphas,)
        Cross-validated mean squared error per alpha (grid only).
    n_features_in_ : int

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(200, 3))
    >>> Ridge(alpha=1e-6).fit(X, X @ [1.0, 2.0, 3.0] + 0.5).coef_.round(6)
    array([1., 2., 3.])
    """

    _estimator_type = "regressor"
    # what a saved state must hold, checked by biornn.io.load before _from_state
    _SAVED = {"alpha": lambda _, alpha: Ridge(alpha)._alphas(), "fit_intercept": check_bool,
              "n_folds": check_positive_int, "alpha_": check_nonnegative, "y_ndim": (1, 2),
              "coef_": Array(("n_features",), ("n_outputs", "n_features")),
              "intercept_": Array((), ("n_outputs",))}

    def __init__(self, alpha=1.0, *, fit_intercept=True, n_folds=5, dtype="float64"):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.n_folds = n_folds
        self.dtype = dtype

    # -- validation -------------------------------------------------------
    def _alphas(self):
        if np.ndim(self.alpha) == 0:
            return None, check_nonnegative("alpha", self.alpha)
        grid = as_float_array("alpha", self.alpha, ndim=1)
        if grid.size == 0 or np.any(grid < 0):
            raise ValueError(f"alpha must be >= 0 (or a non-empty grid of such values), "
                             f"got {self.alpha!r}")
        return grid, None

    def _check_Xy(self, X, y):
        self._check_y_given(y)
        X = self._check_X(X, dtype=getattr(self, "_precision", lambda: np.float64)())
        y_arr = as_float_array("y", y, ndim=(1, 2))
        check_same_length("X", X, "y", y_arr)
        Y = y_arr[:, None] if y_arr.ndim == 1 else y_arr
        return X, Y, y_arr.ndim

    def _precision(self):
        return np.dtype(check_choice("dtype", str(np.dtype(self.dtype)), ("float64", "float32")))

    # -- fitting ------------------------------------------------------------
    def fit(self, X, y, sample_weight=None):
        """Fit on ``X`` (samples, features) and ``y`` (samples,) or (samples, outputs).

        ``sample_weight`` (samples,), non-negative, weighs each row's squared error:
        ``sum_i w_i ||y_i - W^T x_i - b||^2 + alpha ||W||^2``, solved by the weighted
        normal equations ``(X_c^T D X_c + alpha I) W = X_c^T D Y_c`` with ``D =
        diag(w)`` and the weighted means as centres; all-ones equals no weights.
        """
        self._reset()
        return self.partial_fit(X, y, sample_weight=sample_weight)

    def _reset(self):
        for attr in ("n_features_in_", "_stats", "_folds", "cv_mse_", "coef_", "intercept_"):
            self.__dict__.pop(attr, None)

    def partial_fit(self, X, y, sample_weight=None):
        """Add a chunk of samples (optionally weighted, as in :meth:`fit`) and refit.

        ``partial_fit`` over consecutive chunks gives the same model as one
        ``fit`` on all of them (up to rounding), with memory independent of the
        number of samples.  With an alpha grid, each chunk is split into
        ``n_folds`` contiguous parts, one per fold, so the folds (and possibly the
        chosen alpha) differ from those of a single ``fit``.
        """
        first = not hasattr(self, "_stats")
        self.accumulate(X, y, sample_weight=sample_weight)
        try:
            self.solve()
        except Exception:
            if first:  # leave no half-fitted estimator behind
                self._reset()
            raise
        return self

    def accumulate(self, X, y, *, folds=None, sample_weight=None):
        """Add samples to the statistics without solving (streaming training).

        Call it once per chunk of a long run, then :meth:`solve` once: the result
        equals one :meth:`fit` on all the chunks (up to rounding) in O(N²) memory.
        Each call adds to what earlier calls (or ``partial_fit``) gathered; a
        fresh estimator (or :func:`clone`) starts a new stream.

        Parameters
        ----------
        X : (samples, features)
        y : (samples,) or (samples, outputs)
        folds : int array (samples,), optional
            Each row's cross-validation fold in ``0 .. n_folds-1`` (alpha grid
            only), so a stream of chunks keeps the folds of one contiguous fit;
            by default each chunk is split into ``n_folds`` contiguous parts.
        sample_weight : array (samples,), optional
            Non-negative weight of each row's squared error (see :meth:`fit`);
            the cross-validation error of an alpha grid is weighted the same way.

        Returns
        -------
        self
        """
        grid, _ = self._alphas()
        check_bool("fit_intercept", self.fit_intercept)
        X, Y, y_ndim = self._check_Xy(X, y)
        w = _check_weights(sample_weight, X.shape[0])
        if hasattr(self, "coef_") and not hasattr(self, "_stats"):
            raise ValueError("this Ridge was loaded from a file, which keeps its coefficients "
                             "but not its training statistics: call fit to train it again")
        first = not hasattr(self, "_stats")
        if first:
            d = X.shape[1]   # X^T X, its symmetrised copy and the factorisation
            check_memory(f"the normal equations for {d} features", 3 * d * d * X.itemsize)
            if self.fit_intercept:
                shift, shift_y = X.mean(axis=0), Y.mean(axis=0)
            else:
                shift, shift_y = np.zeros(X.shape[1]), np.zeros(Y.shape[1])
            self._stats = _Stats(X.shape[1], Y.shape[1], shift, shift_y, X.dtype)
            self._y_ndim = y_ndim
            self.n_features_in_ = X.shape[1]
            self._folds = None
        elif Y.shape[1] != self._stats.sy.shape[0]:
            raise ValueError(f"y has {Y.shape[1]} outputs, expected {self._stats.sy.shape[0]} "
                             "as in earlier calls")
        self._stats.add(X, Y, w)
        if grid is not None:
            n_folds = check_positive_int("n_folds", self.n_folds)
            if n_folds < 2:
                raise ValueError(f"n_folds must be >= 2 for an alpha grid, got {n_folds}")
            if self._folds is None:
                self._folds = [_Stats(X.shape[1], Y.shape[1], self._stats.shift,
                                      self._stats.shift_y, X.dtype) for _ in range(n_folds)]
            if folds is not None:
                folds = np.asarray(folds)
                if folds.shape != (X.shape[0],) or folds.dtype.kind not in "iu" or \
                        (folds.size and (folds.min() < 0 or folds.max() >= n_folds)):
                    raise ValueError(f"folds must be {X.shape[0]} integers in [0, {n_folds}), "
                                     f"got shape {folds.shape} dtype {folds.dtype}")
            parts = (np.array_split(np.arange(X.shape[0]), n_folds) if folds is None else
                     [np.flatnonzero(folds == k) for k in range(n_folds)])
            for fold, idx in zip(self._folds, parts):
                if idx.size:
                    fold.add(X[idx], Y[idx], None if w is None else w[idx])
        return self

    def solve(self):
        """Solve the normal equations for the statistics gathered so far.

        Sets ``coef_``, ``intercept_``, ``alpha_`` (and ``cv_mse_`` for a grid);
        returns ``self``.  Raises :class:`NotFittedError` before any
        :meth:`accumulate`.
        """
        if not hasattr(self, "_stats"):
            raise not_fitted_error("this Ridge has no data to solve for; call accumulate first")
        grid, alpha = self._alphas()
        stats = self._stats
        if grid is not None:
            self.cv_mse_ = self._cross_validate(grid)
            best = int(np.argmin(self.cv_mse_))
            alpha = float(grid[best])
            if grid.size > 1 and alpha in (grid.min(), grid.max()):
                side = "smallest" if alpha == grid.min() else "largest"
                warnings.warn(f"the cross-validated alpha {alpha:g} is the {side} value of "
                              f"the grid {grid.tolist()}; the best alpha may lie outside it: "
                              "extend the grid on that side", GridEdgeWarning, stacklevel=2)
        G, C = stats.centred(self.fit_intercept)
        W = _solve_ridge(G, C, alpha)
        b = stats.intercept(W, self.fit_intercept)
        b = b + stats.shift_y - stats.shift @ W  # statistics were taken about the shifts
        self.alpha_ = alpha
        self._W, self._b = W, b
        if self._y_ndim == 1:
            self.coef_, self.intercept_ = W[:, 0].copy(), float(b[0])
        else:
            self.coef_, self.intercept_ = W.T.copy(), b.copy()
        return self

    def _cross_validate(self, grid):
        """Mean held-out squared error per alpha.

        Per fold, either one Cholesky solve per alpha (a short grid whose smallest
        alpha keeps ``G + alpha I`` well conditioned: a factorisation costs about a
        tenth of an eigendecomposition) or one eigendecomposition shared by every
        alpha (long grids, or alphas near zero, where the eigenvalue cut-off below
        guards the solve); both give the same solutions to rounding.
        """
        sse = np.zeros(grid.size)
        n_total = 0
        for fold in self._folds:
            if fold.n == 0:
                continue
            train = self._stats.minus(fold)
            if train.n == 0:
                continue
            G, C = train.centred(self.fit_intercept)
            # Cholesky where every G + alpha I has condition number below ~1e6 x d
            # (alpha >= 1e-6 of G's mean eigenvalue), the shared eigh elsewhere
            if grid.size <= _CHOLESKY_GRID and \
                    grid.min() >= 1e-6 * max(np.trace(G) / G.shape[0], 1e-300):
                solutions = (_solve_ridge(G.copy(), C, a) for a in grid)
            else:
                lam, V = np.linalg.eigh(G)
                Q = V.T @ C
                cut = 1e-12 * max(lam[-1], 1.0)
                solutions = (V @ (Q / np.where(lam + a > cut, lam + a, np.inf)[:, None])
                             for a in grid)
            for i, W in enumerate(solutions):
                sse[i] += fold.sse(W, train.intercept(W, self.fit_intercept))
            n_total += fold.n * C.shape[1]
        if n_total == 0:
            raise ValueError("not enough samples to cross-validate alpha")
        return sse / n_total

    # -- prediction ---------------------------------------------------------
    def predict(self, X):
        """Return ``X W + b``: shape (samples,) or (samples, outputs) like ``y`` was."""
        self._check_fitted()
        X = self._check_X(X)
        return X @ self.coef_.T + self.intercept_

    def score(self, X, y):
        """Coefficient of determination R², averaged uniformly over outputs."""
        X, Y, _ = self._check_Xy(X, y)
        return r2_score(Y, self.predict(X).reshape(Y.shape))

    # -- persistence ----------------------------------------------------------
    def _get_state(self):
        self._check_fitted()
        params = dict(self.get_params(), alpha_=self.alpha_, y_ndim=self._y_ndim)
        if np.ndim(self.alpha):
            params["alpha"] = [float(a) for a in np.ravel(self.alpha)]
        return params, {"coef_": self.coef_, "intercept_": np.asarray(self.intercept_)}

    @classmethod
    def _from_state(cls, params, arrays):
        obj = cls(params["alpha"], fit_intercept=params["fit_intercept"],
                  n_folds=params["n_folds"], dtype=params.get("dtype", "float64"))
        obj.coef_ = arrays["coef_"]
        obj.intercept_ = (float(arrays["intercept_"]) if params["y_ndim"] == 1
                          else arrays["intercept_"])
        obj.alpha_ = params["alpha_"]
        obj._y_ndim = params["y_ndim"]
        obj.n_features_in_ = obj.coef_.shape[-1]
        return obj


@register_saveable
class RidgeClassifier(Estimator):
    """Linear classifier: ridge regression onto ±1 class codes, argmax decision.

    ``ĉ(x) = argmax_k (xᵀ W + b)_k`` where ``W, b`` solve the ridge problem for the
    codes ``Y_ik = +1`` if sample ``i`` is of class ``k``, else ``−1``.

    Labels are coded as +1 for the sample's class and -1 for the others (one
    column for two classes), a :class:`Ridge` is fit to the codes and the class
    with the largest output wins.  This is the readout Maass et al. (2002) and
    most reservoir-computing papers use for classification.

    Parameters
    ----------
    alpha, fit_intercept, n_folds
        As in :class:`Ridge` (``alpha`` may be a grid).

    Attributes
    ----------
    classes_ : ndarray
    coef_ : ndarray (n_features,) for two classes or (n_classes, n_features)
    intercept_ : float or ndarray
    alpha_ : float
    """

    _estimator_type = "classifier"
    _SAVED = {**{k: v for k, v in Ridge._SAVED.items() if k != "y_ndim"},
              "coef_": Array(("n_features",), ("n_classes", "n_features")),
              "intercept_": Array((), ("n_classes",)),
              "classes_": Array(("n_classes",), kind="iufbU")}

    def __init__(self, alpha=1.0, *, fit_intercept=True, n_folds=5):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.n_folds = n_folds

    def _codes(self, y):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise ValueError(f"y must be a 1-d array of labels, got shape {y.shape}")
        if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
            raise ValueError("y contains NaN or infinite values")
        if not np.all(np.isin(y, self.classes_)):
            raise ValueError(f"y holds labels outside classes {self.classes_.tolist()}")
        if self.classes_.size == 2:
            return np.where(y == self.classes_[1], 1.0, -1.0)
        return np.where(y[:, None] == self.classes_[None, :], 1.0, -1.0)

    def fit(self, X, y, sample_weight=None):
        """Fit on states ``X`` (samples, features) and labels ``y`` (samples,);
        ``sample_weight`` (samples,) weighs each row as in :meth:`Ridge.fit`."""
        self._check_y_given(y)
        y_arr = np.asarray(y)
        if y_arr.dtype.kind == "f":
            if not np.all(np.isfinite(y_arr)):
                raise ValueError("y contains NaN or infinite values")
            if np.any(y_arr != np.round(y_arr)):
                raise ValueError("Unknown label type: continuous. y holds non-integer floats; "
                                 "a classifier needs class labels (use Ridge for regression)")
        self.classes_ = np.unique(y_arr)
        if self.classes_.size < 2:
            raise ValueError(f"y must hold at least 2 classes, got only 1 class "
                             f"{self.classes_.tolist()}")
        X = self._check_X(X)
        check_same_length("X", X, "y", np.asarray(y_arr).reshape(len(y_arr), -1))
        self._ridge = Ridge(self.alpha, fit_intercept=self.fit_intercept,
                            n_folds=self.n_folds).fit(X, self._codes(y_arr),
                                                      sample_weight=sample_weight)
        self._copy_fitted()
        return self

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Accumulate a chunk (rows weighted by ``sample_weight``, optional);
        ``classes`` (all labels) is required on the first call."""
        if not hasattr(self, "_ridge"):
            if classes is None:
                raise ValueError("classes must be given on the first call to partial_fit")
            self.classes_ = np.unique(np.asarray(classes))
            if self.classes_.size < 2:
                raise ValueError(f"classes must hold at least 2 labels, got "
                                 f"{self.classes_.tolist()}")
            self._ridge = Ridge(self.alpha, fit_intercept=self.fit_intercept,
                                n_folds=self.n_folds)
        X = self._check_X(X)
        self._ridge.partial_fit(X, self._codes(y), sample_weight=sample_weight)
        self._copy_fitted()
        return self

    def _copy_fitted(self):
        r = self._ridge
        self.coef_, self.intercept_, self.alpha_ = r.coef_, r.intercept_, r.alpha_
        self.n_features_in_ = r.n_features_in_

    def decision_function(self, X):
        """Ridge outputs: (samples,) for two classes, else (samples, classes)."""
        self._check_fitted()
        X = self._check_X(X)
        return X @ self.coef_.T + self.intercept_

    def predict(self, X):
        """Class with the largest ridge output."""
        d = self.decision_function(X)
        if d.ndim == 1:
            return self.classes_[(d > 0).astype(int)]
        return self.classes_[np.argmax(d, axis=1)]

    def score(self, X, y):
        """Accuracy: the fraction of samples classified correctly."""
        y = np.asarray(y).ravel()
        pred = self.predict(X)
        if y.shape != pred.shape:
            raise ValueError(f"X and y must have the same length, got {pred.shape[0]} "
                             f"and {y.shape[0]}")
        return float(np.mean(pred == y))

    def _get_state(self):
        self._check_fitted()
        if self.classes_.dtype.kind not in "iufbU":
            raise TypeError("only numeric or string class labels can be saved")
        params = self.get_params()
        if np.ndim(self.alpha):
            params["alpha"] = [float(a) for a in np.ravel(self.alpha)]
        params["alpha_"] = self.alpha_
        return params, {"coef_": self.coef_, "intercept_": np.asarray(self.intercept_),
                        "classes_": self.classes_}

    @classmethod
    def _from_state(cls, params, arrays):
        obj = cls(params["alpha"], fit_intercept=params["fit_intercept"],
                  n_folds=params["n_folds"])
        obj.classes_ = arrays["classes_"]
        obj.coef_ = arrays["coef_"]
        obj.intercept_ = (float(arrays["intercept_"]) if obj.coef_.ndim == 1
                          else arrays["intercept_"])
        obj.alpha_ = params["alpha_"]
        obj.n_features_in_ = obj.coef_.shape[-1]
        return obj


@register_saveable
class RLS(Estimator):
    """Online recursive least squares with exponential forgetting (Haykin 2002, ch. 13).

    For each sample ``(x, y)`` (``x`` of n_features, ``y`` of n_outputs)::

        e⁻ = W x − y                      a-priori error
        k  = P x / (λ + xᵀ P x)           gain
        W ← W − e⁻ kᵀ
        P ← (P − k xᵀ P) / λ

    with ``P(0) = I / alpha``.  With ``forgetting`` λ = 1 the weights converge to
    the ridge solution with penalty ``alpha``; this is the update FORCE learning
    (Sussillo & Abbott 2009) applies to its readout.

    Parameters
    ----------
    n_features, n_outputs : int, optional
        Sizes; inferred from the first sample when not given.
    alpha : float, default 1.0
        Initial inverse-correlation scale, ``P(0) = I / alpha`` (> 0).
    forgetting : float in (0, 1], default 1.0
        Forgetting factor λ; values below 1 discount old samples.
    fit_intercept : bool, default False
        Append a constant 1 to every ``x`` (its weight is ``intercept_``).

    Attributes
    ----------
    coef_ : ndarray (n_outputs, n_features)
    intercept_ : ndarray (n_outputs,)
    P_ : ndarray
        Running inverse correlation matrix estimate.
    n_updates_ : int
    """

    _estimator_type = "regressor"
    _SAVED = {"n_features": maybe(check_positive_int), "n_outputs": maybe(check_positive_int),
              "alpha": check_nonnegative, "fit_intercept": check_bool, "y_ndim": (1, 2),
              "forgetting": lambda name, v: check_in_range(name, v, 0, 1, low_open=True),
              "W": Array(("n_outputs", "d")), "P_": Array(("d", "d"))}

    def __init__(self, n_features=None, n_outputs=None, *, alpha=1.0, forgetting=1.0,
                 fit_intercept=False):
        self.n_features = n_features
        self.n_outputs = n_outputs
        self.alpha = alpha
        self.forgetting = forgetting
        self.fit_intercept = fit_intercept

    def _init(self, n_features, n_outputs):
        alpha = check_nonnegative("alpha", self.alpha)
        if alpha == 0:
            raise ValueError("alpha must be > 0 (P(0) = I/alpha), got 0.0")
        check_in_range("forgetting", self.forgetting, 0, 1, low_open=True)
        check_bool("fit_intercept", self.fit_intercept)
        for name, given, got in (("n_features", self.n_features, n_features),
                                 ("n_outputs", self.n_outputs, n_outputs)):
            if given is not None and check_positive_int(name, given) != got:
                raise ValueError(f"{name} is {given}, but the data has {got}")
        d = n_features + int(self.fit_intercept)
        # P is kept C-ordered; its transpose (the same symmetric matrix) is
        # Fortran-ordered, which lets BLAS update it in place.
        self.P_ = np.eye(d) / alpha
        self._W = np.zeros((n_outputs, d))
        self.n_updates_ = 0
        self.n_features_in_ = n_features
        self._sync()

    def _sync(self):
        d = self.n_features_in_
        self.coef_ = self._W[:, :d]
        self.intercept_ = self._W[:, d] if self.fit_intercept else np.zeros(self._W.shape[0])

    def update(self, x, y):
        """One RLS step on a single sample; returns the a-priori error ``W x − y``.

        This is the fast path (no validation beyond shapes) used inside FORCE
        loops; ``x`` has shape (n_features,), ``y`` shape (n_outputs,).
        """
        x = np.asarray(x, dtype=np.float64).ravel()
        y = np.atleast_1d(np.asarray(y, dtype=np.float64)).ravel()
        if not hasattr(self, "P_"):
            self._init(x.size, y.size)
        if self.fit_intercept:
            x = np.append(x, 1.0)
        if x.size != self.P_.shape[0] or y.size != self._W.shape[0]:
            raise ValueError(f"x must have {self.n_features_in_} and y {self._W.shape[0]} "
                             f"entries, got {x.size - self.fit_intercept} and {y.size}")
        Px = self.P_ @ x
        denom = self.forgetting + x @ Px
        err = self._W @ x - y
        # W <- W - e k^T with k = Px / denom
        self._W -= np.outer(err, Px / denom)
        # P <- P - Px Px^T / denom  (in place, symmetric rank-1 update)
        blas.dger(-1.0 / denom, Px, Px, a=self.P_.T, overwrite_a=1)
        if self.forgetting != 1.0:
            self.P_ /= self.forgetting
        self.n_updates_ += 1
        self._sync()
        return err

    def partial_fit(self, X, y):
        """Run :meth:`update` over the rows of ``X`` and ``y`` in order."""
        X, Y, y_ndim = self._check_Xy(X, y)
        if not hasattr(self, "P_"):
            self._init(X.shape[1], Y.shape[1])
            self._y_ndim = y_ndim
        for xi, yi in zip(X, Y):
            self.update(xi, yi)
        return self

    def fit(self, X, y):
        """Reset and run RLS once over all samples in order."""
        for attr in ("P_", "n_features_in_"):
            self.__dict__.pop(attr, None)
        return self.partial_fit(X, y)

    def predict(self, X):
        """Return ``X Wᵀ + b``: (samples,) if fit on 1-d y, else (samples, outputs)."""
        self._check_fitted()
        X = self._check_X(X)
        out = X @ self.coef_.T + self.intercept_
        return out[:, 0] if getattr(self, "_y_ndim", 2) == 1 else out

    score = Ridge.score

    def _check_Xy(self, X, y):
        return Ridge._check_Xy(self, X, y)

    def _get_state(self):
        self._check_fitted()
        params = dict(self.get_params(), n_updates_=self.n_updates_,
                      y_ndim=getattr(self, "_y_ndim", 2))
        return params, {"W": self._W, "P_": self.P_}

    @classmethod
    def _from_state(cls, params, arrays):
        keys = ("n_features", "n_outputs", "alpha", "forgetting", "fit_intercept")
        obj = cls(**{k: params[k] for k in keys})
        obj._W = arrays["W"].copy()
        obj.P_ = np.array(arrays["P_"], order="C")
        obj.n_updates_ = params["n_updates_"]
        obj._y_ndim = params["y_ndim"]
        obj.n_features_in_ = obj._W.shape[1] - int(obj.fit_intercept)
        obj._sync()
        return obj
