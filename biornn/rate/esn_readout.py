"""Training and using an echo state network's readout (the second half of
:class:`biornn.rate.esn.EchoStateNetwork`).

``y(t) = W_out [x(t); u(t)] + c`` is fitted by ridge regression on the states
(Jaeger 2001; Lukoševičius 2012), streamed into the readout's sufficient statistics
when it can (:meth:`biornn.readout.Ridge.accumulate`), so a long run needs O(N²)
memory.  With output feedback the training run is teacher forced and
:meth:`~ReadoutTraining.generate` runs closed loop::

    x(t+1) = (1 - a) x(t) + a tanh(W x(t) + W_in u(t+1) + W_fb y(t) + b)
    y(t+1) = W_out x(t+1) + c
"""

from __future__ import annotations

import numpy as np

from .._validate import (as_float_array, as_sequences, check_bool, check_nonnegative_int,
                         check_positive_int, restore_form)
from ..readout import Ridge, clone, not_fitted_error, r2_score
from .reservoir_loop import step

__all__ = ["ReadoutTraining", "sequence_lengths"]


class ReadoutTraining:
    """``fit``, ``predict``, ``generate`` and ``score`` of the echo state network.

    A mixin: it uses the network's ``run``, ``_collect_chunks``, ``_initial``,
    ``_feedback``, ``_ensure_input`` and its weights.
    """

    def score(self, inputs, targets, *, washout=0):
        """R² of :meth:`predict` against ``targets`` after ``washout`` steps of
        every sequence, averaged uniformly over outputs (scikit-learn's score)."""
        washout = check_nonnegative_int("washout", washout)
        Y, _ = as_sequences("targets", targets)
        P = self.predict(inputs)
        P = [P] if isinstance(P, np.ndarray) and P.ndim == 2 else list(P)
        seqs_Y = Y if isinstance(Y, list) else list(Y)
        y = np.concatenate([s[washout:] for s in seqs_Y])
        p = np.concatenate([np.reshape(s, (s.shape[0], -1))[washout:] for s in P])
        return r2_score(y, p.reshape(y.shape))

    # -- training -------------------------------------------------------------
    def _features(self, X, U):
        if not self.include_input:
            return X
        return np.concatenate([X, U.astype(X.dtype)], axis=-1)

    def fit(self, inputs, targets, *, washout=0, initial_state=None):
        """Collect states (teacher-forced if feedback is on) and train the readout.

        Parameters
        ----------
        inputs : (T, D), (B, T, D), list of (T_i, D), or None (feedback only)
        targets : same form, with O outputs
        washout : int, default 0
            Initial steps of every sequence left out of the readout's training.

        Returns
        -------
        self
        """
        washout = check_nonnegative_int("washout", washout)
        Y, _ = as_sequences("targets", targets)
        U = None if inputs is None else as_sequences("inputs", inputs)[0]
        if U is not None and sequence_lengths(U) != sequence_lengths(Y):
            raise ValueError(f"inputs and targets must have the same lengths, got "
                             f"{sequence_lengths(U)} and {sequence_lengths(Y)}")
        if washout >= min(sequence_lengths(Y)):
            raise ValueError(f"washout ({washout}) must be shorter than the sequences "
                             f"({min(sequence_lengths(Y))} steps)")
        self.n_outputs_ = (Y[0] if isinstance(Y, list) else Y[0]).shape[-1]
        if self.include_input and U is None:
            raise ValueError("include_input=True needs inputs")
        readout = clone(Ridge(alpha=1e-6) if self.readout is None else self.readout)
        if hasattr(readout, "accumulate") and hasattr(readout, "solve"):
            return self._fit_streaming(readout, U, Y, washout, initial_state)
        X = self.run(U, teacher=Y if self.has_feedback else None,
                     initial_state=initial_state, _noise=True)
        seqs_X = X if isinstance(X, list) else list(X)
        seqs_Y = Y if isinstance(Y, list) else list(Y)
        seqs_U = [None] * len(seqs_X) if U is None else (U if isinstance(U, list) else list(U))
        feats = np.concatenate([self._features(x, u)[washout:]
                                for x, u in zip(seqs_X, seqs_U)])
        self.readout_ = readout.fit(feats, np.concatenate([y[washout:] for y in seqs_Y]))
        self.last_output_ = seqs_Y[-1][-1].copy()
        return self

    def _fit_streaming(self, readout, U, Y, washout, initial_state):
        """Train a streaming readout (``accumulate`` then ``solve``, as :class:`Ridge`).

        Memory is O(N²) for the readout's statistics plus one chunk of states,
        whatever the length of the run; rows keep the cross-validation folds of
        one contiguous fit over the sequences in order.
        """
        if isinstance(Y, list):  # ragged: one sequence at a time
            groups = [(None if U is None else U[i][None], Y[i][None]) for i in range(len(Y))]
        else:
            groups = [(U, Y)]
        lengths = sequence_lengths(Y)
        total = sum(L - washout for L in lengths)
        n_folds = getattr(readout, "n_folds", 1)
        starts = [a[0] for a in np.array_split(np.arange(total), max(n_folds, 1)) if a.size]
        seq_offset = np.concatenate([[0], np.cumsum([L - washout for L in lengths])])
        noise = np.random.default_rng(self._noise_seed)
        first_seq = 0
        for Ug, Yg in groups:
            B = Yg.shape[0]
            if Ug is not None:
                self._ensure_input(Ug.shape[2])
                Ug = Ug.astype(self.dtype)
            Yfb = self._feedback(Yg if self.has_feedback else None, None, B)
            for t0, chunk in self._collect_chunks(Ug, self._initial(initial_state, B), Yfb,
                                                  noise):
                t1 = t0 + chunk.shape[1]
                last = chunk[-1, -1].copy()
                lo = max(washout, t0)
                if lo >= t1:
                    continue
                feats = chunk[:, lo - t0:]
                if self.include_input:
                    feats = np.concatenate([feats, Ug[:, lo:t1]], axis=-1)
                rows = (seq_offset[first_seq:first_seq + B, None]
                        + np.arange(lo - washout, t1 - washout)[None, :]).ravel()
                readout.accumulate(feats.reshape(-1, feats.shape[-1]),
                                   Yg[:, lo:t1].reshape(-1, Yg.shape[2]),
                                   folds=np.searchsorted(starts, rows, side="right") - 1)
            first_seq += B
        self.readout_ = readout.solve()
        self.state_ = np.array(last)
        self.last_output_ = (Y[-1] if isinstance(Y, list) else Y[-1])[-1].copy()
        return self

    def _readout_out(self, feats):
        out = np.asarray(self.readout_.predict(feats.reshape(-1, feats.shape[-1])))
        return out.reshape(*feats.shape[:-1], -1)

    def _check_trained(self):
        if not hasattr(self, "readout_"):
            raise not_fitted_error("this ESN has no trained readout; call fit first")

    def predict(self, inputs, *, initial_state=None, reset=True):
        """Readout outputs for new inputs, same form as ``inputs`` with O outputs.

        Without feedback this is ``readout(run(inputs))``; with feedback the
        network runs closed loop, feeding back its own outputs.  ``reset=False``
        starts from :attr:`state` (and the last output), as in :meth:`run`.
        """
        self._check_trained()
        if not check_bool("reset", reset):
            if initial_state is not None:
                raise ValueError("give initial_state or reset=False, not both")
            initial_state = self.state_
        if self.has_feedback:
            U, form = as_sequences("inputs", inputs)
            seqs = U if isinstance(U, list) else list(U)
            X0 = self._initial(initial_state, len(seqs))
            y0 = np.zeros(self.n_outputs_) if reset or self.last_output_ is None \
                else self.last_output_
            saved = self.state_, self.last_output_
            outs = [self.generate(len(u), inputs=u, initial_state=X0[i], initial_output=y0)
                    for i, u in enumerate(seqs)]
            self.state_, self.last_output_ = saved  # predict does not move the network
            return restore_form(outs if isinstance(U, list) else np.stack(outs), form)
        X = self.run(inputs, initial_state=initial_state)
        U, form = as_sequences("inputs", inputs)
        if isinstance(X, list):
            return [self._readout_out(self._features(x, u)) for x, u in zip(X, U)]
        Xb = X[None] if form == "single" else np.asarray(X)
        return restore_form(self._readout_out(self._features(Xb, U)), form)

    def generate(self, n_steps, *, inputs=None, initial_state=None, initial_output=None):
        """Run closed loop for ``n_steps``, feeding the readout's output back.

        Starts from ``initial_state`` and ``initial_output`` (defaults: the state
        and output where the last :meth:`fit` or :meth:`run` ended), i.e.::

            x(t+1) = (1-a) x(t) + a tanh(W x(t) + W_in u(t+1) + W_fb y(t) + b)
            y(t+1) = W_out x(t+1) + c

        Returns
        -------
        ndarray (n_steps, O)
        """
        self._check_trained()
        n_steps = check_positive_int("n_steps", n_steps)
        if self.include_input and inputs is None:
            raise ValueError("this ESN's readout sees the inputs (include_input=True): "
                             "pass inputs of n_steps rows")
        x = self.state_ if initial_state is None else \
            as_float_array("initial_state", initial_state, shape=(self.n_units,))
        if x is None:
            x = np.zeros(self.n_units)
        y = self.last_output_ if initial_output is None else \
            as_float_array("initial_output", initial_output, ndim=1)
        if y is None:
            y = np.zeros(self.n_outputs_)
        U = None
        if inputs is not None:
            U = as_float_array("inputs", inputs, ndim=(1, 2))
            U = U[:, None] if U.ndim == 1 else U
            if U.shape[0] != n_steps:
                raise ValueError(f"inputs must have n_steps={n_steps} rows, got {U.shape[0]}")
            self._ensure_input(U.shape[1])
            drive_u = U @ self.W_in.T + self.b
        else:
            drive_u = np.broadcast_to(self.b, (n_steps, self.n_units))
        x = np.array(x, dtype=self.dtype)
        W_fb = self.W_fb if self.has_feedback else None
        coef = np.atleast_2d(self.readout_.coef_)
        icpt = np.atleast_1d(self.readout_.intercept_)
        outs = np.empty((n_steps, coef.shape[0]))
        n_x = self.n_units
        for t in range(n_steps):
            drive = drive_u[t] + (W_fb @ y if W_fb is not None else 0.0)
            x = step(x, drive.astype(self.dtype), self.W, self.leak_rate)
            feat = x if not self.include_input else np.concatenate([x, U[t]])
            y = coef[:, :n_x] @ x + icpt if not self.include_input else coef @ feat + icpt
            outs[t] = y
        self.state_, self.last_output_ = x, y
        return outs


def sequence_lengths(seqs):
    """Lengths of the sequences of a (B, T, D) batch or a ragged list."""
    if isinstance(seqs, list):
        return [s.shape[0] for s in seqs]
    return [seqs.shape[1]] * seqs.shape[0]
