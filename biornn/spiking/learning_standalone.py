"""The learning phase on ``cpp_standalone``: one compiled run, history from monitors.

:func:`biornn.spiking.learning.learn` on a liquid with ``target="cpp_standalone"``
builds the column once with its rules switched on through the compiled-liquid cache
of :mod:`biornn.spiking.standalone` (same binary reused by a later ``learn`` of the
same network, stream length and history settings), runs the whole stream in one
run of the binary, and reads back:

- the final E amplitudes (``synapses_E.A``) and bounds (``A_max``), and under
  intrinsic plasticity the final ``theta0`` from which the thresholds follow;
- a ``StateMonitor`` of the sampled plastic weights, one of a spike counter per
  neuron (a ``Synapses`` from the liquid adding 1 to ``count`` at each spike) and,
  under intrinsic plasticity, one of the thresholds ``theta``.

A compiled binary cannot run Python during the run, so the history is not thinned
as it grows: the monitors sample every ``record_weights_every * stride`` seconds,
with ``stride`` the power of two the runtime history would have reached by the end
(:func:`final_stride`), so they hold fewer than ``max_snapshots`` rows whatever the
run's length.  Their rows are then passed through the same
:class:`~biornn.spiking.learning.HistoryRecorder` as the runtime targets' snapshots,
with the last row (at the end of the run) from the final values: the history has the
rows, times and interval the runtime targets give.  The liquid's spike monitor is
switched off (``active = False``): the learning phase returns no spikes.

What differs from the runtime targets: the histograms count the recorded sample of
weights (all plastic weights when there are at most ``max_synapses``; then they
equal the runtime ones).  The run draws no random numbers (the inputs are the
stream, the initial potentials come from ``seed`` as on the runtime targets), so with
the same seed the two targets start from the same state; they agree exactly while
their floating-point sums agree (see ``tests/spiking/test_learning_standalone.py``).
"""

from __future__ import annotations

import hashlib

import brian2 as b2
import numpy as np

from .learning import HistoryRecorder, bin_edges, snapshot_row

__all__ = ["LearningRecording", "final_stride", "run_learning"]


def _n_steps(total, step) -> int:
    """Time steps of a clock of ``step`` over ``total`` (Brian2's rounding)."""
    x = total / step
    return int(round(x)) if abs(x - round(x)) < 1e-6 else int(np.ceil(x))


def final_stride(total, step, capacity) -> int:
    """Stride of the runtime history after a run of ``total`` s with snapshots every
    ``step`` s: the smallest power of two ``S`` with fewer than ``capacity`` rows at
    multiples of ``S`` (the history halves when it reaches ``capacity`` rows)."""
    n_calls = _n_steps(total, step) - 1        # snapshots at step, 2 step, ... < total
    stride = 1
    while n_calls // stride >= capacity:
        stride *= 2
    return stride


class LearningRecording:
    """What the compiled learning run records (a ``recording`` of
    :class:`~biornn.spiking.standalone.StandaloneSimulator`).

    ``index``: the E synapses whose weights are recorded; ``every``: the monitors'
    interval (s); ``dopamine``: the reward rules' dopamine (``TimedArray`` or None),
    compiled into the binary, so part of the cache key.
    """

    def __init__(self, index, every, dopamine=()):
        self.index = np.asarray(index, dtype=np.int64)
        self.every = float(every)
        h = hashlib.sha256(self.index.tobytes())
        h.update(repr(self.every).encode())
        for signal in dopamine:
            if signal is not None:
                h.update(np.ascontiguousarray(np.asarray(signal.values)).tobytes())
                h.update(repr(float(signal.dt)).encode())
        self.key = "learning-" + h.hexdigest()[:20]

    def attach(self, parts):
        """Monitors and the spike counter; the arrays to read back after the run."""
        liquid, syn = parts["liquid"], parts["synapses"]["E"]
        parts["monitor"].active = False            # the history replaces the spike record
        dt, every = liquid.clock.dt, self.every * b2.second
        counter = b2.NeuronGroup(len(liquid), "count : 1", dt=dt, name="learning_counter")
        link = b2.Synapses(liquid, counter, on_pre="count_post += 1", dt=dt,
                           name="learning_count_link")
        link.connect(j="i")
        counts = b2.StateMonitor(counter, "count", record=True, dt=every, when="end",
                                 name="learning_counts")
        objects = [counter, link, counts]
        variables = {"t": counts.variables["t"], "count_rows": counts.variables["count"],
                     "counts": counter.variables["count"], "A": syn.variables["A"]}
        if len(self.index):
            weights = b2.StateMonitor(syn, "A", record=self.index, dt=every, when="end",
                                      name="learning_weights")
            objects.append(weights)
            variables["A_rows"] = weights.variables["A"]
        if "A_max" in syn.variables:
            variables["A_max"] = syn.variables["A_max"]
        if "theta" in liquid.variables:            # intrinsic plasticity
            thresholds = b2.StateMonitor(liquid, "theta", record=True, dt=every, when="end",
                                         name="learning_thresholds")
            objects.append(thresholds)
            variables.update(theta_rows=thresholds.variables["theta"],
                             theta0=liquid.variables["theta0"],
                             ip_gate=liquid.variables["ip_gate"])
        return objects, variables


