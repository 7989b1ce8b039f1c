"""Central finite differences for gradient checks (float64)."""

import numpy as np


def numerical_gradient(loss_fn, params, eps=1e-6):
    """Central differences ``(L(θ+ε) − L(θ−ε)) / 2ε`` for every entry of every array."""
    out = {}
    for name, p in params.items():
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + eps
            up = loss_fn()
            p[i] = old - eps
            down = loss_fn()
            p[i] = old
            g[i] = (up - down) / (2 * eps)
        out[name] = g
    return out


def relative_error(a, b):
    """``||a − b|| / (||a|| + ||b||)`` over all arrays of two gradient dicts."""
    diff = np.sqrt(sum(np.sum((a[k] - b[k]) ** 2) for k in a))
    norm = np.sqrt(sum(np.sum(a[k] ** 2) for k in a)) + np.sqrt(sum(np.sum(b[k] ** 2) for k in b))
    return diff / norm
