"""FORCE learning (Sussillo & Abbott 2009): a chaotic network learns a sum of four sinusoids.

N = 1000, g = 1.5, p = 0.1, τ = 10 ms, dt = 1 ms, α = 1, output fed back;
14,400 training steps with an RLS update every second step (7,200 updates,
with the shared ``biornn.readout.RLS``), then 14,400 free-running steps.
Prints the free-running mean absolute error and the wall time per seed.

Usage: ``python simulations/force_sinusoids.py [--seeds 0 1 2] [--outdir runs/force]``.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
from pathlib import Path  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from biornn.rate.demonstrations import force_periodic  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--outdir", default="runs/force")
    args = ap.parse_args()
    out = Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)
    maes, secs = [], []
    print(f"FORCE, N = {args.units}: free-running test MAE (target mean |f| ≈ 0.62)")
    for seed in args.seeds:
        r = force_periodic(args.units, seed=seed)
        maes.append(r["test_mae"])
        secs.append(r["seconds"])
        print(f"  seed {seed}: test MAE {r['test_mae']:.3f}, train MAE {r['train_mae']:.4f}, "
              f"{r['n_updates']} RLS updates, {r['seconds']:.1f} s (train + test)")
        if seed == args.seeds[0]:
            t = np.arange(r["target"].shape[0]) * r["dt"]
            fig, ax = plt.subplots(figsize=(9, 3))
            ax.plot(t, r["target"][:, 0], "k", lw=2, alpha=0.4, label="target")
            ax.plot(t, r["output"][:, 0], "r", lw=1, label="network output z")
            ax.axvline(t[r["target"].shape[0] // 2], color="b", ls="--")
            ax.set(xlabel="time (s)", title="FORCE: training (left), free running (right)")
            ax.legend(loc="upper right")
            fig.tight_layout()
            fig.savefig(out / "force_sinusoids.png", dpi=120)
    print(f"median test MAE {np.median(maes):.3f} (range {min(maes):.3f}-{max(maes):.3f}), "
          f"median time {np.median(secs):.1f} s")


if __name__ == "__main__":
    main()
