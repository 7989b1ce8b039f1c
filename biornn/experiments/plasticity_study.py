"""Does unsupervised learning in the liquid help its computation?  Learn, freeze, test.

For each seed, one liquid (one draw of connectivity) is copied into four conditions:

- ``static``: the liquid as drawn, no learning;
- ``stdp``: E->E STDP during learning;
- ``stdp_homeostasis``: STDP with synaptic scaling and intrinsic plasticity of the
  threshold (SORN-like: Lazar, Pipa & Triesch 2009 combine STDP, intrinsic
  plasticity and synaptic normalisation);
- ``homeostasis``: synaptic scaling and intrinsic plasticity without STDP.

Ensemble A is six symbols (spike templates, ``segment`` long each).  Each learning
condition plays a stream of ``n_presentations`` words of A, ``a b^n c`` or
``d e^n f`` in random order (Lazar, Pipa & Triesch 2009's counting input;
:mod:`.plasticity_counting`), in one run (:meth:`LiquidStateMachine.learn`, on
``learning.target``); the weights and thresholds are then frozen, and every
condition is tested (on ``test.target``) on

1. held-out two-segment trials of A's symbols in random pairs, and of an unseen
   ensemble B (six new templates).  The readout (ridge classifier on the filtered
   states sampled through the second segment, trained on half the trials of an
   ensemble, scored on the other half) reports

   - ``accuracy``: the symbol of the current (second) segment;
   - ``memory``: the symbol of the *previous* segment (delayed recall);
   - ``separation``: mean state distance between trials whose current symbols
     differ minus that between trials of the same symbol (Maass et al. 2002's
     separation property, corrected for noise), in units of the filtered state;

   chance is 1/6;
2. held-out pieces of A's word stream: ``prediction`` of the next symbol and
   ``counting`` of the repeats (:func:`.plasticity_counting.counting_scores`).

Results are mean +- 95% CI over seeds (:func:`biornn.metrics.confidence_interval`),
plus the paired difference of each condition from ``static`` (same liquid, same
trials).  How fast the weights still move at the end of learning is reported as the
mean ``|dA|`` per presentation (:func:`weight_change_per_presentation`) over the
first and last tenth of the learning run.
"""

from __future__ import annotations

import functools

import numpy as np

from .. import plots
from ..metrics import confidence_interval
from ..schema import Field
from .plasticity_counting import ALPHAS, SYMBOLS, counting_scores, counting_trials
from .registry import experiment

CONDITIONS = {"static": (), "stdp": ("stdp",),
              "stdp_homeostasis": ("stdp", "synaptic_scaling", "intrinsic_plasticity"),
              "homeostasis": ("synaptic_scaling", "intrinsic_plasticity")}
MEASURES = ("accuracy", "memory", "separation")
COUNTING = ("prediction", "prediction_baseline", "counting")


def _check(spec):
    if len(spec["liquid"]["shape"]) != 3:
        raise ValueError(f"liquid.shape must have 3 entries, got {spec['liquid']['shape']}")
    if spec["test"]["n_trials"] < 2 * len(SYMBOLS):
        raise ValueError(f"test.n_trials must be at least {2 * len(SYMBOLS)} (two per "
                         f"symbol: half of the trials train the readout, half test it)")
    cnt = spec["counting"]
    if cnt["n_symbols"] < 2 * (cnt["n_repeats"] + 2):
        raise ValueError("counting.n_symbols must be at least 2 * (counting.n_repeats + 2): "
                         "the first word is a warm-up")


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
        clf = RidgeClassifier(alpha=ALPHAS, n_folds=3)
        clf.fit(features[:half], labels[:half])
        out[name] = clf.score(features[half:], labels[half:])
    a, b = np.triu_indices(len(X), k=1)
    dist = np.linalg.norm(X[a][:, idx] - X[b][:, idx], axis=-1).mean(axis=1)
    same = current[a] == current[b]
    out["separation"] = dist[~same].mean() - dist[same].mean()
    return out


