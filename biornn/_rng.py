"""The one path every random draw in biornn takes.

Every stochastic function accepts ``seed``: ``None`` (fresh entropy), an ``int``,
or a :class:`numpy.random.Generator` (used as is, so a caller can thread one
generator through several calls).  Brian2 code derives an integer seed for
Brian2's own generator from the same source with :func:`derive_seed`.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["as_generator", "derive_seed", "spawn"]


def as_generator(seed=None) -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` for ``seed``.

    Parameters
    ----------
    seed : None, int or numpy.random.Generator
        ``None`` draws fresh entropy; an int seeds a PCG64 generator; a
        Generator is returned unchanged.

    Raises
    ------
    TypeError
        If ``seed`` is of any other type (a float, a legacy ``RandomState``...).
    ValueError
        If ``seed`` is a negative integer.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        if seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed}")
        return np.random.default_rng(int(seed))
    raise TypeError(
        "seed must be None, a non-negative int or a numpy.random.Generator, "
        f"got {type(seed).__name__}"
    )


def derive_seed(seed=None) -> int:
    """Draw a 31-bit integer seed (for Brian2's ``b2.seed``) from ``seed``."""
    return int(as_generator(seed).integers(0, 2**31 - 1))


def spawn(seed, n: int) -> list[np.random.Generator]:
    """Return ``n`` independent generators derived from ``seed`` (for trials)."""
    return list(as_generator(seed).spawn(n))
