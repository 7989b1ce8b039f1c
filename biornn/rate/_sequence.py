"""What every gradient-trained sequence model shares: data checks, the readout and the loss.

A model maps an input sequence ``x`` to hidden states ``h_t`` and reads out

    ŷ_t = W_out h_t + c

The loss is summed over time and averaged over the batch,

    L = (1/B) Σ_b Σ_t m_bt ℓ(ŷ_bt, y_bt),

with ``ℓ = ½ ||ŷ − y||²`` (``loss="mse"``) or the softmax cross-entropy
``ℓ = −Σ_o y_o log softmax(ŷ)_o`` (``loss="cross_entropy"``, ``y`` one-hot or
class probabilities).  The mask ``m`` (default all ones) selects the steps that
carry a target: a sequence-to-one task such as the adding problem sets it to 1
at the last step only.  For both losses ``∂L/∂ŷ_bt = m_bt (p_bt − y_bt) / B``
with ``p = ŷ`` or ``softmax(ŷ)``, which is what :func:`output_error` returns.

Internally sequences are time-major ``(T, B, D)`` so that one time step is a
contiguous block; the public methods take ``(T, D)`` or ``(B, T, D)`` and give
back the same rank.
"""

from __future__ import annotations

import numpy as np

from .._rng import as_generator
from .._validate import as_float_array, check_choice, check_positive_int

LOSSES = ("mse", "cross_entropy")


def softmax(a, axis=-1):
    """Numerically stable softmax along ``axis``."""
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def prepare_inputs(x, n_inputs, dtype):
    """Return ``x`` as a time-major array (T, B, D) and whether it was a single sequence."""
    arr = as_float_array("x", x, ndim=(1, 2, 3), dtype=dtype)
    if arr.ndim == 1:
        arr = arr[:, None]
    single = arr.ndim == 2
    if single:
        arr = arr[None]
    if arr.shape[1] == 0:
        raise ValueError(f"x has no time steps (shape {np.shape(x)})")
    if arr.shape[-1] != n_inputs:
        raise ValueError(f"x must have {n_inputs} features (last axis), got {arr.shape[-1]}")
    return np.ascontiguousarray(arr.transpose(1, 0, 2)), single


def prepare_targets(y, mask, X, single, n_outputs, dtype):
    """Check ``y`` (and ``mask``) against time-major inputs ``X``; return (Y, M) time-major.

    ``y`` has the form of ``x``: (T, O) or (B, T, O); a 1-d ``y`` is (T,) with O = 1.
    ``mask`` is (T,) or (B, T) of non-negative weights, or None.
    """
    T, B, _ = X.shape
    arr = as_float_array("y", y, ndim=(1, 2, 3), dtype=dtype)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim == 2 and not single:
        raise ValueError(f"x is a batch {(B, T)} but y has shape {arr.shape}; "
                         f"expected (batch, time, outputs)")
    if arr.ndim == 2:
        arr = arr[None]
    if arr.shape[:2] != (B, T):
        raise ValueError(f"y must match x in batch and time, expected {(B, T)} leading "
                         f"axes, got shape {arr.shape[:2] if not single else arr.shape[1:2]}")
    if arr.shape[-1] != n_outputs:
        raise ValueError(f"y must have {n_outputs} outputs (last axis), got {arr.shape[-1]}")
    Y = np.ascontiguousarray(arr.transpose(1, 0, 2))
    if mask is None:
        return Y, None
    m = as_float_array("mask", mask, ndim=(1, 2), dtype=dtype)
    if m.ndim == 1:
        m = np.broadcast_to(m, (B, m.shape[0]))
    if m.shape != (B, T):
        raise ValueError(f"mask must have shape (time,) or (batch, time) = {(B, T)}, "
                         f"got {np.shape(mask)}")
    if np.any(m < 0):
        raise ValueError("mask must be non-negative")
    return Y, np.ascontiguousarray(m.T)


def output_error(Yhat, Y, M, loss):
    """Return the loss L and ``∂L/∂ŷ`` for time-major outputs (T, B, O)."""
    B = Yhat.shape[1]
    if loss == "mse":
        diff = Yhat - Y
        per_step = 0.5 * np.einsum("tbo,tbo->tb", diff, diff)
        err = diff
    else:
        logp = Yhat - Yhat.max(axis=-1, keepdims=True)
        logp -= np.log(np.exp(logp).sum(axis=-1, keepdims=True))
        per_step = -np.einsum("tbo,tbo->tb", Y, logp)
        err = np.exp(logp) - Y
    if M is not None:
        per_step = per_step * M
        err = err * M[:, :, None]
    return float(per_step.sum() / B), err / B


