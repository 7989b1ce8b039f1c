"""Real-time recurrent learning (Williams & Zipser 1989) and two O(n²) approximations.

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
Its gradient is biased and deterministic (zero variance).

UORO (Tallec & Ollivier 2018, "Unbiased online recurrent optimization")
keeps a random rank-one estimate ``J ≈ h̃ θ̃ᵀ`` instead, also O(n²) per step:
unbiased, but noisy.  ``simulations/rtrl_vs_bptt.py`` measures the bias of
one and the variance of the other against exact RTRL.
"""

from __future__ import annotations

import numpy as np

from .._rng import as_generator
from .._validate import check_choice
from ._sequence import output_error

__all__ = ["rtrl_gradient", "snap1_gradient", "uoro_gradient", "rtrl_online"]



class _Exact:
    """Full sensitivity tensor J (B, n, n·m): O(n⁴) per step."""

    def __init__(self, B, n, m, dtype, rng):
        self.J = np.zeros((B, n, n * m), dtype=dtype)
        self.J_next = np.empty_like(self.J)
        # flat indices of J[b, k, k, j] within one sequence's block
        self.diag = (np.arange(n) * (m + n * m))[:, None] + np.arange(m)
        self.n, self.m = n, m

    def advance(self, W, z, d):
        # diag(d) (W J + δ z) as (diag(d) W) J + δ d z: one pass over J, not two
        np.matmul(d[:, :, None] * W, self.J, out=self.J_next)  # Σ_l d_k W_kl J[l, i, j]
        view = self.J_next.reshape(z.shape[0], -1)
        dz = d[:, :, None] * z[:, None, :]
        for b in range(z.shape[0]):                           # + δ_ki d_k z_j
            view[b, self.diag] += dz[b]
        self.J, self.J_next = self.J_next, self.J

    def project(self, dh):
        return np.tensordot(dh, self.J, axes=([0, 1], [0, 1])).reshape(self.n, self.m)


class _SnAp1:
    """Diagonal sensitivities S[k, j] = J[k, k, j] (Menick et al. 2021): O(n²) per step."""

    def __init__(self, B, n, m, dtype, rng):
        self.S = np.zeros((B, n, m), dtype=dtype)

    def advance(self, W, z, d):
        self.S *= np.diagonal(W)[None, :, None]
        self.S += z[:, None, :]
        self.S *= d[:, :, None]

    def project(self, dh):
        return np.einsum("bk,bkj->kj", dh, self.S)


class _UORO:
    """Rank-one unbiased estimate J ≈ h̃ θ̃ᵀ (Tallec & Ollivier 2018): O(n²) per step.

    With random signs ν, ``h̃ ← ρ₀ (∂h_t/∂h_{t−1}) h̃ + ρ₁ ν`` and
    ``θ̃ ← θ̃/ρ₀ + νᵀ(∂h_t/∂θ)/ρ₁``, where ``νᵀ ∂h_t/∂θ = (ν ⊙ (1 − h_t²)) z_tᵀ`` and
    ``ρ₀ = √(||θ̃|| / ||∂h/∂h h̃||)``, ``ρ₁ = √(||νᵀ∂h/∂θ|| / ||ν||)`` balance the two
    factors' norms (which minimises the variance).  ``E[h̃ θ̃ᵀ] = J``.
    """

    eps = 1e-7

    def __init__(self, B, n, m, dtype, rng):
        self.h = np.zeros((B, n), dtype=dtype)
        self.theta = np.zeros((B, n, m), dtype=dtype)
        self.rng = rng

    def advance(self, W, z, d):
        B, n = d.shape
        nu = self.rng.choice(np.array([-1.0, 1.0], dtype=d.dtype), size=(B, n))
        fwd = d * (self.h @ W.T)                               # (∂h_t/∂h_{t−1}) h̃
        vjp = (nu * d)[:, :, None] * z[:, None, :]             # νᵀ ∂h_t/∂θ
        norm = lambda a: np.sqrt(np.sum(a.reshape(B, -1) ** 2, axis=1))  # noqa: E731
        rho0 = np.sqrt((norm(self.theta) + self.eps) / (norm(fwd) + self.eps))
        rho1 = np.sqrt((norm(vjp) + self.eps) / (norm(nu) + self.eps))
        self.h = rho0[:, None] * fwd + rho1[:, None] * nu
        self.theta = self.theta / rho0[:, None, None] + vjp / rho1[:, None, None]

    def project(self, dh):
        return np.einsum("b,bkj->kj", np.einsum("bk,bk->b", dh, self.h), self.theta)


TRACKERS = {"exact": _Exact, "snap1": _SnAp1, "uoro": _UORO}
APPROXIMATIONS = tuple(TRACKERS)


def _sensitivity_pass(model, X, Y, M, approximation, optimizer=None, seed=None):
    """Run forward in time carrying sensitivities; accumulate or apply gradients."""
    p = model.params
    T, B, D = X.shape
    n = model.n_units
    m = n + D + 1
    h = np.zeros((B, n), dtype=model.dtype)
    z = np.empty((B, m), dtype=model.dtype)
    z[:, -1] = 1.0
    tracker = TRACKERS[approximation](B, n, m, model.dtype, as_generator(seed))
    G = np.zeros((n, m), dtype=model.dtype)
    G_out = np.zeros_like(p["W_out"])
    G_c = np.zeros_like(p["c"])
    losses = np.empty(T)
    for t in range(T):
        z[:, :n] = h
        z[:, n:n + D] = X[t]
        h = np.tanh(h @ p["W"].T + X[t] @ p["W_in"].T + p["b"])
        tracker.advance(p["W"], z, 1.0 - h * h)
        yhat = h @ p["W_out"].T + p["c"]
        losses[t], err = output_error(yhat[None], Y[t:t + 1], None if M is None else M[t:t + 1],
                                      model.loss)
        err = err[0]
        g = tracker.project(err @ p["W_out"])                    # Σ_k ∂ℓ_t/∂h_k J[k]
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


def uoro_gradient(model, x, y, mask=None, *, seed=None):
    """Loss and the UORO gradient estimate (Tallec & Ollivier 2018); unbiased, O(n²) per step."""
    X, Y, M = model._data(x, y, mask)
    losses, grads = _sensitivity_pass(model, X, Y, M, "uoro", seed=seed)
    return float(losses.sum()), grads


def rtrl_online(model, x, y, optimizer, mask=None, *, approximation="exact", seed=None):
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
    approximation : {"exact", "snap1", "uoro"}
        Exact RTRL (O(n⁴) per step), SnAp-1 or UORO (O(n²) per step).
    seed : None, int or Generator
        Random signs of UORO.

    Returns
    -------
    losses : ndarray (T,)
        The loss at each step, before that step's update.
    """
    check_choice("approximation", approximation, APPROXIMATIONS)
    if not hasattr(optimizer, "step"):
        raise TypeError(f"optimizer must have a step(params, grads) method, got {optimizer!r}")
    X, Y, M = model._data(x, y, mask)
    return _sensitivity_pass(model, X, Y, M, approximation, optimizer, seed)[0]
