"""Real-time recurrent learning (Williams & Zipser 1989) and its SnAp-1 approximation.

RTRL carries the sensitivity of the state to every recurrent parameter
forward in time instead of sending errors backward.  For the vanilla network
of :mod:`biornn.rate.rnn`, with ``θ_i = [W_i, W_in_i, b_i]`` the parameters
of unit ``i`` and ``z_t = [h_{t−1}, x_t, 1]`` (m = n + D + 1 entries),

    J_t[k, i, j] = ∂h_{t,k}/∂θ_ij
                 = (1 − h_{t,k}²) (Σ_l W_kl J_{t−1}[l, i, j] + δ_ki z_{t,j}),

    ∂L/∂θ = Σ_t Σ_k ∂ℓ_t/∂h_{t,k} J_t[k, ·, ·].

The product ``W J_{t−1}`` costs ``n · n · n m`` = O(n⁴) per step (and J takes
O(n³) memory), against O(n²) per step for BPTT; in exchange the gradient is
available at every step, so the weights can be updated online, while the
sequence runs (``rtrl_online``).

SnAp-1 (Menick, Elsen, Evci, Osindero, Simonyan & Graves 2021, "Practical
real-time recurrent learning with a sparse approximation") keeps only the
entries of ``J`` that one step can make non-zero: ``J[k, i, j]`` with ``k = i``,
the influence of a unit's own incoming weights on itself,

    S_t[k, j] = (1 − h_{t,k}²) (W_kk S_{t−1}[k, j] + z_{t,j}),

which costs O(n²) per step, like BPTT, and is exact when ``W`` is diagonal.
The gradient it gives is biased (deterministic, so its variance over random
draws is zero); ``simulations/rtrl_vs_bptt.py`` measures the bias.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_choice
from ._sequence import output_error

__all__ = ["rtrl_gradient", "snap1_gradient", "rtrl_online"]

APPROXIMATIONS = ("exact", "snap1")


def _sensitivity_pass(model, X, Y, M, approximation, optimizer=None):
    """Run forward in time carrying sensitivities; accumulate or apply gradients."""
    p = model.params
    T, B, D = X.shape
    n = model.n_units
    m = n + D + 1
    dt = model.dtype
    exact = approximation == "exact"
    h = np.zeros((B, n), dtype=dt)
    z = np.empty((B, m), dtype=dt)
    z[:, -1] = 1.0
    if exact:
        J = np.zeros((B, n, n * m), dtype=dt)
        J_next = np.empty_like(J)
        # flat indices of J[b, k, k, j] within one sequence's block
        diag = (np.arange(n) * (m + n * m))[:, None] + np.arange(m)
    else:
        S = np.zeros((B, n, m), dtype=dt)
    G = np.zeros((n, m), dtype=dt)
    G_out = np.zeros_like(p["W_out"])
    G_c = np.zeros_like(p["c"])
    losses = np.empty(T)
    for t in range(T):
        W = p["W"]
        z[:, :n] = h
        z[:, n:n + D] = X[t]
        h = np.tanh(h @ W.T + X[t] @ p["W_in"].T + p["b"])
        d = 1.0 - h * h
        if exact:
            np.matmul(W, J, out=J_next)                          # Σ_l W_kl J[l, i, j]
            view = J_next.reshape(B, n * n * m)
            for b in range(B):                                   # + δ_ki z_j
                view[b, diag] += z[b]
            J_next *= d[:, :, None]
            J, J_next = J_next, J
        else:
            S *= np.diagonal(W)[None, :, None]
            S += z[:, None, :]
            S *= d[:, :, None]
        yhat = h @ p["W_out"].T + p["c"]
        losses[t], err = output_error(yhat[None], Y[t:t + 1], None if M is None else M[t:t + 1],
                                      model.loss)
        err = err[0]
        dh = err @ p["W_out"]                                    # ∂ℓ_t/∂h_t
        if exact:
            g = np.tensordot(dh, J, axes=([0, 1], [0, 1])).reshape(n, m)
        else:
            g = np.einsum("bk,bkj->kj", dh, S)
        g_out, g_c = err.T @ h, err.sum(axis=0)
        if optimizer is None:
            G += g
            G_out += g_out
            G_c += g_c
        else:
            optimizer.step(p, {"W": g[:, :n], "W_in": g[:, n:n + D], "b": g[:, -1],
                               "W_out": g_out, "c": g_c})
    grads = {"W_in": G[:, n:n + D], "W": G[:, :n], "b": G[:, -1].copy(), "W_out": G_out,
             "c": G_c}
    return losses, {k: grads[k] for k in p}


def rtrl_gradient(model, x, y, mask=None):
    """Loss and exact gradients of an :class:`~biornn.rate.rnn.RNN`, computed forward in time.

    Equal to ``model.bptt(x, y, mask)`` up to rounding, at O(n⁴) cost per step.

    Returns
    -------
    loss : float
    grads : dict of ndarray (keys of ``model.params``)
    """
    X, Y, M = model._data(x, y, mask)
    losses, grads = _sensitivity_pass(model, X, Y, M, "exact")
    return float(losses.sum()), grads


def snap1_gradient(model, x, y, mask=None):
    """Loss and the SnAp-1 approximate gradient (Menick et al. 2021); O(n²) per step."""
    X, Y, M = model._data(x, y, mask)
    losses, grads = _sensitivity_pass(model, X, Y, M, "snap1")
    return float(losses.sum()), grads


def rtrl_online(model, x, y, optimizer, mask=None, *, approximation="exact"):
    """Train online: update the weights at every time step (Williams & Zipser 1989).

    At step ``t`` the gradient of the current loss ``ℓ_t`` (through the
    sensitivities carried so far) is handed to ``optimizer.step`` at once, and
    the sequence goes on with the new weights; the sensitivities are not reset,
    which is the usual approximation for slowly changing weights.

    Parameters
    ----------
    model : RNN
    x, y, mask : as for :meth:`RNN.bptt`
    optimizer : SGD or Adam (from :mod:`biornn.rate.optim`)
    approximation : {"exact", "snap1"}
        Exact RTRL (O(n⁴) per step) or SnAp-1 (O(n²) per step).

    Returns
    -------
    losses : ndarray (T,)
        The loss at each step, before that step's update.
    """
    check_choice("approximation", approximation, APPROXIMATIONS)
    if not hasattr(optimizer, "step"):
        raise TypeError(f"optimizer must have a step(params, grads) method, got {optimizer!r}")
    X, Y, M = model._data(x, y, mask)
    return _sensitivity_pass(model, X, Y, M, approximation, optimizer)[0]
