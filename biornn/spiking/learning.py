"""Learning phase of the liquid: one long run with plasticity on, weights that persist.

``LiquidStateMachine.learn(stream, duration=...)`` calls :func:`learn`: it builds
*one* copy of the column with its plasticity rules switched on (``"stdp"``,
``"reward_stdp"``, ``"synaptic_scaling"``, ``"intrinsic_plasticity"`` features),
plays the stream (or a list of trials one after another), and writes what was
learned back into the liquid:

- the E synapses' amplitudes into ``lsm.recurrent["E"].params["A"]``, so every
  batched copy that :meth:`~biornn.spiking.lsm.LiquidStateMachine.run` builds starts
  from them and :func:`biornn.save` stores them;
- per-neuron state (the thresholds of intrinsic plasticity) into ``lsm.learned``
  (saved with the liquid too), where ``"E.A_initial"`` keeps the drawn amplitudes.

``run`` freezes every rule by default (the gates of the rules are 0 in its copies);
``run(..., plastic=True)`` lets each trial's copy keep learning, without writing back.

While it learns, a :class:`LearningHistory` records every ``record_weights_every``
seconds the plastic weights (a sample of at most ``max_synapses`` of them), a
histogram of all of them, each neuron's rate and, with intrinsic plasticity, its
threshold.  Memory is bounded whatever the run's length: when ``max_snapshots`` rows
are held, every other row is dropped (rates averaged over the merged intervals) and
the interval doubles.  On the runtime targets (numpy, cython) snapshots are taken by
a ``NetworkOperation`` during one ``Network.run``; on ``cpp_standalone`` the learning
phase is one run of a compiled binary that records the same rows with monitors
(:mod:`biornn.spiking.learning_standalone`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import brian2 as b2
import numpy as np

from .._rng import as_generator
from .._validate import check_positive, check_positive_int, to_seconds
from .encoding import check_spike_trials, spikes_to_steps
from .runtime import build_liquid

__all__ = ["LearningHistory", "learn", "use_plasticity", "plasticity_on", "initial_weights",
           "synapse_bounds"]


def plasticity_on(lsm) -> bool:
    """Whether the network being built for ``lsm`` has its rules switched on."""
    return bool(getattr(lsm, "_plastic", False))


def use_plasticity(lsm, on: bool) -> None:
    """Switch the rules of the networks built next on or off (drops a cached one)."""
    on = bool(on)
    if on != plasticity_on(lsm):
        lsm._simulator = None
    lsm._plastic = on


def learned_state(lsm) -> dict:
    """``lsm.learned``: arrays learned by :func:`learn` (created empty)."""
    if not hasattr(lsm, "learned"):
        lsm.learned = {}
    return lsm.learned


def initial_weights(lsm) -> np.ndarray:
    """The E amplitudes as drawn (before any learning), in ``recurrent["E"]`` order."""
    return learned_state(lsm).get("E.A_initial", lsm.recurrent["E"].params["A"])


def synapse_bounds(lsm, A_max, n_copies=1) -> np.ndarray:
    """Per-synapse upper bounds (A) of the E amplitudes: ``max(A_max, A_drawn, A_now)``.

    A rule switched on never clips a drawn amplitude; one drawn above ``A_max`` keeps
    its own bound.  Tiled over ``n_copies``.
    """
    drawn, now = initial_weights(lsm), lsm.recurrent["E"].params["A"]
    return np.tile(np.maximum(np.maximum(drawn, now), A_max), n_copies)


@dataclass
class LearningHistory:
    """What :func:`learn` recorded (SI units; rows are snapshots in time).

    Attributes
    ----------
    times : ndarray (k,)
        End of each recorded interval (s).
    rates : ndarray (k, n_neurons)
        Each neuron's mean rate over the interval ending at ``times`` (Hz).
    weights : ndarray (k, m), float32
        Weights (A) of the recorded plastic synapses ``synapse_index``.
    histograms : ndarray (k, n_bins)
        Counts of all plastic weights in ``bin_edges``.
    thresholds : ndarray (k, n_neurons) or None
        Threshold offsets ``theta`` (V) under intrinsic plasticity.
    initial_weights, initial_histogram : the same at time 0.
    synapse_index : ndarray (m,)
        Indices into ``lsm.recurrent["E"]`` of the recorded synapses.
    interval : float
        Interval between rows at the end (doubles each time the history is thinned).
    histogram_synapses : int
        How many synapses the histograms count: all plastic ones (runtime targets),
        the recorded sample ``synapse_index`` (``cpp_standalone``).
    """

    times: np.ndarray
    rates: np.ndarray
    weights: np.ndarray
    histograms: np.ndarray
    bin_edges: np.ndarray
    synapse_index: np.ndarray
    initial_weights: np.ndarray
    initial_histogram: np.ndarray
    interval: float
    thresholds: np.ndarray | None = None
    histogram_synapses: int = 0

    @property
    def nbytes(self) -> int:
        """Bytes held by the recorded arrays."""
        return sum(a.nbytes for a in (self.times, self.rates, self.weights, self.histograms,
                                      self.bin_edges, self.synapse_index,
                                      self.initial_weights, self.initial_histogram,
                                      *(() if self.thresholds is None else (self.thresholds,))))


@dataclass
class HistoryRecorder:
    """Rows appended every ``stride`` calls; halved (and stride doubled) when full."""

    capacity: int
    rows: dict = field(default_factory=dict)
    stride: int = 1
    calls: int = 0

    def offer(self, make_row):
        self.calls += 1
        if self.calls % self.stride:
            return False
        self.add(make_row())
        return True

    def add(self, row):
        for key, value in row.items():
            self.rows.setdefault(key, []).append(value)
        if len(self.rows["times"]) >= self.capacity:
            for key, values in self.rows.items():
                if key == "rates":     # merged intervals: mean of the pair
                    self.rows[key] = [(a + b) / 2 for a, b in zip(values[::2], values[1::2])]
                else:                  # state at the end of the merged interval
                    self.rows[key] = values[1::2]
            self.stride *= 2


def _as_stream(inputs, duration, n_channels):
    """One ``(channels, times)`` stream and its length from a stream or a list of trials."""
    trials = check_spike_trials(inputs, n_channels=n_channels)
    is_stream = isinstance(inputs, tuple) and len(trials) == 1
    if duration is None:
        duration = getattr(inputs, "duration", None)
    if duration is None:
        raise ValueError("duration is required: the stream's length, or each trial's "
                         "length for a list of trials (s)")
    duration = to_seconds("duration", duration)
    check_spike_trials(trials, n_channels=n_channels, duration=duration)
    chans = np.concatenate([c for c, _ in trials])
    times = np.concatenate([t + k * duration for k, (_, t) in enumerate(trials)])
    total = duration if is_stream else duration * len(trials)
    return chans, times, total


def learn(lsm, inputs, *, duration=None, record_weights_every=1.0, max_snapshots=256,
          max_synapses=20_000, n_bins=50, dopamine=None, dopamine_tonic=0.0, seed=None,
          progress=True) -> LearningHistory:
    """Run ``lsm`` once with its plasticity on and keep what it learns.

    Parameters
    ----------
    lsm : LiquidStateMachine
        With at least one learning feature (``"stdp"``, ``"reward_stdp"``,
        ``"synaptic_scaling"``, ``"intrinsic_plasticity"``); any target
        (``cpp_standalone``: see :mod:`biornn.spiking.learning_standalone`).
    inputs : (channels, times) or list of them
        One stream lasting ``duration``, or trials each lasting ``duration`` played
        one after another in the same network (state carries over).
    duration : float
        Length (s) of the stream, or of each trial (default ``inputs.duration``).
    record_weights_every : float, default 1.0
        Interval (s) of the history's snapshots.
    max_snapshots : int, default 256
        Rows kept; beyond, the history is thinned (see the module docstring).
    max_synapses : int, default 20000
        Weights of at most this many plastic synapses (a random sample) are recorded
        one by one; all of them enter the histograms (on ``cpp_standalone`` the
        sample does: ``LearningHistory.histogram_synapses`` says how many).
    n_bins : int, default 50
    dopamine : None, callable, array or (times, amounts)
        Dopamine for ``"reward_stdp"`` over the whole run (see
        :func:`biornn.spiking.reward.dopamine_signal`), plus ``dopamine_tonic`` (1/s).
    seed : None, int or Generator
        Initial potentials and Brian2's generator; default the liquid's own stream.

    Returns
    -------
    LearningHistory
    """
    rules = [e for e in lsm.extensions if getattr(e, "learns", False)]
    if not rules:
        raise ValueError("learning needs a plasticity feature: build the liquid with "
                         "features=['stdp'], 'reward_stdp', 'synaptic_scaling' or "
                         "'intrinsic_plasticity'")
    synaptic = [e for e in rules if getattr(e, "plastic", False)]
    E = lsm.recurrent["E"]
    plastic_mask = ~lsm.inhibitory[E.post]
    if synaptic and not plastic_mask.any():
        raise ValueError("learning with no plastic synapse: this liquid has no E->E synapse "
                         "for its synaptic rules")
    interval = check_positive("record_weights_every", record_weights_every)
    capacity = check_positive_int("max_snapshots", max_snapshots)
    if capacity < 2:
        raise ValueError(f"max_snapshots must be >= 2, got {max_snapshots}")
    max_synapses = check_positive_int("max_synapses", max_synapses)
    n_bins = check_positive_int("n_bins", n_bins)
    chans, times, total = _as_stream(inputs, duration, lsm.n_inputs)
    n_channels = lsm.n_inputs or getattr(inputs, "n_channels", None) or (
        int(chans.max()) + 1 if chans.size else 1)
    rng = as_generator(seed) if seed is not None else lsm._rng
    reward = [e for e in rules if hasattr(e, "set_dopamine")]
    if dopamine is not None and not reward:
        raise ValueError("dopamine was given but the liquid has no 'reward_stdp' feature")
    for feature in reward:
        feature.set_dopamine(dopamine, total, tonic=check_finite_float(dopamine_tonic))

    state = learned_state(lsm)
    state.setdefault("E.A_initial", E.params["A"].copy())
    plastic = np.flatnonzero(plastic_mask)
    index = (plastic if len(plastic) <= max_synapses else
             np.sort(rng.choice(plastic, max_synapses, replace=False)))
    step = max(1, int(round(interval / lsm.dt))) * lsm.dt
    standalone = lsm.target == "cpp_standalone"
    if standalone:
        from .learning_standalone import LearningRecording, final_stride
        stride = final_stride(total, step, capacity)
        recording = LearningRecording(index, step * stride, [getattr(f, "_dopamine", None)
                                                             for f in reward])
    else:
        b2.prefs.codegen.target = lsm.target
    use_plasticity(lsm, True)
    try:
        if standalone:
            from .standalone import StandaloneSimulator
            sim = StandaloneSimulator(lsm, "spikes", 1, n_channels, total,
                                      capacity=2 ** int(np.ceil(np.log2(max(chans.size, 64)))),
                                      recording=recording)
        else:
            parts = build_liquid(lsm, 1, n_channels, "spikes")
    finally:
        use_plasticity(lsm, False)
        for feature in reward:
            feature.set_dopamine(None, None)
    b2_seed = int(rng.integers(2**31 - 1))
    v0 = lsm.initial_potentials([rng])[0]
    if standalone:
        from .learning_standalone import run_learning
        out = run_learning(lsm, sim, recording, chans, times, total, v0, plastic,
                           capacity, stride, n_bins, progress)
    else:
        out = _run_learning(lsm, parts, chans, times, total, v0, b2_seed, index, plastic,
                            step, capacity, n_bins, progress)
    recorder, initial_A, edges, A_final, theta = out

    # write what was learned back into the liquid
    E.params["A"] = A_final.copy()
    if theta is not None:
        state["theta"] = theta.copy()
    lsm._simulator = None
    rows = recorder.rows
    return LearningHistory(
        times=np.asarray(rows["times"]), rates=np.stack(rows["rates"]),
        weights=np.stack(rows["weights"]), histograms=np.stack(rows["histograms"]),
        bin_edges=edges, synapse_index=index,
        initial_weights=initial_A[index].astype(np.float32),
        initial_histogram=histogram(initial_A[index if standalone else plastic], edges),
        interval=step * recorder.stride,
        thresholds=np.stack(rows["thresholds"]) if theta is not None else None,
        histogram_synapses=len(index) if standalone else len(plastic))


def bin_edges(A_initial, bound, plastic, n_bins) -> np.ndarray:
    """Histogram edges of the plastic weights: 0 to their largest bound (or 3x the
    largest initial weight when no rule bounds them)."""
    top = (bound[plastic].max() if bound is not None and len(plastic) else
           3 * max(A_initial[plastic].max(initial=0.0), 1e-12))
    return np.linspace(0.0, top, n_bins + 1)


def histogram(weights, edges) -> np.ndarray:
    """Counts of ``weights`` in ``edges`` (weights beyond the edges in the end bins)."""
    return np.histogram(np.clip(weights, 0, edges[-1]), edges)[0]


def snapshot_row(t, rates, A, index, hist_of, edges, theta=None) -> dict:
    """One row of the history at time ``t``: rates, sampled weights, histogram."""
    row = {"times": t, "rates": rates, "weights": A[index].astype(np.float32),
           "histograms": histogram(A[hist_of], edges)}
    if theta is not None:
        row["thresholds"] = np.array(theta, dtype=float)
    return row


def _run_learning(lsm, parts, chans, times, total, v0, b2_seed, index, plastic, step,
                  capacity, n_bins, progress):
    """The runtime targets: one ``Network.run``, snapshots by a ``NetworkOperation``."""
    liquid, syn_E = parts["liquid"], parts["synapses"]["E"]
    objects = [o for o in parts["objects"] if o is not parts["monitor"]]
    counter = b2.SpikeMonitor(liquid, record=False, name="learning_counts")
    A_now = lambda: np.asarray(syn_E.A_[:])                              # noqa: E731
    bound = np.asarray(syn_E.A_max_[:]) if "A_max" in syn_E.variables else None
    initial_A = A_now().copy()        # A_now() may be a view of the live array
    edges = bin_edges(initial_A, bound, plastic, n_bins)
    has_theta = "theta" in liquid.variables
    recorder = HistoryRecorder(capacity)
    last = {"t": 0.0, "count": np.zeros(lsm.n_neurons)}

    def snapshot(t):
        count = np.asarray(counter.count[:], dtype=float)
        rates = (count - last["count"]) / max(t - last["t"], lsm.dt)
        last["t"], last["count"] = t, count
        return snapshot_row(t, rates, A_now(), index, plastic, edges,
                            liquid.theta_[:] if has_theta else None)

    from tqdm.auto import tqdm
    bar = tqdm(total=round(total, 6), desc="learning (s)", disable=not progress, unit="s")

    @b2.network_operation(dt=step * b2.second, when="end", name="learning_snapshots")
    def _record(t):
        now = float(t / b2.second)
        if now < lsm.dt / 2:
            return                       # the call at t = 0
        pending = now - last["t"]
        recorder.offer(lambda: snapshot(now))
        bar.update(round(pending, 6) if recorder.stride == 1 else 0)

    net = b2.Network(*objects, counter, _record)
    b2.seed(b2_seed)
    liquid.v = v0 * b2.volt
    c, s = spikes_to_steps(chans, times, lsm.dt)
    order = np.argsort(s, kind="stable")
    parts["inputs"].set_spikes(c[order], s[order] * lsm.dt * b2.second)
    net.run(total * b2.second, namespace={})
    if not recorder.rows or abs(recorder.rows["times"][-1] - total) > lsm.dt / 2:
        recorder.add(snapshot(total))
    bar.close()
    theta = np.asarray(liquid.theta_[:]).copy() if has_theta else None
    return recorder, initial_A, edges, A_now().copy(), theta


def check_finite_float(value) -> float:
    """``dopamine_tonic``: any finite real (1/s)."""
    if isinstance(value, bool) or not np.isscalar(value) or not np.isfinite(value):
        raise ValueError(f"dopamine_tonic must be a finite number (1/s), got {value!r}")
    return float(value)
