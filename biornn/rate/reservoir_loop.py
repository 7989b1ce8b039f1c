"""Stepping an echo state network's reservoir through time, one sequence or a batch.

The update (Jaeger 2001; leaky integrator, Jaeger et al. 2007)::

    x(t+1) = (1 - a) x(t) + a tanh(W x(t) + d(t+1)),   d = W_in u + W_fb y + b (+ noise)

A batch of B sequences is stepped together; what costs time is ``W x`` at every
step, so the state layout and kernel are chosen by the product with ``W``, dense
(BLAS) or CSR.  The compiled loop chooses it by the fraction of non-zero weights
(CSR at or below ``_DENSE_ABOVE``), the numpy loop by how ``W`` is stored:

``"vector"`` (B = 1)
    x (N,); ``W @ x`` by BLAS gemv or a CSR mat-vec.
``"rows"`` (B > 1, dense product)
    x (B, N) row-major; ``x @ Wᵀ`` by BLAS gemm with ``Wᵀ`` kept contiguous, the
    new states written straight into the output rows.
``"columns"`` (B > 1, CSR product)
    x (N, B); CSR times a dense block, so every stored weight multiplies a
    contiguous row of B states (numpy: a chunk of steps is kept time-major and
    transposed into the output once; compiled: SIMD tiles of the batch summed in
    registers, W cut into blocks of columns whose states stay in cache, and the
    new states transposed into the output rows 8 x 8 in registers).

Inputs are projected a chunk of steps at a time into a reused buffer (one matrix
product for the chunk's steps and sequences, the bias folded in as one more
input), so a long run holds O(chunk x B x N) work memory besides the states; the
compiled batched CSR loop instead projects them itself, row by row, into the sums
of ``W x`` (no drive array at all).

The steps of a chunk run in a small compiled loop (``_esn_kernel.c``, built and
cached by :mod:`biornn.rate._compiled`) when it builds: BLAS gemm/gemv per step for
the dense product, the CSR kernels for the sparse one, tanh (``_tanh.h``) and leak
over each step's block; no Python between steps.  Without a C compiler (or with
``BIORNN_NO_COMPILE=1``) the numpy loop runs instead; both compute the same update
(``tests/rate/test_esn_batch.py`` checks they agree to rounding).
"""

from __future__ import annotations

import ctypes

import numpy as np
import scipy.sparse as sp

from ._compiled import address, blas_pointer, load as load_compiled

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


def _aligned_empty(shape, dtype, align=64):
    """An empty C-contiguous array starting on an ``align``-byte boundary, so that the
    kernel's SIMD vectors of states never straddle two cache lines (numpy only promises
    16 bytes, and loads or stores that straddle lines slow the batched kernel down)."""
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape)) * dtype.itemsize
    buf = np.empty(nbytes + align, np.uint8)
    start = -buf.ctypes.data % align
    return buf[start:start + nbytes].view(dtype).reshape(shape)


def _kernel():
    """The compiled reservoir loop (``_esn_kernel.c``) with its argument types, or None."""
    lib = load_compiled("esn")
    if lib is not None and not hasattr(lib, "_blas"):
        p, i, l = ctypes.c_void_p, ctypes.c_int, ctypes.c_long
        for suffix, real in (("f32", ctypes.c_float), ("f64", ctypes.c_double)):
            dense, csr = getattr(lib, f"esn_dense_{suffix}"), getattr(lib, f"esn_csr_{suffix}")
            batch = getattr(lib, f"esn_csr_batch_{suffix}")
            tanh = getattr(lib, f"esn_tanh_{suffix}")
            dense.argtypes = [i, i, i, p, p, p, real, p, l, p, p, p]
            csr.argtypes = [i, i, p, p, p, p, p, real, p, p]
            batch.argtypes = [i, i, i, i, p, p, p, p, i, p, p, p, p, real, p, l, p]
            tanh.argtypes = [l, p]
            dense.restype = csr.restype = batch.restype = tanh.restype = None
        lib._blas = {np.dtype(t): (blas_pointer(f"{c}gemm"), blas_pointer(f"{c}gemv"))
                     for t, c in ((np.float32, "s"), (np.float64, "d"))}
    return lib


