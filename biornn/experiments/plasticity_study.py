"""Does unsupervised learning in the liquid help its computation?  Learn, freeze, test.

For each seed, one liquid (one draw of connectivity) is copied into four conditions:

- ``static``: the liquid as drawn, no learning;
- ``stdp``: E->E STDP during learning;
- ``stdp_homeostasis``: STDP with synaptic scaling and intrinsic plasticity of the
  threshold (SORN-like: Lazar, Pipa & Triesch 2009 combine STDP, intrinsic
  plasticity and synaptic normalisation);
- ``homeostasis``: synaptic scaling and intrinsic plasticity without STDP.

Each learning condition plays ``n_presentations`` trials of ensemble A (jittered
instances of its spike templates) in one run (:meth:`LiquidStateMachine.learn`);
the weights and thresholds are then frozen.  Every condition is tested on held-out
trials of ensemble A and of a different ensemble B (new templates).  A trial is two
segments, each a jittered template; the readout (ridge classifier on the filtered
states sampled through the second segment, trained on half the trials of an
ensemble, scored on the other half) reports

- ``accuracy``: the template of the current (second) segment;
- ``memory``: the template of the *previous* segment (delayed recall, one segment
  back);
- ``separation``: mean state distance between trials whose current templates differ
  minus that between trials of the same template (Maass et al. 2002's separation
  property, corrected for noise), in units of the filtered state.

Chance is ``1 / n_templates``.  Results are mean +- 95% CI over seeds
(:func:`biornn.metrics.confidence_interval`), plus the paired difference of each
condition from ``static`` (same liquid, same trials).
"""

from __future__ import annotations

import functools

import numpy as np

from .. import plots
from ..metrics import confidence_interval
from ..schema import Field
from .registry import experiment

CONDITIONS = {"static": (), "stdp": ("stdp",),
              "stdp_homeostasis": ("stdp", "synaptic_scaling", "intrinsic_plasticity"),
              "homeostasis": ("synaptic_scaling", "intrinsic_plasticity")}
MEASURES = ("accuracy", "memory", "separation")


def _check(spec):
    if len(spec["liquid"]["shape"]) != 3:
        raise ValueError(f"liquid.shape must have 3 entries, got {spec['liquid']['shape']}")
    if spec["test"]["n_trials"] < 2 * spec["stimuli"]["n_templates"]:
        raise ValueError("test.n_trials must be at least 2 * stimuli.n_templates (half of "
                         "the trials train the readout, half test it)")


def two_segment_trials(n_trials, stim, seed):
    """Trials of two jittered template segments; labels of both segments."""
    from ..tasks import SpikeTrials, spike_templates

    seg = stim["segment"]
    data = spike_templates(stim["n_templates"], stim["n_channels"], seg, stim["rate"],
                           stim["jitter"], 2 * n_trials + stim["n_templates"], seed=seed)
    rng = np.random.default_rng(seed)
    first = rng.permutation(len(data.labels))[:n_trials]
    second = rng.permutation(len(data.labels))[:n_trials]
    trials = SpikeTrials(n_channels=stim["n_channels"], duration=2 * seg)
    for a, b in zip(first, second):
        (ca, ta), (cb, tb) = data.inputs[a], data.inputs[b]
        trials.append((np.concatenate([ca, cb]), np.concatenate([ta, tb + seg])))
    return trials, data.labels[first], data.labels[second], data.templates


def _ensemble(stim, seed, n_learn, n_test):
    """Learning trials and test trials (trials, previous, current) of one ensemble."""
    from ..tasks import SpikeTrials

    trials, prev, cur, _ = two_segment_trials(n_learn + n_test, stim, seed)
    cut = lambda t: SpikeTrials(t, n_channels=trials.n_channels,     # noqa: E731
                                duration=trials.duration)
    return cut(trials[:n_learn]), (cut(trials[n_learn:]), prev[n_learn:], cur[n_learn:])