class SequenceModel:
    """Base class: parameters in ``params`` (a dict of arrays) and a linear readout.

    Subclasses implement ``_forward(X, h0) -> cache`` (with ``cache["H"]`` the
    hidden states, (T, B, n)) and ``_backward(cache, dH_out, **options)`` returning
    the gradients of their recurrent parameters.
    """

    _recurrent_names: tuple = ()

    def _init_sizes(self, n_inputs, n_units, n_outputs, loss, dtype, seed):
        """Validate and store what every sequence model has; return its generator."""
        self.n_inputs = check_positive_int("n_inputs", n_inputs)
        self.n_units = check_positive_int("n_units", n_units)
        self.n_outputs = check_positive_int("n_outputs", n_outputs)
        self.loss = loss
        self._check_loss()
        self.dtype = np.dtype(check_choice("dtype", np.dtype(dtype).name,
                                           ("float64", "float32")))
        self.seed = seed if seed is None or isinstance(seed, int) else None
        return as_generator(seed)

    def _init_readout(self, rng, n_units, n_outputs, dtype):
        self.params["W_out"] = (rng.standard_normal((n_outputs, n_units))
                                / np.sqrt(n_units)).astype(dtype)
        self.params["c"] = np.zeros(n_outputs, dtype=dtype)

    def _buffer(self, name, shape, fill=None):
        """A work array kept between calls of the same shape.

        Touching freshly allocated memory is slow (page faults; very slow in
        sandboxed machines), and BPTT needs several (T, B, n) arrays per call, so
        they are reused.  Arrays that leave the model are copied first.
        """
        ws = self.__dict__.setdefault("_workspace", {})
        key = (name, tuple(shape))
        buf = ws.get(key)
        if buf is None:
            if len(ws) > 48:
                ws.clear()
            buf = ws[key] = np.empty(shape, dtype=self.dtype)
        if fill is not None:
            buf.fill(fill)
        return buf

    def clear_workspace(self):
        """Free the work arrays kept between calls."""
        self.__dict__.pop("_workspace", None)

    # -- public helpers --------------------------------------------------------
    @property
    def n_parameters(self):
        """Total number of trainable parameters."""
        return int(sum(p.size for p in self.params.values()))

    def _check_loss(self):
        check_choice("loss", self.loss, LOSSES)

    def _data(self, x, y, mask):
        X, single = prepare_inputs(x, self.n_inputs, self.dtype)
        Y, M = prepare_targets(y, mask, X, single, self.n_outputs, self.dtype)
        return X, Y, M

    def _readout(self, H):
        return H @ self.params["W_out"].T + self.params["c"]

    def _readout_backward(self, H, dYhat):
        """Gradients of W_out and c, and the direct error ``∂L/∂h_t`` from the readout."""
        n, O = H.shape[-1], dYhat.shape[-1]
        grads = {"W_out": dYhat.reshape(-1, O).T @ H.reshape(-1, n),
                 "c": dYhat.reshape(-1, O).sum(axis=0)}
        dH_out = np.matmul(dYhat, self.params["W_out"], out=self._buffer("dH_out", H.shape))
        return grads, dH_out

    def run(self, x):
        """Hidden states for input ``x``: (T, n) or (B, T, n), as ``x`` was given."""
        X, single = prepare_inputs(x, self.n_inputs, self.dtype)
        H = self._forward(X)["H"].transpose(1, 0, 2)
        return H[0].copy() if single else H.copy()

    def predict(self, x):
        """Outputs ``ŷ_t`` (class probabilities for ``loss="cross_entropy"``)."""
        X, single = prepare_inputs(x, self.n_inputs, self.dtype)
        out = self._readout(self._forward(X)["H"])
        if self.loss == "cross_entropy":
            out = softmax(out)
        out = out.transpose(1, 0, 2)
        return out[0] if single else out

    def loss_value(self, x, y, mask=None):
        """The loss ``L`` (see the module docstring) without gradients."""
        X, Y, M = self._data(x, y, mask)
        return output_error(self._readout(self._forward(X)["H"]), Y, M, self.loss)[0]

    def gradient(self, x, y, mask=None, **options):
        """Loss and gradients (the method :func:`biornn.rate.optim.train` calls)."""
        return self.bptt(x, y, mask=mask, **options)

    def _bptt(self, X, Y, M, h0=None, **options):
        cache = self._forward(X, h0)
        H = cache["H"]
        loss, dYhat = output_error(self._readout(H), Y, M, self.loss)
        grads, dH_out = self._readout_backward(H, dYhat)
        rec, dH = self._backward(cache, dH_out, **options)
        grads.update(rec)
        return loss, {k: grads[k] for k in self.params}, dH

    def state_gradients(self, x, y, mask=None):
        """``∂L/∂h_t`` for every step (T, B, n): how far back the error reaches."""
        X, Y, M = self._data(x, y, mask)
        return self._bptt(X, Y, M)[2].transpose(1, 0, 2).copy()

    # -- saving ------------------------------------------------------------------
    def _get_state(self):
        return self.get_params(), dict(self.params)

    @classmethod
    def _from_state(cls, params, arrays):
        obj = cls(**params)
        for k in obj.params:
            obj.params[k] = np.array(arrays[k], dtype=obj.dtype)
        return obj

    def get_params(self):
        """Constructor parameters (JSON-able)."""
        out = {k: getattr(self, k) for k in self._param_names}
        if "dtype" in out:
            out["dtype"] = np.dtype(out["dtype"]).name
        return out

