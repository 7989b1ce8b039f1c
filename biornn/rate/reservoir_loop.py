"""Stepping an echo state network's reservoir through time, one sequence or a batch.

The update (Jaeger 2001; leaky integrator, Jaeger et al. 2007)::

    x(t+1) = (1 - a) x(t) + a tanh(W x(t) + d(t+1)),   d = W_in u + W_fb y + b (+ noise)

A batch of B sequences is stepped together; what costs time is ``W x`` at every
step, so the state layout and kernel are chosen by the form of ``W``:

``"vector"`` (B = 1)
    x (N,); ``W @ x`` by BLAS gemv (dense W) or the CSR mat-vec (sparse W).
``"rows"`` (B > 1, dense W)
    x (B, N) row-major; ``x @ Wᵀ`` by BLAS gemm with ``Wᵀ`` kept contiguous, the
    new states written straight into the output rows.
``"columns"`` (B > 1, sparse W)
    x (N, B); CSR times a dense block, so every stored weight multiplies a
    contiguous row of B states; a chunk of steps is kept time-major and
    transposed into the output once.

Inputs are projected a chunk of steps at a time into a reused buffer, so a long
run holds O(chunk x B x N) work memory besides the states it returns.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["step", "update_into", "ReservoirLoop"]


def step(x, u_proj, W, leak_rate, *, rows=False):
    """One reservoir update, ``(1 - a) x + a tanh(W x + u_proj)``; ``x`` is not modified.

    ``x`` is (units,) or (units, batch); ``u_proj`` holds everything that does not
    depend on ``x`` (``W_in u + W_fb y + b``).  With ``rows=True`` the states are
    rows, ``x`` (batch, units), and ``W`` must be given transposed (``Wᵀ``).
    """
    pre = x @ W if rows else W @ x
    return update_into(pre, u_proj, x, leak_rate, pre)


def update_into(pre, drive, x, leak_rate, out):
    """``out = (1 - a) x + a tanh(pre + drive)``, reusing ``pre``; returns ``out``.

    The in-place form of :func:`step` the loops use: ``pre`` holds ``W x``
    (overwritten), ``out`` may be a row of the states array, and ``x`` is left
    unchanged unless it is ``out``.
    """
    pre += drive
    if leak_rate == 1.0:
        return np.tanh(pre, out=out)
    np.tanh(pre, out=pre)
    pre -= x
    pre *= leak_rate
    return np.add(x, pre, out=out)


class ReservoirLoop:
    """The state-collection loop of :class:`biornn.rate.esn.EchoStateNetwork`.

    A mixin: it reads ``W``, ``W_in``, ``W_fb``, ``b``, ``n_units``, ``dtype``,
    ``leak_rate``, ``noise`` and ``has_feedback`` from the network.
    """

    _CHUNK = 256          # most time steps whose input drive is projected at once
    _CHUNK_ENTRIES = 2**18  # and most entries (steps x batch x units) a chunk buffer holds

    def _layout(self, B):
        """How a batch of B sequences is stepped: the state layout and kernel.

        ``"vector"`` (one sequence): x (N,), ``W @ x`` (BLAS gemv or CSR mat-vec).
        ``"rows"`` (a batch, dense W): x (B, N) row-major, ``x @ Wᵀ`` by BLAS gemm.
        ``"columns"`` (a batch, sparse W): x (N, B), CSR x dense block (each stored
        weight multiplies a contiguous row of B states).
        """
        if B == 1:
            return "vector"
        return "columns" if sp.issparse(self.W) else "rows"

    def _drive(self, U, Yfb, noise_rng, t0, t1, layout, out):
        """Everything that does not depend on x, for steps t0..t1, written into ``out``.

        ``out`` is (t1-t0, N), (t1-t0, B, N) or (t1-t0, N, B) for the vector, rows
        and columns layouts.  Projected a chunk of steps at a time, so a long run
        never holds a (T, N, B) drive array.
        """
        def project(seqs, M):             # M (N, D) times the chunk of seqs (B, T, D)
            part = seqs[:, t0:t1].astype(self.dtype, copy=False)
            if layout == "columns":
                return np.matmul(M, part.transpose(1, 2, 0))
            return np.matmul(part.transpose(1, 0, 2), M.T)

        if U is not None and U.shape[2]:
            drive = project(U, self.W_in)
            out[...] = drive.reshape(out.shape)
        else:
            out[...] = 0
        out += self.b[:, None] if layout == "columns" else self.b
        if Yfb is not None and self.has_feedback:
            out += project(Yfb, self.W_fb).reshape(out.shape)
        if noise_rng is not None and self.noise > 0:
            B = U.shape[0] if U is not None else Yfb.shape[0]
            noise = self.noise * noise_rng.standard_normal((B, t1 - t0, self.n_units))
            out += noise.astype(self.dtype).transpose(
                {"vector": (1, 0, 2), "rows": (1, 0, 2), "columns": (1, 2, 0)}[layout]
            ).reshape(out.shape)
        return out

    def _collect_chunks(self, U, X0, Yfb, noise_rng=None, out=None):
        """Run a batch, yielding ``(t0, states)`` a chunk of steps at a time.

        U (B, T, D) or None, X0 (B, N), Yfb (B, T, O) or None; ``Yfb[:, t]`` is the
        output fed back into the update that produces ``x(t)``, i.e. y(t-1).
        ``states`` is (B, t1 - t0, N) for steps t0..t1-1: a view of ``out``
        (B, T, N) when given, else a buffer reused for the next chunk.
        """
        B, N = X0.shape
        T = U.shape[1] if U is not None else Yfb.shape[1]
        W, a = self.W, self.leak_rate
        layout = self._layout(B)
        chunk = int(min(self._CHUNK, max(8, self._CHUNK_ENTRIES // (B * N))))
        shape = {"vector": (N,), "rows": (B, N), "columns": (N, B)}[layout]
        drive = np.empty((chunk,) + shape, dtype=self.dtype)
        if layout == "vector":
            x = np.array(X0[0], dtype=self.dtype)
        elif layout == "rows":
            x = np.array(X0, dtype=self.dtype)
            W = self._transposed_W()
            pre = np.empty((B, N), dtype=self.dtype)
        else:
            x = np.array(X0.T, dtype=self.dtype, order="C")
            cols = np.empty_like(drive)    # states of a chunk, time-major
        buf = None if out is not None else np.empty((B, chunk, N), dtype=self.dtype)
        for t0 in range(0, T, chunk):
            t1 = min(T, t0 + chunk)
            n = t1 - t0
            dr = self._drive(U, Yfb, noise_rng, t0, t1, layout, drive[:n])
            dest = out[:, t0:t1] if out is not None else buf[:, :n]
            if layout == "vector":
                rows = dest[0]
                for k in range(n):
                    x = update_into(W @ x, dr[k], x, a, rows[k])
            elif layout == "rows":
                # x = dest[:, k] is strided; BLAS takes it as is unless rows are huge
                huge = dest.strides[0] // dest.itemsize >= 2**31 - 1
                for k in range(n):
                    np.matmul(x, W, out=pre)
                    x = update_into(pre, dr[k], x, a, dest[:, k])
                    if huge:
                        x = x.copy()
            else:
                for k in range(n):
                    x = update_into(W @ x, dr[k], x, a, cols[k])
                dest[...] = cols[:n].transpose(2, 0, 1)
            yield t0, dest

    def _transposed_W(self):
        """``Wᵀ`` as a C-contiguous array (cached for the rows layout)."""
        cached = self.__dict__.get("_WT")
        if cached is None or cached[0] is not self.W:
            cached = self._WT = (self.W, np.ascontiguousarray(np.asarray(self.W).T))
        return cached[1]

    def _collect(self, U, X0, Yfb, noise_rng=None):
        """All states of a batch, (B, T, N); see :meth:`_collect_chunks`."""
        T = U.shape[1] if U is not None else Yfb.shape[1]
        B = X0.shape[0]
        out = np.empty((B, T, self.n_units), dtype=self.dtype)
        for _ in self._collect_chunks(U, X0, Yfb, noise_rng, out=out):
            pass
        return out
