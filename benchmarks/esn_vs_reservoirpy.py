"""Echo state networks: biornn against reservoirpy (and a bare scipy.sparse loop).

Both libraries get identical arrays from ``biornn.tasks`` and, where it makes the
comparison exact, the very same weight matrices (reservoirpy's ``Reservoir``
accepts ``W``, ``Win`` and ``bias`` arrays); the script checks that the states agree.

Parts (``--parts`` picks a subset):
  narma   NARMA-10 test NRMSE, N = 100, 500, 2000 (washout 200, train 2000, test 2000,
          spectral radius 0.9, input scaling 0.1, density 0.1, ridge alpha chosen on a
          validation split), median over 5 seeds
  speed   seconds to collect 10,000 steps (N = 100, 1000 at density 0.1; 10,000 at 0.01)
          and the ratio to a bare scipy.sparse loop (the floor); batched runs are
          measured by benchmarks/esn_batch.py
  ridge   seconds for the ridge fit on N = 10,000 states of 10,000 steps
  mg      Mackey-Glass 84-step closed-loop NRMSE (Jaeger & Haas 2004 protocol)
  mc      memory capacity MC/N for N = 50 and 100 and each topology

Long runs (fit + run of 50,000 steps at N = 10,000) are timed by benchmarks/esn_long.py.

Usage: ``python benchmarks/esn_vs_reservoirpy.py [--quick] [--parts narma,speed,...]``.
BLAS is pinned to one thread; timings are medians of ``--repeats`` runs.
"""

from __future__ import annotations

import _bench  # noqa: I001  (the script beside this one: pins BLAS before numpy loads)


import numpy as np  # noqa: E402
import scipy.linalg as sla  # noqa: E402
import scipy.sparse as sp  # noqa: E402

import biornn as bn  # noqa: E402
from biornn.experiments.closed_loop import mackey_glass_closed_loop  # noqa: E402
from biornn.experiments.demonstrations import median_time  # noqa: E402
from esn_batch import bare_sparse_loop  # noqa: E402  (the script beside this one)

try:
    import reservoirpy
    from reservoirpy.nodes import Reservoir as RpyReservoir
    from reservoirpy.nodes import Ridge as RpyRidge
except ImportError:  # the peer is optional
    reservoirpy = None

ALPHAS = [10.0 ** k for k in range(-12, 1)]


def rpy_reservoir(esn, n_inputs):
    """A reservoirpy Reservoir holding exactly the biornn ESN's weights."""
    esn._ensure_input(n_inputs)
    W = esn.W if sp.issparse(esn.W) else np.asarray(esn.W)
    return RpyReservoir(esn.n_units, lr=esn.leak_rate, W=W, Win=esn.W_in, bias=esn.b,
                        input_dim=n_inputs)


def choose_alpha(fit_predict, X, y, split):
    """Pick alpha on a validation split (last 20% of the training part)."""
    errors = [bn.metrics.nrmse(y[split:], fit_predict(a, X[:split], y[:split], X[split:]))
              for a in ALPHAS]
    return ALPHAS[int(np.argmin(errors))]


def part_narma(args):
    print("\n== NARMA-10: test NRMSE (median over seeds; std-normalised) ==")
    sizes = [100, 500] if args.quick else [100, 500, 2000]
    seeds = range(2 if args.quick else 5)
    print("biornn and reservoirpy (same W, W_in, bias: bias_scaling 0.1), and reservoirpy's own "
          "default reservoir (normal W, Bernoulli W_in, no bias)")
    print(f"{'N':>6} {'biornn':>10} {'reservoirpy':>12} {'rpy default':>12} "
          f"{'max |states diff|':>18}")
    for n in sizes:
        ours, theirs, own, diffs = [], [], [], []
        for seed in seeds:
            u, y = bn.tasks.narma(4200, seed=seed)
            esn = bn.ESN(n, spectral_radius=0.9, input_scaling=0.1, density=0.1,
                         bias_scaling=0.1, seed=seed)
            X = esn.run(u)
            tr, te = slice(200, 2200), slice(2200, 4200)

            def fit_ours(a, Xa, ya, Xb):
                return bn.Ridge(alpha=a).fit(Xa, ya).predict(Xb)
            a = choose_alpha(fit_ours, X[tr], y[tr], 1600)
            ours.append(bn.metrics.nrmse(y[te], fit_ours(a, X[tr], y[tr], X[te])))
            if reservoirpy is not None:
                Xr = rpy_reservoir(esn, 1).run(u)
                diffs.append(np.abs(Xr - X).max())

                def fit_rpy(a, Xa, ya, Xb):
                    return RpyRidge(ridge=a).fit(Xa, ya).run(Xb)
                a = choose_alpha(fit_rpy, Xr[tr], y[tr], 1600)
                theirs.append(bn.metrics.nrmse(y[te], fit_rpy(a, Xr[tr], y[tr], Xr[te])))
                Xo = RpyReservoir(n, lr=1.0, sr=0.9, input_scaling=0.1, rc_connectivity=0.1,
                                  seed=seed).run(u)
                a = choose_alpha(fit_rpy, Xo[tr], y[tr], 1600)
                own.append(bn.metrics.nrmse(y[te], fit_rpy(a, Xo[tr], y[tr], Xo[te])))
        peer = (f"{np.median(theirs):12.3f} {np.median(own):12.3f}" if theirs
                else f"{'absent':>12} {'absent':>12}")
        diff = f"{max(diffs):18.1e}" if diffs else f"{'-':>18}"
        print(f"{n:6d} {np.median(ours):10.3f} {peer} {diff}")


