"""Does STDP in the liquid help a readout?  Expose, freeze, compare.

For each liquid seed: (1) a 135-neuron liquid with additive STDP on its E->E synapses
is driven for ``--exposure`` presentations of jittered spike templates (one long run,
so the weights keep evolving); (2) the learned E->E amplitudes are frozen into a
copy of the same liquid (same seed, same connectivity, no plasticity); (3) the
frozen liquid and the original (never plastic) liquid each get fresh jittered
instances of the same templates; a ridge classifier is trained on half and tested
on the other half (state = filtered spikes at 5 times in the trial), and the
separation property is measured: mean state distance between trials of different
templates minus that between trials of the same template.  The weight
distribution before and after exposure is plotted.

Usage: ``python simulations/lsm_plasticity_study.py [--seeds 3] [--quick] [--out figures]``
"""

import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import matplotlib  # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import biornn as bn  # noqa: E402
from biornn.readout import RidgeClassifier  # noqa: E402
from biornn.spiking import LSM  # noqa: E402
from biornn.spiking.features import STDPFeature  # noqa: E402
from biornn.tasks import SpikeTrials  # noqa: E402

DURATION = 0.5


def concatenate(trials, n_channels, duration):
    """One long input: the trials one after the other."""
    chans = np.concatenate([c for c, _ in trials])
    times = np.concatenate([t + k * duration for k, (_, t) in enumerate(trials)])
    order = np.argsort(times, kind="stable")
    return SpikeTrials([(chans[order], times[order])], n_channels=n_channels,
                       duration=duration * len(trials))


def evaluate(lsm, data, labels, seed):
    X = lsm.run(data, seed=seed, progress=False)              # (trials, samples, neurons)
    idx = np.linspace(X.shape[1] // 5, X.shape[1] - 1, 5).astype(int)
    features = X[:, idx].reshape(len(X), -1)
    half = len(X) // 2
    clf = RidgeClassifier(alpha=[1e-3, 1e-2, 1e-1, 1, 10, 100]).fit(features[:half],
                                                                    labels[:half])
    acc = clf.score(features[half:], labels[half:])
    same = labels[:, None] == labels[None, :]
    a, b = np.triu_indices(len(X), k=1)
    dist = np.linalg.norm(X[a] - X[b], axis=-1).mean(axis=1)   # mean over time
    sep = dist[~same[a, b]].mean() - dist[same[a, b]].mean()
    rate = X.mean()   # filtered activity, a proxy of the firing rate
    return acc, sep, rate


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--exposure", type=int, default=40, help="template presentations")
    ap.add_argument("--trials", type=int, default=200, help="evaluation trials")
    ap.add_argument("--templates", type=int, default=8)
    ap.add_argument("--jitter", type=float, default=0.02)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default="figures")
    args = ap.parse_args(argv)
    if args.quick:
        args.seeds, args.exposure, args.trials = 1, 10, 40
    os.makedirs(args.out, exist_ok=True)
    fig, axes = plt.subplots(1, args.seeds, figsize=(4 * args.seeds, 3.5), squeeze=False)
    rows = []
    for s in range(args.seeds):
        data = bn.tasks.spike_templates(n_templates=args.templates, n_channels=4,
                                        duration=DURATION, rate=20.0, jitter=args.jitter,
                                        n_trials=args.exposure + args.trials, seed=100 + s)
        exposure = concatenate(data.inputs[:args.exposure], 4, DURATION)
        test = SpikeTrials(data.inputs[args.exposure:], n_channels=4, duration=DURATION)
        labels = data.labels[args.exposure:]
        plastic = LSM.from_model("maass2002_lsm", seed=s, n_inputs=4, features=["stdp"])
        plastic.run(exposure, seed=[0], progress=False)
        stdp = next(e for e in plastic.extensions if isinstance(e, STDPFeature))
        learned, ee = stdp.weights(plastic)
        before = np.minimum(plastic.recurrent["E"].params["A"], stdp.A_max)

        frozen = LSM.from_model("maass2002_lsm", seed=s, n_inputs=4)
        frozen.recurrent["E"].params["A"] = learned
        original = LSM.from_model("maass2002_lsm", seed=s, n_inputs=4)
        res_orig = evaluate(original, test, labels, seed=1)
        res_frozen = evaluate(frozen, test, labels, seed=1)
        rows.append((s, *res_orig, *res_frozen, before[ee].mean(), learned[ee].mean()))
        ax = axes[0, s]
        bins = np.linspace(0, stdp.A_max * 1e9, 31)
        ax.hist(before[ee] * 1e9, bins, alpha=0.6, label="before")
        ax.hist(learned[ee] * 1e9, bins, alpha=0.6, label=f"after {args.exposure} x 0.5 s")
        ax.set_xlabel("E->E amplitude A (nA)")
        ax.set_title(f"liquid seed {s}", fontsize=9)
        ax.legend(fontsize=8)
    axes[0, 0].set_ylabel("synapses")
    fig.tight_layout()
    path = os.path.join(args.out, "lsm_plasticity_weights.png")
    fig.savefig(path, dpi=120)
    print(f"{args.templates} templates, jitter {args.jitter * 1e3:.0f} ms, exposure "
          f"{args.exposure} x {DURATION} s, {args.trials} evaluation trials (half train, "
          "half test)")
    print("seed  acc(orig)  acc(STDP)  sep(orig)  sep(STDP)  activity(orig)  "
          "activity(STDP)  mean A_EE before -> after (nA)")
    for r in rows:
        print(f"{r[0]:4d}  {r[1]:9.3f}  {r[4]:9.3f}  {r[2]:9.3f}  {r[5]:9.3f}  {r[3]:14.3f}"
              f"  {r[6]:14.3f}  {r[7] * 1e9:6.1f} -> {r[8] * 1e9:6.1f}")
    r = np.array(rows)
    print(f"mean  {r[:, 1].mean():9.3f}  {r[:, 4].mean():9.3f}  {r[:, 2].mean():9.3f}  "
          f"{r[:, 5].mean():9.3f}")
    print("wrote", path)


if __name__ == "__main__":
    main()
