"""Spoken digits (FSDD) through biornn's cochlear front end: baseline vs an ESN.

Prints test accuracy on the official split (repetitions 0-4 of every speaker as test)
and leaving one speaker out (LOSO), for

* the no-reservoir baseline: cochleagram pooled over 4 equal time segments
  (``states.segment_mean``), standardised, cross-validated ``RidgeClassifier``;
* an echo state network (``biornn.ESN``): states pooled over 4 segments with a
  ``RidgeClassifier``, and the per-time-step readout (``TimeStepClassifier``,
  Verstraeten et al. 2005), mean +- 95% CI (Student t) over seeds;

for each speaker normalisation of the front end (none, one gain per utterance, one
gain per channel, Lyon-style AGC).  Every choice (front-end normalisation for the
ESN, leak rate, input scaling, ridge alpha for the pooled readout) is made on a
validation split carved out of the training data: repetitions 5-9 for the official
split, one of the training speakers for each LOSO fold; never on the test set.

Targets of issue 12: ESN >= 0.99 official, >= 0.85 LOSO; the README's STFT baseline
0.960 / 0.780.  The data (CC BY-SA 4.0, Jackson et al., FSDD) are read in place.

Usage: ``python benchmarks/spoken_digits_frontend.py [--root DIR] [--seeds 3]``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import itertools  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import biornn as bn  # noqa: E402
from biornn import audio, states  # noqa: E402
from biornn.experiments.utterances import (esn_states as _esn_states,  # noqa: E402
                                           pooled_accuracy as _pooled, splits_with_validation,
                                           step_accuracy, summarise)

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "fsdd",
                    "recordings")
ALPHAS = [1e-2, 1e-1, 1.0, 10.0, 100.0]          # pooled features of the baseline (CV)
ESN_ALPHAS = [1.0, 30.0]                          # pooled ESN states (chosen on validation)
VARIANTS = {"none": dict(), "utterance": dict(normalize="utterance"),
            "channel": dict(normalize="channel"), "agc": dict(agc=True)}


def ci95(values):
    values = list(values)
    return summarise(values) if len(values) > 1 else (float(values[0]), float("nan"))


def pooled_accuracy(F, train, test, alpha):
    return _pooled(F, LABELS, train, test, alpha)[0]


_CACHE = {}


def esn_states(coch, units, leak, scaling, seed):
    """States of every recording (an ESN is unsupervised: run once, fit per split),
    batched by length (:func:`biornn.experiments.utterances.esn_states`)."""
    key = (id(coch), units, leak, scaling, seed)
    if key not in _CACHE:
        _CACHE.clear()
        esn = bn.ESN(units, spectral_radius=0.9, leak_rate=leak, input_scaling=scaling,
                     bias_scaling=0.2, seed=seed)
        _CACHE[key] = _esn_states(esn, coch)
    return _CACHE[key]


def main():
    global LABELS
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--root", default=ROOT)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--units", type=int, default=500)
    p.add_argument("--frame-rate", type=float, default=100.0)
    p.add_argument("--esn-front-ends", default="none,channel",
                   help="front ends the ESN is run on (comma-separated; of "
                        + ", ".join(VARIANTS) + ")")
    args = p.parse_args()
    t0 = time.time()
    data = bn.tasks.spoken_digits(args.root)
    LABELS = data.labels
    print(f"FSDD: {len(data)} recordings, speakers {sorted(set(data.speakers.tolist()))}, "
          f"{data.sample_rate} Hz; numpy {np.__version__}; one BLAS thread")
    S = splits_with_validation(data)
    loso = [s for s in S if s != "official"]

    # ---- front ends and the no-reservoir baseline --------------------------------
    cochs, base = {}, {}
    for name, kw in VARIANTS.items():
        t = time.time()
        cochs[name] = audio.cochleagram(data.audio, data.sample_rate, n_channels=32,
                                        frame_rate=args.frame_rate, **kw)
        F = states.segment_mean(cochs[name], 4)
        base[name] = {s: pooled_accuracy(F, tr, te, ALPHAS) for s, (tr, _, te) in S.items()}
        base[name]["val"] = {s: pooled_accuracy(F, v[0], v[1], ALPHAS) for s, (_, v, _) in
                             S.items()}
        print(f"front end {name:9s} ({time.time() - t:4.1f} s): baseline official "
              f"{base[name]['official']:.3f}, LOSO mean "
              f"{np.mean([base[name][s] for s in loso]):.3f} ("
              + " / ".join(f"{s} {base[name][s]:.3f}" for s in loso) + ")", flush=True)

    # ---- ESN: choices on validation, then seeds -------------------------------------
    grid = list(itertools.product((0.3, 1.0), (0.1, 0.3)))     # leak_rate, input_scaling
    results = {}
    for name in args.esn_front_ends.split(","):
        t = time.time()
        val = {}   # (leak, scaling, alpha) -> {split: validation accuracy}
        for leak, scaling in grid:
            X = esn_states(cochs[name], args.units, leak, scaling, 0)
            F = states.segment_mean(X, 4)
            for alpha in ESN_ALPHAS:
                val[(leak, scaling, alpha)] = {
                    s: pooled_accuracy(F, v[0], v[1], alpha) for s, (_, v, _) in S.items()}
        results[name] = {"choice": {}, "pooled": {s: [] for s in S},
                         "step": {s: [] for s in S}}
        for s in S:
            results[name]["choice"][s] = max(val, key=lambda k: val[k][s])
        for seed in range(args.seeds):
            choice = results[name]["choice"]   # splits sharing a reservoir run in a row
            for s, (tr, _, te) in sorted(S.items(), key=lambda kv: choice[kv[0]][:2]):
                leak, scaling, alpha = choice[s]
                X = esn_states(cochs[name], args.units, leak, scaling, 1000 + seed)
                F = states.segment_mean(X, 4)
                results[name]["pooled"][s].append(pooled_accuracy(F, tr, te, alpha))
                results[name]["step"][s].append(step_accuracy(X, LABELS, tr, te, ALPHAS)[0])
        r = results[name]
        line = [f"ESN {args.units} on {name:9s} ({time.time() - t:5.1f} s)"]
        for kind in ("pooled", "step"):
            m, h = ci95(r[kind]["official"])
            per_seed_loso = np.mean([r[kind][s] for s in loso], axis=0)
            ml, hl = ci95(per_seed_loso)
            line.append(f"{kind}: official {m:.3f} +- {h:.3f}, LOSO {ml:.3f} +- {hl:.3f}")
        print("; ".join(line), flush=True)
        print("    per speaker (pooled / step): " + ", ".join(
            f"{s} {np.mean(r['pooled'][s]):.3f}/{np.mean(r['step'][s]):.3f}" for s in loso)
            + "; choices (leak, input_scaling, alpha): "
            + ", ".join(f"{s} {r['choice'][s]}" for s in S), flush=True)
    print(f"\nchance 0.100; README STFT baseline 0.960 official / 0.780 LOSO; "
          f"targets ESN >= 0.99 / >= 0.85; seeds {args.seeds}; total "
          f"{time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
