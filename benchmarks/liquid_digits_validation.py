"""Which liquid input and readout, judged on validation splits only (spoken digits).

A Maass (2002) liquid on ``cpp_standalone`` (dt = 1 ms) gets the front end's
cochleagram (32 channels, 100 frames/s, per-channel gain) as Ben's Spiker Algorithm
spikes (``max_rate`` at ``full_scale``); its input synapses' amplitudes are the
preset's (18 nA onto E, 9 nA onto I) times ``--scales``.  Every recording of
repetitions ``0 .. --max-index - 1`` is simulated once per scale; then, on the
validation splits of :func:`biornn.experiments.utterances.splits_with_validation`
(never the test sets), this prints the accuracy of

* the pooled readout (states over 4 segments, ridge, alpha grid) per state filter
  ``tau``, alone and with the pooled cochleagram concatenated;
* variants of the state (more or fewer segments, log/sqrt, per-recording
  normalisation) at ``tau = 100 ms``;
* the per-time-step readout with every frame counted once or each utterance's frames
  weighted 1/T (``TimeStepClassifier(weighting=...)``), for the liquid and for the
  cochleagram itself.

"off" is the official split's validation (repetitions 5-9 of 5-49, here of the
repetitions used), "loso" the mean over the leave-one-speaker-out folds of the
accuracy on the validation speaker.  The liquid's mean firing rate and the
simulation's CPU seconds are printed too.

Usage: ``python benchmarks/liquid_digits_validation.py [--max-index 25] [--size 135]
[--scales 0.03,0.1,0.3,1]``.  FSDD (CC BY-SA 4.0, Jackson et al.) is read in place.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import biornn as bn  # noqa: E402
from biornn import audio, states  # noqa: E402
from biornn.experiments.spoken_digits import liquid_shape, resolve_root  # noqa: E402
from biornn.experiments.utterances import (readout_accuracy,  # noqa: E402
                                           splits_with_validation)
from biornn.readout import GridEdgeWarning  # noqa: E402
from biornn.spiking import LSM, ragged  # noqa: E402

FRAME_RATE = 100.0
ALPHA = [1e-2, 1.0, 100.0, 1e4]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default="")
    ap.add_argument("--max-index", type=int, default=25)
    ap.add_argument("--size", type=int, default=135)
    ap.add_argument("--scales", default="0.03,0.1,0.3,1")
    ap.add_argument("--max-rate", type=float, default=200.0)
    ap.add_argument("--full-scale", type=float, default=5.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    warnings.filterwarnings("ignore", category=GridEdgeWarning)

    data = bn.tasks.spoken_digits(resolve_root(args.root))
    data = data.subset(np.asarray(data.indices) < args.max_index)
    labels = np.asarray(data.labels)
    coch = audio.cochleagram(data.audio, data.sample_rate, n_channels=32,
                             frame_rate=FRAME_RATE, normalize="channel")
    durations = np.array([c.shape[0] / FRAME_RATE for c in coch])
    S = splits_with_validation(data, ["official", "loso"])
    spikes_in = audio.spike_encode([c / args.full_scale for c in coch], "bsa",
                                   frame_rate=FRAME_RATE, max_rate=args.max_rate, seed=0)

    def val(readout, seqs, pooled, **kw):
        r = {s: readout_accuracy(readout, seqs, pooled, labels, *v, ALPHA, **kw)[0]
             for s, (_, v, _) in S.items()}
        return (f"off {r['official']:.3f} loso "
                f"{np.mean([a for s, a in r.items() if s != 'official']):.3f}")

    Fc = states.segment_mean(coch, 4)
    print(f"{len(data)} recordings, liquid of {args.size} neurons, BSA input "
          f"({np.mean([c.size for c, _ in spikes_in]):.0f} spikes per recording); "
          f"validation accuracy (never test)\ncochleagram pooled (no liquid): "
          f"{val('pooled', None, Fc)}", flush=True)
    for w in ("frame", "utterance"):
        print(f"cochleagram per-time-step readout, weighting={w}: "
              f"{val('step', coch, None, weighting=w)}", flush=True)
    for scale in (float(s) for s in args.scales.split(",")):
        lsm = LSM.from_model("maass2002_lsm", shape=liquid_shape(args.size), n_inputs=32,
                             sample_interval=1 / FRAME_RATE, dt="1 ms",
                             target="cpp_standalone", seed=args.seed,
                             input={"A_E": f"{18 * scale} nA", "A_I": f"{9 * scale} nA"})
        c0 = os.times()
        sp = ragged.run_ragged(lsm, spikes_in, durations, seed=args.seed + 100,
                               output="spikes")
        c1 = os.times()
        cpu = sum(c1[:4]) - sum(c0[:4])
        rate = sum(i.size for i, _ in sp) / args.size / durations.sum()
        print(f"\ninput amplitude x{scale:g}: rate {rate:.1f} Hz, simulation "
              f"{cpu / len(sp):.4f} CPU s per recording", flush=True)
        X = {}
        for tau in (0.01, 0.03, 0.1):
            X[tau] = [states.exponential_filter(i, t, args.size, states.sample_times(
                d, 1 / FRAME_RATE), tau) for (i, t), d in zip(sp, durations)]
            F = states.segment_mean(X[tau], 4)
            print(f"  tau {tau * 1e3:g} ms pooled: {val('pooled', None, F)};  with the "
                  f"pooled cochleagram: {val('pooled', None, np.hstack([F, Fc]))}",
                  flush=True)
        x = X[0.1]
        for k in (2, 8):
            print(f"  tau 100 ms, {k} segments: {val('pooled', None, states.segment_mean(x, k))}")
        F = states.segment_mean(x, 4)
        print(f"  tau 100 ms, log1p: {val('pooled', None, np.log1p(F))}; sqrt: "
              f"{val('pooled', None, np.sqrt(F))}; per-recording mean-normalised: "
              f"{val('pooled', None, states.segment_mean([s / (s.mean() + 1e-9) for s in x], 4))}")
        for w in ("frame", "utterance"):
            print(f"  tau 100 ms per-time-step readout, weighting={w}: "
                  f"{val('step', x, None, weighting=w)}", flush=True)


if __name__ == "__main__":
    main()
