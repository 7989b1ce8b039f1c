"""Batched and single-sequence ESN speed, and what float32 costs in accuracy.

Parts (``--parts`` picks a subset):
  batch    32 sequences x 1,000 steps run as one batch against the same 32 run one
           at a time by the default single-sequence path (N = 100 and 1,000, density
           0.1; float64 and float32), for each batch layout: rows (dense Wᵀ, BLAS gemm)
           and columns (sparse W x a block of states); * marks the default layout
  single   one sequence against a bare scipy.sparse loop (the floor) at N = 100, 1,000
           (density 0.1) and 10,000 (density 0.01)
  float32  NARMA-10 test NRMSE with float64 states and normal equations, float32
           states, and float32 states and normal equations (N = 100 and 500, ridge
           alpha 1e-8, 1e-6, 1e-4, 5 seeds: mean and 95% CI over seeds, and of the
           difference to float64; the mean predictor scores 1), and the time of a
           streamed fit in each precision

reservoirpy is an optional peer: where installed, its batched run (3-D input) is
timed beside biornn's; where not, the script says it is absent.

Usage: ``python benchmarks/esn_batch.py [--quick] [--parts batch,single,float32]``.
BLAS is pinned to one thread; each timing is the median of ``--repeats`` runs, the
two sides of a ratio measured alternately so that load on the machine hits both.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import importlib.metadata as md  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.sparse as sp  # noqa: E402
import scipy.stats  # noqa: E402

import biornn as bn  # noqa: E402

try:
    import reservoirpy
    from reservoirpy.nodes import Reservoir as RpyReservoir
except ImportError:  # the peer is optional
    reservoirpy = None


def paired_medians(functions, repeats):
    """Median seconds of each function, called in turn ``repeats`` times."""
    times = [[] for _ in functions]
    for _ in range(repeats):
        for fn, ts in zip(functions, times):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
    return [float(np.median(ts)) for ts in times]


def part_batch(args):
    B, T = 32, (300 if args.quick else 1000)
    print(f"\n== {B} sequences x {T} steps: batched vs one at a time (seconds) ==")
    U = np.random.default_rng(1).uniform(-0.5, 0.5, (B, T, 1))
    print(f"{'N':>5} {'dtype':>8} {'layout':>9} {'batched':>9} {'one by one':>11} "
          f"{'speed-up':>9}")
    for n in (100, 1000):
        for dtype in ("float64", "float32"):
            # one at a time with the default single-sequence path, against each batch layout
            default = bn.ESN(n, density=0.1, input_scaling=0.1, dtype=dtype, seed=0)
            for sparse in (False, True):
                esn = bn.ESN(n, density=0.1, input_scaling=0.1, dtype=dtype, sparse=sparse,
                             seed=0)
                esn.run(U[:2, :10])
                default.run(U[0, :10])
                t_batch, t_loop = paired_medians(
                    [lambda: esn.run(U), lambda: [default.run(U[i]) for i in range(B)]],
                    args.repeats)
                mark = "*" if sp.issparse(default.W) == sparse else " "
                print(f"{n:5d} {dtype:>8} {esn._layout(B):>8}{mark} {t_batch:9.3f} "
                      f"{t_loop:11.3f} {t_loop / t_batch:8.1f}x")
        if reservoirpy is not None:
            esn = bn.ESN(n, density=0.1, input_scaling=0.1, seed=0)
            esn.run(U[0, :2])
            res = RpyReservoir(n, lr=1.0, W=esn.W, Win=esn.W_in, bias=esn.b, input_dim=1)
            t_rpy, t_ours = paired_medians([lambda: res.run(U), lambda: esn.run(U)],
                                           args.repeats)
            print(f"{n:5d}  reservoirpy batched {t_rpy:.3f} s, biornn {t_ours:.3f} s, "
                  f"ratio {t_rpy / t_ours:.2f}")
    if reservoirpy is None:
        print("reservoirpy: absent, no peer figure")


def bare_sparse_loop(W, W_in, u):
    """The floor: the update written out with scipy.sparse, nothing else."""
    x = np.zeros(W.shape[0])
    out = np.empty((u.shape[0], W.shape[0]))
    for t in range(u.shape[0]):
        x = np.tanh(W @ x + W_in @ u[t])
        out[t] = x
    return out


def part_single(args):
    print("\n== One sequence: biornn against a bare scipy.sparse loop (seconds) ==")
    print(f"{'N':>6} {'density':>8} {'steps':>6} {'biornn':>8} {'bare loop':>10} "
          f"{'bare/biornn':>12}")
    for n, d, steps in [(100, 0.1, 5000), (1000, 0.1, 3000), (10_000, 0.01, 1000)]:
        if args.quick:
            steps //= 5
        u = np.random.default_rng(0).uniform(-0.5, 0.5, (steps, 1))
        esn = bn.ESN(n, density=d, input_scaling=0.1, seed=0)
        esn.run(u[:10])
        Wsp = sp.csr_matrix(esn.W)
        t_ours, t_bare = paired_medians([lambda: esn.run(u),
                                         lambda: bare_sparse_loop(Wsp, esn.W_in, u)],
                                        args.repeats)
        print(f"{n:6d} {d:8.2f} {steps:6d} {t_ours:8.3f} {t_bare:10.3f} {t_bare / t_ours:12.2f}")


def mean_ci(values):
    """Mean and half-width of the 95% t interval over seeds."""
    v = np.asarray(values, dtype=float)
    half = scipy.stats.t.ppf(0.975, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size)
    return v.mean(), half


def part_float32(args):
    print("\n== float32: NARMA-10 test NRMSE (mean ± 95% CI over seeds; predicting the "
          "mean scores 1) ==")
    print("N units, 2000 training steps after a washout of 200, 2000 test steps; ridge "
          "alpha fixed per row (float32 normal equations need alpha above their rounding)")
    configs = [("float64 states, float64 ridge", "float64", "float64"),
               ("float32 states, float64 ridge", "float32", "float64"),
               ("float32 states, float32 ridge", "float32", "float32")]
    seeds = range(3 if args.quick else 5)
    n_train = 2000
    for n in (100, 500):
        for alpha in (1e-8, 1e-6, 1e-4):
            scores = {c[0]: [] for c in configs}
            for seed in seeds:
                u, y = bn.tasks.narma(200 + n_train + 2000, seed=seed)
                for name, states, ridge in configs:
                    esn = bn.ESN(n, input_scaling=0.1, bias_scaling=0.1, dtype=states,
                                 seed=seed, readout=bn.Ridge(alpha=alpha, dtype=ridge))
                    with warnings.catch_warnings():   # near-singular float32 systems warn
                        warnings.simplefilter("ignore", RuntimeWarning)
                        esn.fit(u[:200 + n_train], y[:200 + n_train], washout=200)
                    pred = esn.predict(u[200 + n_train:], reset=False)
                    scores[name].append(bn.metrics.nrmse(y[200 + n_train:], pred))
            for name, _, _ in configs:
                m, h = mean_ci(scores[name])
                dm, dh = mean_ci(np.subtract(scores[name], scores[configs[0][0]]))
                print(f"N={n:4d} alpha={alpha:g} {name}: {m:.4f} ± {h:.4f}   "
                      f"minus float64: {dm:+.2e} ± {dh:.1e}")
    n, steps = (1000, 5000) if args.quick else (2000, 20_000)
    print(f"\n== Streamed fit of {steps} steps at N = {n} (density {100 / n:g}): seconds ==")
    u, y = bn.tasks.narma(steps, seed=0)
    fits = []
    for _, states, ridge in configs:
        esn = bn.ESN(n, density=100 / n, input_scaling=0.1, dtype=states, seed=0,
                     readout=bn.Ridge(alpha=1e-8, dtype=ridge))
        fits.append(lambda esn=esn: esn.fit(u, y, washout=200))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        times = paired_medians(fits, 1 if not args.quick else args.repeats)
    for (name, _, _), t in zip(configs, times):
        print(f"{name}: {t:.2f} s ({times[0] / t:.2f}x float64)")


PARTS = {"batch": part_batch, "single": part_single, "float32": part_float32}


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="shorter runs, fewer seeds")
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"biornn {bn.__version__}, numpy {np.__version__}, scipy {scipy.__version__}, "
          f"python {platform.python_version()}, BLAS threads pinned to 1")
    if reservoirpy is None:
        print("reservoirpy: absent (pip install -e '.[bench]'); printing biornn's figures only")
    else:
        print(f"reservoirpy {md.version('reservoirpy')}")
    for name in args.parts.split(","):
        PARTS[name.strip()](args)


if __name__ == "__main__":
    main()