class ReservoirLoop:
    """The state-collection loop of :class:`biornn.rate.esn.EchoStateNetwork`.

    A mixin: it reads ``W``, ``W_in``, ``W_fb``, ``b``, ``n_units``, ``dtype``,
    ``leak_rate``, ``noise`` and ``has_feedback`` from the network.
    """

    _CHUNK = 256          # most time steps whose input drive is projected at once
    _CHUNK_ENTRIES = 2**16  # and most entries (steps x batch x units): the chunk stays in L2
    _BLOCK_ROWS = 512     # rows of states (steps x batch) a streamed fit gets per block
    # Above this fraction of non-zero weights the compiled loop multiplies by a dense W
    # (BLAS), at or below it by CSR: with the batched CSR kernel, CSR is the faster at
    # N = 100 and 1000 up to density 0.3 for B = 1 and 32, and at 0.5 for B = 32; dense
    # wins at 0.5 only for one sequence at N = 100 ('kernels' part of
    # benchmarks/esn_batch.py prints the table).
    _DENSE_ABOVE = 0.4
    # Bytes of states one block of W's columns reads in the batched CSR kernel (W is cut
    # into blocks of columns when the states are larger): at N = 1000, B = 32, 64 KiB was
    # among the fastest of 32, 64, 128 KiB and no blocks, in float64 and float32 (level
    # with no blocks or a few per cent ahead, run to run; 'kernels' part of
    # benchmarks/esn_batch.py prints it)
    _BLOCK_STATES = 2**16
    _compiled_loop = True   # False: always the numpy loop (the tests compare the two)

    def _product(self):
        """How the loop multiplies by W: ``"dense"`` (BLAS) or ``"csr"``.

        The numpy loop uses ``W`` as stored; the compiled loop chooses by the fraction
        of non-zero weights (a dense copy of a sparse W only up to 256 MiB).
        """
        if not (self._compiled_loop and self._compiled_W() is not None):
            return "csr" if sp.issparse(self.W) else "dense"
        return self._compiled_W()[0]

    def _layout(self, B):
        """How a batch of B sequences is stepped: the state layout and kernel.

        ``"vector"`` (one sequence): x (N,), ``W @ x`` (BLAS gemv or CSR mat-vec).
        ``"rows"`` (a batch, dense product): x (B, N) row-major, ``x @ Wᵀ`` by BLAS gemm.
        ``"columns"`` (a batch, CSR product): x (N, B), CSR x dense block (each
        stored weight multiplies a contiguous row of B states).
        """
        if B == 1:
            return "vector"
        return "columns" if self._product() == "csr" else "rows"

    def _compiled_W(self):
        """``(form, arrays)`` for the compiled loop, cached per ``W``; None without it.

        ``form`` is ``"csr"`` (arrays: int32 indptr, int32 indices, data) or
        ``"dense"`` (arrays: ``Wᵀ`` C-contiguous, via :meth:`_transposed_W`).
        """
        cached = self.__dict__.get("_CSR")
        if cached is not None and cached[0] is self.W:
            return cached[1]
        result = None
        if _kernel() is not None:
            W, n = self.W, self.n_units
            nnz = W.nnz if sp.issparse(W) else int(np.count_nonzero(W))
            small = n * n * self.dtype.itemsize <= 2**28
            if nnz / (n * n) > self._DENSE_ABOVE and (small or not sp.issparse(W)):
                result = ("dense", None)
            elif nnz < 2**31:
                Wc = sp.csr_matrix(W)
                Wc.sum_duplicates()
                result = ("csr", (Wc.indptr.astype(np.int32), Wc.indices.astype(np.int32),
                                  np.ascontiguousarray(Wc.data, dtype=self.dtype)))
            else:
                result = ("dense", None) if not sp.issparse(W) else None
        self._CSR = (self.W, result)
        return result

    def _drive(self, U, Yfb, noise_rng, t0, t1, layout, out):
        """Everything that does not depend on x, for steps t0..t1, written into ``out``.

        ``out`` is (t1-t0, N), (t1-t0, B, N) or (t1-t0, N, B) for the vector, rows
        and columns layouts.  Projected a chunk of steps at a time, so a long run
        never holds a (T, N, B) drive array.
        """
        n, N = t1 - t0, self.n_units
        B = (U if U is not None else Yfb).shape[0]
        # time-major rows (n B, N): one matrix product for the chunk's steps and sequences
        rows = np.empty((n * B, N), self.dtype) if layout == "columns" else out.reshape(n * B, N)

        def project(seqs, M, add, bias=None):    # rows (+)= chunk of seqs (B, n, D) @ Mᵀ
            part = seqs[:, t0:t1].transpose(1, 0, 2).reshape(n * B, -1)
            if bias is not None:          # the bias as one more input, fixed at 1
                part = np.concatenate([part, np.ones((n * B, 1), part.dtype)], axis=1)
                M = np.concatenate([M, bias[:, None]], axis=1)
            part = part.astype(self.dtype, copy=False)
            if add:
                rows[...] += part @ M.T
            else:
                np.matmul(part, M.T, out=rows)

        if U is not None and U.shape[2]:
            project(U, self.W_in, False, bias=self.b)
        else:
            rows[...] = self.b
        if Yfb is not None and self.has_feedback:
            project(Yfb, self.W_fb, True)
        if noise_rng is not None and self.noise > 0:
            noise = self.noise * noise_rng.standard_normal((B, n, N))
            rows += noise.astype(self.dtype).transpose(1, 0, 2).reshape(n * B, N)
        if layout == "columns":
            out[...] = rows.reshape(n, B, N).transpose(0, 2, 1)
        return out

    def _input_weights(self, U, Yfb):
        """``M = [W_in, W_fb]`` (N, D) for the inputs the batch kernel projects itself."""
        mats = ([self.W_in] if U is not None and U.shape[2] else []) + \
            ([self.W_fb] if Yfb is not None and self.has_feedback else [])
        if not mats:
            return np.zeros((self.n_units, 0), self.dtype)
        return np.ascontiguousarray(np.concatenate(mats, axis=1), dtype=self.dtype)

    def _chunk_inputs(self, U, Yfb, noise_rng, t0, t1):
        """Inputs of steps t0..t1 for the batch kernel: ``(u, noise)``, u (t1-t0, D, B)
        (inputs then fed-back outputs, the columns of :meth:`_input_weights`) and the
        noise (t1-t0, N, B) or None; the same noise numbers :meth:`_drive` draws."""
        n = t1 - t0
        seqs = ([U[:, t0:t1]] if U is not None and U.shape[2] else []) + \
            ([Yfb[:, t0:t1]] if Yfb is not None and self.has_feedback else [])
        B = (U if U is not None else Yfb).shape[0]
        u = np.concatenate(seqs, axis=2) if seqs else np.zeros((B, n, 0))
        u = np.ascontiguousarray(u.transpose(1, 2, 0), dtype=self.dtype)
        noise = None
        if noise_rng is not None and self.noise > 0:
            noise = self.noise * noise_rng.standard_normal((B, n, self.n_units))
            noise = np.ascontiguousarray(noise.astype(self.dtype).transpose(1, 2, 0))
        return u, noise

    def _collect_chunks(self, U, X0, Yfb, noise_rng=None, out=None):
        """Run a batch, yielding ``(t0, states)`` a chunk of steps at a time.

        U (B, T, D) or None, X0 (B, N), Yfb (B, T, O) or None; ``Yfb[:, t]`` is the
        output fed back into the update that produces ``x(t)``, i.e. y(t-1).
        ``states`` is (B, t1 - t0, N) for steps t0..t1-1 (at least ``_BLOCK_ROWS``
        rows of B x steps when T allows): a view of ``out`` (B, T, N) when given,
        else a buffer reused for the next block.
        """
        B, N = X0.shape
        T = U.shape[1] if U is not None else Yfb.shape[1]
        layout = self._layout(B)
        chunk = int(min(self._CHUNK, max(8, self._CHUNK_ENTRIES // (B * N))))
        # steps per yielded block: a streamed fit hands the readout many rows at once
        # (syrk of a few rows per call is memory-bound), the drive stays chunk-sized
        block = T if out is not None else int(min(T, max(chunk, -(-self._BLOCK_ROWS // B))))
        buf = None if out is not None else _aligned_empty((B, block, N), self.dtype)
        ldo = (out if out is not None else buf).strides[0] // self.dtype.itemsize
        compiled = self._compiled_W() if self._compiled_loop else None
        if compiled is not None and ldo < 2**31 and N * B < 2**31:
            M = self._input_weights(U, Yfb)
            steps = self._kernel_steps(_kernel(), X0, *compiled, M=M)
            # the batched CSR kernel projects the inputs itself, the others read the drive
            given = "vector" if B == 1 else ("inputs" if compiled[0] == "csr" else "rows")
            if given == "inputs" and not (noise_rng is not None and self.noise > 0):
                # a chunk holds only the inputs (steps x D x B): fewer calls per run
                # (with noise, the chunks stay those of the other paths: the same draws)
                chunk = int(min(self._CHUNK, max(chunk, self._CHUNK_ENTRIES
                                                 // (B * max(1, M.shape[1])))))
        else:
            steps = self._numpy_steps(X0, layout)
            given = layout
        if given == "inputs":
            def drive(t0, t1):
                return self._chunk_inputs(U, Yfb, noise_rng, t0, t1)
        else:
            shape = {"vector": (N,), "rows": (B, N), "columns": (N, B)}[given]
            dbuf = np.empty((chunk,) + shape, dtype=self.dtype)

            def drive(t0, t1):
                return self._drive(U, Yfb, noise_rng, t0, t1, given, dbuf[:t1 - t0])
        for b0 in range(0, T, block):
            b1 = min(T, b0 + block)
            dest = out[:, b0:b1] if out is not None else buf[:, :b1 - b0]
            for t0 in range(b0, b1, chunk):
                t1 = min(b1, t0 + chunk)
                steps(drive(t0, t1), dest[:, t0 - b0:t1 - b0])
            yield b0, dest

    def _kernel_steps(self, lib, X0, form, arrays, M):
        """The compiled loop for one chunk: ``steps(drive, dest)`` fills ``dest``.

        ``drive`` is what :meth:`_drive` gives, or for a batch with CSR ``W`` what
        :meth:`_chunk_inputs` gives (the kernel projects the inputs by ``M``).
        """
        B, N = X0.shape
        dt = self.dtype
        f = "f32" if dt == np.float32 else "f64"
        gemm, gemv = lib._blas[dt]
        a = float(self.leak_rate)
        if form == "csr" and B == 1:
            x = np.array(X0[0], dtype=dt)
            work = np.empty((2, N), dtype=dt)
            kernel = getattr(lib, f"esn_csr_{f}")

            def steps(dr, dest):          # the closure holds W's arrays while it runs
                ptrs = (address(v, v.dtype, "ESN") for v in arrays)
                kernel(dr.shape[0], N, *ptrs, x.ctypes.data, address(dr, dt, "ESN"), a,
                       dest.ctypes.data, work.ctypes.data)
        elif form == "csr":
            x = _aligned_empty((N, B), dt)                  # (N, B)
            x[...] = X0.T
            work = _aligned_empty((2, N, B), dt)
            kernel = getattr(lib, f"esn_csr_batch_{f}")
            b = self.b
            blocks = self._column_blocks(arrays, max(8, self._BLOCK_STATES // (B * dt.itemsize)),
                                         B)

            def steps(inputs, dest):      # the closure holds W's blocks, M and b
                u, noise = inputs
                ptrs = (address(v, v.dtype, "ESN") for v in blocks)
                kernel(u.shape[0], B, N, blocks[0].shape[0], *ptrs, x.ctypes.data, M.shape[1],
                       address(u, dt, "ESN"),
                       address(M, dt, "ESN"), address(b, dt, "ESN"),
                       None if noise is None else address(noise, dt, "ESN"),
                       a, dest.ctypes.data, dest.strides[0] // dt.itemsize, work.ctypes.data)
        else:
            WT = address(self._transposed_W(), dt, "ESN")
            x = np.array(X0, dtype=dt, order="C")            # (B, N)
            pre = np.empty((B, N), dtype=dt)
            kernel = getattr(lib, f"esn_dense_{f}")

            def steps(dr, dest):
                kernel(dr.shape[0], B, N, WT, x.ctypes.data, address(dr, dt, "ESN"), a,
                       dest.ctypes.data, dest.strides[0] // dt.itemsize, pre.ctypes.data,
                       gemm, gemv)
        return steps

    def _numpy_steps(self, X0, layout):
        """The numpy loop for one chunk (no compiler, or rows too long for BLAS ints)."""
        B, N = X0.shape
        W, a = self.W, self.leak_rate
        if layout == "vector":
            x = np.array(X0[0], dtype=self.dtype)
        elif layout == "rows":
            x = np.array(X0, dtype=self.dtype)
            W = self._transposed_W()
            pre = np.empty((B, N), dtype=self.dtype)
        else:
            x = np.array(X0.T, dtype=self.dtype, order="C")
        state = [x]

        def steps(dr, dest):
            x, n = state[0], dr.shape[0]
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
                cols = np.empty_like(dr)    # states of the chunk, time-major
                for k in range(n):
                    x = update_into(W @ x, dr[k], x, a, cols[k])
                dest[...] = cols.transpose(2, 0, 1)
            state[0] = x
        return steps

    def _column_blocks(self, arrays, width, B):
        """CSR ``W`` cut into blocks of ``width`` columns for the batched kernel.

        Returns ``(bptr, offsets, data)``: block c's row i is entries
        ``bptr[c, i]:bptr[c, i + 1]`` (one block: ``bptr`` is ``indptr[None]``), and
        ``offsets`` are the columns times ``B`` (where a state row starts in the (N, B)
        block).  Cached per ``W``, width and ``B``.
        """
        cached = self.__dict__.get("_BLOCKS")
        if cached is not None and cached[0] is arrays and cached[1] == (width, B):
            return cached[2]
        indptr, indices, data = arrays
        N = self.n_units
        nblocks = -(-N // width)
        if nblocks == 1:
            result = (indptr[None], indices, data)
        else:
            rows = np.repeat(np.arange(N), np.diff(indptr))
            block = indices // width
            order = np.lexsort((indices, rows, block))      # block, then row, then column
            starts = np.concatenate([[0], np.cumsum(np.bincount(block * N + rows,
                                                                minlength=nblocks * N))])
            bptr = np.stack([starts[c * N:c * N + N + 1] for c in range(nblocks)])
            result = (bptr.astype(np.int32), indices[order], data[order])
        result = (result[0], (result[1] * B).astype(np.int32), result[2])
        self._BLOCKS = (arrays, (width, B), result)
        return result

    def _transposed_W(self):
        """``Wᵀ`` as a C-contiguous array (cached for the rows layout)."""
        cached = self.__dict__.get("_WT")
        if cached is None or cached[0] is not self.W:
            W = self.W.toarray() if sp.issparse(self.W) else np.asarray(self.W)
            cached = self._WT = (self.W, np.ascontiguousarray(W.T))
        return cached[1]

    def _collect(self, U, X0, Yfb, noise_rng=None):
        """All states of a batch, (B, T, N); see :meth:`_collect_chunks`."""
        T = U.shape[1] if U is not None else Yfb.shape[1]
        B = X0.shape[0]
        # aligned: the kernels' vector stores into the output rows then split no line
        out = _aligned_empty((B, T, self.n_units), self.dtype)
        for _ in self._collect_chunks(U, X0, Yfb, noise_rng, out=out):
            pass
        return out
