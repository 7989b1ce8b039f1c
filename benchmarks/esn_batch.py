"""Batched and single-sequence ESN speed, and what float32 costs in accuracy.

Parts (``--parts`` picks a subset):
  batch    32 sequences x 1,000 steps run as one batch against the same 32 run one
           at a time (N = 100 and 1,000, density 0.1; float64 and float32), with the
           compiled reservoir loop and with the numpy loop (the path before it, and the
           one used without a C compiler), and whether the batched compiled run meets the
           target (>= 5x one at a time); then the floor arithmetic sets: the batch's
           product at this core's large-GEMM rate plus tanh at the rate of the compiled
           loop's tanh (numpy's without a compiler), and the largest speed-up that floor
           allows against the measured one-by-one time
  kernels  seconds per step of the compiled loop with a dense product (BLAS gemm/gemv)
           and with CSR, by density, for B = 1 and 32: where the switch belongs; and
           the batched CSR kernel at N = 1000, B = 32 with W cut into blocks of columns
           whose states take 32, 64 or 128 KiB, or not cut: where the block size belongs
  single   one sequence against a bare scipy.sparse loop (the floor) at N = 100, 1,000
           (density 0.1) and 10,000 (density 0.01)
  float32  NARMA-10 test NRMSE with float64 states and normal equations, float32
           states, and float32 states and normal equations (N = 100 and 500, ridge
           alpha 1e-8, 1e-6, 1e-4, 5 seeds: mean and 95% CI over seeds, and of the
           difference to float64; the mean predictor scores 1), and the time of a
           streamed fit in each precision

reservoirpy is an optional peer: where installed, its batched run (3-D input) is
timed beside biornn's; where not, the script says it is absent.

Usage: ``python benchmarks/esn_batch.py [--quick] [--parts batch,kernels,single,float32]``.
BLAS is pinned to one thread; each timing is the median of ``--repeats`` runs, the
two sides of a ratio measured alternately so that load on the machine hits both;
``batch`` and ``kernels`` time CPU seconds of this process (``time.process_time``),
which other processes on a shared machine disturb less than wall time.
"""

from __future__ import annotations

import _bench  # noqa: I001  (the script beside this one: pins BLAS before numpy loads)

import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
import scipy.stats  # noqa: E402

import biornn as bn  # noqa: E402

try:
    import reservoirpy
    from reservoirpy.nodes import Reservoir as RpyReservoir
except ImportError:  # the peer is optional
    reservoirpy = None


paired_medians = _bench.paired_medians


def core_rates(dtype):
    """This core's large-GEMM flop rate and the loop's tanh time per element (the
    compiled loop's tanh, or numpy's where the loop did not build)."""
    a = np.random.default_rng(0).standard_normal((1500, 1500)).astype(dtype)
    t_gemm = min(paired_medians([lambda: a @ a], 1, clock=time.process_time)[0]
                 for _ in range(3))
    v = a.ravel()[:2**18].copy()
    lib = bn.rate.reservoir_loop._kernel()
    if lib is not None:
        kernel_tanh = getattr(lib, "esn_tanh_f64" if v.dtype == np.float64 else "esn_tanh_f32")

        def tanh():
            kernel_tanh(v.size, v.ctypes.data)
    else:
        def tanh():
            np.tanh(v, out=v)
    t_tanh = min(paired_medians([tanh], 1, clock=time.process_time)[0] for _ in range(5))
    return 2 * 1500**3 / t_gemm, t_tanh / v.size


