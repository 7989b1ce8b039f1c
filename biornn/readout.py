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

import copy
import inspect
import sys
import warnings

import numpy as np
import scipy.linalg as sla
from scipy.linalg import blas

from ._validate import (as_float_array, check_bool, check_choice, check_memory,
                        check_nonnegative, check_positive_int, check_in_range,
                        check_same_length)
from .io import Array, maybe, register_saveable

__all__ = ["Ridge", "RidgeClassifier", "RLS", "NotFittedError", "GridEdgeWarning", "clone"]


class NotFittedError(ValueError, AttributeError):
    """An estimator was used before it was fitted.

    Subclasses both ``ValueError`` and ``AttributeError``, as scikit-learn's
    exception of the same name does.  When scikit-learn is already imported the
    error raised is also an instance of scikit-learn's own class, so its tools
    (``check_estimator``, ``check_is_fitted`` callers) recognise it; biornn never
    imports scikit-learn itself.
    """


_SKLEARN_FLAVOURS: dict = {}


def not_fitted_error(message):
    """The :class:`NotFittedError` to raise (scikit-learn's flavour when it is loaded)."""
    sk = sys.modules.get("sklearn.exceptions")
    sk_cls = getattr(sk, "NotFittedError", None)
    if not (isinstance(sk_cls, type) and issubclass(sk_cls, Exception)):
        return NotFittedError(message)
    cls = _SKLEARN_FLAVOURS.get(sk_cls)
    if cls is None:
        cls = _SKLEARN_FLAVOURS[sk_cls] = type("NotFittedError", (NotFittedError, sk_cls),
                                               {"__module__": __name__})
    return cls(message)


class GridEdgeWarning(UserWarning):
    """The cross-validated alpha is the smallest or largest of its grid.

    The best value may lie outside the grid: extend it on that side.
    """


def clone(estimator):
    """A new, unfitted estimator with the same parameters (scikit-learn's ``clone``).

    Built from ``get_params(deep=False)`` (parameters deep-copied, nested
    estimators cloned); an object without ``get_params`` is deep-copied.
    """
    if not hasattr(estimator, "get_params") or isinstance(estimator, type):
        return copy.deepcopy(estimator)
    params = {k: clone(v) if hasattr(v, "get_params") and not isinstance(v, type)
              else copy.deepcopy(v) for k, v in estimator.get_params(deep=False).items()}
    return type(estimator)(**params)


def r2_score(Y, P):
    """Coefficient of determination ``1 - SS_res / SS_tot`` per output column of
    ``Y`` (samples, outputs), averaged uniformly; a constant target scores 1 when
    matched exactly, else 0."""
    ss_res = np.sum((Y - P) ** 2, axis=0)
    ss_tot = np.sum((Y - Y.mean(axis=0)) ** 2, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(ss_tot > 0, 1.0 - ss_res / ss_tot, np.where(ss_res > 0, 0.0, 1.0))
    return float(np.mean(r2))


class Estimator:
    """scikit-learn style parameter handling, read from ``__init__``'s signature."""

    @classmethod
    def _param_names(cls):
        sig = inspect.signature(cls.__init__)
        return [p.name for p in sig.parameters.values()
                if p.name != "self" and p.kind != p.VAR_KEYWORD]

    def get_params(self, deep=True):
        """Return the constructor parameters as a dict."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        """Set constructor parameters; unknown names raise ``ValueError``."""
        valid = self._param_names()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(f"invalid parameter {key!r} for {type(self).__name__}; "
                                 f"valid parameters: {valid}")
            setattr(self, key, value)
        return self

    def __sklearn_tags__(self):
        """Estimator tags, for scikit-learn's tools (only called when it is installed)."""
        from sklearn.utils import ClassifierTags, RegressorTags, Tags, TargetTags

        classifier = self._estimator_type == "classifier"
        return Tags(estimator_type=self._estimator_type,
                    target_tags=TargetTags(required=True, multi_output=not classifier,
                                           single_output=True),
                    classifier_tags=ClassifierTags(multi_label=False) if classifier else None,
                    regressor_tags=None if classifier else RegressorTags())

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params(deep=False).items())
        return f"{type(self).__name__}({args})"

    def _check_fitted(self):
        if not hasattr(self, "n_features_in_"):
            raise not_fitted_error(f"this {type(self).__name__} is not fitted yet; call fit first")

    def _check_X(self, X, name="X", dtype=np.float64):
        X = as_float_array(name, X, dtype=dtype)
        if X.ndim != 2:
            raise ValueError(f"{name} must be 2-d (samples, features), got shape {X.shape}. "
                             "Reshape your data: X.reshape(-1, 1) for a single feature or "
                             "X.reshape(1, -1) for a single sample")
        if X.shape[0] == 0:
            raise ValueError(f"{name} has 0 samples (shape={X.shape}) while a minimum of 1 "
                             "is required")
        if X.shape[1] == 0:
            raise ValueError(f"{name} has 0 feature(s) (shape={X.shape}) while a minimum of 1 "
                             "is required.")
        if hasattr(self, "n_features_in_") and X.shape[1] != self.n_features_in_:
            raise ValueError(f"{name} has {X.shape[1]} features, but {type(self).__name__} is "
                             f"expecting {self.n_features_in_} features as input")
        return X

    def _check_y_given(self, y):
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target "
                             "y is None")


