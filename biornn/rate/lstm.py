"""Long short-term memory with a forget gate, trained by exact BPTT.

LSTM (Hochreiter & Schmidhuber 1997) with the forget gate of Gers, Schmidhuber
& Cummins (2000), no peepholes.  Gate order in the stacked weights is
**i, f, g, o** (input gate, forget gate, candidate cell input, output gate),
the order PyTorch uses:

    [i; f; g; o]_t = [σ; σ; tanh; σ](W_x x_t + W_h h_{t−1} + b)
    c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t
    h_t = o_t ⊙ tanh(c_t),             ŷ_t = W_out h_t + c

``W_x`` is (4n, D), ``W_h`` (4n, n), ``b`` (4n,), block ``k`` of rows belonging
to gate ``k`` of the order above.  The forget-gate bias starts at 1 so that the
cell remembers by default (Gers et al. 2000; Jozefowicz, Zaremba & Sutskever 2015).

Backward, with ``dh_t = ∂L/∂h_t`` and ``dc_t = ∂L/∂c_t``::

    dh_t = W_outᵀ ∂L/∂ŷ_t + W_hᵀ da_{t+1}
    dc_t = dh_t ⊙ o_t ⊙ (1 − tanh² c_t) + dc_{t+1} ⊙ f_{t+1}
    da_t = [dc_t ⊙ g_t ⊙ i_t(1−i_t);  dc_t ⊙ c_{t−1} ⊙ f_t(1−f_t);
            dc_t ⊙ i_t ⊙ (1−g_t²);    dh_t ⊙ tanh c_t ⊙ o_t(1−o_t)]

and the weight gradients are single matrix products over all steps:
``∂L/∂W_h = Σ_t da_t h_{t−1}ᵀ``, ``∂L/∂W_x = Σ_t da_t x_tᵀ``, ``∂L/∂b = Σ_t da_t``.
The cell path ``dc_t ← dc_{t+1} ⊙ f_{t+1}`` is multiplicative by gates near 1,
not by ``W``: the constant error carousel that lets errors cross long lags.

Speed: the input projection ``W_x x_t + b`` of all steps and the weight
gradients are single matrix products; what remains step by step is one product
``W_h h_{t−1}`` for all four gates (and ``W_hᵀ da_t`` going back) plus the
element-wise gate arithmetic.  Those time loops run in a small C kernel
(``_lstm_kernel.c``, see :mod:`biornn.rate._compiled`) when it builds, else in
numpy; float32 (``dtype="float32"``) halves the memory traffic of both.
Speed against PyTorch: ``benchmarks/rnn_gradients.py``.
"""

from __future__ import annotations

import ctypes

import numpy as np

from .._validate import check_choice, check_positive_int
from ..io import Array, Derived, register_saveable
from ._compiled import address, blas_pointer, build_error, load as load_compiled
from ._sequence import SequenceModel

__all__ = ["LSTM", "GATE_ORDER", "KERNELS", "compiled_kernel_available"]

GATE_ORDER = ("input", "forget", "cell", "output")
KERNELS = ("auto", "compiled", "numpy")


def _kernel():
    """The compiled time loops (``_lstm_kernel.c``) with their argument types, or None."""
    lib = load_compiled("lstm")
    if lib is not None and not hasattr(lib, "_blas"):
        p, i = ctypes.c_void_p, ctypes.c_int
        for suffix in ("f32", "f64"):
            getattr(lib, f"lstm_forward_{suffix}").argtypes = [i, i, i] + [p] * 7
            getattr(lib, f"lstm_backward_{suffix}").argtypes = [i, i, i] + [p] * 10
            getattr(lib, f"lstm_forward_{suffix}").restype = None
            getattr(lib, f"lstm_backward_{suffix}").restype = None
        lib._blas = {np.dtype(t): (blas_pointer(f"{c}gemm"),
                                   blas_pointer(f"{c}gemv"))
                     for t, c in ((np.float32, "s"), (np.float64, "d"))}
    return lib


