"""Reproduce the template-classification and separation results of Maass et al. (2002).

Maass W, Natschläger T, Markram H (2002), Real-time computing without stable states,
Neural Computation 14:2531-2560, with the 135-neuron column of
``models/maass2002_lsm.toml``.

1. Classification: two templates of 4 Poisson spike trains (20 Hz, 0.5 s); each
   trial is a template with Gaussian jitter of every spike.  A ridge classifier
   (``biornn.RidgeClassifier``) reads the liquid state at the end of the trial;
   accuracy on held-out trials is printed against the jitter.
2. Separation (the paper's Figure 2): pairs of single 20 Hz Poisson spike trains
   u, v at input distance d(u, v) ~ 0, 0.1, 0.2, 0.4
   (:func:`biornn.metrics.spike_train_distance`); each trial starts from its own
   random initial potentials, so d = 0 measures the spread due to initial
   conditions alone.  The mean state distance ||x_u(t) - x_v(t)|| is printed over
   time (:func:`biornn.metrics.separation`), as the Euclidean norm and as the mean
   squared difference per neuron (the scale of Brian2's example of Figure 2).
   Pairs are built by moving randomly chosen spikes of u to new random times until
   d(u, v) is within 0.02 of the target.

All trials of each part run batched in one Brian2 simulation.  A PNG with both
panels is written to ``--out``.  Usage::

    python simulations/lsm_templates.py [--target cython] [--trials 200] [--out lsm.png]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from biornn.spiking.templates import accuracy_vs_jitter, separation_curve  # noqa: E402

def plot(acc, times, measured, curves, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.8))
    a.plot([j * 1e3 for j, _ in acc], [s for _, s in acc], "o-")
    a.axhline(0.5, color="grey", ls=":", label="chance")
    a.set(xlabel="jitter (ms)", ylabel="test accuracy", ylim=(0.4, 1.02),
          title="two templates, state at t = 0.5 s")
    a.legend()
    for d, curve in zip(measured, curves["euclidean"]):
        b.plot(times, curve, label=f"d(u,v) = {d:.2f}")
    b.set(xlabel="time (s)", ylabel="state distance", title="separation (cf. Fig. 2)")
    b.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"figure written to {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="numpy",
                        choices=["numpy", "cython", "cpp_standalone"])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="lsm_templates.png")
    args = parser.parse_args()
    t0 = time.perf_counter()
    print(f"Accuracy against jitter ({args.trials} trials per jitter, target {args.target}):")
    acc = accuracy_vs_jitter(args.target, args.trials, args.seed)
    print(f"Separation: mean state distance, {args.pairs} pairs per input distance")
    times, measured, curves = separation_curve(args.target, args.pairs, args.seed)
    marks = [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5]
    cols = [int(round(m / (times[1] - times[0]))) - 1 for m in marks]
    for metric, label in (("euclidean", "||x_u - x_v||"),
                          ("mean_squared", "mean over neurons of (x_u - x_v)^2")):
        print(f"  state distance {label}:")
        print("  d(u,v)  d^2     " + "".join(f"t={m:<6}" for m in marks) + "  mean")
        for d, curve in zip(measured, curves[metric]):
            print(f"  {d:5.3f}   {d * d:5.3f}   " + "".join(f"{curve[c]:<8.2f}" for c in cols)
                  + f"  {curve.mean():.2f}")
    plot(acc, times, measured, curves, args.out)
    print(f"done in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