def _gram_update(G, X):
    """G += X^T X, upper triangle only (BLAS syrk: half the flops of X.T @ X), in G's dtype."""
    Xf = np.ascontiguousarray(X, dtype=G.dtype)
    syrk = blas.get_blas_funcs("syrk", (G,))
    return syrk(1.0, Xf.T, c=G, beta=1.0, trans=0, lower=0, overwrite_c=1)


def _symmetrize(U, block=512):
    """A new full symmetric matrix from the upper triangle of ``U``.

    Copied block by block, so the only large allocation is the result.
    """
    G = np.array(U, order="C")
    for i in range(0, G.shape[0], block):
        G[i:i + block, :i] = G[:i, i:i + block].T
        D = G[i:i + block, i:i + block]
        D[...] = np.triu(D) + np.triu(D, 1).T
    return G


class _Stats:
    """Sufficient statistics of (X, Y), accumulated about fixed shifts for accuracy.

    Subtracting a rough mean (the first chunk's) from X and Y before summing
    keeps the sums of squares free of cancellation when the data sit far from 0.
    ``X^T X`` is kept in ``dtype``; the vectors and ``X^T Y`` in float64.
    """

    def __init__(self, n_features, n_outputs, shift, shift_y, dtype=np.float64):
        self.n = 0
        self.shift, self.shift_y = shift, shift_y
        self.sx = np.zeros(n_features)
        self.sy = np.zeros(n_outputs)
        self.xx = np.zeros((n_features, n_features), dtype=dtype, order="F")
        self.xy = np.zeros((n_features, n_outputs))
        self.yy = 0.0

    def add(self, X, Y):
        Xs = X - self.shift.astype(X.dtype)
        Y = Y - self.shift_y
        self.n += X.shape[0]
        self.sx += Xs.sum(axis=0, dtype=np.float64)
        self.sy += Y.sum(axis=0)
        self.xx = _gram_update(self.xx, Xs)
        self.xy += Xs.T @ Y
        self.yy += float(np.sum(Y * Y))

    def minus(self, other):
        out = _Stats.__new__(_Stats)
        out.n, out.shift, out.shift_y = self.n - other.n, self.shift, self.shift_y
        out.sx, out.sy = self.sx - other.sx, self.sy - other.sy
        out.xx, out.xy, out.yy = self.xx - other.xx, self.xy - other.xy, self.yy - other.yy
        return out

    def centred(self, fit_intercept):
        """Gram matrix and cross-covariance, centred when an intercept is fitted."""
        G = _symmetrize(self.xx)
        C = self.xy.copy()
        if fit_intercept and self.n > 0:
            mx = self.sx / self.n
            # G -= sx mxᵀ in place (BLAS rank-1 update on the Fortran view of G)
            ger = blas.get_blas_funcs("ger", (G,))
            ger(-1.0, mx.astype(G.dtype), self.sx.astype(G.dtype), a=G.T, overwrite_a=1)
            C -= np.outer(mx, self.sy)
        return G, C

    def intercept(self, W, fit_intercept):
        if not fit_intercept or self.n == 0:
            return np.zeros(W.shape[1])
        return (self.sy - self.sx @ W) / self.n

    def sse(self, W, b):
        """Sum of squared errors of ``X W + b`` on the data behind these statistics."""
        G = _symmetrize(self.xx)
        return (self.yy - 2.0 * np.sum(W * self.xy) - 2.0 * b @ self.sy
                + np.sum(W * (G @ W)) + 2.0 * b @ (W.T @ self.sx) + self.n * b @ b)