def compiled_kernel_available():
    """Whether the compiled LSTM loops built here; if not, the reason as a second value."""
    return _kernel() is not None, build_error("lstm")


def _ptr(a, dtype):
    """Address of ``a`` for the C kernel (C-contiguous, ``dtype``)."""
    return address(a, dtype, "LSTM")


def _local_derivatives(G, Cprev, tanhC, F, dc_dh):
    """Per-step local derivatives for a block of steps, written into ``F`` and ``dc_dh``.

    ``F[:, :, k]`` multiplies ``dc_t`` (gates i, f, g) or ``dh_t`` (gate o) to give
    ``da_t`` of gate k; ``dc_dh = o (1 − tanh² c)``.  All in place: fresh large
    temporaries cost more than the arithmetic.
    """
    n = tanhC.shape[-1]
    i, f, g, o = G[..., :n], G[..., n:2 * n], G[..., 2 * n:3 * n], G[..., 3 * n:]
    for k, gate, times in ((0, i, g), (1, f, Cprev), (3, o, tanhC)):
        Fk = np.subtract(1.0, gate, out=F[:, :, k])             # σ' = σ (1 − σ)
        Fk *= gate
        Fk *= times
    F2 = np.multiply(g, g, out=F[:, :, 2])                       # tanh' = 1 − g²
    np.subtract(1.0, F2, out=F2)
    F2 *= i
    np.multiply(tanhC, tanhC, out=dc_dh)
    np.subtract(1.0, dc_dh, out=dc_dh)
    dc_dh *= o