def part_batch(args):
    B, T = 32, (300 if args.quick else 1000)
    print(f"\n== {B} sequences x {T} steps: batched vs one at a time (CPU seconds) ==")
    U = np.random.default_rng(1).uniform(-0.5, 0.5, (B, T, 1))
    cpu = time.process_time
    print(f"{'N':>5} {'dtype':>8} {'loop':>9} {'layout':>8} {'batched':>8} {'one by one':>11} "
          f"{'speed-up':>9}")
    floors, summary = [], []
    for n in (100, 1000):
        for dtype in ("float64", "float32"):
            esn = bn.ESN(n, density=0.1, input_scaling=0.1, dtype=dtype, seed=0)
            old = bn.ESN(n, density=0.1, input_scaling=0.1, dtype=dtype, seed=0)
            old._compiled_loop = False
            for e in (esn, old):
                e.run(U[:2, :10])
            t_b, t_1, t_ob, t_o1 = paired_medians(
                [lambda: esn.run(U), lambda: [esn.run(U[i]) for i in range(B)],
                 lambda: old.run(U), lambda: [old.run(U[i]) for i in range(B)]],
                args.repeats, clock=cpu)
            for name, e, tb, t1 in (("compiled", esn, t_b, t_1), ("numpy", old, t_ob, t_o1)):
                print(f"{n:5d} {dtype:>8} {name:>9} {e._layout(B):>8} {tb:8.3f} {t1:11.3f} "
                      f"{t1 / tb:8.1f}x")
            print(f"{n:5d} {dtype:>8}  batched compiled vs one by one in the numpy loop: "
                  f"{t_o1 / t_b:.1f}x")
            summary.append((n, dtype, t_b, t_1))
            rate, tanh = core_rates(dtype)
            nnz = esn._compiled_W()[1][2].size if esn._product() == "csr" else n * n
            floor = (2 * nnz * B / rate + tanh * B * n) * T     # the batch's floor, seconds
            floors.append((n, dtype, rate, tanh, nnz, floor, t_b, t_1))
        if reservoirpy is not None:
            esn = bn.ESN(n, density=0.1, input_scaling=0.1, seed=0)
            esn.run(U[0, :2])
            res = RpyReservoir(n, lr=1.0, W=esn.W, Win=esn.W_in, bias=esn.b, input_dim=1)
            t_rpy, t_ours = paired_medians([lambda: res.run(U), lambda: esn.run(U)],
                                           args.repeats, clock=cpu)
            print(f"{n:5d}  reservoirpy batched {t_rpy:.3f} s, biornn {t_ours:.3f} s, "
                  f"ratio {t_rpy / t_ours:.2f}")
    if reservoirpy is None:
        print("reservoirpy: absent, no peer figure")
    print(f"\nTarget: the batch of {B} x {T} steps >= 5x the same sequences one at a time "
          f"(compiled loop, median CPU seconds)")
    for n, dtype, t_b, t_1 in summary:
        print(f"N = {n:4d} {dtype}: batched {t_b:.4f} s, one by one {t_1:.4f} s, "
              f"ratio {t_1 / t_b:.2f}x: {'met' if t_1 / t_b >= 5 else 'NOT met'}")
    print("\nFloor of the batched run: its product (2 x nnz x B flops per step) at this core's "
          "large-GEMM rate, plus B N tanh at the loop's tanh rate")
    print(f"{'N':>5} {'dtype':>8} {'GEMM GF/s':>10} {'tanh ns':>8} {'nnz':>8} {'floor s':>8} "
          f"{'batched s':>10} {'largest speed-up':>17} {'measured':>9}")
    for n, dtype, rate, tanh, nnz, floor, t_b, t_1 in floors:
        print(f"{n:5d} {dtype:>8} {rate / 1e9:10.1f} {tanh * 1e9:8.2f} {nnz:8d} {floor:8.3f} "
              f"{t_b:10.3f} {t_1 / floor:16.1f}x {t_1 / t_b:8.1f}x")


def part_kernels(args):
    T = 100 if args.quick else 300
    print(f"\n== Compiled loop, dense product vs CSR: CPU microseconds per step ({T} steps, "
          f"float64) ==")
    if bn.rate.reservoir_loop._kernel() is None:
        print("the compiled loop did not build here: "
              + bn.rate._compiled.build_error("esn"))
        return
    print(f"{'N':>5} {'density':>8} {'B':>3} {'dense':>9} {'csr':>9} {'faster':>7}")
    for n in (100, 1000):
        for density in (0.05, 0.1, 0.2, 0.3, 0.5):
            for B in (1, 32):
                U = np.random.default_rng(1).uniform(-0.5, 0.5, (B, T, 1))
                nets = []
                for threshold in (0.0, 1.0):     # always dense, always CSR
                    e = bn.ESN(n, density=density, input_scaling=0.1, seed=0)
                    e._DENSE_ABOVE = threshold
                    e.run(U[:, :5])
                    nets.append(e)
                t_d, t_c = paired_medians([lambda: nets[0].run(U), lambda: nets[1].run(U)],
                                          args.repeats, clock=time.process_time)
                print(f"{n:5d} {density:8.2f} {B:3d} {t_d / T * 1e6:9.1f} {t_c / T * 1e6:9.1f} "
                      f"{'dense' if t_d < t_c else 'csr':>7}")
    print(f"the compiled loop switches to the dense product above density "
          f"{bn.ESN._DENSE_ABOVE}")
    print(f"\n== Batched CSR kernel, N = 1000, B = 32, density 0.1: CPU microseconds per step "
          f"({T} steps) by the bytes of states a block of W's columns reads ==")
    sizes = (2**15, 2**16, 2**17, 2**40)
    print(f"{'dtype':>8} " + " ".join(f"{'none' if b == 2**40 else f'{b // 1024} KiB':>8}"
                                      for b in sizes))
    U = np.random.default_rng(1).uniform(-0.5, 0.5, (32, T, 1))
    for dtype in ("float64", "float32"):
        nets = []
        for size in sizes:
            e = bn.ESN(1000, density=0.1, input_scaling=0.1, dtype=dtype, seed=0)
            e._BLOCK_STATES = size
            e.run(U[:, :5])
            nets.append(e)
        times = paired_medians([lambda e=e: e.run(U) for e in nets], args.repeats,
                               clock=time.process_time)
        print(f"{dtype:>8} " + " ".join(f"{t / T * 1e6:8.1f}" for t in times))
    print(f"the batched kernel cuts W into blocks of {bn.ESN._BLOCK_STATES // 1024} KiB of states")


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


PARTS = {"batch": part_batch, "kernels": part_kernels, "single": part_single,
         "float32": part_float32}


if __name__ == "__main__":
    _bench.main(__doc__, PARTS, repeats=5, peer=reservoirpy)