@experiment("plasticity_study", check=_check,
            figures=("measures", "counting", "weights", "weight_change", "rates",
                     "thresholds"),
            requires=("biornn.spiking.learning",), schema={
    "liquid": {
        "model": Field("str", "maass2002_lsm", help="model preset of the liquid"),
        "shape": Field("list[int]", [15, 3, 3], low=1),
        "dt": Field("quantity", "0.2 ms", positive=True, help="simulation time step"),
        "method": Field("str", "exact", choices=("exact", "euler")),
    },
    "stimuli": {
        "n_channels": Field("int", 4, low=1),
        "segment": Field("quantity", "50 ms", positive=True,
                         help="length of one symbol (a segment of the template trials)"),
        "rate": Field("quantity", "40 Hz", positive=True),
        "jitter": Field("quantity", "8 ms", low=0.0, help="SD of the spike jitter"),
    },
    "counting": {
        "n_repeats": Field("int", 3, low=2, help="n in the words a b^n c and d e^n f"),
        "n_symbols": Field("int", 20, low=8, help="symbols per test trial (the first "
                                                  "n_repeats + 2 are a warm-up)"),
        "n_trials": Field("int", 24, low=4, help="test trials (half train the readout)"),
    },
    "learning": {
        "conditions": Field("list[str]", list(CONDITIONS), choices=tuple(CONDITIONS)),
        "n_presentations": Field("int", 8, low=1,
                                 help="words of ensemble A in the learning stream"),
        "target": Field("str", "numpy", choices=("numpy", "cython", "cpp_standalone"),
                        help="Brian2 target of the learning run (one long run each)"),
        "stdp_rule": Field("str", "additive",
                           choices=("additive", "multiplicative", "triplet")),
        "r_target": Field("quantity", "10 Hz", positive=True,
                          help="target rate of synaptic scaling and intrinsic plasticity"),
        "tau_scaling": Field("quantity", "2 s", positive=True),
        "eta_ip": Field("quantity", "0.1 mV", positive=True,
                        help="threshold step per spike of intrinsic plasticity"),
    },
    "test": {
        "n_trials": Field("int", 24, low=4, help="two-segment test trials per ensemble "
                                                  "(half train the readout)"),
        "n_seeds": Field("int", 2, low=1, help="liquids (and template ensembles)"),
        "target": Field("str", "numpy", choices=("numpy", "cython", "cpp_standalone"),
                        help="Brian2 target of the (batched) test runs"),
    },
})
def plasticity_study(spec, seed, report):
    """Static vs STDP vs STDP + homeostasis vs homeostasis: learn on a word stream,
    freeze, test on a seen and an unseen symbol ensemble (accuracy, delayed recall,
    separation) and on the word stream (counting, next-symbol prediction)."""
    from ..spiking import LSM

    liq, stim, cnt, lrn, tst = (spec["liquid"], spec["stimuli"], spec["counting"],
                                spec["learning"], spec["test"])
    stim = {**stim, "n_templates": len(SYMBOLS)}
    conditions = list(dict.fromkeys(lrn["conditions"]))
    results = {(c, e, m): [] for c in conditions for e in "AB" for m in MEASURES}
    counting = {(c, m): [] for c in conditions for m in COUNTING}
    shown, drift, drift_x = {}, {c: [] for c in conditions}, None
    changes = {c: {"weight": [], "rate": []} for c in conditions}
    word = (cnt["n_repeats"] + 2) * stim["segment"]
    for s in report.progress(range(tst["n_seeds"]), desc="seeds"):
        base = seed * 1000 + 10 * s
        stream, count_test = _word_ensemble(stim, cnt, base, lrn["n_presentations"])
        _, test_a = _ensemble(stim, base, 0, tst["n_trials"])      # the words' symbols
        _, test_b = _ensemble(stim, base + 5, 0, tst["n_trials"])  # six new templates
        tests = list(test_a[0]) + list(test_b[0])
        for cond in conditions:
            features = {"stdp": {"rule": lrn["stdp_rule"]},
                        "synaptic_scaling": {"r_target": lrn["r_target"],
                                             "tau_scaling": lrn["tau_scaling"]},
                        "intrinsic_plasticity": {"r_target": lrn["r_target"],
                                                 "eta": lrn["eta_ip"]}}
            lsm = LSM.from_model(liq["model"], seed=base, shape=tuple(liq["shape"]),
                                 n_inputs=stim["n_channels"], dt=liq["dt"],
                                 method=liq["method"], target=lrn["target"],
                                 features={f: features[f] for f in CONDITIONS[cond]} or None)
            history = None
            if CONDITIONS[cond]:
                history = lsm.learn(stream, duration=lrn["n_presentations"] * word,
                                    progress=False, record_weights_every=word,
                                    seed=base + 2)
                before, after = history.initial_weights, history.weights[-1]
                changes[cond]["weight"].append(np.abs(after - before).mean() / before.mean())
                changes[cond]["rate"].append(history.rates[-1].mean() - history.rates[0].mean())
                drift[cond].append(weight_change_per_presentation(history, word))
                drift_x = history.times / word
            lsm.target = tst["target"]
            X = lsm.run(tests, duration=2 * stim["segment"], progress=False,
                        seed=[base + 3 + k for k in range(len(tests))])
            n = tst["n_trials"]
            for e, sl, (_, prev, cur) in (("A", slice(0, n), test_a),
                                          ("B", slice(n, 2 * n), test_b)):
                for m, v in score(X[sl], prev, cur).items():
                    results[(cond, e, m)].append(v)
            trials, labels = count_test
            X = lsm.run(trials, duration=trials.duration, progress=False,
                        seed=[base + 4 + k for k in range(len(trials))])
            for m, v in counting_scores(X, labels, stim["segment"], lsm.sample_interval,
                                        cnt["n_repeats"]).items():
                counting[(cond, m)].append(v)
            if s == 0 and history is not None:
                shown[cond] = history
    _summarise(report, conditions, results, len(SYMBOLS), tst["n_seeds"])
    _summarise_counting(report, conditions, counting, cnt["n_repeats"])
    for cond, ch in changes.items():
        if ch["weight"]:
            report.metric(f"{cond}_mean_relative_weight_change", np.mean(ch["weight"]))
            report.metric(f"{cond}_rate_change_last_minus_first", np.mean(ch["rate"]),
                          unit="Hz")
    drift = {c: np.array(d) for c, d in drift.items() if d}
    _drift_table(report, drift)
    _figures(report, conditions, results, counting, shown, drift, drift_x)


