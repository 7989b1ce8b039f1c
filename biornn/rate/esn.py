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

from .._rng import as_generator
from .._validate import (as_float_array, as_sequences, check_bool, check_choice,
                         check_in_range, check_memory, check_nonnegative,
                         check_positive_int, restore_form)
from ..io import register_saveable
from ..readout import Estimator
from .esn_io import SavedESN
from .esn_readout import ReadoutTraining, sequence_lengths
from .reservoir import TOPOLOGIES, reservoir_matrix, reservoir_nbytes
from .reservoir_loop import ReservoirLoop, step

__all__ = ["EchoStateNetwork", "ESN", "step"]


@register_saveable
class EchoStateNetwork(ReservoirLoop, ReadoutTraining, SavedESN, Estimator):
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
        Store ``W`` as scipy.sparse; default chooses by size and density.  The
        time loop runs compiled where a C compiler is found
        (:mod:`biornn.rate.reservoir_loop`) and multiplies by ``W`` in CSR form below
        20% non-zero weights, dense (BLAS) above, whatever the storage; a batch of
        sequences is stepped together (row-major states times ``Wᵀ``, or CSR times a
        block of column states).
    dtype : {"float64", "float32"}, default "float64"
        Precision of the weights and states; ``"float32"`` speeds up runs and
        long fits (``benchmarks/esn_batch.py`` and ``benchmarks/esn_long.py`` print
        the speed and the NARMA-10 accuracy of both).  The default readout stays float64; pass
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
            elif sequence_lengths(U) != sequence_lengths(Y):
                raise ValueError(f"inputs and teacher must have the same lengths, got "
                                 f"{sequence_lengths(U)} and {sequence_lengths(Y)}")
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


ESN = EchoStateNetwork

