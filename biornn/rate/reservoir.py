"""Random recurrent weight matrices for reservoirs, scaled to a spectral radius.

Topologies
----------
``"random"``
    Sparse matrix with a fraction ``density`` of non-zero entries drawn from
    U[-1, 1] (Jaeger 2001), rescaled so its largest |eigenvalue| equals
    ``spectral_radius``.
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
from .._validate import check_choice, check_in_range, check_positive, check_positive_int

__all__ = ["TOPOLOGIES", "reservoir_matrix", "spectral_radius", "use_sparse"]

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
    rng = as_generator(seed)
    if sparse is None:
        sparse = use_sparse(n, density if topology == "random" else 1.0 / n)
    if topology == "ring":
        W = sp.csr_matrix((np.full(n, rho), (np.roll(np.arange(n), -1), np.arange(n))),
                          shape=(n, n))
    elif topology == "orthogonal":
        Q, R = np.linalg.qr(rng.standard_normal((n, n)))
        W = rho * Q * np.sign(np.diag(R))
    else:
        nnz = max(1, int(round(density * n * n)))
        flat = rng.choice(n * n, size=nnz, replace=False)
        W = sp.csr_matrix((rng.uniform(-1.0, 1.0, size=nnz), (flat // n, flat % n)),
                          shape=(n, n))
        radius = _radius_of(W)
        if radius == 0:
            raise ValueError(f"the random matrix (n_units={n}, density={density}) is "
                             "nilpotent (spectral radius 0); raise density")
        W = W * (rho / radius)
    if sparse:
        return sp.csr_matrix(W, dtype=dtype)
    return (W.toarray() if sp.issparse(W) else W).astype(dtype)


def _radius_of(W):
    # module-level alias: inside reservoir_matrix the name is shadowed by the argument
    return spectral_radius(W)
