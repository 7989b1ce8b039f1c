"""Hopfield networks: recall and storage speed.

Parts (``--parts`` picks a subset):
  recall  seconds to recall a batch of 100 cues (10% of bits flipped) to convergence
          with asynchronous updates, N = 1,000 and 10,000 (Hebbian, P = 0.1 N), and
          with synchronous updates; against a textbook loop (one cue at a time, one
          unit at a time, each field recomputed as W[i] @ s) timed on a few cues and
          scaled to 100.  No Hopfield peer library is installed here; the script
          says so (and times neurolab's ``newhop`` if it ever is).
  store   seconds to store P patterns with each rule: N = 1,000 with P = 100, and
          N = 10,000 with P = 100 and 1,000.

Usage: ``python benchmarks/hopfield.py [--quick] [--parts recall,store] [--repeats 3]``.
BLAS is pinned to one thread; timings are medians of ``--repeats`` runs.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402

import biornn as bn  # noqa: E402
from biornn.rate.hopfield import Hopfield, overlaps  # noqa: E402

try:
    import neurolab  # the only Hopfield peer we know to compare with; optional
except ImportError:
    neurolab = None


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), out


def textbook_recall(W, cue, rng, max_sweeps=100):
    """One cue, one unit at a time, each local field recomputed from scratch."""
    s = cue.copy()
    for _ in range(max_sweeps):
        changed = False
        for i in rng.permutation(len(s)):
            h = W[i] @ s
            if h * s[i] < 0:
                s[i] = -s[i]
                changed = True
        if not changed:
            break
    return s


def bench_recall(sizes, repeats, n_cues=100, textbook_cues=5):
    print(f"\nrecall: {n_cues} cues, 10% flipped, Hebbian, P = 0.1 N, to convergence")
    print(f"{'N':>7} {'async s':>9} {'sweeps':>6} {'sync s':>8} {'textbook s (x100)':>18} "
          f"{'ratio':>6} {'recalled':>8}")
    for n in sizes:
        xi = bn.tasks.random_patterns(max(n_cues, n // 10), n, seed=0)
        net = Hopfield(n).store(xi)
        cues = bn.tasks.corrupt(xi[:n_cues], 0.1, seed=1)
        t_async, res = median_time(lambda: net.recall(cues, seed=2), repeats)
        t_sync, _ = median_time(lambda: net.recall(cues, update="sync"), repeats)
        if textbook_cues:
            rng = np.random.default_rng(2)
            t0 = time.perf_counter()
            for c in cues[:textbook_cues]:
                textbook_recall(net.weights, c, rng)
            t_book = (time.perf_counter() - t0) * n_cues / textbook_cues
            book = f"{t_book:18.2f} {t_book / t_async:6.1f}"
        else:
            book = f"{'skipped':>18} {'':>6}"
        ok = np.mean(overlaps(res.states, xi[:n_cues]) >= 0.95)
        print(f"{n:7d} {t_async:9.3f} {int(res.n_sweeps.max()):6d} {t_sync:8.3f} {book} "
              f"{ok:8.0%}")
    if neurolab is None:
        print("peer: no Hopfield library installed (neurolab absent): no peer ratio")


def bench_store(cases, repeats):
    print("\nstore: seconds to store P random patterns")
    print(f"{'N':>7} {'P':>5} {'hebbian':>9} {'storkey':>9} {'pseudo_inv':>10}")
    for n, p in cases:
        xi = bn.tasks.random_patterns(p, n, seed=0)
        times = []
        for rule in ("hebbian", "storkey", "pseudo_inverse"):
            reps = 1 if n * p >= 10**7 else repeats
            t, _ = median_time(lambda: Hopfield(n, rule=rule).store(xi), reps)
            times.append(t)
        print(f"{n:7d} {p:5d} {times[0]:9.3f} {times[1]:9.3f} {times[2]:10.3f}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="N = 1,000 only")
    ap.add_argument("--parts", default="recall,store")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    parts = set(args.parts.split(","))
    print(f"biornn {bn.__version__}, numpy {np.__version__}, scipy {scipy.__version__}, "
          f"Python {platform.python_version()}, {platform.machine()}, BLAS threads = 1, "
          f"{os.cpu_count()} CPUs (shared machine: timings are indicative)")
    sizes = [1000] if args.quick else [1000, 10_000]
    if "recall" in parts:
        bench_recall(sizes, args.repeats,
                     textbook_cues=5 if args.quick else 2)
    if "store" in parts:
        cases = [(1000, 100)] if args.quick else [(1000, 100), (10_000, 100), (10_000, 1000)]
        bench_store(cases, args.repeats)


if __name__ == "__main__":
    main()
