"""Echo state network (Jaeger 2001; Jaeger & Haas 2004).

Leaky-integrator reservoir with optional output feedback::

    x(t+1) = (1 - a) x(t) + a tanh(W x(t) + W_in u(t+1) + W_fb y(t) + b)
    y(t)   = W_out x(t) + c            (linear readout, biornn.readout)

Only ``W_out`` (and ``c``) are trained.  During training with feedback the
true target is fed back (teacher forcing); afterwards :meth:`ESN.generate`
feeds the network's own output back (closed loop).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._rng import as_generator
from .._validate import (as_float_array, as_sequences, check_bool, check_choice,
                         check_in_range, check_memory, check_nonnegative,
                         check_nonnegative_int, check_positive_int, restore_form)
from ..io import Array, Saved, maybe, register_saveable, saveable_class
from ..readout import Estimator, Ridge, clone, not_fitted_error, r2_score
from .reservoir import TOPOLOGIES, reservoir_matrix, reservoir_nbytes
from .reservoir_loop import ReservoirLoop, step

__all__ = ["EchoStateNetwork", "ESN", "step"]


@register_saveable
class EchoStateNetwork(ReservoirLoop, Estimator):
    """Echo state network with a shared ridge readout (Jaeger 2001; Jaeger & Haas 2004).

    ``x(t+1) = (1 - a) x(t) + a tanh(W x(t) + W_in u(t+1) + W_fb y(t) + b)`` with leak
    rate ``a`` and ``W`` scaled to ``spectral_radius``; ``y(t) = W_out x(t) + c`` is
    the only trained part (ridge regression on the states).

    Stateful on request, like reservoirpy's nodes: :attr:`state` is where the
    last run ended, :meth:`step` advances one input, ``run(..., reset=False)``
    continues from :attr:`state` and :meth:`reset` goes back to zeros.  It is a
    scikit-learn style regressor (``fit``, ``predict``, ``score``,
    ``get_params``, ``set_params``), so ``GridSearchCV`` or any tuner can
    search its hyperparameters; changing a parameter redraws the weights from
    ``seed``.

    Parameters
    ----------
    n_units : int
        Reservoir size N.
    spectral_radius : float, default 0.9
        Largest absolute eigenvalue of ``W`` (> 0).  Below 1 the (linearised)
        network forgets its initial state: the echo state property.
    leak_rate : float in (0, 1], default 1.0
        ``a`` in the update; 1 is a plain tanh network.
    input_scaling : float, default 1.0
        ``W_in`` entries are U[-input_scaling, input_scaling].
    density : float in (0, 1], default 0.1
        Fraction of non-zero recurrent weights (``topology="random"``).
    topology : {"random", "orthogonal", "ring"}, default "random"
        See :mod:`biornn.rate.reservoir`.
    bias_scaling : float, default 0.0
        ``b`` entries are U[-bias_scaling, bias_scaling].
    feedback_scaling : float, default 0.0
        ``W_fb`` entries are U[-feedback_scaling, feedback_scaling]; > 0 turns
        on output feedback (teacher forcing in :meth:`fit`, closed loop in
        :meth:`generate` and :meth:`predict`).
    noise : float, default 0.0
        Standard deviation of Gaussian noise added to the pre-activation during
        teacher-forced training runs (regularises closed-loop generation).
    include_input : bool, default False
        Readout sees ``[x(t), u(t)]`` instead of ``x(t)``.
    readout : Ridge or compatible estimator, optional
        Cloned and trained on the states by :meth:`fit` (the object passed is
        left untouched; the trained copy is ``readout_``); default
        ``Ridge(alpha=1e-6)``.
    sparse : bool, optional
        Store ``W`` as scipy.sparse; default chooses by size and density.  A
        batch of sequences is stepped as row-major states times dense ``Wᵀ``
        (BLAS) or as sparse ``W`` times a block of column states.
    dtype : {"float64", "float32"}, default "float64"
        Precision of the weights and states; ``"float32"`` speeds up batched runs
        (``benchmarks/esn_batch.py`` prints the speed and the NARMA-10 accuracy of
        both).  The default readout stays float64; pass
        ``readout=Ridge(..., dtype="float32")`` for single-precision normal
        equations too.
    seed : None, int or numpy.random.Generator
        Seeds ``W``, ``W_in``, ``W_fb``, ``b`` and the training noise.

    Examples
    --------
    >>> import biornn
    >>> u, y = biornn.tasks.narma(1200, seed=0)
    >>> esn = EchoStateNetwork(100, input_scaling=0.1, seed=0)
    >>> esn.run(u).shape
    (1200, 100)
    """

    def __init__(self, n_units, *, spectral_radius=0.9, leak_rate=1.0, input_scaling=1.0,
                 density=0.1, topology="random", bias_scaling=0.0, feedback_scaling=0.0,
                 noise=0.0, include_input=False, readout=None, sparse=None,
                 dtype="float64", seed=None):
        # the arguments as given, for get_params (scikit-learn's clone checks identity)
        self._params = {k: v for k, v in locals().items() if k not in ("self", "__class__")}
        for name, value in self._checked_arguments(**{
                k: v for k, v in self._params.items() if k not in ("sparse", "seed")}).items():
            setattr(self, name, value)
        self.seed = seed
        # Independent streams, so W_in drawn later (when the input size is known)
        # does not depend on the order of calls.
        rng = as_generator(seed)
        self._rng_W, self._rng_in, self._rng_fb, rng_noise = rng.spawn(4)
        # every fit draws the same training noise, so refitting is reproducible
        self._noise_seed = int(rng_noise.integers(2**63))
        self.W = reservoir_matrix(self.n_units, spectral_radius=self.spectral_radius,
                                  density=self.density, topology=self.topology,
                                  sparse=sparse, seed=self._rng_W, dtype=self.dtype)
        self.b = (self.bias_scaling * self._rng_W.uniform(-1, 1, self.n_units)
                  ).astype(self.dtype)
        self.W_in = None
        self.W_fb = None
        self.state_ = None
        self.last_output_ = None

    @staticmethod
    def _checked_arguments(n_units, *, spectral_radius=0.9, leak_rate=1.0, input_scaling=1.0,
                           density=0.1, topology="random", bias_scaling=0.0,
                           feedback_scaling=0.0, noise=0.0, include_input=False, readout=None,
                           dtype="float64"):
        """The constructor's arguments checked at the door (one place for the ranges)."""
        if readout is not None and not (hasattr(readout, "fit") and hasattr(readout, "predict")):
            raise TypeError(f"readout must have fit and predict methods, got {readout!r}")
        return {
            "n_units": check_positive_int("n_units", n_units),
            "spectral_radius": check_in_range("spectral_radius", spectral_radius, 0, np.inf,
                                              low_open=True),
            "leak_rate": check_in_range("leak_rate", leak_rate, 0, 1, low_open=True),
            "input_scaling": check_nonnegative("input_scaling", input_scaling),
            "density": check_in_range("density", density, 0, 1, low_open=True),
            "topology": check_choice("topology", topology, TOPOLOGIES),
            "bias_scaling": check_nonnegative("bias_scaling", bias_scaling),
            "feedback_scaling": check_nonnegative("feedback_scaling", feedback_scaling),
            "noise": check_nonnegative("noise", noise),
            "include_input": check_bool("include_input", include_input),
            "dtype": np.dtype(check_choice("dtype", str(np.dtype(dtype)),
                                           ("float64", "float32"))),
            "readout": readout,
        }

    @classmethod
    def check_params(cls, n_units=None, *, sparse=None, seed=None, **params):
        """Check constructor arguments (ranges, choices, the reservoir's memory) without
        drawing anything; raises the constructor's ``ValueError``/``TypeError``.  Spec
        validation calls it, so ``biornn validate`` refuses what the run would."""
        checked = cls._checked_arguments(1 if n_units is None else n_units, **params)
        if n_units is None:     # the size is set by the experiment itself
            return
        check_memory(f"W for n_units={checked['n_units']}", reservoir_nbytes(
            checked["n_units"], density=checked["density"], topology=checked["topology"],
            sparse=sparse, dtype=checked["dtype"]))

    # -- weights drawn once the data's sizes are known ----------------------
    def _ensure_input(self, n_inputs):
        if self.W_in is None:
            self.W_in = (self.input_scaling * self._rng_in.uniform(
                -1, 1, (self.n_units, n_inputs))).astype(self.dtype)
        elif self.W_in.shape[1] != n_inputs:
            raise ValueError(f"inputs must have {self.W_in.shape[1]} features (last axis), "
                             f"got {n_inputs}")

    def _ensure_feedback(self, n_outputs):
        if self.W_fb is None:
            self.W_fb = (self.feedback_scaling * self._rng_fb.uniform(
                -1, 1, (self.n_units, n_outputs))).astype(self.dtype)
        elif self.W_fb.shape[1] != n_outputs:
            raise ValueError(f"targets must have {self.W_fb.shape[1]} outputs, got {n_outputs}")

    @property
    def has_feedback(self):
        """True when output feedback is on (``feedback_scaling > 0``)."""
        return self.feedback_scaling > 0

    def _feedback(self, Y, initial_output, B):
        """Outputs fed back, y(t-1) for every step: (B, T, O), or None."""
        if Y is None or not self.has_feedback:
            return None
        self._ensure_feedback(Y.shape[2])
        y0 = np.zeros((B, 1, Y.shape[2])) if initial_output is None else \
            np.broadcast_to(as_float_array("initial_output", initial_output,
                                           ndim=(1, 2)).reshape(-1, 1, Y.shape[2]),
                            (B, 1, Y.shape[2]))
        return np.concatenate([y0, Y[:, :-1]], axis=1).astype(self.dtype)

    def _initial(self, initial_state, B):
        if initial_state is None:
            return np.zeros((B, self.n_units), dtype=self.dtype)
        x0 = as_float_array("initial_state", initial_state, ndim=(1, 2))
        if x0.shape[-1] != self.n_units:
            raise ValueError(f"initial_state must have {self.n_units} entries (last axis), "
                             f"got shape {x0.shape}")
        x0 = np.broadcast_to(x0, (B, self.n_units)) if x0.ndim == 1 else x0
        if x0.shape[0] != B:
            raise ValueError(f"initial_state has {x0.shape[0]} rows for {B} sequences")
        return x0.astype(self.dtype)

    def run(self, inputs=None, *, teacher=None, initial_state=None, initial_output=None,
            reset=True, _noise=False):
        """Drive the reservoir and return its states.

        Parameters
        ----------
        inputs : array (T, D), (B, T, D) or list of (T_i, D), optional
            ``None`` for a network driven by feedback only (then ``teacher``
            sets the length).
        teacher : array like ``inputs`` with O outputs, optional
            Target outputs fed back with one step's delay (teacher forcing);
            required when feedback is on.
        initial_state : array (N,) or (B, N), optional
            ``x(0)``; zeros by default.
        initial_output : array (O,) or (B, O), optional
            Output fed back into the first step (y(-1)); zeros by default.
        reset : bool, default True
            ``False`` continues from :attr:`state` (and the last output fed
            back), where the previous run or step ended; every sequence of a
            batch starts from it.  Cannot be combined with ``initial_state``.

        Returns
        -------
        states : same form as ``inputs``, with N features
            ``states[t]`` is the state after input ``u[t]``.
        """
        if inputs is None and teacher is None:
            raise ValueError("give inputs, or teacher for a feedback-only network")
        if not check_bool("reset", reset):
            if initial_state is not None:
                raise ValueError("give initial_state or reset=False, not both")
            initial_state = self.state_
            if initial_output is None:
                initial_output = self.last_output_
        if self.has_feedback and teacher is None:
            raise ValueError("this network has output feedback (feedback_scaling > 0): pass "
                             "teacher=targets to run it open loop, or use generate/predict")
        U = form = Y = None
        if inputs is not None:
            U, form = as_sequences("inputs", inputs)
        if teacher is not None:
            Y, tform = as_sequences("teacher", teacher)
            if U is None:
                form = tform
            elif _lengths(U) != _lengths(Y):
                raise ValueError(f"inputs and teacher must have the same lengths, got "
                                 f"{_lengths(U)} and {_lengths(Y)}")
        if isinstance(U if U is not None else Y, list):  # ragged: one sequence at a time
            n = len(U if U is not None else Y)
            outs = [self.run(None if U is None else U[i], teacher=None if Y is None else Y[i],
                             initial_state=initial_state, initial_output=initial_output,
                             _noise=_noise) for i in range(n)]
            return outs
        B, T = (U if U is not None else Y).shape[:2]
        check_memory(f"the states of {B} sequence(s) x {T} steps x {self.n_units} units",
                     B * T * self.n_units * self.dtype.itemsize)
        if U is not None:
            self._ensure_input(U.shape[2])
        Yfb = self._feedback(Y, initial_output, B)
        X = self._collect(None if U is None else U.astype(self.dtype, copy=False),
                          self._initial(initial_state, B), Yfb,
                          np.random.default_rng(self._noise_seed) if _noise else None)
        self.state_ = X[-1, -1].copy()
        if Y is not None:
            self.last_output_ = Y[-1, -1].copy()
        return restore_form(X, form)

    # -- stateful use ---------------------------------------------------------
    @property
    def state(self):
        """The current state x(t), (N,): where the last run, step or fit ended (zeros
        after :meth:`reset` or before any run).  A copy."""
        if self.state_ is None:
            return np.zeros(self.n_units, dtype=self.dtype)
        return np.array(self.state_, dtype=self.dtype)

    def reset(self):
        """Forget the current state and last output (back to zeros); returns ``self``."""
        self.state_ = None
        self.last_output_ = None
        return self

    def step(self, u=None, *, feedback=None):
        """Advance one step from :attr:`state` and return the new state (N,).

        ``x ← (1 - a) x + a tanh(W x + W_in u + W_fb y + b)`` with ``u`` (D,)
        the input and ``y`` (O,) the output fed back (feedback networks only;
        default: the last output, zeros at first).
        """
        x = self.state
        drive = self.b.astype(self.dtype, copy=True)
        if u is not None:
            u = as_float_array("u", u, ndim=(0, 1)).ravel()
            self._ensure_input(u.size)
            drive += (self.W_in @ u).astype(self.dtype)
        elif self.W_in is not None and self.W_in.shape[1]:
            raise ValueError(f"u must have {self.W_in.shape[1]} features, got None")
        if self.has_feedback:
            y = self.last_output_ if feedback is None else \
                as_float_array("feedback", feedback, ndim=(0, 1)).ravel()
            if y is None:
                raise ValueError("this network has output feedback: pass feedback=y(t-1)")
            self._ensure_feedback(np.size(y))
            drive += (self.W_fb @ y).astype(self.dtype)
            self.last_output_ = np.array(y)
        self.state_ = step(x, drive, self.W, self.leak_rate)
        return self.state_.copy()

    # -- scikit-learn parameters -----------------------------------------------
    _estimator_type = "regressor"

    def get_params(self, deep=True):
        """Constructor arguments as given (and ``readout__*`` with ``deep=True``)."""
        params = dict(self._params)
        readout = params.get("readout")
        if deep and readout is not None and hasattr(readout, "get_params"):
            params.update({f"readout__{k}": v for k, v in readout.get_params().items()})
        return params

    def set_params(self, **params):
        """Change constructor arguments; the weights are drawn again from ``seed``.

        ``readout__name`` sets a parameter of the readout object.  Returns ``self``.
        """
        own = dict(self._params)
        nested = {}
        for key, value in params.items():
            if key.startswith("readout__"):
                nested[key[len("readout__"):]] = value
            elif key in own:
                own[key] = value
            else:
                raise ValueError(f"invalid parameter {key!r} for {type(self).__name__}; "
                                 f"valid parameters: {sorted(own)}")
        if nested:
            if own["readout"] is None:
                raise ValueError("readout is None: pass readout=Ridge(...) before setting "
                                 f"{sorted('readout__' + k for k in nested)}")
            own["readout"].set_params(**nested)
        for name in ("W_in", "W_fb", "_WT", "_CSR", "readout_", "n_outputs_"):
            self.__dict__.pop(name, None)
        self.__init__(**own)
        return self

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
        if U is not None and _lengths(U) != _lengths(Y):
            raise ValueError(f"inputs and targets must have the same lengths, got "
                             f"{_lengths(U)} and {_lengths(Y)}")
        if washout >= min(_lengths(Y)):
            raise ValueError(f"washout ({washout}) must be shorter than the sequences "
                             f"({min(_lengths(Y))} steps)")
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
        lengths = _lengths(Y)
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

    # -- diagnostics ----------------------------------------------------------
    def echo_state_check(self, inputs, *, n_pairs=5, tol=1e-6, seed=None):
        """Empirical echo state property: do different initial states converge?

        Runs the reservoir on ``inputs`` (T, D) from ``n_pairs`` pairs of random
        initial states in [-1, 1]^N and records the distance between each pair.

        Returns
        -------
        converged : bool
            True when every pair ends closer than ``tol``.
        distances : ndarray (n_pairs, T)
            ``||x_a(t) - x_b(t)||`` along the run.
        """
        if self.has_feedback:
            raise ValueError("the echo state check needs a network without output feedback")
        U = as_float_array("inputs", inputs, ndim=(1, 2))
        U = U[:, None] if U.ndim == 1 else U
        n_pairs = check_positive_int("n_pairs", n_pairs)
        rng = as_generator(seed)
        X0 = rng.uniform(-1, 1, (2 * n_pairs, self.n_units))
        X = self.run(np.broadcast_to(U, (2 * n_pairs,) + U.shape), initial_state=X0)
        d = np.linalg.norm(X[0::2] - X[1::2], axis=2)
        return bool(np.all(d[:, -1] < tol)), d

    # -- persistence ----------------------------------------------------------
    _PARAMS = ("n_units", "spectral_radius", "leak_rate", "input_scaling", "density",
               "topology", "bias_scaling", "feedback_scaling", "noise", "include_input")
    # what a saved state must hold, checked by biornn.io.load before _from_state
    _SAVED = {"n_units": check_positive_int, "n_outputs_": maybe(check_positive_int),
              "W": Array(("n_units", "n_units"), optional=True),
              "W_data": Array(("nnz",), optional=True),
              "W_indices": Array(("nnz",), kind="iu", below="n_units", optional=True),
              "W_indptr": Array(("n_units+1",), kind="iu", below="nnz+1", optional=True),
              "b": Array(("n_units",)), "W_in": Array(("n_units", None), optional=True),
              "W_fb": Array(("n_units", "n_outputs_"), optional=True),
              "state_": Array(("n_units",), optional=True),
              "last_output_": Array(("n_outputs_",), optional=True),
              "readout": Saved("readout.", optional=True)}

    def _get_state(self):
        params = {k: getattr(self, k) for k in self._PARAMS}
        params["dtype"] = str(self.dtype)
        params["seed"] = self.seed if isinstance(self.seed, (int, type(None))) else None
        # generator states, so weights not drawn yet and training noise come out the same
        params["rng_in"] = self._rng_in.bit_generator.state
        params["rng_fb"] = self._rng_fb.bit_generator.state
        params["noise_seed"] = self._noise_seed
        arrays = {"b": self.b}
        if sp.issparse(self.W):
            W = self.W.tocsr()
            arrays.update(W_data=W.data, W_indices=W.indices, W_indptr=W.indptr)
        else:
            arrays["W"] = self.W
        for name in ("W_in", "W_fb", "state_", "last_output_"):
            if getattr(self, name) is not None:
                arrays[name] = getattr(self, name)
        if hasattr(self, "readout_"):
            r_params, r_arrays = self.readout_._get_state()
            params["readout"] = {"class": type(self.readout_).__name__, "params": r_params}
            params["n_outputs_"] = self.n_outputs_
            arrays.update({f"readout.{k}": v for k, v in r_arrays.items()})
        return params, arrays

    @classmethod
    def _from_state(cls, params, arrays):
        kw = {k: params[k] for k in cls._PARAMS if k != "n_units"}
        obj = cls.__new__(cls)
        # W for one unit is drawn here and replaced by the saved one below.
        EchoStateNetwork.__init__(obj, 1, dtype=params["dtype"], **kw)
        obj.n_units, obj.seed = params["n_units"], params["seed"]
        obj._params.update(n_units=obj.n_units, seed=obj.seed)
        obj._rng_in.bit_generator.state = params["rng_in"]
        obj._rng_fb.bit_generator.state = params["rng_fb"]
        obj._noise_seed = params["noise_seed"]
        if "W" in arrays:
            obj.W = arrays["W"]
        else:
            n = params["n_units"]
            obj.W = sp.csr_matrix((arrays["W_data"], arrays["W_indices"], arrays["W_indptr"]),
                                  shape=(n, n))
        obj.b = arrays["b"]
        for name in ("W_in", "W_fb", "state_", "last_output_"):
            setattr(obj, name, arrays.get(name))
        if "readout" in params:
            rcls = saveable_class(params["readout"]["class"])
            r_arrays = {k[len("readout."):]: v for k, v in arrays.items()
                        if k.startswith("readout.")}
            obj.readout_ = rcls._from_state(params["readout"]["params"], r_arrays)
            obj.readout = obj._params["readout"] = clone(obj.readout_)
            obj.n_outputs_ = params["n_outputs_"]
        return obj


ESN = EchoStateNetwork


def _lengths(seqs):
    if isinstance(seqs, list):
        return [s.shape[0] for s in seqs]
    return [seqs.shape[1]] * seqs.shape[0]