def part_speed(args):
    print("\n== State collection: seconds (median of repeats) ==")
    cases = [(100, 0.1), (1000, 0.1)] + ([] if args.quick else [(10_000, 0.01)])
    steps = 2000 if args.quick else 10_000
    u = np.random.default_rng(0).uniform(-0.5, 0.5, (steps, 1))
    print(f"{'N':>6} {'density':>8} {'biornn':>9} {'reservoirpy':>12} {'bare loop':>10} "
          f"{'rpy/biornn':>11} {'bare/biornn':>12}   ({steps} steps)")
    for n, d in cases:
        esn = bn.ESN(n, density=d, input_scaling=0.1, seed=0)
        esn.run(u[:10])
        reps = args.repeats if n < 10_000 else 1
        t_ours = median_time(lambda: esn.run(u), reps)
        Wsp = sp.csr_matrix(esn.W)
        t_bare = median_time(lambda: bare_sparse_loop(Wsp, esn.W_in, u), reps)
        t_rpy = None
        if reservoirpy is not None:
            res = rpy_reservoir(esn, 1)
            res.run(u[:10])
            t_rpy = median_time(lambda: res.run(u), reps)
        rpy = f"{t_rpy:12.3f}" if t_rpy else f"{'absent':>12}"
        ratio = f"{t_rpy / t_ours:11.2f}" if t_rpy else f"{'-':>11}"
        print(f"{n:6d} {d:8.2f} {t_ours:9.3f} {rpy} {t_bare:10.3f} {ratio} "
              f"{t_bare / t_ours:12.2f}")

    print("(batched runs against one sequence at a time, per state layout and dtype: "
          "benchmarks/esn_batch.py)")


def part_ridge(args):
    n = 2000 if args.quick else 10_000
    print(f"\n== Ridge fit on N = {n} states x {n} steps: seconds ==")
    rng = np.random.default_rng(0)
    X = np.tanh(rng.normal(size=(n, n)))
    y = rng.normal(size=(n, 1))
    reps = 1 if n >= 10_000 else args.repeats
    t_ours = median_time(lambda: bn.Ridge(alpha=1e-6).fit(X, y), reps)

    def cholesky():
        Xc, yc = X - X.mean(0), y - y.mean(0)
        return sla.solve(Xc.T @ Xc + 1e-6 * np.eye(n), Xc.T @ yc, assume_a="pos")
    t_chol = median_time(cholesky, reps)
    line = f"biornn {t_ours:.2f}  plain Cholesky of the normal equations {t_chol:.2f}"
    if reservoirpy is not None:
        t_rpy = median_time(lambda: RpyRidge(ridge=1e-6).fit(X, y), reps)
        line += f"  reservoirpy {t_rpy:.2f}"
    print(line)
    mem = n * n * 8 / 2**20
    print(f"biornn keeps X^T X ({mem:.0f} MiB for N = {n}) whatever the number of steps "
          "(partial_fit streams chunks)")


def mackey_glass_nrmse84(n_units, *, n_trials, seed):
    esn = bn.ESN(n_units, spectral_radius=0.9, feedback_scaling=0.8, bias_scaling=0.2,
                 noise=1e-9, density=10 / n_units, seed=seed, readout=bn.Ridge(alpha=1e-11))
    return mackey_glass_closed_loop(esn, n_trials=n_trials, seed=seed)["nrmse"]


def part_mg(args):
    print("\n== Mackey-Glass, 84 steps closed loop: NRMSE84 (50 trials) ==")
    for n in ([500] if args.quick else [500, 1000]):
        vals = [mackey_glass_nrmse84(n, n_trials=20 if args.quick else 50, seed=s)
                for s in range(1 if args.quick else 3)]
        print(f"N={n:5d}: biornn median {np.median(vals):.2e} over {len(vals)} seeds "
              f"(Jaeger & Haas 2004, N = 1000: about 6e-5)")


def part_mc(args):
    print("\n== Memory capacity MC/N (input scaling 0.1, spectral radius 0.99) ==")
    for topology in ("random", "orthogonal", "ring"):
        row = []
        for n in (50, 100):
            u, Y = bn.tasks.memory_capacity_data(10_500, 2 * n, seed=0)
            esn = bn.ESN(n, spectral_radius=0.99, input_scaling=0.1, topology=topology, seed=0)
            X = esn.run(u)
            r = bn.Ridge(alpha=1e-10).fit(X[500:5500], Y[500:5500])
            row.append(bn.metrics.memory_capacity(Y[5500:], r.predict(X[5500:])) / n)
        print(f"{topology:>10}: N=50 {row[0]:.3f}   N=100 {row[1]:.3f}")


PARTS = {"narma": part_narma, "speed": part_speed, "ridge": part_ridge, "mg": part_mg,
         "mc": part_mc}


if __name__ == "__main__":
    _bench.main(__doc__, PARTS, repeats=3, peer=reservoirpy,
                quick_help="smaller sizes, fewer seeds")