@register_saveable
class LSTM(SequenceModel):
    """LSTM network with a forget gate and a linear readout; gate order i, f, g, o.

    ``[i, f, o] = σ(W_x x_t + W_h h_{t−1} + b)``, ``g = tanh(…)``,
    ``c_t = f ⊙ c_{t−1} + i ⊙ g``, ``h_t = o ⊙ tanh(c_t)``, ``ŷ_t = W_out h_t + b_out``
    (Hochreiter & Schmidhuber 1997; forget gate: Gers, Schmidhuber & Cummins 2000).

    Parameters
    ----------
    n_inputs, n_units, n_outputs : int
    forget_bias : float, default 1.0
        Initial bias of the forget gate.
    loss : {"mse", "cross_entropy"}
    dtype : {"float64", "float32"}
    kernel : {"auto", "compiled", "numpy"}, default "auto"
        Where the time loops run.  ``"compiled"``: a small C kernel
        (:mod:`biornn.rate._compiled`; built once per machine with the system C
        compiler, one BLAS ``gemm`` per step for all four gates, the element-wise
        work in vectorised loops), which removes numpy's per-call cost that
        dominates small networks; ``"numpy"``: numpy only; ``"auto"``: the
        compiled kernel when it builds, numpy otherwise.  Both compute the same
        equations on the same arrays and agree to rounding.
    seed : None, int or Generator
        Weights are drawn ``U(−1/√n, 1/√n)``, other biases 0.

    Attributes
    ----------
    params : dict of ndarray
        ``W_x`` (4n, D), ``W_h`` (4n, n), ``b`` (4n,), ``W_out`` (O, n), ``c`` (O,).

    Examples
    --------
    >>> net = LSTM(2, 16, 1, seed=0)
    >>> loss, grads = net.bptt(np.zeros((50, 2)), np.zeros((50, 1)))
    >>> grads["W_h"].shape
    (64, 16)
    """

    _param_names = ("n_inputs", "n_units", "n_outputs", "forget_bias", "loss", "dtype",
                    "kernel", "seed")
    # what a saved state must hold, checked by biornn.io.load before _from_state
    _SAVED = {"n_inputs": check_positive_int, "n_units": check_positive_int,
              "n_outputs": check_positive_int, "n_gates": Derived(lambda p: 4 * p["n_units"]),
              "W_x": Array(("n_gates", "n_inputs")), "W_h": Array(("n_gates", "n_units")),
              "b": Array(("n_gates",)), "W_out": Array(("n_outputs", "n_units")),
              "c": Array(("n_outputs",))}

    def __init__(self, n_inputs, n_units, n_outputs, *, forget_bias=1.0, loss="mse",
                 dtype="float64", kernel="auto", seed=None):
        rng = self._init_sizes(n_inputs, n_units, n_outputs, loss, dtype, seed)
        self.forget_bias = float(forget_bias)
        self.kernel = check_choice("kernel", kernel, KERNELS)
        if kernel == "compiled" and _kernel() is None:
            raise ValueError("kernel='compiled' but the compiled LSTM kernel is not available: "
                             f"{build_error('lstm')}; use kernel='numpy' or 'auto'")
        n, D = self.n_units, self.n_inputs
        s = 1.0 / np.sqrt(n)
        b = np.zeros(4 * n)
        b[n:2 * n] = forget_bias
        self.params = {
            "W_x": rng.uniform(-s, s, (4 * n, D)).astype(self.dtype),
            "W_h": rng.uniform(-s, s, (4 * n, n)).astype(self.dtype),
            "b": b.astype(self.dtype),
        }
        self._init_readout(rng, n, self.n_outputs, self.dtype)

    def _forward(self, X, h0=None):
        """Run on time-major ``X`` (T, B, D); cache gates (T, B, 4n), cells and states.

        The sigmoid gates use ``σ(a) = ½ (1 + tanh(a/2))``: with the i, f, o rows
        of the weights halved, one ``tanh`` call per step serves all four gates.
        """
        if h0 is not None:
            raise ValueError("LSTM starts from h0 = c0 = 0; h0 is not supported")
        T, B, _ = X.shape
        n = self.n_units
        p = self.params
        half = np.full(4 * n, 0.5, dtype=self.dtype)
        half[2 * n:3 * n] = 1.0
        A = self._buffer("A", (T, B, 4 * n))
        np.matmul(X.reshape(T * B, -1), (p["W_x"] * half[:, None]).T, out=A.reshape(T * B, -1))
        A += p["b"] * half                                      # all gates, all steps
        Hall = self._buffer("H", (T + 1, B, n))
        Call = self._buffer("C", (T + 1, B, n))
        tanhC = self._buffer("tanhC", (T, B, n))
        lib = self._lib()
        if lib is not None:
            WhT = np.ascontiguousarray((p["W_h"] * half[:, None]).T)
            arrays = (WhT, A, Hall, Call, tanhC)
            getattr(lib, f"lstm_forward_{self._suffix}")(
                T, B, n, *(_ptr(a, self.dtype) for a in arrays), *lib._blas[self.dtype])
            return {"X": X, "G": A, "C": Call, "tanhC": tanhC, "H": Hall[1:],
                    "Hprev": Hall[:-1]}
        WhT = (p["W_h"] * half[:, None]).T
        Hall[0] = 0.0
        Call[0] = 0.0
        tmp = np.empty((B, 4 * n), dtype=self.dtype)
        ig = np.empty((B, n), dtype=self.dtype)
        for t in range(T):
            a = A[t]
            a += np.dot(Hall[t], WhT, out=tmp)
            np.tanh(a, out=a)
            sig_if, sig_o = a[:, :2 * n], a[:, 3 * n:]
            sig_if += 1.0
            sig_if *= 0.5
            sig_o += 1.0
            sig_o *= 0.5
            c = np.multiply(a[:, n:2 * n], Call[t], out=Call[t + 1])      # f ⊙ c_{t−1}
            c += np.multiply(a[:, :n], a[:, 2 * n:3 * n], out=ig)        # + i ⊙ g
            np.tanh(c, out=tanhC[t])
            np.multiply(sig_o, tanhC[t], out=Hall[t + 1])
        return {"X": X, "G": A, "C": Call, "tanhC": tanhC, "H": Hall[1:], "Hprev": Hall[:-1]}

    def _backward(self, cache, dH_out):
        X, G, Call, tanhC, Hprev = (cache[k] for k in ("X", "G", "C", "tanhC", "Hprev"))
        T, B, n = tanhC.shape
        Wh = self.params["W_h"]
        dA = self._buffer("dA", (T, B, 4, n))
        dH = self._buffer("dH", tanhC.shape)
        flat = dA.reshape(T, B, 4 * n)
        lib = self._lib()
        if lib is not None:
            Wh = np.ascontiguousarray(Wh)
            dH_out = np.ascontiguousarray(dH_out, dtype=self.dtype)
            work = self._buffer("work", (2, B, n))
            arrays = (Wh, G, Call, tanhC, dH_out, dA, dH, work)
            getattr(lib, f"lstm_backward_{self._suffix}")(
                T, B, n, *(_ptr(a, self.dtype) for a in arrays), *lib._blas[self.dtype])
            return self._weight_gradients(flat, X, Hprev), dH
        # The local derivatives are computed for a block of L steps at once (few
        # numpy calls) and used while still in cache; the loop only chains them.
        L = max(1, min(T, 32768 // (B * n)))
        F = self._buffer("F", (L, B, 4, n))
        dc_dh = self._buffer("dc_dh", (L, B, n))
        carry_h = np.zeros((B, n), dtype=self.dtype)
        dc = np.zeros((B, n), dtype=self.dtype)
        tmp = np.empty((B, n), dtype=self.dtype)
        for end in range(T, 0, -L):
            start = max(0, end - L)
            Fb, Db = F[:end - start], dc_dh[:end - start]
            _local_derivatives(G[start:end], Call[start:end], tanhC[start:end], Fb, Db)
            for t in range(end - 1, start - 1, -1):
                k = t - start
                dh = np.add(dH_out[t], carry_h, out=dH[t])
                dc += np.multiply(dh, Db[k], out=tmp)   # dc already holds dc_{t+1} ⊙ f_{t+1}
                np.multiply(Fb[k, :, :3], dc[:, None, :], out=dA[t, :, :3])
                np.multiply(Fb[k, :, 3], dh, out=dA[t, :, 3])
                dc *= G[t, :, n:2 * n]                    # ⊙ f_t, for step t − 1
                np.dot(flat[t], Wh, out=carry_h)
        return self._weight_gradients(flat, X, Hprev), dH

    def _weight_gradients(self, dA, X, Hprev):
        """``Σ_t da_t x_tᵀ``, ``Σ_t da_t`` and ``Σ_t da_t h_{t−1}ᵀ`` as one matrix product.

        ``[∂L/∂W_x, ∂L/∂b, ∂L/∂W_h] = Σ_t da_t [x_t; 1; h_{t−1}]ᵀ``: one product with
        the inputs, a column of ones and the states side by side costs about as much as
        the ``W_h`` product alone (the skinny ``W_x`` product and the sum are slow apart).
        """
        D, n = X.shape[-1], Hprev.shape[-1]
        flat = dA.reshape(-1, dA.shape[-1])
        Z = self._buffer("Z", (flat.shape[0], D + 1 + n))
        Z[:, :D] = X.reshape(-1, D)
        Z[:, D] = 1.0
        Z[:, D + 1:] = Hprev.reshape(-1, n)
        G = flat.T @ Z
        return {"W_x": np.ascontiguousarray(G[:, :D]), "b": G[:, D].copy(),
                "W_h": np.ascontiguousarray(G[:, D + 1:])}

    @property
    def _suffix(self):
        return "f32" if self.dtype == np.float32 else "f64"

    def _lib(self):
        return None if self.kernel == "numpy" else _kernel()

    def bptt(self, x, y, mask=None):
        """Loss and exact gradients by backpropagation through time.

        Parameters
        ----------
        x : array (T, D) or (B, T, D)
        y : array (T, O) or (B, T, O)
        mask : array (T,) or (B, T), optional

        Returns
        -------
        loss : float
        grads : dict of ndarray (keys of ``params``)
        """
        X, Y, M = self._data(x, y, mask)
        loss, grads, _ = self._bptt(X, Y, M)
        return loss, grads
