"""Liquid state machine (Maass, Natschläger & Markram 2002) in Brian2, fast across trials.

The liquid is a column of leaky integrate-and-fire neurons on a grid (see
:mod:`biornn.spiking.neurons`), randomly connected with probability
``C exp(-(D/lambda)^2)`` by dynamic synapses (:mod:`biornn.spiking.synapses`), driven
by input spike trains or analog signals (:mod:`biornn.spiking.encoding`).  Its state
for the readout is each neuron's spike train filtered with ``exp(-t/tau_filter)``
and sampled every ``sample_interval`` (:func:`biornn.states.exponential_filter`).

How trials are run
------------------
Many trials run in one Brian2 simulation as independent copies of the column: the
same connectivity is replicated with offset indices (copy ``k`` owns neurons
``k*n ... (k+1)*n - 1``), each copy gets its own input and initial potentials.  The
network for a chunk of ``chunk_size`` copies is built once, stored, and for each
chunk restored, given new inputs and run: nothing is rebuilt or recompiled per
trial, and memory is bounded by the chunk.  ``target`` picks Brian2's code
generation (``"numpy"``, ``"cython"``) or ``"cpp_standalone"`` (compiled once per
network shape and cached on disk; later runs only rewrite input files, see
:mod:`biornn.spiking.standalone`).

Extending the liquid
--------------------
The builder is composed of parts, so biophysical features hook in without editing
this module:

* The cell (``cell=``: ``"lif"``, ``"adaptive_lif"`` or a user's
  :class:`~biornn.spiking.neurons.NeuronModel`) gets a list of
  :class:`~biornn.spiking.neurons.Current` parts (here ``I_syn_e``, ``I_syn_i``
  and, for analog input, ``I_inj``), summed into its input current ``I_in``.
* Each projection writes its own current (excitatory -> ``I_syn_e``, inhibitory ->
  ``I_syn_i``); a new projection adds a new current rather than sharing one.
* ``extensions``: objects with ``currents`` (a list of ``Current`` parts added to the
  neuron) and ``build(lsm, liquid, n_copies)`` returning extra Brian2 objects
  (synapses with STDP, gap junctions, GABA_B, ...) that join the network.  Their
  state is stored with the network and reset with it before every chunk.
  ``method`` (Brian2 integration method, default ``"exact"``) can be set to
  ``"euler"`` when an extension makes the equations nonlinear.

A sketch (a slow GABA_B-like current driven by the inhibitory neurons)::

    class SlowInhibition:
        currents = [exponential_current("I_gabab", 0.1)]        # neurons.py part
        def build(self, lsm, liquid, n_copies):
            syn = b2.Synapses(liquid, liquid, "w : amp", on_pre="I_gabab_post += w",
                              namespace={}, dt=lsm.dt * b2.second)
            ...                                                  # connect copy by copy
            return [syn]

    LSM.from_model("maass2002_lsm", extensions=[SlowInhibition()])

Extensions that connect neurons must keep copies apart (use
:func:`biornn.spiking.runtime.replicate` on one copy's index arrays).

For Brian2 users
----------------
``lsm.build_network()`` (and, after a run, ``lsm.network``) gives the Brian2
objects under documented names (:mod:`biornn.spiking.runtime`); ``run(...,
record={"v": [0, 3]})`` returns voltage traces of chosen neurons, and ``run(...,
monitors={"m": lambda net: b2.StateMonitor(net.neurons, "v", record=[0])})`` adds
a user's monitor to every chunk (:mod:`biornn.spiking.recording`).  Parameters and
their units: :mod:`biornn.spiking.lsm_parameters`.
"""

from __future__ import annotations

import inspect

import numpy as np

from .. import states
from .._dask import check_scheduler, default_scheduler
from .._rng import as_generator, derive_seed
from .._validate import check_bool, check_choice, check_in_range, check_memory, \
    check_positive_int, to_duration, to_seconds, to_si
from ..io import Array, Derived, register_saveable
from . import connectivity as conn
from .connectivity import ConnectivityParameters, InputParameters
from .encoding import check_analog, check_spike_trials, poisson_spikes
from .lsm_parameters import neuron_parameters, parameter_units, preset_arguments, \
    resolve_cell