def score(X, previous, current):
    """Accuracy (current segment), memory (previous segment), separation."""
    from ..readout import RidgeClassifier

    n_samples = X.shape[1]
    idx = np.linspace(n_samples // 2, n_samples - 1, 5).astype(int)
    features = X[:, idx].reshape(len(X), -1)
    half = len(X) // 2
    out = {}
    for name, labels in (("accuracy", current), ("memory", previous)):
        clf = RidgeClassifier(alpha=[1e-2, 1e-1, 1, 10, 100], n_folds=3)
        clf.fit(features[:half], labels[:half])
        out[name] = clf.score(features[half:], labels[half:])
    a, b = np.triu_indices(len(X), k=1)
    dist = np.linalg.norm(X[a][:, idx] - X[b][:, idx], axis=-1).mean(axis=1)
    same = current[a] == current[b]
    out["separation"] = dist[~same].mean() - dist[same].mean()
    return out


@experiment("plasticity_study", check=_check,
            figures=("measures", "weights", "rates", "thresholds"),
            requires=("biornn.spiking.learning",), schema={
    "liquid": {
        "model": Field("str", "maass2002_lsm", help="model preset of the liquid"),
        "shape": Field("list[int]", [15, 3, 3], low=1),
        "dt": Field("quantity", "0.2 ms", positive=True, help="simulation time step"),
        "method": Field("str", "exact", choices=("exact", "euler")),
    },
    "stimuli": {
        "n_templates": Field("int", 4, low=2),
        "n_channels": Field("int", 4, low=1),
        "segment": Field("quantity", "200 ms", positive=True,
                         help="length of each of a trial's two segments"),
        "rate": Field("quantity", "20 Hz", positive=True),
        "jitter": Field("quantity", "8 ms", low=0.0, help="SD of the spike jitter"),
    },
    "learning": {
        "conditions": Field("list[str]", list(CONDITIONS), choices=tuple(CONDITIONS)),
        "n_presentations": Field("int", 5, low=1,
                                 help="trials of ensemble A played while learning"),
        "stdp_rule": Field("str", "additive",
                           choices=("additive", "multiplicative", "triplet")),
        "r_target": Field("quantity", "10 Hz", positive=True,
                          help="target rate of synaptic scaling and intrinsic plasticity"),
        "tau_scaling": Field("quantity", "2 s", positive=True),
        "eta_ip": Field("quantity", "0.1 mV", positive=True,
                        help="threshold step per spike of intrinsic plasticity"),
    },
    "test": {
        "n_trials": Field("int", 16, low=4, help="test trials per ensemble (half train "
                                                  "the readout)"),
        "n_seeds": Field("int", 2, low=1, help="liquids (and template ensembles)"),
    },
})
def plasticity_study(spec, seed, report):
    """Static vs STDP vs STDP + homeostasis vs homeostasis: learn, freeze, test on a seen
    and an unseen stimulus ensemble (accuracy, delayed recall, separation)."""
    from ..spiking import LSM

    liq, stim, lrn, tst = spec["liquid"], spec["stimuli"], spec["learning"], spec["test"]
    conditions = list(dict.fromkeys(lrn["conditions"]))
    results = {(c, e, m): [] for c in conditions for e in "AB" for m in MEASURES}
    shown = {}
    changes = {c: {"weight": [], "rate": []} for c in conditions}
    for s in report.progress(range(tst["n_seeds"]), desc="seeds"):
        base = seed * 1000 + 10 * s
        learn_a, test_a = _ensemble(stim, base, lrn["n_presentations"], tst["n_trials"])
        _, test_b = _ensemble(stim, base + 5, 0, tst["n_trials"])
        tests = list(test_a[0]) + list(test_b[0])
        for cond in conditions:
            features = {"stdp": {"rule": lrn["stdp_rule"]},
                        "synaptic_scaling": {"r_target": lrn["r_target"],
                                             "tau_scaling": lrn["tau_scaling"]},
                        "intrinsic_plasticity": {"r_target": lrn["r_target"],
                                                 "eta": lrn["eta_ip"]}}
            lsm = LSM.from_model(liq["model"], seed=base, shape=tuple(liq["shape"]),
                                 n_inputs=stim["n_channels"], dt=liq["dt"],
                                 method=liq["method"],
                                 features={f: features[f] for f in CONDITIONS[cond]} or None)
            history = None
            if CONDITIONS[cond]:
                history = lsm.learn(learn_a, duration=2 * stim["segment"], progress=False,
                                    record_weights_every=stim["segment"], seed=base + 2)
                before, after = history.initial_weights, history.weights[-1]
                changes[cond]["weight"].append(np.abs(after - before).mean() / before.mean())
                changes[cond]["rate"].append(history.rates[-1].mean() - history.rates[0].mean())
            X = lsm.run(tests, duration=2 * stim["segment"], progress=False,
                        seed=[base + 3 + k for k in range(len(tests))])
            n = tst["n_trials"]
            for e, sl, (_, prev, cur) in (("A", slice(0, n), test_a),
                                          ("B", slice(n, 2 * n), test_b)):
                for m, v in score(X[sl], prev, cur).items():
                    results[(cond, e, m)].append(v)
            if s == 0 and history is not None:
                shown[cond] = history
    _summarise(report, conditions, results, stim["n_templates"], tst["n_seeds"])
    for cond, ch in changes.items():
        if ch["weight"]:
            report.metric(f"{cond}_mean_relative_weight_change", np.mean(ch["weight"]))
            report.metric(f"{cond}_rate_change_last_minus_first", np.mean(ch["rate"]),
                          unit="Hz")
    _figures(report, conditions, results, shown)


def _summarise(report, conditions, results, n_templates, n_seeds):
    rows = []
    for cond in conditions:
        for e in "AB":
            row = {"condition": cond, "ensemble": "seen (A)" if e == "A" else "unseen (B)"}
            for m in MEASURES:
                values = np.asarray(results[(cond, e, m)])
                mean, half = confidence_interval(values)
                report.metric(f"{cond}_{e}_{m}", mean)
                report.metric(f"{cond}_{e}_{m}_ci95", half)
                row[m] = f"{mean:.3f} ± {half:.3f}"
                if cond != "static" and "static" in conditions:
                    diff = values - np.asarray(results[("static", e, m)])
                    dmean, dhalf = confidence_interval(diff)
                    report.metric(f"{cond}_{e}_{m}_minus_static", dmean)
                    row[f"{m} - static"] = f"{dmean:+.3f} ± {dhalf:.3f}"
                else:
                    row[f"{m} - static"] = ""
            rows.append(row)
    report.table("plasticity_study", rows)
    report.metric("chance_accuracy", 1.0 / n_templates)
    report.note(f"mean ± 95% CI over {n_seeds} seeds (Student t; no spread for one seed); "
                f"'- static' is the paired difference on the same liquid and trials; "
                f"chance accuracy is {1.0 / n_templates:.3f}. Separation is in units of "
                f"the filtered state (spikes).")


def _figures(report, conditions, results, shown):
    panels = []
    for m in MEASURES:
        ci = {e: {c: confidence_interval(results[(c, e, m)]) for c in conditions}
              for e in ("A", "B")}
        panels.append(functools.partial(
            plots.comparison_bars,
            {f"{e} ({'seen' if e == 'A' else 'unseen'})": {c: v[0] for c, v in d.items()}
             for e, d in ci.items()},
            errors={f"{e} ({'seen' if e == 'A' else 'unseen'})":
                    {c: (0.0 if np.isnan(v[1]) else v[1]) for c, v in d.items()}
                    for e, d in ci.items()},
            ylabel=m, title=m))
    report.plot("measures", panels, suptitle="learned, frozen, tested")
    if not shown:
        return
    report.plot("weights", [functools.partial(
        _weights_panel, h, title=f"{c}, seed 0") for c, h in shown.items()],
        suptitle="E->E amplitudes before and after learning")
    report.plot("rates", [functools.partial(
        plots.weight_histogram, h.rates[-1], before=h.rates[0], xlabel="rate (Hz)",
        title=f"{c}: first vs last interval") for c, h in shown.items()],
        suptitle="neuron rates before and after learning")
    with_theta = {c: h for c, h in shown.items() if h.thresholds is not None}
    if with_theta:
        report.plot("thresholds", [functools.partial(
            plots.weight_histogram, h.thresholds[-1] * 1e3, xlabel="threshold offset (mV)",
            title=c) for c, h in with_theta.items()],
            suptitle="thresholds learned by intrinsic plasticity")


def _weights_panel(history, *, ax=None, title=None):
    """Each recorded E->E amplitude after learning against its value before."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    before, after = history.initial_weights * 1e9, history.weights[-1] * 1e9
    ax.plot(before, after, ".", ms=2, alpha=0.5)
    top = max(before.max(initial=0), after.max(initial=0))
    ax.plot([0, top], [0, top], "k-", lw=0.5)
    ax.set(xlabel="A before (nA)", ylabel="A after (nA)", title=title)
    return ax
