"""Random recurrent weight matrices for reservoirs, scaled to a spectral radius.

Topologies
----------
``"random"``
    Sparse matrix with a fraction ``density`` of non-zero entries drawn from
    U[-1, 1] (Jaeger 2001), rescaled so its largest absolute eigenvalue equals
    ``spectral_radius``.  The ``round(density N²)`` positions are uniform over
    the N x N grid, drawn in O(density N²) memory (row counts multivariate
    hypergeometric, then distinct columns per row), never an N² permutation.
``"orthogonal"``
    ``spectral_radius`` times a random orthogonal matrix (QR of a Gaussian
    matrix, sign-corrected to be Haar distributed; Mezzadri 2007).  All
    eigenvalues lie on the circle of that radius, which keeps the memory of a
    near-linear reservoir high (White, Lee & Sompolinsky 2004).
``"ring"``
    A simple cycle reservoir (Rodan & Tino 2011): unit ``i`` feeds unit
    ``i+1 (mod N)`` with weight ``spectral_radius``; its eigenvalues are the
    N-th roots of unity scaled by the radius.  Deterministic.

Large sparse matrices are returned as ``scipy.sparse.csr_matrix`` (their
spectral radius from ARPACK), small or dense ones as ndarrays.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .._rng import as_generator
from .._validate import (check_choice, check_in_range, check_memory, check_positive,
                         check_positive_int)

__all__ = ["TOPOLOGIES", "reservoir_matrix", "reservoir_nbytes", "spectral_radius",
           "use_sparse"]

TOPOLOGIES = ("random", "orthogonal", "ring")


def use_sparse(n_units: int, density: float) -> bool:
    """Whether a sparse matrix is faster than a dense one for this size and density.

    Measured with one BLAS thread: a CSR mat-vec beats a dense one once the
    matrix has a few hundred rows and at most ~20% non-zeros.
    """
    return n_units >= 300 and density <= 0.2


def spectral_radius(W) -> float:
    """Largest absolute eigenvalue of ``W`` (dense or scipy.sparse)."""
    n = W.shape[0]
    if sp.issparse(W) and n > 1000:
        # Several Ritz values: with k=1 ARPACK can settle on a smaller eigenvalue
        # when many lie near the rim of the disc (the circular law).
        try:
            vals = spla.eigs(W.astype(np.float64), k=6, ncv=60, which="LM",
                             return_eigenvectors=False, tol=1e-10, maxiter=max(1000, 20 * n))
            return float(np.max(np.abs(vals)))
        except spla.ArpackNoConvergence:
            pass
    dense = W.toarray() if sp.issparse(W) else np.asarray(W)
    return float(np.max(np.abs(np.linalg.eigvals(dense))))


def reservoir_nbytes(n_units, *, density=0.1, topology="random", sparse=None,
                     dtype=np.float64) -> int:
    """Rough peak memory in bytes that :func:`reservoir_matrix` takes to draw ``W``.

    Counts the index keys, values and CSR arrays of the random draw (about 40
    bytes per non-zero), the dense result (N² entries) and the N² Gaussian
    matrix and QR factors of the orthogonal topology; used to refuse absurd
    sizes before anything is allocated.
    """
    n = int(n_units)
    itemsize = np.dtype(dtype).itemsize
    if sparse is None:
        sparse = use_sparse(n, density if topology == "random" else 1.0 / n)
    dense = 0 if sparse else n * n * itemsize
    if topology == "ring":
        return 24 * n + dense
    if topology == "orthogonal":
        return 3 * 8 * n * n + dense
    nnz = max(1, int(round(density * n * n)))
    small = 0 if (sparse and n > 1000) else 2 * 8 * n * n   # dense eigvals when small
    return 40 * nnz + 8 * n + max(dense, small)


def reservoir_matrix(n_units, *, spectral_radius=0.9, density=0.1, topology="random",
                     sparse=None, seed=None, dtype=np.float64):
    """Draw a recurrent weight matrix ``W`` (n_units, n_units).

    Parameters
    ----------
    n_units : int
    spectral_radius : float, default 0.9
        Target largest absolute eigenvalue (> 0).
    density : float in (0, 1], default 0.1
        Fraction of non-zero weights (``"random"`` only).
    topology : {"random", "orthogonal", "ring"}
    sparse : bool, optional
        Return a CSR matrix; default chooses by :func:`use_sparse`.
    seed : None, int or numpy.random.Generator
    dtype : numpy dtype, default float64
    """
    n = check_positive_int("n_units", n_units)
    rho = check_positive("spectral_radius", spectral_radius)
    density = check_in_range("density", density, 0, 1, low_open=True)
    check_choice("topology", topology, TOPOLOGIES)
    if sparse is None:
        sparse = use_sparse(n, density if topology == "random" else 1.0 / n)
    check_memory(f"drawing W (n_units={n}, topology={topology!r}, density={density:g}, "
                 f"{'sparse' if sparse else 'dense'})",
                 reservoir_nbytes(n, density=density, topology=topology, sparse=sparse,
                                  dtype=dtype))
    rng = as_generator(seed)
    if topology == "ring":
        W = sp.csr_matrix((np.full(n, rho), (np.roll(np.arange(n), -1), np.arange(n))),
                          shape=(n, n))
    elif topology == "orthogonal":
        Q, R = np.linalg.qr(rng.standard_normal((n, n)))
        W = rho * Q * np.sign(np.diag(R))
    else:
        nnz = max(1, int(round(density * n * n)))
        keys = _random_positions(n, nnz, rng)
        index = np.int32 if n * n < 2**31 else np.int64
        indptr = np.zeros(n + 1, dtype=index)
        np.cumsum(np.bincount(keys // n, minlength=n), out=indptr[1:])
        W = sp.csr_matrix((rng.uniform(-1.0, 1.0, size=nnz), (keys % n).astype(index), indptr),
                          shape=(n, n))
        del keys
        radius = _radius_of(W)
        if radius == 0:
            raise ValueError(f"the random matrix (n_units={n}, density={density}) is "
                             "nilpotent (spectral radius 0); raise density")
        W = W * (rho / radius)
    if sparse:
        return sp.csr_matrix(W, dtype=dtype)
    return (W.toarray() if sp.issparse(W) else W).astype(dtype)


def _random_positions(n, nnz, rng):
    """``nnz`` distinct flat positions ``row * n + col``, uniform over the n x n grid, sorted.

    How many positions fall in each row is multivariate hypergeometric (as for a
    uniform draw of ``nnz`` cells without replacement); each row then draws
    columns with replacement and redraws its duplicates, which leaves a uniform
    subset.  Memory is O(nnz + n); above half the grid the empty cells are
    drawn instead.
    """
    total = n * n
    if nnz > total // 2:
        mask = np.ones(total, dtype=bool)
        mask[_random_positions(n, total - nnz, rng)] = False
        return np.flatnonzero(mask)
    counts = rng.multivariate_hypergeometric(np.full(n, n, dtype=np.int64), nnz)
    keys = extra = np.empty(0, dtype=np.int64)  # first round's positions, later rounds'
    have = np.zeros(n, dtype=np.int64)
    need = counts
    while need.any():
        rows = np.repeat(np.arange(n, dtype=np.int64), need)
        new = np.sort(rows * n + rng.integers(0, n, size=rows.size))
        fresh = np.ones(new.size, dtype=bool)
        fresh[1:] = new[1:] != new[:-1]             # duplicates among the new draws
        for kept in (keys, extra):                  # and with the positions kept so far
            if kept.size:
                fresh &= kept[np.minimum(np.searchsorted(kept, new), kept.size - 1)] != new
        new = new[fresh]
        if keys.size:
            extra = np.sort(np.concatenate([extra, new]))   # few: redraws only
        else:
            keys = new
        have += np.bincount(new // n, minlength=n)
        need = counts - have
    return np.sort(np.concatenate([keys, extra])) if extra.size else keys


def _radius_of(W):
    # module-level alias: inside reservoir_matrix the name is shadowed by the argument
    return spectral_radius(W)
