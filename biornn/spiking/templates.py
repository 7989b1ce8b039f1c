"""The template-classification and separation protocols of Maass et al. (2002).

Maass W, Natschläger T, Markram H (2002), Real-time computing without stable states,
Neural Computation 14:2531-2560, on the 135-neuron column of ``models/maass2002_lsm.toml``.

* :func:`accuracy_vs_jitter`: two templates of 4 Poisson spike trains (20 Hz, 0.5 s);
  each trial is a template with Gaussian jitter of every spike; a ridge classifier
  reads the liquid state at the end of the trial.
* :func:`separation_curve` (the paper's Figure 2): pairs of single 20 Hz Poisson
  trains u, v at input distance d(u, v) ~ 0, 0.1, 0.2, 0.4
  (:func:`biornn.metrics.spike_train_distance`); each trial starts from its own random
  initial potentials, so d = 0 measures the spread due to initial conditions alone.
  Pairs are built by moving randomly chosen spikes of u to new random times until
  d(u, v) is within 0.02 of the target.

All trials of each part run batched in one Brian2 simulation.
"""

from __future__ import annotations

import numpy as np

from .. import metrics, tasks
from .._rng import as_generator
from ..readout import RidgeClassifier
from .lsm import LSM

__all__ = ["JITTERS", "DISTANCES", "accuracy_vs_jitter", "pair_at_distance",
           "separation_curve", "poisson_train"]

JITTERS = (0.0, 0.002, 0.004, 0.008, 0.016, 0.032)
DISTANCES = (0.0, 0.1, 0.2, 0.4)


def accuracy_vs_jitter(target="numpy", n_trials=200, seed=0, *, jitters=JITTERS,
                       verbose=True):
    """Test accuracy of a ridge classifier on the liquid state at the end of two-template
    trials, for each jitter: a list of ``(jitter_s, accuracy)`` (chance 0.5)."""
    n_train = int(0.75 * n_trials)
    rows = []
    for k, jitter in enumerate(jitters):
        data = tasks.spike_templates(n_templates=2, n_channels=4, duration=0.5,
                                        rate=20.0, jitter=jitter, n_trials=n_trials,
                                        seed=seed + k)
        lsm = LSM.from_model("maass2002_lsm", seed=seed, target=target)
        X = lsm.run(data.inputs, seed=seed + 100 + k, progress=False)[:, -1]
        clf = RidgeClassifier(alpha=1.0).fit(X[:n_train], data.labels[:n_train])
        rows.append((jitter, clf.score(X[n_train:], data.labels[n_train:])))
        if verbose:
            print(f"  jitter {jitter * 1e3:5.1f} ms: test accuracy {rows[-1][1]:.3f} "
                  f"({n_trials - n_train} test trials, chance 0.5)")
    return rows


def poisson_train(rng, rate, duration):
    """Sorted spike times of a homogeneous Poisson train (s)."""
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
            d = metrics.spike_train_distance(u, v, duration)
            if abs(d - target) < tol:
                return u, v, d
            if d > target + tol:
                break


def separation_curve(target="numpy", n_pairs=50, seed=0):
    """Mean state distance over time for input pairs at each of :data:`DISTANCES`.

    Returns ``(times, measured_distances, curves)`` where ``curves[metric][k]`` is the
    distance ``||x_u(t) - x_v(t)||`` (``"euclidean"``) or its mean square per neuron
    (``"mean_squared"``) for the ``k``-th input distance (Maass et al. 2002, Fig. 2).
    """
    rng = as_generator(seed)
    seed = int(rng.integers(2**31))
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
    curves = {metric: [metrics.separation(X[k, :, 0], X[k, :, 1], metric=metric)
                       for k in range(len(DISTANCES))]
              for metric in ("euclidean", "mean_squared")}
    times = lsm.sample_times(0.5)
    return times, measured, curves
