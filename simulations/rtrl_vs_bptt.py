"""RTRL and BPTT give the same gradient; RTRL costs O(n⁴) per step, BPTT O(n²).

Prints (1) the largest relative difference between the two gradients, (2) the
time per step of each against the number of units, with exponents fitted over
n = 96..256 (where BLAS is saturated), and (3) the bias of SnAp-1 and the
bias and variance of UORO against exact RTRL, and plots (2) and (3) to
``--outdir``.

Usage: ``python simulations/rtrl_vs_bptt.py [--quick] [--outdir runs/rtrl_vs_bptt]``.
BLAS is pinned to one thread.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
from pathlib import Path  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from biornn.rate.demonstrations import (approximation_error, compare_rtrl_bptt,  # noqa: E402
                                        gradient_cost_scaling)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    ap.add_argument("--outdir", default="runs/rtrl_vs_bptt")
    args = ap.parse_args()
    out = Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)

    diff = compare_rtrl_bptt()
    print("RTRL vs BPTT, n = 16, T = 50, batch 2: largest relative difference per parameter")
    for k, v in diff["relative_difference"].items():
        print(f"  {k:6s} {v:.1e}")

    sizes = (8, 16, 32, 64, 96, 128) if args.quick else (8, 16, 32, 64, 96, 128, 160, 192, 256)
    bsizes = (128, 256, 512) if args.quick else (128, 256, 512, 1024, 2048)
    res = gradient_cost_scaling(sizes, bsizes, repeats=5, fit_from=96)
    print("\ntime per step (1 BLAS thread, batch 1)")
    for n, r in zip(res["rtrl_sizes"], res["rtrl_per_step"]):
        print(f"  RTRL n = {n:5d}: {1e3 * r:10.3f} ms")
    for n, b in zip(res["bptt_sizes"], res["bptt_per_step"]):
        print(f"  BPTT n = {n:5d}: {1e3 * b:10.4f} ms   (T = 1000)")
    lo, hi = res["rtrl_fit_range"]
    print(f"fitted exponents: RTRL {res['rtrl_exponent']:.2f} over n = {lo}..{hi} (theory 4); "
          f"BPTT {res['bptt_exponent']:.2f} over n = {bsizes[0]}..{bsizes[-1]} (theory 2)")

    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    ax[0].loglog(res["rtrl_sizes"], res["rtrl_per_step"], "o-", label="RTRL")
    ax[0].loglog(res["bptt_sizes"], res["bptt_per_step"], "s-", label="BPTT")
    ax[0].set(xlabel="hidden units n", ylabel="seconds per time step",
              title=f"RTRL ∝ n^{res['rtrl_exponent']:.2f}, BPTT ∝ n^{res['bptt_exponent']:.2f}")
    ax[0].legend()

    n_uoro = 500
    rows = approximation_error(sizes=(8, 16, 32) if args.quick else (8, 16, 32, 64),
                               n_draws=2 if args.quick else 5, n_uoro=n_uoro)
    print("\nO(n²) approximations against exact RTRL (recurrent-layer gradient, T = 50; "
          "relative to ||g*||; mean over random networks)")
    print("  gain    n   SnAp-1 error  SnAp-1 cosine   UORO std (1 draw)  UORO bias "
          f"(mean of {n_uoro})  std/√{n_uoro}")
    for r in rows:
        print(f"  {r['gain']:4.1f} {r['n_units']:4d}   {r['snap1_error']:10.3f}  "
              f"{r['snap1_cosine']:13.3f}   {r['uoro_std']:17.2f}  {r['uoro_bias']:19.3f}  "
              f"{r['uoro_std'] / n_uoro ** 0.5:9.3f}")
    print("SnAp-1 is deterministic (zero variance) and biased; UORO's mean error matches "
          "std/√K: its bias is within sampling noise (unbiased), its variance large.")
    for gain, color in zip(sorted({r["gain"] for r in rows}), ("C0", "C1", "C2", "C3")):
        sel = [r for r in rows if r["gain"] == gain]
        ns = [r["n_units"] for r in sel]
        ax[1].plot(ns, [r["snap1_error"] for r in sel], "o-", color=color,
                   label=f"SnAp-1 bias, gain {gain}")
        ax[1].plot(ns, [r["uoro_std"] for r in sel], "s--", color=color,
                   label=f"UORO std, gain {gain}")
    ax[1].set(xscale="log", yscale="log", xlabel="hidden units n",
              ylabel="relative error ||g − g*|| / ||g*||",
              title="Online approximations vs exact RTRL")
    ax[1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "rtrl_vs_bptt.png", dpi=120)
    print(f"\nfigure: {out / 'rtrl_vs_bptt.png'}")


if __name__ == "__main__":
    main()
