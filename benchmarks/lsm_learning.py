"""Cost of learning in the liquid, and the memory of its weight history.

1. Wall time of ``LSM.learn`` with STDP on the 135-neuron Maass column over
   ``--duration`` seconds of liquid time (default 1000 s, the issue's figure) on
   ``cpp_standalone`` and ``--numpy-duration`` seconds on numpy (numpy pays ~140 us of
   Python per time step: 1000 s would take hours there), against the same network and
   input stream run once without plasticity (``LSM.run`` of one trial, spikes out).
   Ratio learn / run (target <= 2), of wall time and of CPU time (this process and
   its children: the compiler, the binary), the steadier figure on a shared
   machine.  On cpp_standalone the first call of each also compiles its binary: the
   script reports that first call and the median of ``--repeats`` calls that reuse
   the cached binary (the cost of a run), and the frozen binary's own time.  On numpy both are timed after a short warm-up of
   each: Brian2 caches per process the symbolic solution of the neuron equations
   (~60-70 s of sympy under cProfile on the loaded machine), so without it the
   first timed call pays for both (learn was timed first in the earlier 5-s
   figure, ratio 1.98).  BLAS pinned to one thread; medians of ``--repeats``.
2. Memory of a ``LearningHistory`` of a 100,000-synapse projection (a 1000-neuron
   column with lambda = 8: 100,124 plastic E->E synapses) with the defaults
   (256 rows, 20,000 sampled weights, 50-bin histograms, one snapshot per second):
   measured on ``learn`` runs that take 1000 and 2000 snapshots (the rows a 1000-s
   and a 2000-s run at one snapshot per second take; the liquid time is scaled
   down, ``--memory-duration``, so that the runs fit), target <= 100 MB and the same
   when the run doubles.  Also the largest transient the compiled run reads back.

Usage: ``python benchmarks/lsm_learning.py [--duration 1000] [--numpy-duration 10]
[--repeats 2] [--targets cpp_standalone numpy] [--memory-duration 0.1] [--cache DIR]``
"""

import argparse
import os
import resource
import sys
import tempfile
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import brian2 as b2                                          # noqa: E402
import numpy as np                                           # noqa: E402

import biornn                                                # noqa: E402
from biornn.spiking import LSM                               # noqa: E402


def stream(duration, n_channels=4, rate=20.0, seed=0):
    rng = np.random.default_rng(seed)
    n = rng.poisson(rate * n_channels * duration)
    return rng.integers(0, n_channels, n), np.sort(rng.uniform(0, duration, n))


