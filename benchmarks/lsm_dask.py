"""Liquid trials on a Dask LocalCluster: trials per second with 2 workers vs 1.

200 trials (0.5 s, 10 Poisson channels at 20 Hz) of the 135-neuron column of
Maass et al. (2002), as in ``benchmarks/lsm_trials.py``, run with
``LSM.run(..., scheduler=client)`` on a LocalCluster of one and of two
single-threaded worker processes, and in this process without Dask for reference.
Each configuration runs once to build the liquid on its workers (reported apart),
then ``--repeats`` times; the figures are medians of the wall time.  The script
checks that the states of the distributed runs equal the local run's bit for bit
and prints the 2-worker / 1-worker ratio of trials per second (the target is
>= 1.7), twice: with each cluster cutting the trials as it does by default, and
with both running the same chunks (the 2-worker default size), which isolates
scale-out from the cost of chunking (on numpy a chunk costs mostly per time step,
so one worker's default, fewer and larger chunks, is cheaper per trial).  The ratio can only approach 2 on a machine with two free cores: the
load average is printed before and after.

The clusters are started as ``scheduler="local:N"`` starts them (:func:`biornn._dask.connect`).

Usage: ``python benchmarks/lsm_dask.py [--trials 200] [--target numpy]
[--chunk-size N]``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import biornn as bn  # noqa: E402
from biornn import _dask  # noqa: E402
from biornn.spiking import LSM  # noqa: E402
from biornn.spiking.distributed import chunk_bounds  # noqa: E402


def median_time(fn, repeats):
    """Median wall time of ``repeats`` calls and the last result."""
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), out


def measure(label, lsm, inputs, seeds, repeats, **kw):
    """Trials per second of ``lsm.run`` (first run apart) and the states."""
    t0 = time.perf_counter()
    lsm.run(inputs, seed=seeds, progress=False, **kw)
    first = time.perf_counter() - t0
    wall, states = median_time(lambda: lsm.run(inputs, seed=seeds, progress=False, **kw),
                               repeats)
    print(f"{label:44s} {len(seeds) / wall:7.2f} trials/s ({wall:.2f} s per run, median of "
          f"{repeats}; first run incl. building the liquid {first:.1f} s)")
    return len(seeds) / wall, states


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--target", default="numpy",
                        choices=["numpy", "cython", "cpp_standalone"])
    parser.add_argument("--chunk-size", type=int, default=None,
                        help="copies per task on both clusters (default: each cluster's own chunks, "
                             "then the 2-worker chunks on both)")
    args = parser.parse_args()
    import distributed

    print(f"python {platform.python_version()}, dask.distributed {distributed.__version__}, "
          f"biornn {bn.__version__}; {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f} (shared machine: timings are indicative)")
    data = bn.tasks.spike_templates(n_templates=2, n_channels=10, duration=0.5, rate=20.0,
                                    jitter=0.004, n_trials=args.trials, seed=0)
    seeds = list(range(args.trials))
    lsm = LSM.from_model("maass2002_lsm", seed=1, target=args.target)
    print(f"\n== 135-neuron column, {args.trials} trials x 0.5 s, target {args.target} ==")
    _, local = measure("this process, no Dask", lsm, data.inputs, seeds, args.repeats)
    # Two ways to count: each cluster cutting the trials as it would by default (one
    # worker gets fewer, larger chunks: on numpy a chunk's cost is mostly per time step,
    # so fewer chunks are cheaper), and both clusters running the very same chunks (the
    # 2-worker default size), which measures scale-out alone.
    same_size = chunk_bounds(lsm, args.trials, None, 2)[0]
    plans = ([("default chunks", None), (f"chunks of {same_size} on both", same_size)]
             if args.chunk_size is None else [(f"chunks of {args.chunk_size}", args.chunk_size)])
    ratios = {}
    for plan, chunk_size in plans:
        rates = {}
        for n_workers in (1, 2):
            with _dask.connect(f"local:{n_workers}") as client:   # as scheduler="local:N"
                rates[n_workers], states = measure(
                    f"Dask, {n_workers} worker(s) x 1 thread, {plan}", lsm, data.inputs, seeds,
                    args.repeats, scheduler=client, chunk_size=chunk_size)
            same = np.array_equal(states, local)
            print(f"{'':44s} states equal to the local run bit for bit: {same}")
            if not same:
                raise SystemExit("the distributed states differ from the local run")
        ratios[plan] = rates[2] / rates[1]
    for plan, ratio in ratios.items():
        print(f"ratio 2 workers / 1 worker, {plan}: {ratio:.2f} (target >= 1.7)")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")

if __name__ == "__main__":
    main()