def _final_thresholds(lsm, theta0, gate, total):
    """``theta`` at the end of the run from ``theta0``: the subexpression
    ``theta = theta0 - gate eta r_target t`` of
    :func:`biornn.spiking.homeostasis.intrinsic_threshold` at ``t = total``."""
    rule = next(r for ext in lsm.extensions for r in getattr(ext, "neuron_rules", ())
                if "theta0" in r.equations)
    eta = float(rule.namespace["eta_ip"] / b2.volt)
    rate = float(rule.namespace["r_target_ip"] / b2.Hz)
    return theta0 - gate * eta * rate * total


def run_learning(lsm, sim, recording, chans, times, total, v0, plastic, capacity, stride,
                 n_bins, progress):
    """Run the compiled learning network once; the history as the runtime targets
    give it (see the module docstring).  Returns what :func:`learn` writes back."""
    from tqdm.auto import tqdm

    bar = tqdm(total=round(total, 6), desc="learning (s, compiled)", disable=not progress,
               unit="s")
    sim.run_chunk([(chans, times)], v0[None], total)
    bar.update(round(total, 6))
    bar.close()
    r = sim.last_results
    n, index = lsm.n_neurons, recording.index
    A_final = np.array(r["A"], dtype=float)
    bound = np.asarray(r["A_max"], dtype=float) if "A_max" in r else None
    # the amplitudes the run started from: as drawn (or clipped to A_max on request)
    A_drawn = lsm.recurrent["E"].params["A"]
    initial_A = A_drawn if bound is None else np.where(
        ~lsm.inhibitory[lsm.recurrent["E"].post], np.minimum(A_drawn, bound), A_drawn)
    edges = bin_edges(initial_A, bound, plastic, n_bins)
    t = np.asarray(r["t"], dtype=float)
    counts = np.asarray(r["count_rows"], dtype=float).reshape(len(t), n)
    A_rows = (np.asarray(r["A_rows"], dtype=float).reshape(len(t), len(index))
              if "A_rows" in r else np.zeros((len(t), 0)))
    has_theta = "theta_rows" in r
    theta_rows = (np.asarray(r["theta_rows"], dtype=float).reshape(len(t), n)
                  if has_theta else None)
    recorder = HistoryRecorder(capacity, stride=stride)
    sampled = np.arange(len(index))
    last_t, last_count = 0.0, np.zeros(n)
    for k in range(1, len(t)):                     # the row at t = 0 is not a snapshot
        rates = (counts[k] - last_count) / max(t[k] - last_t, lsm.dt)
        recorder.add(snapshot_row(t[k], rates, A_rows[k], sampled, sampled, edges,
                                  theta_rows[k] if has_theta else None))
        last_t, last_count = t[k], counts[k]
    theta = (_final_thresholds(lsm, np.asarray(r["theta0"], dtype=float),
                               np.asarray(r["ip_gate"], dtype=float), total)
             if has_theta else None)
    if not recorder.rows or abs(recorder.rows["times"][-1] - total) > lsm.dt / 2:
        rates = (np.asarray(r["counts"], dtype=float) - last_count) / max(total - last_t,
                                                                          lsm.dt)
        recorder.add(snapshot_row(total, rates, A_final, index, index, edges, theta))
    return recorder, initial_A, edges, A_final, theta