def _solve_ridge(G, C, alpha):
    """Solve (G + alpha I) W = C by Cholesky (``G`` is overwritten); fall back to a
    symmetric indefinite solve, then a pseudo-inverse, if it is numerically singular.

    The system is equilibrated first (rows and columns scaled by
    ``1/sqrt(diag G)``), which leaves the solution unchanged but keeps the
    Cholesky factorisation accurate when the states' variances differ by orders
    of magnitude and ``alpha`` is tiny.  The factorisation runs in ``G``'s dtype
    (float32 on request); the solution is returned in float64.
    """
    d = np.sqrt(np.diag(G))
    d = np.where(d > 0, d, 1.0)
    A = G  # equilibrated in place: no second N x N matrix
    A /= d[:, None]
    A /= d[None, :]
    A[np.diag_indices_from(A)] += alpha / d**2
    B = (C / d[:, None]).astype(A.dtype)
    d = d.astype(np.float64)
    try:
        # scipy's LinAlgWarning (rcond below machine epsilon) is routine for reservoir
        # states with silent or collinear units; a failed factorisation is handled below.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", sla.LinAlgWarning)
            return sla.solve(A, B, assume_a="pos", check_finite=False) / d[:, None]
    except (sla.LinAlgError, np.linalg.LinAlgError):
        pass
    # Rounding made the matrix numerically indefinite (alpha tiny for these
    # states): a symmetric indefinite (Bunch-Kaufman) solve still applies.
    warnings.warn("ridge system is numerically singular (alpha very small for these "
                  "states); solved with a symmetric indefinite factorisation",
                  RuntimeWarning, stacklevel=3)
    try:
        with warnings.catch_warnings():  # already warned above, in the user's terms
            warnings.simplefilter("ignore", sla.LinAlgWarning)
            return sla.solve(A, B, assume_a="sym", check_finite=False) / d[:, None]
    except (sla.LinAlgError, np.linalg.LinAlgError):
        return (sla.pinvh(A) @ B) / d[:, None]


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
    def fit(self, X, y):
        """Fit on ``X`` (samples, features) and ``y`` (samples,) or (samples, outputs)."""
        self._reset()
        return self.partial_fit(X, y)

    def _reset(self):
        for attr in ("n_features_in_", "_stats", "_folds", "cv_mse_", "coef_", "intercept_"):
            self.__dict__.pop(attr, None)

    def partial_fit(self, X, y):
        """Add a chunk of samples to the statistics and refit.

        ``partial_fit`` over consecutive chunks gives the same model as one
        ``fit`` on all of them (up to rounding), with memory independent of the
        number of samples.  With an alpha grid, each chunk is split into
        ``n_folds`` contiguous parts, one per fold, so the folds (and possibly the
        chosen alpha) differ from those of a single ``fit``.
        """
        first = not hasattr(self, "_stats")
        self.accumulate(X, y)
        try:
            self.solve()
        except Exception:
            if first:  # leave no half-fitted estimator behind
                self._reset()
            raise
        return self

    def accumulate(self, X, y, *, folds=None):
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

        Returns
        -------
        self
        """
        grid, _ = self._alphas()
        check_bool("fit_intercept", self.fit_intercept)
        X, Y, y_ndim = self._check_Xy(X, y)
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
        self._stats.add(X, Y)
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
                    fold.add(X[idx], Y[idx])
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
        """Mean held-out squared error per alpha; one eigendecomposition per fold."""
        sse = np.zeros(grid.size)
        n_total = 0
        for fold in self._folds:
            if fold.n == 0:
                continue
            train = self._stats.minus(fold)
            if train.n == 0:
                continue
            G, C = train.centred(self.fit_intercept)
            lam, V = np.linalg.eigh(G)
            Q = V.T @ C
            for i, a in enumerate(grid):
                denom = lam + a
                denom = np.where(denom > 1e-12 * max(lam[-1], 1.0), denom, np.inf)
                W = V @ (Q / denom[:, None])
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

    def fit(self, X, y):
        """Fit on states ``X`` (samples, features) and labels ``y`` (samples,)."""
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
                            n_folds=self.n_folds).fit(X, self._codes(y_arr))
        self._copy_fitted()
        return self

    def partial_fit(self, X, y, classes=None):
        """Accumulate a chunk; ``classes`` (all labels) is required on the first call."""
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
        self._ridge.partial_fit(X, self._codes(y))
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
