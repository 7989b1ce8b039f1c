"""Normal equations of ridge regression: sufficient statistics and their solution.

:class:`_Stats` accumulates ``n, sum(x), sum(y), X^T X, X^T Y, sum(y^2)`` about
fixed shifts (so sums of squares stay free of cancellation), ``X^T X`` by BLAS
``syrk`` on the upper triangle; :func:`_solve_ridge` solves
``(X_c^T X_c + alpha I) W = X_c^T Y_c`` by an equilibrated Cholesky factorisation
with symmetric-indefinite and pseudo-inverse fallbacks.  Used by
:class:`biornn.readout.Ridge`.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.linalg as sla
from scipy.linalg import blas


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

    def add(self, X, Y, w=None):
        """Add rows ``X, Y``, each with weight ``w`` (non-negative, default 1): the
        sums become ``sum_i w_i x_i``, ``X^T diag(w) X``, ... and ``n`` the total weight."""
        Xs = X - self.shift.astype(X.dtype)
        Y = Y - self.shift_y
        if w is None:
            self.n += X.shape[0]
            self.sx += Xs.sum(axis=0, dtype=np.float64)
            self.sy += Y.sum(axis=0)
            self.xx = _gram_update(self.xx, Xs)
            self.xy += Xs.T @ Y
            self.yy += float(np.sum(Y * Y))
            return
        self.n += float(w.sum())
        self.sx += w @ Xs.astype(np.float64)
        self.sy += w @ Y
        self.xx = _gram_update(self.xx, Xs * np.sqrt(w).astype(Xs.dtype)[:, None])
        self.xy += (Xs * w.astype(Xs.dtype)[:, None]).T @ Y
        self.yy += float(w @ np.sum(Y * Y, axis=1))

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