def _word_ensemble(stim, cnt, seed, n_words):
    """The learning stream (``n_words`` words, one trial) and the counting test."""
    learn, trials, labels = counting_trials(cnt["n_trials"], stim, cnt["n_symbols"],
                                            cnt["n_repeats"], seed,
                                            n_learn=n_words * (cnt["n_repeats"] + 2))
    return learn, (trials, labels)


def weight_change_per_presentation(history, presentation):
    """Mean ``|A(t) - A(t - T)|`` over the recorded E->E weights, relative to their
    mean before learning, per presentation ``T``, for each interval of the history."""
    W = np.vstack([history.initial_weights[None], history.weights]).astype(float)
    steps = np.abs(np.diff(W, axis=0)).mean(axis=1) / history.initial_weights.mean()
    spans = np.diff(np.concatenate([[0.0], history.times])) / presentation
    return steps / spans


def _fill(report, row, m, name, values, static=None, diff=True):
    """``row[m]``: ``mean ± 95% CI`` of ``values``; ``row[m + " - static"]``: the paired
    difference from ``static`` (blank without it); both recorded as metrics ``name*``."""
    mean, half = confidence_interval(values)
    report.metric(name, mean)
    report.metric(f"{name}_ci95", half)
    row[m] = f"{mean:.3f} ± {half:.3f}"
    if diff:
        row[f"{m} - static"] = ""
    if static is not None:
        dmean, dhalf = confidence_interval(np.asarray(values) - np.asarray(static))
        report.metric(f"{name}_minus_static", dmean)
        report.metric(f"{name}_minus_static_ci95", dhalf)
        if diff:
            row[f"{m} - static"] = f"{dmean:+.3f} ± {dhalf:.3f}"


