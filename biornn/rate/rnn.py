"""Vanilla (Elman) recurrent network trained by backpropagation through time.

    a_t = W_in x_t + W h_{t−1} + b,     h_t = tanh(a_t),     ŷ_t = W_out h_t + c

with ``h_0 = 0`` unless given.  Backpropagation through time (Werbos 1990;
Rumelhart, Hinton & Williams 1986) unrolls the network into a feedforward one
and sends the error back:

    ∂L/∂h_t = W_outᵀ ∂L/∂ŷ_t + Wᵀ δ_{t+1},      δ_t = (1 − h_t²) ⊙ ∂L/∂h_t,

    ∂L/∂W = Σ_t δ_t h_{t−1}ᵀ,   ∂L/∂W_in = Σ_t δ_t x_tᵀ,   ∂L/∂b = Σ_t δ_t.

Only the recursion for ``δ`` runs step by step; the three weight gradients are
each one matrix product over all time steps and sequences at once (the
per-step deltas are stacked), which is where most of the speed comes from.

Truncated BPTT comes in two definitions, both offered (``truncation=k``):

``"window"``
    each step's error travels back exactly ``k`` steps (Williams & Peng 1990):
    ``∂L/∂θ ≈ Σ_t Σ_{s=t−k+1}^{t} ∂ℓ_t/∂h_s ∂⁺h_s/∂θ``.  Computed as ``k``
    passes, pass ``j`` carrying every error ``j`` steps back in one matrix
    product over time (cost ``O(k T n²)``).
``"detach"``
    the sequence is cut into chunks of ``k`` steps and the state entering each
    chunk is treated as a constant (what ``h.detach()`` every ``k`` steps does in
    autograd frameworks): errors travel back to the start of their chunk only.

Both equal full BPTT when ``k ≥ T``.  Real-time recurrent learning, which
computes the same gradient forward in time, lives in :mod:`biornn.rate.rtrl`.
"""

from __future__ import annotations

import numpy as np

from .._validate import (as_float_array, check_choice, check_nonnegative, check_positive_int)
from ..io import Array, register_saveable
from ._sequence import SequenceModel

__all__ = ["RNN", "rnn_step"]

TRUNCATION_MODES = ("window", "detach")


def rnn_step(h, x_proj, W):
    """One step ``h_t = tanh(W h_{t−1} + x_proj)`` for a batch ``h`` (B, n); ``x_proj = W_in x_t + b``."""
    return np.tanh(h @ W.T + x_proj)


