"""Capacity of the binary Hopfield network for each storage rule.

For each rule (Hebbian, Storkey, pseudo-inverse), N = 500 units store
P = αN random ±1 patterns; each pattern is cued with 10% of its bits flipped
and recalled with asynchronous updates; a cue counts as recalled when the
final overlap with its pattern is at least 0.95.  The script prints the load
α at which the recalled fraction drops below 90% and 50% (linearly
interpolated on the grid), writes the figure (capacity curves with the
Hebbian α_c ≈ 0.138 of Amit, Gutfreund & Sompolinsky 1985, and the energy
along one recall), and checks the dense associative memory of Ramsauer et
al. (2020) far above 0.138 N.

Usage: ``python simulations/hopfield_capacity.py [--n-units 500] [--min-cues 1000]
[--step 0.01] [--out runs/hopfield_capacity.png] [--seed 0]``
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import biornn as bn  # noqa: E402
from biornn.rate.dense_memory import DenseAssociativeMemory  # noqa: E402
from biornn.rate.hopfield import Hopfield, overlaps  # noqa: E402
from biornn import plots  # noqa: E402
from biornn.rate.hopfield_capacity import HEBBIAN_CRITICAL_LOAD, capacity_curve  # noqa: E402

# Reference figures from the issue (independent script, N = 500, 10% flips, m >= 0.95)
REFERENCE = {"hebbian": (0.12, 0.155), "storkey": (0.35, 0.41), "pseudo_inverse": (0.46, 0.51)}
# grid per rule: from where recall is near-perfect to beyond where it fails
GRIDS = {"hebbian": (0.05, 0.30), "storkey": (0.20, 0.70), "pseudo_inverse": (0.30, 0.70)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n-units", type=int, default=500)
    ap.add_argument("--min-cues", type=int, default=1000)
    ap.add_argument("--step", type=float, default=0.01)
    ap.add_argument("--flip-fraction", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="runs/hopfield_capacity.png")
    args = ap.parse_args(argv)

    curves = []
    print(f"N = {args.n_units}, cues with {args.flip_fraction:.0%} of bits flipped, "
          f"recalled when overlap >= 0.95, >= {args.min_cues} cues per load, async updates")
    print(f"{'rule':>15}  {'a(90%)':>7} {'ref':>5}  {'a(50%)':>7} {'ref':>5}  seconds")
    for k, (rule, (lo, hi)) in enumerate(GRIDS.items()):
        loads = np.round(np.arange(lo, hi + 1e-9, args.step), 6)
        t0 = time.perf_counter()
        curve = capacity_curve(rule, n_units=args.n_units, loads=loads,
                               flip_fraction=args.flip_fraction, min_cues=args.min_cues,
                               seed=args.seed + k)
        curves.append(curve)
        r90, r50 = REFERENCE[rule]
        print(f"{rule:>15}  {curve.critical_load(0.9):7.3f} {r90:5.3f}  "
              f"{curve.critical_load(0.5):7.3f} {r50:5.3f}  {time.perf_counter() - t0:7.1f}")

    # the energy along asynchronous recall, unit update by unit update
    n = args.n_units
    xi = bn.tasks.random_patterns(int(0.1 * n), n, seed=args.seed)
    net = Hopfield(n, rule="hebbian").store(xi)
    result = net.recall(bn.tasks.corrupt(xi[:10], 0.3, seed=args.seed), seed=args.seed,
                        record="update")

    # dense associative memory far above 0.138 N
    n_dense = 100
    for alpha in (1, 10, 50):
        pats = bn.tasks.random_patterns(alpha * n_dense, n_dense, seed=args.seed)
        mem = DenseAssociativeMemory(beta=1.0).store(pats)
        res = mem.recall(bn.tasks.corrupt(pats, args.flip_fraction, seed=args.seed + 1))
        ok = np.mean(overlaps(res.states, pats) >= 0.95)
        print(f"dense memory (Ramsauer 2020), N = {n_dense}, beta = 1, alpha = {alpha}: "
              f"{ok:.1%} recalled, {res.n_steps.max()} updates at most")

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for c in curves:
        plots.capacity_curve(c.loads, c.success, label=c.rule, ax=axes[0],
                             xlabel="load α = P/N", ylabel="fraction of cues recalled")
    axes[0].axvline(HEBBIAN_CRITICAL_LOAD, color="0.4", ls="--", lw=1,
                    label="α_c ≈ 0.138 (Hebbian, N → ∞)")
    for level in (0.5, 0.9):
        axes[0].axhline(level, color="0.8", lw=0.8, zorder=0)
    axes[0].legend(frameon=False)
    axes[0].set_title(f"Binary Hopfield network, N = {n}, 10% flipped cues")
    plots.energy(np.asarray(result.energy).T[:20], ax=axes[1], xlabel="single-unit update")
    axes[1].set_title("Energy during async recall (Hebbian, α = 0.1, 30% flipped)")
    fig.tight_layout()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    print(f"figure written to {out}")


if __name__ == "__main__":
    main()
