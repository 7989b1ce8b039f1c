"""Storage (learning) rules for Hopfield networks.

Each rule maps ±1 patterns ``ξ^μ`` (rows of a ``(P, N)`` array) to a symmetric
``(N, N)`` weight matrix with a zero diagonal (no self-couplings).  They are
pure functions: the binary and the continuous networks share them.

====================  ===========================================================
``"hebbian"``         W = (1/N) Σ_μ ξ^μ ξ^μᵀ                 (Hebb 1949; Hopfield 1982)
``"storkey"``         incremental, local and with a larger capacity (Storkey 1997)
``"pseudo_inverse"``  projection onto the span of the patterns
                      (Personnaz, Guyon & Dreyfus 1985; Kanter & Sompolinsky 1987)
====================  ===========================================================
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import get_blas_funcs

__all__ = ["hebbian", "storkey", "pseudo_inverse", "RULES", "zero_diagonal"]


def zero_diagonal(W):
    """Set the self-couplings ``W_ii`` to zero, in place, and return ``W``."""
    W.flat[:: W.shape[0] + 1] = 0.0
    return W


def hebbian(patterns, dtype=np.float64):
    """Hebbian outer-product rule (Hebb 1949; Hopfield 1982).

    .. math:: W_{ij} = \\frac{1}{N} \\sum_{\\mu=1}^{P} \\xi_i^\\mu \\xi_j^\\mu,
              \\quad W_{ii} = 0

    Random patterns are stable up to a load ``α = P/N ≈ 0.138`` (Amit,
    Gutfreund & Sompolinsky 1985).  Cost O(P N²).

    Parameters
    ----------
    patterns : ndarray (P, N) of ±1

    Returns
    -------
    ndarray (N, N)
    """
    X = np.asarray(patterns, dtype=dtype)
    W = X.T @ X
    W /= X.shape[1]
    return zero_diagonal(W)


def storkey(patterns, dtype=np.float64, weights=None, chunk=64):
    """Storkey's incremental learning rule (Storkey 1997; Storkey & Valabregue 1999).

    Patterns are learned one after the other, starting from ``W = 0`` (or
    from ``weights``)::

        W_ij ← W_ij + (1/N) [ξ_i ξ_j − ξ_i h_ji − h_ij ξ_j],
        h_ij = Σ_{k ≠ i, j} W_ik ξ_k   (the local field at i, without i and j)

    With a zero diagonal ``h_ij = (Wξ)_i − W_ij ξ_j``, and since ``ξ_j² = 1``
    the update is, for ``i ≠ j``, a scaling plus a rank-two term::

        W ← (1 + 2/N) W + (1/N) [ξ ξᵀ − ξ hᵀ − h ξᵀ],   h = W ξ,

    followed by ``W_ii = 0``.  The rule is local and incremental like Hebb's
    but subtracts the crosstalk ``h`` the new pattern already receives, which
    raises the capacity to ``N / sqrt(2 ln N)`` (Storkey 1997).

    The result is that of the sequential rule, computed ``chunk`` patterns at
    a time: inside a chunk the weights are kept as ``s W₀ + U Vᵀ + diag(d)``
    (the scaled weights at the chunk's start, the rank-two terms so far and
    the removed diagonal), so each field ``h = W ξ`` costs O(N chunk), and
    the chunk is folded into ``W`` by one matrix product.  Cost O(P N²) in
    matrix-matrix products.

    Parameters
    ----------
    patterns : ndarray (P, N) of ±1
    weights : ndarray (N, N), optional
        Symmetric weights with zero diagonal to continue learning from (not
        modified).
    chunk : int, default 64

    Returns
    -------
    ndarray (N, N)
    """
    X = np.asarray(patterns, dtype=dtype)
    n = X.shape[1]
    W = np.zeros((n, n), dtype=dtype) if weights is None else np.array(weights, dtype=dtype)
    gemm = get_blas_funcs("gemm", (W,))
    growth = 1.0 + 2.0 / n
    for start in range(0, len(X), chunk):
        Xc = X[start:start + chunk]
        H0 = Xc @ W  # row m: W₀ ξ_m (W symmetric)
        U = np.zeros((n, 2 * len(Xc)), dtype=dtype)
        V = np.zeros_like(U)
        d = np.zeros(n, dtype=dtype)
        scale = 1.0
        for m, xi in enumerate(Xc):
            r = 2 * m
            h = scale * H0[m] + U[:, :r] @ (V[:, :r].T @ xi) + d * xi
            scale *= growth
            U[:, :r] *= growth
            d *= growth
            U[:, r], V[:, r] = xi / n, xi - h           # (1/N) ξ (ξ − h)ᵀ
            U[:, r + 1], V[:, r + 1] = -h / n, xi       # −(1/N) h ξᵀ
            d -= (1.0 - 2.0 * h * xi) / n               # its diagonal, removed
        # W ← scale W + U Vᵀ, in place (BLAS on the Fortran-ordered view Wᵀ)
        gemm(1.0, V, U, beta=scale, c=W.T, trans_b=True, overwrite_c=True)
        zero_diagonal(W)  # diag(d) cancels the diagonal exactly up to rounding
    return W


def pseudo_inverse(patterns, dtype=np.float64):
    """Pseudo-inverse (projection) rule (Personnaz, Guyon & Dreyfus 1985).

    .. math:: W = \\Xi^{+} \\Xi = \\Xi^\\top (\\Xi \\Xi^\\top)^{-1} \\Xi,
              \\quad W_{ii} = 0,

    with ``Ξ`` the ``(P, N)`` pattern matrix: the orthogonal projection onto
    the span of the patterns, so ``W ξ^μ = ξ^μ`` for every stored pattern,
    correlated or not.  Removing the self-couplings leaves the field
    ``h_i = (1 − P_ii) ξ_i^μ``, still of the sign of ``ξ_i^μ`` while
    ``P_ii < 1``: any ``P < N`` linearly independent patterns are exact fixed
    points; the zero diagonal also keeps the basins of attraction open up to
    ``α ≈ 0.5`` (Kanter & Sompolinsky 1987).  Linearly dependent patterns
    (duplicates, ``ξ`` and ``−ξ``) are stored through the Moore-Penrose
    pseudo-inverse: the projection is onto their span, of dimension
    ``rank Ξ``.  Cost O(P N min(P, N)).

    The rule fails when the span contains a unit's own axis ``e_i``: then
    ``P_ii = 1``, the unit's couplings are zero up to rounding and its field
    vanishes for every pattern.  This happens for every unit as soon as the
    patterns span all ``N`` dimensions (``P ≥ N`` independent patterns, where
    the projection is the identity and the weights are rounding noise).  Such
    pattern sets are refused with a ``ValueError`` rather than returned as
    weights on which recall "converges" to meaningless states.

    Parameters
    ----------
    patterns : ndarray (P, N) of ±1

    Returns
    -------
    ndarray (N, N)

    Raises
    ------
    ValueError
        If some unit has ``P_ii ≥ 1 − √ε`` (``ε`` the float64 machine epsilon).
    """
    X = np.asarray(patterns, dtype=np.float64)
    _, s, Vt = np.linalg.svd(X, full_matrices=False)
    rank = int(np.sum(s > s[0] * max(X.shape) * np.finfo(np.float64).eps)) if s.size else 0
    V = Vt[:rank]
    self_projection = np.einsum("ki,ki->i", V, V)          # P_ii
    lost = np.flatnonzero(self_projection >= 1.0 - np.sqrt(np.finfo(np.float64).eps))
    if lost.size:
        P, N = X.shape
        reason = (f"the {P} patterns span all {N} dimensions (rank {rank}), so the "
                  "projection is the identity" if rank == N else
                  f"the span of the patterns (rank {rank}) contains the axis of "
                  f"{lost.size} unit(s) (first: unit {lost[0]})")
        raise ValueError(f"patterns are beyond the pseudo-inverse rule's capacity: {reason}; "
                         "without self-couplings those units get zero weights and no pattern "
                         f"is a fixed point. The rule stores at most N - 1 = {N - 1} linearly "
                         "independent patterns, fewer when their span reaches a unit's axis; "
                         "store fewer patterns")
    W = V.T @ V
    W = 0.5 * (W + W.T)  # exact symmetry despite rounding
    return zero_diagonal(W.astype(dtype, copy=False))


RULES = {"hebbian": hebbian, "storkey": storkey, "pseudo_inverse": pseudo_inverse}