@register_saveable
class RNN(SequenceModel):
    """Vanilla recurrent network ``h_t = tanh(W_in x_t + W h_{t−1} + b)``, ``ŷ_t = W_out h_t + c``.

    Trained by backpropagation through time (Werbos 1990) or real-time recurrent
    learning (Williams & Zipser 1989), both exact.

    Parameters
    ----------
    n_inputs, n_units, n_outputs : int
        Sizes D, n and O.
    gain : float, default 1.0
        Recurrent weights are drawn ``W_ij ~ N(0, gain² / n)``: below 1 the
        dynamics contract and gradients vanish, above 1 they turn chaotic
        (Sompolinsky, Crisanti & Sommers 1988).
    input_scaling : float, default 1.0
        ``W_in ~ N(0, input_scaling² / D)``; ``b = 0``; ``W_out ~ N(0, 1/n)``, ``c = 0``.
    loss : {"mse", "cross_entropy"}
        Per-step loss (see :mod:`biornn.rate._sequence`).
    dtype : {"float64", "float32"}
    seed : None, int or Generator

    Attributes
    ----------
    params : dict of ndarray
        ``W_in`` (n, D), ``W`` (n, n), ``b`` (n,), ``W_out`` (O, n), ``c`` (O,).

    Examples
    --------
    >>> net = RNN(2, 16, 1, seed=0)
    >>> loss, grads = net.bptt(np.zeros((50, 2)), np.zeros((50, 1)))
    >>> grads["W"].shape
    (16, 16)
    """

    _param_names = ("n_inputs", "n_units", "n_outputs", "gain", "input_scaling", "loss",
                    "dtype", "seed")
    # what a saved state must hold, checked by biornn.io.load before _from_state
    _SAVED = {"n_inputs": check_positive_int, "n_units": check_positive_int,
              "n_outputs": check_positive_int, "W_in": Array(("n_units", "n_inputs")),
              "W": Array(("n_units", "n_units")), "b": Array(("n_units",)),
              "W_out": Array(("n_outputs", "n_units")), "c": Array(("n_outputs",))}

    def __init__(self, n_inputs, n_units, n_outputs, *, gain=1.0, input_scaling=1.0,
                 loss="mse", dtype="float64", seed=None):
        rng = self._init_sizes(n_inputs, n_units, n_outputs, loss, dtype, seed)
        self.gain = check_nonnegative("gain", gain)
        self.input_scaling = check_nonnegative("input_scaling", input_scaling)
        n, D = self.n_units, self.n_inputs
        self.params = {
            "W_in": (rng.standard_normal((n, D)) * input_scaling / np.sqrt(D)).astype(self.dtype),
            "W": (rng.standard_normal((n, n)) * gain / np.sqrt(n)).astype(self.dtype),
            "b": np.zeros(n, dtype=self.dtype),
        }
        self._init_readout(rng, n, self.n_outputs, self.dtype)

    # -- forward and backward ------------------------------------------------------
    def _initial_state(self, h0, B):
        if h0 is None:
            return np.zeros((B, self.n_units), dtype=self.dtype)
        h0 = as_float_array("h0", h0, ndim=(1, 2), dtype=self.dtype)
        return np.ascontiguousarray(np.broadcast_to(h0, (B, self.n_units)))

    def _forward(self, X, h0=None):
        """Run the network on time-major ``X`` (T, B, D); cache ``H`` (T, B, n) and ``h0``."""
        T, B, _ = X.shape
        p = self.params
        n = self.n_units
        U = np.matmul(X, p["W_in"].T, out=self._buffer("U", (T, B, n)))   # all drives at once
        U += p["b"]
        Hall = self._buffer("H", (T + 1, B, n))
        Hall[0] = self._initial_state(h0, B)
        WT = p["W"].T
        for t in range(T):
            a = np.dot(Hall[t], WT, out=Hall[t + 1])
            a += U[t]
            np.tanh(a, out=a)
        return {"X": X, "H": Hall[1:], "Hprev": Hall[:-1]}

    def _backward(self, cache, dH_out, truncation=None, truncation_mode="window"):
        """Weight gradients from ``dH_out = ∂⁺L/∂h_t`` (T, B, n); also ``∂L/∂h_t`` (full BPTT)."""
        X, H, Hprev = cache["X"], cache["H"], cache["Hprev"]
        T = H.shape[0]
        W = self.params["W"]
        D = np.multiply(H, H, out=self._buffer("D", H.shape))
        np.subtract(1.0, D, out=D)                    # tanh'(a_t) = 1 − h_t²
        dH = None
        if truncation is not None and truncation_mode == "window" and truncation < T:
            delta = dH_out * D                        # lag 0
            dA = delta.copy()
            for j in range(1, truncation):            # lag j: errors from step t + j
                delta = (delta[1:] @ W) * D[:-j]
                dA[:-j] += delta
        else:
            cut = truncation if truncation is not None else T + 1
            dA = self._buffer("dA", H.shape)
            dH = self._buffer("dH", H.shape)
            carry = np.zeros_like(H[0])
            for t in range(T - 1, -1, -1):
                if (t + 1) % cut == 0:                # detach: nothing flows into a chunk's last step
                    carry[...] = 0.0
                g = np.add(dH_out[t], carry, out=dH[t])
                np.multiply(g, D[t], out=dA[t])
                np.dot(dA[t], W, out=carry)
        n = self.n_units
        flat = dA.reshape(-1, n)
        return ({"W_in": flat.T @ X.reshape(-1, X.shape[-1]),
                 "W": flat.T @ Hprev.reshape(-1, n),
                 "b": flat.sum(axis=0)}, dH)

    # -- public gradient methods ----------------------------------------------------
    def bptt(self, x, y, mask=None, *, truncation=None, truncation_mode="window", h0=None):
        """Loss and exact gradients by backpropagation through time.

        Parameters
        ----------
        x : array (T, D) or (B, T, D)
        y : array (T, O) or (B, T, O), the same form as ``x``
        mask : array (T,) or (B, T), optional
            Per-step loss weights (1 where a step has a target).
        truncation : int >= 1, optional
            Truncate after ``k`` steps (see the module docstring); None is full BPTT.
        truncation_mode : {"window", "detach"}
        h0 : array (n,) or (B, n), optional
            Initial state (default zeros).

        Returns
        -------
        loss : float
        grads : dict of ndarray, the same keys and shapes as ``params``
        """
        if truncation is not None:
            truncation = check_positive_int("truncation", truncation)
        check_choice("truncation_mode", truncation_mode, TRUNCATION_MODES)
        X, Y, M = self._data(x, y, mask)
        loss, grads, _ = self._bptt(X, Y, M, h0=h0, truncation=truncation,
                                    truncation_mode=truncation_mode)
        return loss, grads

    def rtrl(self, x, y, mask=None):
        """Loss and exact gradients by real-time recurrent learning (see :mod:`biornn.rate.rtrl`)."""
        from .rtrl import rtrl_gradient
        return rtrl_gradient(self, x, y, mask)

    def train_online(self, x, y, optimizer, mask=None, *, approximation="exact", seed=None):
        """Update the weights at every step with RTRL (or SnAp-1, UORO); returns per-step losses.

        See :func:`biornn.rate.rtrl.rtrl_online` (Williams & Zipser 1989).
        """
        from .rtrl import rtrl_online
        return rtrl_online(self, x, y, optimizer, mask, approximation=approximation, seed=seed)
