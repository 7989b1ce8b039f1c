"""Vanishing gradients: ||∂L/∂h_{T−k}|| against lag k for vanilla RNNs and LSTMs.

The loss is the adding-problem error at the last of T = 100 steps.  Untrained
networks are shown by default; ``--trained`` also trains an RNN and an LSTM on
the adding problem first (a few minutes) and adds their curves.

Usage: ``python simulations/vanishing_gradients.py [--trained] [--outdir runs/vanishing]``.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
from pathlib import Path  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from biornn.experiments.demonstrations import adding_problem_experiment, vanishing_gradients  # noqa: E402
from biornn.rate.lstm import LSTM  # noqa: E402
from biornn.rate.rnn import RNN  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trained", action="store_true")
    ap.add_argument("--outdir", default="runs/vanishing")
    args = ap.parse_args()
    out = Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)
    nets = {"RNN, gain 0.9": RNN(2, 32, 1, gain=0.9, seed=0),
            "RNN, gain 1.2": RNN(2, 32, 1, gain=1.2, seed=0),
            "LSTM, forget bias 1": LSTM(2, 32, 1, forget_bias=1.0, seed=0),
            "LSTM, forget bias 3": LSTM(2, 32, 1, forget_bias=3.0, seed=0)}
    if args.trained:
        for model in ("rnn", "lstm"):
            res = adding_problem_experiment(model, n_epochs=10, progress=True)
            nets[f"{model.upper()} trained (test MSE {res['test_mse']:.4f})"] = res["net"]
    res = vanishing_gradients(nets, length=100)
    print("mean ||∂L/∂h_{T-k}|| (loss at step T = 100 only)")
    print(f"  {'network':40s} {'k=0':>9s} {'k=10':>9s} {'k=50':>9s} {'k=99':>9s}  factor/step")
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, norms in res["norms"].items():
        print(f"  {name:40s} " + " ".join(f"{norms[k]:9.2e}" for k in (0, 10, 50, 99))
              + f"  {res['decay_per_step'][name]:.3f}")
        ax.semilogy(res["lag"], norms, label=name)
    ax.set(xlabel="lag k (steps back from the loss)", ylabel="||∂L/∂h_{T−k}||",
           title="Vanishing gradients")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "vanishing_gradients.png", dpi=120)
    print(f"figure: {out / 'vanishing_gradients.png'}")


if __name__ == "__main__":
    main()