from .neurons import CELLS, LIF, LIFParameters
from .recording import MAX_RECORD_BYTES, Recorder
from .runtime import RuntimeSimulator
from .synapses import SynapseParameters

__all__ = ["LiquidStateMachine", "LSM", "parameter_units"]

TARGETS = ("numpy", "cython", "cpp_standalone")
#: Brian2 state updaters a liquid may use (``gsl`` ones need the GSL library)
METHODS = ("exact", "linear", "independent", "exponential_euler", "euler", "rk2", "rk4",
           "heun", "milstein")


def _features_spec(features):
    """``features`` as a JSON-able dict name -> overrides (saved with the liquid)."""
    if not features:
        return {}
    if isinstance(features, str):
        features = [features]
    if not isinstance(features, dict):
        features = {name: {} for name in features}
    return {k: v for k, v in features.items()}


@register_saveable
class LiquidStateMachine:
    """A liquid of spiking neurons whose filtered spikes feed a linear readout.

    Maass, Natschläger & Markram (2002), Neural Computation 14:2531: LIF cells
    ``tau_m dv/dt = -v + R_m (I_b + I_syn)`` on a 3-d grid, connected with
    probability ``C exp(-(D/lambda)^2)`` by dynamic synapses (Markram, Wang &
    Tsodyks 1998); the state is each neuron's spike train filtered with
    ``exp(-t/tau_filter)``, sampled every ``sample_interval``.

    The defaults are the paper's column (the preset ``models/maass2002_lsm.toml``
    holds the same values, see :meth:`from_model`).  Physical parameters take SI
    floats, Brian2 quantities (``30 * b2.ms``) or strings with units (``"30 ms"``);
    a value of the wrong dimension is refused (:func:`parameter_units` lists them).

    Parameters
    ----------
    shape : tuple of 3 int, default (15, 3, 3)
        Grid of the column (any size).
    length_constant : float, default 2.0
        lambda of ``C exp(-(D/lambda)^2)``, in grid units.
    inhibitory_fraction : float, default 0.2
    connectivity : ConnectivityParameters or dict
        ``C`` per type pair (``"EE"``, ``"EI"``, ``"IE"``, ``"II"``); a dict overrides
        some of them.
    neuron : LIFParameters or dict
        Parameters of the cell; a dict overrides some (``neuron={"I_b": "0 nA"}``).
    synapses : SynapseParameters or dict
        Recurrent synapses (nested dicts override, ``{"EE": {"U": 0.3}}``).
    input : InputParameters or dict
        Input synapses.
    cell : str or NeuronModel, default "lif"
        The liquid's cell: a built-in (``"lif"``, ``"adaptive_lif"``: LIF with
        spike-frequency adaptation), the name of a model file whose ``[model]`` names
        ``cell = "<built-in>"`` and whose ``[neuron]`` table gives its parameters, or
        a :class:`~biornn.spiking.neurons.NeuronModel` with the user's equations.
    n_inputs : int, optional
        Number of input channels; inferred from the data when omitted.
    dt, sample_interval, tau_filter : float (s), default 1e-4, 0.01, 0.03
        Time step, readout sampling interval and state filter constant.
    target : {"numpy", "cython", "cpp_standalone"}, default "numpy"
        Brian2 code generation target (sets ``brian2.prefs.codegen.target`` while
        running), or the standalone device: a binary compiled once per network shape
        and cached in ``$BIORNN_CACHE`` (default ``~/.cache/biornn``), fastest for
        many trials.
    chunk_size : int, optional
        Copies of the column per simulation (default: at most 2e6 synapses per chunk).
    extensions : sequence, optional
        Extra parts (see the module docstring).
    features : sequence of str or dict, optional
        Biophysical features to switch on, any of ``"stdp"`` (on E->E),
        ``"gap_junctions"`` (among I), ``"dendrites"`` (E cells get an NMDA
        dendrite) and ``"gabab"`` (on I->E); a dict maps a name to parameter
        overrides.  Defaults come from ``models/lsm_features.toml``; see
        :func:`biornn.spiking.features.liquid_features`.
    method : str, default "exact"
        Brian2 integration method (the cell's own, if it names one, wins).
    seed : None, int or numpy.random.Generator
        Draws the connectivity and, unless ``run`` gets its own, the initial states.

    Attributes
    ----------
    positions : ndarray (n, 3)
        Grid coordinates of the neurons.
    inhibitory : ndarray of bool (n,)
    recurrent : dict of Projection
        ``"E"`` and ``"I"``: synapses from excitatory / inhibitory neurons, with
        ``pre``, ``post`` and per-synapse ``params`` (A, U, D, F, delay; SI units).
    n_neurons, n_synapses : int
    network : LiquidNetwork or None
        The Brian2 objects of the last run (or of :meth:`build_network`).

    Examples
    --------
    >>> lsm = LSM.from_model("maass2002_lsm", seed=1)          # doctest: +SKIP
    >>> X = lsm.run(data.inputs)     # (trials, samples, neurons)  # doctest: +SKIP
    """

    def __init__(self, shape=(15, 3, 3), *, length_constant=2.0, inhibitory_fraction=0.2,
                 connectivity=ConnectivityParameters(), neuron=LIFParameters(),
                 synapses=SynapseParameters(), input=InputParameters(), cell="lif",
                 n_inputs=None, dt=1e-4, sample_interval=0.01, tau_filter=0.03,
                 target="numpy", chunk_size=None, extensions=(), features=None,
                 method="exact", seed=None):
        self._set_parameters(shape, length_constant, inhibitory_fraction, connectivity, neuron,
                             synapses, input, cell, n_inputs, dt, sample_interval, tau_filter,
                             target, chunk_size, extensions, features, method)
        self._rng = as_generator(seed)
        self.brian_seed = derive_seed(self._rng)
        rng = self._rng
        self.positions = conn.grid_positions(self.shape)
        self.inhibitory = conn.draw_types(self.n_neurons, self.inhibitory_fraction, rng)
        self.recurrent = conn.draw_recurrent(self.positions, self.inhibitory,
                                             self.connectivity, self.length_constant,
                                             self.synapses, rng)
        self._input_entropy = int(rng.integers(2**62))
        self._input_cache = {}
        self._simulator = None

    @classmethod
    def from_model(cls, name="maass2002_lsm", *, seed=None, **overrides):
        """Build the liquid of the preset ``models/<name>.toml``; keywords override it.

        The preset's quantities are checked against the declared units (a
        ``tau_m = "30 mV"`` is refused, naming the file and key).  Table keywords
        (``neuron``, ``synapses``, ``input``, ``connectivity``) given as dicts
        override single entries of the preset's tables.
        """
        return cls(seed=seed, **preset_arguments(name, overrides))

    def _set_parameters(self, shape, length_constant, inhibitory_fraction, connectivity,
                        neuron, synapses, input, cell, n_inputs, dt, sample_interval,
                        tau_filter, target, chunk_size, extensions, features, method):
        """Check every argument at the door (ranges, choices, units) and keep it."""
        shape = tuple(shape)
        if len(shape) != 3:
            raise ValueError(f"shape must have 3 entries (x, y, z), got {shape}")
        self.shape = tuple(check_positive_int("shape", s) for s in shape)
        self.n_neurons = int(np.prod(self.shape))
        self.length_constant = check_in_range(
            "length_constant", to_si("length_constant", length_constant, "1"), 0, np.inf,
            low_open=True)
        self.inhibitory_fraction = check_in_range(
            "inhibitory_fraction", to_si("inhibitory_fraction", inhibitory_fraction, "1"),
            0, 1)
        self.connectivity = ConnectivityParameters.from_mapping(connectivity,
                                                                name="connectivity")
        self.cell, cell_preset = resolve_cell(cell)
        self.neuron = neuron_parameters(self.cell, neuron, cell_preset)
        self.synapses = SynapseParameters.from_mapping(synapses, name="synapses")
        self.input = InputParameters.from_mapping(input, name="input")
        self.n_inputs = None if n_inputs is None else check_positive_int("n_inputs", n_inputs)
        self.dt = to_seconds("dt", dt)
        self.sample_interval = to_seconds("sample_interval", sample_interval)
        self.tau_filter = to_seconds("tau_filter", tau_filter)
        self.target = check_choice("target", target, TARGETS)
        self.chunk_size = None if chunk_size is None else check_positive_int("chunk_size",
                                                                             chunk_size)
        self.extensions = list(extensions)
        self._user_extensions = list(extensions)   # features (by name) are saved, these not
        self.features = _features_spec(features)
        if features:  # biophysical features (biornn.spiking.features) are extensions too
            from .features import liquid_features
            self.extensions += liquid_features(features)
        check_choice("method", method, METHODS)
        if self.cell.method is not None:
            method = self.cell.method
        elif method == "exact" and any(getattr(e, "nonlinear", False) for e in self.extensions):
            method = "euler"  # a nonlinear current (NMDA block, G^n) rules out "exact"
        self.method = method

    #: parameters may be strings with units ("30 ms"); spec validation passes them as written
    accepts_units = True

    @classmethod
    def check_params(cls, preset=None, **params):
        """Check the constructor's arguments (or a preset's, overridden by ``params``):
        ranges, choices, units, unknown table keys, and the memory the connectivity
        would take, without drawing or building anything.  Raises the constructor's
        ``ValueError``/``TypeError``; spec validation calls it, so ``biornn validate``
        refuses what the run would."""
        params.pop("seed", None)
        if preset is not None:
            params = preset_arguments(preset, params)
        defaults = {k: v.default for k, v in inspect.signature(cls).parameters.items()
                    if k != "seed"}
        unknown = sorted(set(params) - set(defaults))
        if unknown:
            raise TypeError(f"unknown parameter(s) {unknown} of {cls.__name__}")
        obj = cls.__new__(cls)
        obj._set_parameters(**{**defaults, **params})
        # each neuron connects to at most the neurons within ~3 length constants
        reach = min(obj.n_neurons, int((6 * obj.length_constant + 1) ** 3))
        c_max = max(obj.connectivity.to_dict().values(), default=0.0)
        check_memory(f"the connectivity of a {'x'.join(map(str, obj.shape))} liquid",
                     48 * obj.n_neurons * reach * c_max)

    # ------------------------------------------------------------------ structure
    @property
    def n_synapses(self) -> int:
        """Recurrent synapses in one copy of the column."""
        return sum(p.n_synapses for p in self.recurrent.values())

    def input_projection(self, n_channels) -> conn.Projection:
        """Input synapses of channels ``0 .. n_channels-1`` (merged in one projection)."""
        parts = []
        for c in range(n_channels):
            if c not in self._input_cache:
                self._input_cache[c] = conn.draw_input(
                    c, self.n_neurons, self.inhibitory, self.input,
                    self.synapses["amplitude_spread"], self._input_entropy)
            parts.append(self._input_cache[c])
        return conn.Projection(np.concatenate([p.pre for p in parts]),
                               np.concatenate([p.post for p in parts]),
                               {"A": np.concatenate([p.params["A"] for p in parts])})

    def sample_times(self, duration) -> np.ndarray:
        """Times (s) of the state samples ``run`` returns for trials of ``duration``."""
        return states.sample_times(duration, self.sample_interval)

    def weight_matrix(self) -> np.ndarray:
        """Dense ``(n, n)`` matrix of mean amplitudes A (A), ``[pre, post]``."""
        W = np.zeros((self.n_neurons, self.n_neurons))
        for p in self.recurrent.values():
            np.add.at(W, (p.pre, p.post), p.params["A"])
        return W

    # ------------------------------------------------------------------ running
    def run(self, inputs, *, duration=None, seed=None, chunk_size=None, progress=True,
            output="filtered", record=None, record_dt=None, monitors=None,
            max_record_bytes=MAX_RECORD_BYTES, plastic=False, scheduler=None):
        """Drive the liquid with spike trains and return the readout states.

        Parameters
        ----------
        inputs : list of (channel_indices, spike_times)
            One pair per trial (see :mod:`biornn.spiking.encoding`); spike times in
            seconds, or as Brian2 quantities.
        duration : float (s), Brian2 quantity or str, optional
            Trial length; default ``inputs.duration`` if present, else the last
            input spike rounded up to the sampling interval.  A plain number above
            100 (s) draws a :class:`~biornn._validate.UnitWarning` (``duration=200``
            meaning 200 ms would simulate 200 s); ``"200 ms"`` says what is meant.
        seed : None, int, Generator or sequence of them (one per trial)
            Initial membrane potentials of each trial; a sequence gives each trial
            its own seed, so a trial's result does not depend on its batch.
        chunk_size : int, optional
        progress : bool, default True
            tqdm bar over chunks.
        output : {"filtered", "counts", "spikes"}
            ``(trials, samples, neurons)`` filtered states, ``(trials, samples,
            neurons)`` spike counts per sampling interval, or a list of
            ``(neuron_indices, spike_times)`` per trial.
        record : dict {variable: neuron indices}, optional
            State traces of chosen neurons of every trial (``{"v": [0, 3]}``),
            sampled every ``record_dt`` (default ``dt``), see
            :mod:`biornn.spiking.recording`.
        monitors : dict {name: factory}, optional
            ``factory(net)`` returns a Brian2 monitor on the chunk's
            :class:`~biornn.spiking.runtime.LiquidNetwork` (``net.neurons``,
            ``net.synapses["E"]``, ...); numpy and cython targets.
        max_record_bytes : int, default 2**29
            Refuse recordings that would hold more.
        plastic : bool, default False
            Let the learning features (STDP, homeostasis) keep learning within each
            trial's copy; by default they are frozen and every copy runs with the
            liquid's current (learned) weights.  Nothing learned here is kept: use
            :meth:`learn` for that.
        scheduler : str or distributed.Client, optional
            Run the chunks on a Dask cluster: a scheduler address, ``"local:N"`` (a
            LocalCluster of N single-threaded processes) or a client; default: the
            scheduler of an enclosing :func:`~biornn.spiking.distributed.use_scheduler`
            block (``biornn run --scheduler``; runs that record stay here), else this
            process.  The states equal a local run's with the same seeds, in the same
            order (:mod:`biornn.spiking.distributed`); not with ``record``/``monitors``.

        Returns
        -------
        states
            As chosen by ``output``; with ``record`` or ``monitors``, the pair
            ``(states, recordings)``.
        """
        from .learning import use_plasticity
        use_plasticity(self, check_bool("plastic", plastic))
        check_choice("output", output, ("filtered", "counts", "spikes"))
        if duration is not None:
            duration = to_duration("duration", duration)
        trials = check_spike_trials(inputs, n_channels=self.n_inputs, duration=duration)
        n_channels = self.n_inputs or getattr(inputs, "n_channels", None) or 1 + max(
            (int(c.max()) for c, _ in trials if c.size), default=0)
        if duration is None and getattr(inputs, "duration", None) is not None:
            duration = to_duration("inputs.duration", inputs.duration)
        if duration is None:
            last = max((float(t.max()) for _, t in trials if t.size), default=0.0)
            duration = to_duration(
                "duration inferred from the last spike time",
                self.sample_interval * (np.floor(last / self.sample_interval) + 1))
        check_spike_trials(trials, n_channels=n_channels, duration=duration)
        return self._simulate("spikes", trials, n_channels, duration, seed, chunk_size,
                              progress, output, (record, record_dt, monitors,
                                                 max_record_bytes), scheduler)

    def run_analog(self, signals, *, mode="current", input_dt=1e-3, input_scale=1e-9,
                   max_rate=100.0, seed=None, chunk_size=None, progress=True,
                   output="filtered", record=None, record_dt=None, monitors=None,
                   max_record_bytes=MAX_RECORD_BYTES, scheduler=None):
        """Drive the liquid with analog signals ``(trials, time, channels)``.

        ``mode="current"`` injects ``I_inj = sum_c w_c s_c(t)`` into the neurons each
        channel projects to, with ``w`` the input amplitudes scaled so that their mean
        is ``input_scale`` (A) per unit signal; ``mode="poisson"`` rate-codes the
        signals at up to ``max_rate`` (Hz, :func:`~biornn.spiking.encoding.poisson_spikes`)
        and calls :meth:`run`.  The trial lasts ``time * input_dt`` seconds.
        Physical values take SI floats, Brian2 quantities or strings with units;
        ``record``, ``monitors``, ``scheduler`` and the return value are as in :meth:`run`.
        """
        check_choice("mode", mode, ("current", "poisson"))
        batch = check_analog(signals)
        input_dt = to_seconds("input_dt", input_dt)
        duration = to_duration("duration (time steps x input_dt)", batch.shape[1] * input_dt)
        extra = (record, record_dt, monitors, max_record_bytes)
        if mode == "poisson":
            rng = as_generator(seed) if seed is not None else self._rng
            spikes = poisson_spikes(batch, max_rate=max_rate, input_dt=input_dt, seed=rng)
            return self.run(spikes, duration=duration, seed=None if seed is None else rng,
                            chunk_size=chunk_size, progress=progress, output=output,
                            record=record, record_dt=record_dt, monitors=monitors,
                            max_record_bytes=max_record_bytes, scheduler=scheduler)
        if self.target == "cpp_standalone":
            raise NotImplementedError("analog current input runs on the numpy and cython "
                                      "targets; use mode='poisson' with cpp_standalone")
        if self.n_inputs is not None and batch.shape[2] != self.n_inputs:
            raise ValueError(f"signals must have {self.n_inputs} channels, got {batch.shape[2]}")
        scale = to_si("input_scale", input_scale, "A")
        if not scale > 0:
            raise ValueError(f"input_scale must be > 0 A, got {input_scale!r}")
        return self._simulate(("current", input_dt, scale), list(batch), batch.shape[2],
                              duration, seed, chunk_size, progress, output, extra, scheduler)

    def build_network(self, n_copies=1, n_channels=None):
        """Build (or reuse) the Brian2 network for ``n_copies`` trials of spike input.

        Returns the :class:`~biornn.spiking.runtime.LiquidNetwork`, also kept as
        :attr:`network`: ``net.network`` (``brian2.Network``), ``net.neurons``,
        ``net.inputs``, ``net.synapses`` and ``net.spike_monitor`` under the names
        listed in :mod:`biornn.spiking.runtime`.  Numpy and cython targets only.
        """
        if self.target == "cpp_standalone":
            raise ValueError("build_network needs target 'numpy' or 'cython': a "
                             "cpp_standalone liquid is a compiled binary")
        n_channels = self.n_inputs or n_channels or 1
        return self._simulator_for("spikes", check_positive_int("n_copies", n_copies),
                                   check_positive_int("n_channels", n_channels), None)

    @property
    def network(self):
        """The :class:`~biornn.spiking.runtime.LiquidNetwork` last built, or None."""
        sim = self._simulator
        return sim if isinstance(sim, RuntimeSimulator) else None

    def _trial_generators(self, seed, n):
        if isinstance(seed, (list, tuple, np.ndarray)):
            if len(seed) != n:
                raise ValueError(f"seed must have one entry per trial ({n}), got {len(seed)}")
            return [as_generator(int(s) if isinstance(s, np.integer) else s) for s in seed]
        if seed is None:       # the liquid's own stream (its state is saved with it)
            return [np.random.default_rng(int(s)) for s in self._rng.integers(2**63, size=n)]
        return list(as_generator(seed).spawn(n))

    def initial_potentials(self, generators) -> np.ndarray:
        """Initial ``v`` (V) of each trial ``(trials, n)``, uniform in [v_init_low, v_init_high]."""
        lo, hi = self.neuron["v_init_low"], self.neuron["v_init_high"]
        return np.stack([g.uniform(lo, hi, self.n_neurons) for g in generators])

    def _chunking(self, n_trials, chunk_size):
        if chunk_size is None:
            chunk_size = self.chunk_size
        if chunk_size is None:
            per_copy = self.n_synapses + self.n_neurons
            chunk_size = int(min(1000, max(1, 2_000_000 // per_copy)))
        chunk_size = min(check_positive_int("chunk_size", chunk_size), n_trials)
        n_chunks = -(-n_trials // chunk_size)
        return -(-n_trials // n_chunks), n_chunks

    def _simulate(self, kind, trials, n_channels, duration, seed, chunk_size, progress,
                  output, recording, scheduler=None):
        from tqdm.auto import tqdm

        n_trials = len(trials)
        record, record_dt, monitors, max_bytes = recording
        recorder = Recorder(self, record, monitors, record_dt, max_bytes, n_trials,
                            duration)
        if recorder and self.target == "cpp_standalone":
            raise ValueError("record and monitors need target 'numpy' or 'cython'")
        if scheduler is not None and recorder:
            raise ValueError("record and monitors run in this process: leave scheduler "
                             "unset to record")
        scheduler = check_scheduler("scheduler", scheduler) if scheduler is not None \
            else None if recorder else default_scheduler()
        v0 = self.initial_potentials(self._trial_generators(seed, n_trials))
        if scheduler is not None:  # same v0, same chunks' spikes: see spiking.distributed
            from .distributed import run_on_cluster
            idx, times, trial = run_on_cluster(self, kind, trials, n_channels, duration, v0,
                                               chunk_size, scheduler, progress)
            return self._states(output, idx, times, trial, n_trials, duration)
        size, n_chunks = self._chunking(n_trials, chunk_size)
        sim = self._simulator_for(kind, size, n_channels, duration)
        idx, times, trial = [], [], []
        bar = tqdm(range(n_chunks), desc="LSM chunks", disable=not progress or n_chunks == 1)
        for c in bar:
            lo, hi = c * size, min(n_trials, (c + 1) * size)
            objs = recorder.attach(sim, hi - lo) if recorder else {}
            extra = {"extra": tuple(objs.values())} if objs else {}
            i, t = sim.run_chunk(trials[lo:hi], v0[lo:hi], duration, **extra)
            if objs:
                recorder.collect(objs, lo, hi - lo)
            idx.append(i % self.n_neurons)
            trial.append(i // self.n_neurons + lo)
            times.append(t)
        idx, times, trial = (np.concatenate(a) for a in (idx, times, trial))
        out = self._states(output, idx, times, trial, n_trials, duration)
        return (out, recorder.result()) if recorder else out

    def _states(self, output, idx, times, trial, n_trials, duration):
        if output == "spikes":
            order = np.lexsort((idx, times, trial))
            idx, times, trial = idx[order], times[order], trial[order]
            cuts = np.searchsorted(trial, np.arange(1, n_trials))
            return list(zip(np.split(idx, cuts), np.split(times, cuts)))
        ts = states.sample_times(duration, self.sample_interval)
        if output == "counts":
            edges = np.concatenate([[0.0], ts])
            return states.binned_counts(idx, times, self.n_neurons, edges,
                                        trial_indices=trial, n_trials=n_trials)
        return states.exponential_filter(idx, times, self.n_neurons, ts, self.tau_filter,
                                         trial_indices=trial, n_trials=n_trials)

    def _simulator_for(self, kind, n_copies, n_channels, duration):
        key = (kind, n_copies, n_channels, self.target, duration if kind != "spikes" else None)
        sim = self._simulator   # a compiled liquid runs chunks of up to n_copies trials
        if (sim is not None and self.target == "cpp_standalone" and sim.key[0] == kind
                and sim.key[2:] == key[2:] and sim.n_copies >= n_copies):
            return sim
        if self._simulator is None or self._simulator.key != key:
            self._simulator = None  # free the previous network first
            if self.target == "cpp_standalone":
                from .standalone import StandaloneSimulator
                self._simulator = StandaloneSimulator(self, kind, n_copies, n_channels,
                                                      duration)
            else:
                self._simulator = RuntimeSimulator(self, kind, n_copies, n_channels,
                                                   duration)
            self._simulator.key = key
        return self._simulator

    def learn(self, inputs, *, duration=None, record_weights_every=1.0, **kwargs):
        """One long run with plasticity on; the learned weights stay in the liquid.

        ``inputs``: one ``(channels, times)`` stream of ``duration`` seconds, or a
        list of trials of ``duration`` each played one after another.  Returns a
        :class:`~biornn.spiking.learning.LearningHistory`; see
        :func:`biornn.spiking.learning.learn` for the other keywords (``dopamine``,
        ``max_snapshots``, ``seed`` ...).
        """
        from .learning import learn
        return learn(self, inputs, duration=duration,
                     record_weights_every=record_weights_every, **kwargs)

    # ------------------------------------------------------------------ save / load
    # what a saved state must hold, checked by biornn.io.load before _from_state
    _SAVED = {"n_neurons": Derived(lambda p: np.prod([check_positive_int("shape", n)
                                                      for n in p["shape"]], dtype=object)),
              "inhibitory": Array(("n_neurons",), kind="biu"),
              **{f"{k}.{v}": Array((f"n_{k}",), kind="iu", below="n_neurons")
                 for k in "EI" for v in ("pre", "post")},
              **{f"{k}.{v}": Array((f"n_{k}",))
                 for k in "EI" for v in ("A", "U", "D", "F", "delay")}}

    def _get_state(self):
        if self._user_extensions:
            raise ValueError("a liquid with extensions cannot be saved (their Brian2 "
                             "objects are not serialisable); save it without them (features "
                             "given by name are saved)")
        if CELLS.get(self.cell.name) is not self.cell:
            raise ValueError("a liquid with a user's cell (NeuronModel) cannot be saved: "
                             "its equations are code; save the equations with your script")
        params = dict(shape=list(self.shape), length_constant=self.length_constant,
                      inhibitory_fraction=self.inhibitory_fraction,
                      connectivity=self.connectivity.to_dict(), neuron=self.neuron.to_dict(),
                      synapses=self.synapses.to_dict(), input=self.input.to_dict(),
                      cell=self.cell.name, n_inputs=self.n_inputs,
                      dt=self.dt, sample_interval=self.sample_interval,
                      tau_filter=self.tau_filter, target=self.target,
                      chunk_size=self.chunk_size, method=self.method,
                      brian_seed=self.brian_seed, input_entropy=self._input_entropy,
                      rng_state=self._rng.bit_generator.state, features=self.features)
        arrays = {"inhibitory": self.inhibitory}
        arrays.update({f"learned.{k}": v for k, v in getattr(self, "learned", {}).items()})
        for key, proj in self.recurrent.items():
            arrays[f"{key}.pre"], arrays[f"{key}.post"] = proj.pre, proj.post
            arrays.update({f"{key}.{k}": v for k, v in proj.params.items()})
        return params, arrays

    @classmethod
    def _from_state(cls, params, arrays):
        params = dict(params)
        extra = {k: params.pop(k) for k in ("brian_seed", "input_entropy", "rng_state")}
        obj = cls(seed=0, **params)
        obj.inhibitory = np.asarray(arrays["inhibitory"], dtype=bool)
        for key in ("E", "I"):
            obj.recurrent[key] = conn.Projection(
                arrays[f"{key}.pre"], arrays[f"{key}.post"],
                {k: arrays[f"{key}.{k}"] for k in ("A", "U", "D", "F", "delay")})
        obj.learned = {k[len("learned."):]: np.asarray(v) for k, v in arrays.items()
                       if k.startswith("learned.")}
        obj.brian_seed, obj._input_entropy = extra["brian_seed"], extra["input_entropy"]
        bitgen = getattr(np.random, extra["rng_state"]["bit_generator"])()
        bitgen.state = extra["rng_state"]
        obj._rng = np.random.Generator(bitgen)
        return obj

    def __repr__(self):
        cell = "" if self.cell is LIF else f", cell={self.cell.name!r}"
        return (f"LiquidStateMachine(shape={self.shape}, n_neurons={self.n_neurons}, "
                f"n_synapses={self.n_synapses}{cell}, target={self.target!r})")


LSM = LiquidStateMachine