def _cpu():
    """CPU seconds of this process and its finished children (compiler, binary)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _timed(fn):
    """(wall s, CPU s, result) of ``fn()``."""
    t0, c0 = time.perf_counter(), _cpu()
    out = fn()
    return time.perf_counter() - t0, _cpu() - c0, out


def learning_cost(target, duration, repeats):
    """(learn times, run times, binary times) in s, each (wall, CPU); first call first."""
    s = stream(duration)
    learn_t, run_t, binary = [], [], []
    if target != "cpp_standalone":
        # warm-up: Brian2 caches per process what code generation derives (the exact
        # integrator's symbolic solution took ~60 s here); without it the first of
        # the two timed calls pays for both
        warm = stream(0.05)
        LSM.from_model("maass2002_lsm", seed=0, n_inputs=4, target=target,
                       features=["stdp"]).learn(warm, duration=0.05, progress=False)
        LSM.from_model("maass2002_lsm", seed=0, n_inputs=4, target=target).run(
            [warm], duration=0.05, output="spikes", progress=False)
    for _ in range(repeats + (target == "cpp_standalone")):
        lsm = LSM.from_model("maass2002_lsm", seed=0, n_inputs=4, target=target,
                             features=["stdp"])
        *t, h = _timed(lambda: lsm.learn(s, duration=duration, progress=False, seed=1))
        learn_t.append(t)
        static = LSM.from_model("maass2002_lsm", seed=0, n_inputs=4, target=target)
        *t, spikes = _timed(lambda: static.run([s], duration=duration * b2.second, output="spikes",
                                               progress=False, seed=[1]))
        run_t.append(t)
        if target == "cpp_standalone":
            binary.append(static._simulator.last_run_time)
    rate = len(spikes[0][0]) / duration / static.n_neurons
    ee = ~lsm.inhibitory[lsm.recurrent["E"].post]
    moved = np.mean(lsm.recurrent["E"].params["A"][ee] != lsm.learned["E.A_initial"][ee])
    return learn_t, run_t, binary, rate, moved, h


def memory(duration, doubled):
    lsm = LSM.from_model("maass2002_lsm", seed=0, n_inputs=4, shape=(10, 10, 10),
                         length_constant=8.0, features=["stdp"])
    n_plastic = int((~lsm.inhibitory[lsm.recurrent["E"].post]).sum())
    d = duration * (2 if doubled else 1)
    t, _, h = _timed(lambda: lsm.learn(stream(d), duration=d, record_weights_every=duration
                                       / 1000, progress=False, seed=1))
    return n_plastic, h, t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=float, default=1000.0,
                    help="liquid time (s) learned on cpp_standalone")
    ap.add_argument("--numpy-duration", type=float, default=10.0,
                    help="liquid time (s) learned on numpy")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--targets", nargs="+", default=["cpp_standalone", "numpy"],
                    choices=("numpy", "cython", "cpp_standalone"))
    ap.add_argument("--memory-duration", type=float, default=0.1,
                    help="liquid time (s) of the 1000-snapshot memory run (0: skip)")
    ap.add_argument("--cache", default=None, help="compiled-liquid cache (default: a "
                    "fresh temporary folder, so the first call compiles)")
    args = ap.parse_args()
    if args.repeats < 1:
        ap.error("--repeats must be >= 1")
    cache = args.cache or tempfile.mkdtemp(prefix="biornn_bench_cache_")
    os.environ["BIORNN_CACHE"] = cache
    print(f"biornn {getattr(biornn, '__version__', '')} brian2 {b2.__version__} "
          f"numpy {np.__version__}; {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f} (timings on a shared machine are noisy)")
    for target in args.targets:
        duration = args.duration if target == "cpp_standalone" else args.numpy_duration
        learn_t, run_t, binary, rate, moved, h = learning_cost(target, duration,
                                                               args.repeats)
        print(f"[{target}] {duration:g} s of liquid time, 135 neurons, 4 Poisson inputs "
              f"at 20 Hz (liquid {rate:.1f} Hz per neuron); STDP moved {moved:.0%} of "
              f"the E->E amplitudes; history {len(h.times)} rows, {h.nbytes / 1e3:.0f} kB")
        first = target == "cpp_standalone"
        if first:
            print(f"  first call (compiles unless --cache holds the build): learn "
                  f"{learn_t[0][0]:.1f} s wall / {learn_t[0][1]:.1f} s CPU, run "
                  f"{run_t[0][0]:.1f} s wall / {run_t[0][1]:.1f} s CPU")
        lm, rm = np.median(learn_t[first:], axis=0), np.median(run_t[first:], axis=0)
        what = ("cached binary" if first else "network build included in both, after a "
                "warm-up that fills Brian2's caches")
        print(f"  {what}, median of {args.repeats}: learn with STDP {lm[0]:.1f} s wall / "
              f"{lm[1]:.1f} s CPU, run without plasticity {rm[0]:.1f} s wall / {rm[1]:.1f} s "
              f"CPU; ratio {lm[0] / rm[0]:.2f} wall, {lm[1] / rm[1]:.2f} CPU (target <= 2)"
              + (f"; the frozen binary's own simulation time {np.median(binary[1:]):.1f} s"
                 if first else ""))
    if args.memory_duration > 0:
        sizes = []
        for doubled in (False, True):
            n_plastic, h, t = memory(args.memory_duration, doubled)
            sizes.append(h.nbytes)
            print(f"history of {n_plastic:,} plastic synapses (1000 neurons), "
                  f"{1000 * (2 if doubled else 1)} snapshots (as {1000 * (2 if doubled else 1)}"
                  f" s at 1 snapshot/s; ran {args.memory_duration * (2 if doubled else 1):g} "
                  f"s of liquid time on numpy in {t:.0f} s): {len(h.times)} rows of "
                  f"{h.weights.shape[1]:,} weights, {h.nbytes / 1e6:.1f} MB (target <= 100 MB)")
        print(f"doubling the run changes the history's memory by {sizes[1] - sizes[0]:+d} "
              f"bytes; every weight every second for 1000 s would take "
              f"{n_plastic * 4 * 1000 / 1e6:.0f} MB")
        m, n, rows = 20_000, 1000, 255
        print(f"the compiled run's monitors read back at most {rows} rows x ({m:,} weights "
              f"+ {n} counts + {n} thresholds) x 8 B = {rows * (m + 2 * n) * 8 / 1e6:.1f} MB "
              f"(< max_snapshots rows whatever the length)")


if __name__ == "__main__":
    main()
