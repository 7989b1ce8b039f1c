"""Long ESN runs: fit + run of 50,000 steps at N = 10,000, float64 against float32.

The workload reservoirpy publishes (121 s on its numpy backend, 20 s with JAX on a
GPU-class machine): NARMA-10, a reservoir of N units with 100 non-zero weights per
row, states streamed into the ridge statistics (``XᵀX`` by BLAS syrk, never the
T x N state matrix), then a test run.  Three precisions, run alternately per seed:

  float64            float64 states and normal equations (the default)
  float32 states     float32 states, float64 normal equations
  float32 all        float32 states and normal equations (``Ridge(dtype="float32")``)

Printed per configuration: seconds of the fit (states + statistics + solve) and of the
test run, the NARMA-10 test NRMSE (median and range over seeds; predicting the mean
scores 1), and the floor set by arithmetic: ``T N²`` flops of syrk at the GEMM rate
this core reaches (measured here on a large product).

Usage: ``python benchmarks/esn_long.py [--quick] [--n 10000] [--steps 50000]
[--seeds 1] [--alpha 1e-6]``.  BLAS is pinned to one thread; seconds are CPU seconds
of this process (``time.process_time``; less disturbed than wall time when the
machine is shared) and wall seconds.
"""

from __future__ import annotations

import _bench  # noqa: I001  (the script beside this one: pins BLAS before numpy loads)

import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

import biornn as bn  # noqa: E402

CONFIGS = [("float64", "float64", "float64"), ("float32 states", "float32", "float64"),
           ("float32 all", "float32", "float32")]


def gemm_rate(dtype, n=2000):
    """Flops per second of one large square product on this core (best of three)."""
    a = np.random.default_rng(0).standard_normal((n, n)).astype(dtype)
    best = np.inf
    for _ in range(3):
        t0 = time.process_time()
        a @ a
        best = min(best, time.process_time() - t0)
    return 2 * n**3 / best


def part_long(args):
    n, steps = (2000, 10_000) if args.quick and args.n is None else \
        (args.n or 10_000, args.steps or 50_000)
    test, washout = min(5000, steps // 5), 200
    print(f"\n== Fit on {steps} steps + test run of {test} steps, N = {n} "
          f"(100 weights per row), ridge alpha {args.alpha:g}, seeds {args.seeds} ==")
    rows = {name: {"fit": [], "fit_wall": [], "run": [], "nrmse": []} for name, _, _ in CONFIGS}
    for seed in range(args.seeds):
        u, y = bn.tasks.narma(steps + test, seed=seed)
        for name, states, ridge in CONFIGS:
            esn = bn.ESN(n, density=min(1.0, 100 / n), input_scaling=0.1, bias_scaling=0.1,
                         dtype=states, seed=seed, readout=bn.Ridge(alpha=args.alpha, dtype=ridge))
            with warnings.catch_warnings():     # near-singular float32 systems warn
                warnings.simplefilter("ignore", RuntimeWarning)
                w0, c0 = time.perf_counter(), time.process_time()
                esn.fit(u[:steps], y[:steps], washout=washout)
                c1, w1 = time.process_time(), time.perf_counter()
                pred = esn.predict(u[steps:], reset=False)
                c2 = time.process_time()
            r = rows[name]
            r["fit"].append(c1 - c0)
            r["fit_wall"].append(w1 - w0)
            r["run"].append(c2 - c1)
            r["nrmse"].append(bn.metrics.nrmse(y[steps:], pred))
            print(f"  seed {seed} {name:15s} fit {c1 - c0:7.1f} s CPU ({w1 - w0:.1f} s wall), "
                  f"test run {c2 - c1:5.1f} s, NRMSE {r['nrmse'][-1]:.4f}", flush=True)
    base = np.median(rows["float64"]["fit"])
    print(f"\n{'precision':15s} {'fit s CPU':>10s} {'wall':>7s} {'test run':>9s} "
          f"{'vs float64':>10s} {'NRMSE median [min, max]':>26s}")
    for name, _, _ in CONFIGS:
        r = rows[name]
        fit = np.median(r["fit"])
        print(f"{name:15s} {fit:10.1f} {np.median(r['fit_wall']):7.1f} "
              f"{np.median(r['run']):9.2f} {base / fit:9.2f}x "
              f"{np.median(r['nrmse']):10.4f} [{min(r['nrmse']):.4f}, {max(r['nrmse']):.4f}]")
    for dtype in ("float64", "float32"):
        rate = gemm_rate(dtype)
        floor = (steps - washout) * n * n / rate       # syrk: T N² flops (half of XᵀX)
        print(f"floor in {dtype}: syrk of {steps - washout} x {n} states alone takes "
              f"{floor:.1f} s at this core's {rate / 1e9:.1f} GFLOP/s (large {dtype} GEMM)")
    print("reservoirpy publishes 121 s (numpy backend) and 20 s (JAX, GPU-class machine) "
          "for fit + run of 50,000 steps at N = 10,000")


def extra(parser):
    parser.add_argument("--n", type=int, default=None, help="units (default 10,000)")
    parser.add_argument("--steps", type=int, default=None, help="training steps (50,000)")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--alpha", type=float, default=1e-6)


if __name__ == "__main__":
    _bench.main(__doc__, {"long": part_long}, repeats=1, extra_arguments=extra)
