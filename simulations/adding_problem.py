"""The adding problem at T = 100: an LSTM solves it, a vanilla RNN does not.

Le et al. (2015) variant: inputs U[0, 1] with two marked positions (one in each
half), target the sum of the marked values, given at the last step.  Always
answering 1.0 scores MSE 1/6 ≈ 0.167.  Both networks get the same budget:
32 units (and a 64-unit RNN, as many parameters as the LSTM), Adam (learning rate 0.01), gradient-norm clipping at 1, 10 epochs
of 10,000 sequences in minibatches of 50 (2,000 updates).  Also shows a
time-delay MLP's cost growing with its window (the feedforward baseline).

Usage: ``python simulations/adding_problem.py [--epochs 10] [--outdir runs/adding]``.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
from pathlib import Path  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from biornn.rate.demonstrations import adding_problem_experiment, delay_window_cost  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--units", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--outdir", default="runs/adding")
    args = ap.parse_args()
    out = Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6, 4))
    print(f"adding problem, T = 100, {args.units} units, {args.epochs} epochs of 10,000 sequences")
    # the RNN also at twice the units, about the LSTM's number of parameters
    for model, units in (("lstm", args.units), ("rnn", args.units), ("rnn", 2 * args.units)):
        r = adding_problem_experiment(model, n_units=units, n_epochs=args.epochs,
                                      seed=args.seed, progress=True)
        print(f"  {model.upper():5s} n = {units:3d}: test MSE {r['test_mse']:.4f} (answering 1.0: "
              f"{r['baseline_mse']:.4f}), {r['n_parameters']} parameters, {r['seconds']:.0f} s")
        ax.semilogy(range(1, len(r["val_loss"]) + 1), [2 * v for v in r["val_loss"]], "o-",
                    label=f"{model.upper()}, n = {units}")
    ax.axhline(1 / 6, color="k", ls="--", label="answer 1.0")
    ax.set(xlabel="epoch", ylabel="validation MSE", title="Adding problem, T = 100")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "adding_problem.png", dpi=120)

    print("\nfeedforward baseline: a time-delay MLP recalling u(t − 15) from its last w inputs")
    print("  window  parameters  µs/sample (fwd+bwd)  test NMSE")
    for r in delay_window_cost():
        print(f"  {r['window']:6d}  {r['n_parameters']:10d}  {1e6 * r['seconds_per_sample']:19.2f}"
              f"  {r['test_nmse']:.3f}")
    print(f"figure: {out / 'adding_problem.png'}")


if __name__ == "__main__":
    main()