def _summarise(report, conditions, results, n_templates, n_seeds):
    rows = []
    for cond in conditions:
        for e in "AB":
            row = {"condition": cond, "ensemble": "seen (A)" if e == "A" else "unseen (B)"}
            paired = cond != "static" and "static" in conditions
            for m in MEASURES:
                _fill(report, row, m, f"{cond}_{e}_{m}", results[(cond, e, m)],
                      results[("static", e, m)] if paired else None)
            rows.append(row)
    report.table("plasticity_study", rows)
    report.metric("chance_accuracy", 1.0 / n_templates)
    report.note(f"mean ± 95% CI over {n_seeds} seeds (Student t; no spread for one seed); "
                f"'- static' is the paired difference on the same liquid and trials; "
                f"chance accuracy is {1.0 / n_templates:.3f}. Separation is in units of "
                f"the filtered state (spikes).")


def _summarise_counting(report, conditions, counting, n_repeats):
    rows = []
    for cond in conditions:
        row = {"condition": cond}
        paired = cond != "static" and "static" in conditions
        for m in COUNTING:
            _fill(report, row, m, f"{cond}_{m}", counting[(cond, m)],
                  counting[("static", m)] if paired else None,
                  diff=m != "prediction_baseline")
        rows.append(row)
    report.table("counting", rows)
    report.metric("chance_counting", 1.0 / n_repeats)
    report.note(f"counting task (Lazar, Pipa & Triesch 2009; words a b^{n_repeats} c and "
                f"d e^{n_repeats} f): 'prediction' is the next symbol where it is "
                f"determined, 'prediction_baseline' what the current symbol alone gives "
                f"({n_repeats}/{n_repeats + 1} in expectation), 'counting' which repeat of "
                f"b or e the symbol is (chance {1 / n_repeats:.3f}).")


def _drift_table(report, drift):
    """Weight change per presentation early and late in learning (mean over seeds)."""
    rows = []
    for cond, d in drift.items():
        k = max(1, d.shape[1] // 10)
        first, last = d[:, :k].mean(axis=1), d[:, -k:].mean(axis=1)
        row = {"condition": cond, "presentations averaged": k}
        for name, v in (("first", first), ("last", last)):
            mean, half = confidence_interval(v)
            row[f"weight change per presentation, {name}"] = f"{mean:.4f} ± {half:.4f}"
            report.metric(f"{cond}_weight_change_per_presentation_{name}", mean)
        rows.append(row)
    if rows:
        report.table("weight_change", rows)


def _figures(report, conditions, results, counting, shown, drift, drift_x):
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
    ci = {m: {c: confidence_interval(counting[(c, m)]) for c in conditions} for m in COUNTING}
    report.plot("counting", plots.comparison_bars,
                {m: {c: v[0] for c, v in d.items()} for m, d in ci.items()},
                errors={m: {c: (0.0 if np.isnan(v[1]) else v[1]) for c, v in d.items()}
                        for m, d in ci.items()},
                ylabel="accuracy", title="word stream (Lazar et al. 2009)")
    if drift:
        report.plot("weight_change", plots.curves, drift_x,
                    {c: d.mean(axis=0) for c, d in drift.items()},
                    xlabel="presentations (words) learned",
                    ylabel="mean |dA| per presentation / mean A0",
                    title="how fast the weights still move", logy=True, marker="")
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
