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

import numpy as np  # noqa: E402

import biornn as bn  # noqa: E402
from biornn.spiking import LSM  # noqa: E402

JITTERS = (0.0, 0.002, 0.004, 0.008, 0.016, 0.032)
DISTANCES = (0.0, 0.1, 0.2, 0.4)


def accuracy_vs_jitter(target, n_trials, seed):
    n_train = int(0.75 * n_trials)
    rows = []
    for k, jitter in enumerate(JITTERS):
        data = bn.tasks.spike_templates(n_templates=2, n_channels=4, duration=0.5,
                                        rate=20.0, jitter=jitter, n_trials=n_trials,
                                        seed=seed + k)
        lsm = LSM.from_model("maass2002_lsm", seed=seed, target=target)
        X = lsm.run(data.inputs, seed=seed + 100 + k, progress=False)[:, -1]
        clf = bn.RidgeClassifier(alpha=1.0).fit(X[:n_train], data.labels[:n_train])
        rows.append((jitter, clf.score(X[n_train:], data.labels[n_train:])))
        print(f"  jitter {jitter * 1e3:5.1f} ms: test accuracy {rows[-1][1]:.3f} "
              f"({n_trials - n_train} test trials, chance 0.5)")
    return rows


def poisson_train(rng, rate, duration):
    return np.sort(rng.uniform(0, duration, rng.poisson(rate * duration)))


def pair_at_distance(rng, target, rate=20.0, duration=0.5, tol=0.02):
    """u and v = u with some spikes moved to random times, d(u, v) within tol of target."""
    if target == 0:
        u = poisson_train(rng, rate, duration)
        return u, u.copy(), 0.0
    while True:
        u = poisson_train(rng, rate, duration)
        order = rng.permutation(u.size)
        for k in range(1, u.size + 1):
            v = u.copy()
            v[order[:k]] = rng.uniform(0, duration, k)
            v.sort()
            d = bn.metrics.spike_train_distance(u, v, duration)
            if abs(d - target) < tol:
                return u, v, d
            if d > target + tol:
                break


def separation_curve(target, n_pairs, seed):
    rng = np.random.default_rng(seed)
    trials, measured = [], []
    for d in DISTANCES:
        dists = []
        for _ in range(n_pairs):
            u, v, got = pair_at_distance(rng, d)
            trials += [(np.zeros(u.size, dtype=int), u), (np.zeros(v.size, dtype=int), v)]
            dists.append(got)
        measured.append(float(np.mean(dists)))
    lsm = LSM.from_model("maass2002_lsm", seed=seed, target=target)
    X = lsm.run(trials, duration=0.5, seed=seed + 1, progress=False)
    X = X.reshape(len(DISTANCES), n_pairs, 2, *X.shape[1:])
    curves = {metric: [bn.metrics.separation(X[k, :, 0], X[k, :, 1], metric=metric)
                       for k in range(len(DISTANCES))]
              for metric in ("euclidean", "mean_squared")}
    times = lsm.sample_times(0.5)
    return times, measured, curves


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
