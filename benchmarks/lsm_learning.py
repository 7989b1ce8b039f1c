"""Cost of learning in the liquid, and the memory of its weight history.

1. Wall time of ``LSM.learn`` over ``--duration`` seconds of liquid time with STDP on
   the 135-neuron Maass column, against the same network and input stream run once
   without plasticity (``LSM.run`` of one trial, spike counts); ratio (target <= 2).
   Runtime targets only (``learn`` does not run on cpp_standalone).  Medians of
   ``--repeats``; BLAS pinned to one thread.
2. Memory of a ``LearningHistory``: with ``max_snapshots`` rows of at most
   ``max_synapses`` float32 weights, one ``n_bins`` histogram and the rates per row,
   the bound does not depend on the run's length.  Measured on the liquid for two run
   lengths, and computed for a 100,000-synapse projection over 1000 s at one snapshot
   per second (target <= 100 MB).

Usage: ``python benchmarks/lsm_learning.py [--duration 10] [--repeats 1] [--target numpy]``
"""

import argparse
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import brian2 as b2                                          # noqa: E402
import numpy as np                                           # noqa: E402

import biornn                                                # noqa: E402
from biornn.spiking import LSM                               # noqa: E402


def stream(duration, n_channels=4, rate=20.0, seed=0):
    rng = np.random.default_rng(seed)
    n = rng.poisson(rate * n_channels * duration)
    return rng.integers(0, n_channels, n), np.sort(rng.uniform(0, duration, n))


def history_bound(n_synapses, n_neurons, *, max_snapshots=256, max_synapses=20_000,
                  n_bins=50, thresholds=False):
    """Bytes a LearningHistory can hold at most (its rows, the initial state, indices)."""
    m = min(n_synapses, max_synapses)
    row = m * 4 + n_bins * 8 + 8 + n_neurons * 8 * (2 if thresholds else 1)
    return max_snapshots * row + m * (4 + 8) + n_bins * 8 + (n_bins + 1) * 8


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=float, default=10.0)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--target", default="numpy", choices=("numpy", "cython"))
    args = ap.parse_args()
    print(f"biornn {biornn.__version__ if hasattr(biornn, '__version__') else ''} "
          f"brian2 {b2.__version__} numpy {np.__version__}; target {args.target}")
    s = stream(args.duration)
    learn_t, run_t = [], []
    for r in range(args.repeats):
        lsm = LSM.from_model("maass2002_lsm", seed=0, n_inputs=4, target=args.target,
                             features=["stdp"])
        t0 = time.perf_counter()
        lsm.learn(s, duration=args.duration, progress=False, seed=1)
        learn_t.append(time.perf_counter() - t0)
        static = LSM.from_model("maass2002_lsm", seed=0, n_inputs=4, target=args.target)
        t0 = time.perf_counter()
        static.run([s], duration=args.duration, output="counts", progress=False, seed=[1])
        run_t.append(time.perf_counter() - t0)
    lm, rm = np.median(learn_t), np.median(run_t)
    print(f"{args.duration:g} s of liquid time, 135 neurons: learn with STDP {lm:.1f} s, "
          f"run without plasticity {rm:.1f} s, ratio {lm / rm:.2f} (target <= 2; "
          f"median of {args.repeats}, build included in both)")
    for d in (args.duration / 2, args.duration):
        lsm = LSM.from_model("maass2002_lsm", seed=0, n_inputs=4, features=["stdp"])
        h = lsm.learn(stream(d), duration=d, progress=False, seed=1,
                      record_weights_every=d / 512, max_snapshots=64)
        print(f"history of {d:g} s at {d / 512:g} s per snapshot (64 kept): {len(h.times)} "
              f"rows, {h.nbytes / 1e3:.1f} kB")
    bound = history_bound(100_000, 1000)
    print(f"100,000-synapse projection, 1000 neurons, 1000 s at 1 snapshot/s, defaults "
          f"(256 rows, 20,000 sampled weights, 50-bin histograms of all): at most "
          f"{bound / 1e6:.1f} MB whatever the length (target <= 100 MB); every weight "
          f"every second would take {100_000 * 4 * 1000 / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
