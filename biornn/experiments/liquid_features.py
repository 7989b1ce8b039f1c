"""What the liquid's biophysical features do to computation, with the plain liquid as control.

For ``study.n_seeds`` liquids (each its own connectivity and task draw), the
plain Maass et al. (2002) column and the same column with gap junctions, NMDA
dendrites or GABA_B on their own, and all three together (parameters of
``models/lsm_features.toml``; STDP is left out: it belongs to the plasticity
study, and frozen it changes nothing) receive the same trials of a
delayed-recall task (:func:`biornn.spiking.measures.delayed_recall_inputs`): a
jittered copy of one of ``n_templates`` Poisson templates, then unrelated
Poisson spikes up to ``max_delay``.  From one simulation per liquid and
condition it measures

- firing rates of E and I cells over the trial (:func:`~biornn.spiking.measures.firing_rates`);
- synchrony: chance-corrected synchrony of the I pairs that gap junctions couple
  (the same pairs in every condition, :func:`~biornn.spiking.measures.pair_synchrony`)
  and population synchrony chi of all cells
  (:func:`~biornn.spiking.measures.population_synchrony`);
- separation at the template's end: mean state distance between trials of
  different templates, and within a template (its noise baseline)
  (:func:`biornn.metrics.class_separation`);
- template classification accuracy at the template's end (chance ``1/n_templates``);
- fading memory: the recall accuracy ``d`` after the template (0 to ``max_delay``,
  :func:`~biornn.spiking.measures.recall_curve`) and its area above chance, the
  memory time in seconds (:func:`biornn.metrics.memory_time`).

Each is reported as mean +- 95% CI over seeds (:func:`biornn.metrics.confidence_interval`),
with the paired difference of each feature from the plain liquid.  Gap junctions
are also swept over their conductance ``gap_curve.g`` (0 = the plain liquid),
from below to beyond the physiological range of coupling coefficients.
"""

from __future__ import annotations

import functools
import time
import warnings

import numpy as np

from .. import metrics, plots
from .._rng import spawn
from ..readout import GridEdgeWarning
from ..schema import Field, ModelParams
from .common import READOUT_SCHEMA
from .registry import experiment

#: condition -> features switched on (``models/lsm_features.toml`` parameters)
CONDITIONS = {"plain": {}, "gap_junctions": {"gap_junctions": True},
              "dendrites": {"dendrites": True}, "gabab": {"gabab": True},
              "all": {"gap_junctions": True, "dendrites": True, "gabab": True}}

#: measure -> (unit or None, axis label)
MEASURES = {
    "rate_E": ("Hz", "E rate (Hz)"), "rate_I": ("Hz", "I rate (Hz)"),
    "pair_synchrony": (None, "synchrony of coupled I pairs (2 ms)"),
    "population_synchrony": (None, "population synchrony chi"),
    "separation": (None, "state distance, different templates"),
    "separation_within": (None, "state distance, same template"),
    "accuracy": (None, "template accuracy at its end"),
    "memory_time": ("s", "memory time (s)"),
}

LSM_PARAMS = ModelParams("biornn.spiking.lsm:LiquidStateMachine",
                         fixed=("n_inputs", "seed", "extensions", "features"),
                         help="liquid parameters (features come from [study])")

SCHEMA = {
    "study": {
        "n_seeds": Field("int", 3, help="liquids (connectivity and task seeds)", low=2),
        "conditions": Field("list[str]", list(CONDITIONS), choices=tuple(CONDITIONS),
                            help="feature sets compared; 'plain' is the control"),
        "variant": Field("str", "maass", choices=("maass", "deep_reset"),
                         help="the paper's cell, or lsm_features.toml's deep_reset variant"),
    },
    "task": {
        "n_templates": Field("int", 4, low=2),
        "n_channels": Field("int", 4, low=1),
        "template_duration": Field("quantity", "100 ms", positive=True),
        "rate": Field("quantity", "20 Hz", help="Poisson rate of the template channels", positive=True),
        "jitter": Field("quantity", "20 ms", help="SD of the Gaussian spike jitter", low=0),
        "distractor_rate": Field("quantity", "20 Hz", low=0,
                                 help="Poisson rate of the spikes after the template"),
        "max_delay": Field("quantity", "250 ms", positive=True,
                           help="longest delay after the template's end"),
        "delay_step": Field("quantity", "50 ms", positive=True),
        "n_train": Field("int", 20, low=2),
        "n_test": Field("int", 12, low=1),
    },
    "gap_curve": {
        "g": Field("list[quantity]", ["0 uS", "0.05 uS", "0.2 uS"], low=0,
                   help="gap-junction conductances swept (empty: no curve)"),
    },
    "measures": {
        "synchrony_window": Field("quantity", "2 ms", positive=True),
        "bin_width": Field("quantity", "5 ms", positive=True, help="bins of chi"),
    },
    "lsm": LSM_PARAMS,
    "readout": READOUT_SCHEMA,
}


def _check(spec):
    t = spec["task"]
    if t["delay_step"] > t["max_delay"]:
        raise ValueError(f"task.delay_step ({t['delay_step']} s) must not exceed "
                         f"task.max_delay ({t['max_delay']} s)")
    if len(spec["lsm"].get("shape", (15, 3, 3))) != 3:
        raise ValueError(f"lsm.shape must have 3 entries, got {spec['lsm']['shape']}")
    if not spec["study"]["conditions"]:
        raise ValueError("study.conditions is empty: name at least one condition")


def _ci(values):
    """Mean, 95% half-width and count of the finite ``values`` (NaN, NaN, 0 if none)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if not x.size:
        return float("nan"), float("nan"), 0
    return (*metrics.confidence_interval(x), int(x.size))


class _Study:
    """One seed's liquid, task and measurements."""

    def __init__(self, spec, seed):
        from ..spiking.measures import delayed_recall_inputs

        t = spec["task"]
        g_liquid, g_task, g_trials = spawn(seed, 3)
        self.spec, self.liquid_seed = spec, int(g_liquid.integers(2**31))
        self.trial_seed = int(g_trials.integers(2**31))
        self.inputs, self.labels = delayed_recall_inputs(
            t["n_templates"], t["n_channels"], t["template_duration"], t["max_delay"],
            rate=t["rate"], jitter=t["jitter"], distractor_rate=t["distractor_rate"],
            n_trials=t["n_train"] + t["n_test"], seed=g_task)
        self.delays = np.arange(0.0, t["max_delay"] + t["delay_step"] / 2, t["delay_step"])
        self.edge_fits = 0

    def liquid(self, features):
        table = dict(self.spec["lsm"])
        if self.spec["study"]["variant"] != "maass":
            from ..spiking.features import liquid_variant
            table["neuron"] = {**table.get("neuron", {}),
                               **liquid_variant(self.spec["study"]["variant"])["neuron"]}
        return LSM_PARAMS.build(table, n_inputs=self.spec["task"]["n_channels"],
                                seed=self.liquid_seed, features=features or None)

    def measure(self, features):
        """Every measure of the liquid with ``features``, and its simulation seconds."""
        from ..spiking import measures as M
        from ..spiking.features import liquid_features

        t, m, r = self.spec["task"], self.spec["measures"], self.spec["readout"]
        lsm = self.liquid(features)
        start = time.perf_counter()
        spikes = lsm.run(self.inputs, output="spikes", seed=self.trial_seed, progress=False)
        seconds = time.perf_counter() - start
        window = (0.0, self.inputs.duration)
        rate_E, rate_I = M.firing_rates(spikes, lsm.inhibitory, window)
        pairs = liquid_features(["gap_junctions"])[0].pairs(lsm)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", GridEdgeWarning)
            acc, X = M.recall_curve(spikes, self.labels, lsm.n_neurons, t["template_duration"],
                                    self.delays, t["n_train"], tau_filter=lsm.tau_filter,
                                    alpha=r["alpha"], n_folds=r["n_folds"])
        self.edge_fits += sum(issubclass(w.category, GridEdgeWarning) for w in caught)
        between, within = metrics.class_separation(X[:, 0], self.labels)
        out = {"rate_E": rate_E.mean(), "rate_I": rate_I.mean(),
               "pair_synchrony": M.pair_synchrony(spikes, pairs, self.inputs.duration,
                                                  m["synchrony_window"]),
               "lockstep": M.partner_coincidence(spikes, pairs),
               "population_synchrony": np.nanmean(M.population_synchrony(
                   spikes, np.arange(lsm.n_neurons), window, m["bin_width"])),
               "separation": between, "separation_within": within, "accuracy": acc[0],
               "memory_time": metrics.memory_time(acc, self.delays, 1 / t["n_templates"])}
        self.pairs, self.neuron = pairs, lsm.neuron
        return out, acc, seconds


@experiment("liquid_features_study", schema=SCHEMA, check=_check, requires=("brian2",),
            figures=("rates", "synchrony", "separation", "accuracy", "memory",
                     "gap_junction_curve"))
def liquid_features_study(spec, seed, report):
    """Gap junctions, dendrites and GABA_B in the liquid: rates, synchrony, separation,
    fading memory and accuracy against the plain liquid, mean +- 95% CI over seeds."""
    from ..spiking.features import liquid_features

    conds, g_list = spec["study"]["conditions"], spec["gap_curve"]["g"]
    default_g = liquid_features(["gap_junctions"])[0].g
    runs = [(c, CONDITIONS[c]) for c in conds]
    runs += [(("g", g), {} if g == 0 else CONDITIONS["gap_junctions"]
              if abs(g - default_g) <= 1e-6 * default_g else {"gap_junctions": {"g": g}})
             for g in g_list]
    values, curves, cost, pairs = {}, {}, {}, []
    seeds = [int(g.integers(2**31)) for g in spawn(seed, spec["study"]["n_seeds"])]
    edge = n_fits = 0
    for s in report.progress(seeds, desc="liquids"):
        study, done = _Study(spec, s), {}
        for key, features in runs:
            name = repr(sorted(features.items()))
            if name not in done:   # g = 0 is the plain liquid, the default g its feature
                done[name] = study.measure(features)
            out, acc, secs = done[name]
            for k, v in out.items():
                values.setdefault(key, {}).setdefault(k, []).append(float(v))
            curves.setdefault(key, []).append(acc)
            cost[key] = cost.get(key, 0.0) + secs
        pairs.append(study.pairs)
        edge, n_fits = edge + study.edge_fits, n_fits + len(done) * len(study.delays)
    _report(spec, report, values, curves, cost, study.delays,
            {"pairs": pairs, "neuron": study.neuron, "default_g": default_g}, (edge, n_fits))


def _report(spec, report, values, curves, cost, delays, liquid, fits):
    conds, g_list = spec["study"]["conditions"], spec["gap_curve"]["g"]
    n_seeds = spec["study"]["n_seeds"]
    rows, diffs, summary = [], [], {}
    for c in conds:
        row = {"condition": c, "n_seeds": n_seeds}
        for k in list(MEASURES) + ["lockstep"]:
            mean, half, _ = _ci(values[c][k])
            row[k], row[f"{k}_ci95"] = mean, half
            summary[(c, k)] = (mean, half)
            if k in MEASURES:
                report.metric(f"{k}_{c}", mean, MEASURES[k][0])
                report.metric(f"{k}_{c}_ci95", half, MEASURES[k][0])
        report.timing(f"simulation_seconds_{c}", cost[c])
        rows.append(row)
        if c != "plain" and "plain" in conds:
            for k in MEASURES:
                d = np.asarray(values[c][k]) - np.asarray(values["plain"][k])
                mean, half, n = _ci(d)
                diffs.append({"condition": c, "measure": k, "difference": mean,
                              "ci95": half, "n_seeds": n})
                report.metric(f"{k}_{c}_minus_plain", mean, MEASURES[k][0])
    report.table("study", rows)
    if diffs:
        report.table("difference_from_plain", diffs)
    recall = []
    for c in conds:
        acc = np.asarray(curves[c])
        for j, d in enumerate(delays):
            mean, half, _ = _ci(acc[:, j])
            recall.append({"condition": c, "delay_s": float(d), "accuracy": mean, "ci95": half})
    report.table("recall_curve", recall)
    _notes(report, spec, diffs, liquid, fits)
    _figures(report, spec, summary, conds, recall, delays)
    if g_list:
        _gap_curve(report, spec, values, g_list, liquid)


def _notes(report, spec, diffs, liquid, fits):
    t = spec["task"]
    report.note(f"{spec['study']['n_seeds']} liquids (seeds), each with its own templates; "
                f"{t['n_train']} training and {t['n_test']} test trials; chance accuracy "
                f"{1 / t['n_templates']:.3f}. Rates and synchrony over the whole trial "
                f"({(t['template_duration'] + t['max_delay']) * 1e3:g} ms); separation and "
                "accuracy at the template's end. STDP is not in this study (see the "
                "plasticity study); frozen it would leave the liquid unchanged.")
    report.note(f"Pair synchrony is measured on the I-I pairs the gap-junction feature "
                f"couples (the same pairs with the feature off): "
                f"{np.mean([len(p) for p in liquid['pairs']]):.1f} pairs per liquid on average.")
    gab = [d for d in diffs if d["condition"] == "gabab" and d["measure"] == "memory_time"]
    if gab and np.isfinite(gab[0]["ci95"]):
        d, h = gab[0]["difference"], gab[0]["ci95"]
        verdict = ("lengthens" if d - h > 0 else "shortens" if d + h < 0
                   else "does not change, within the 95% CI,")
        report.note(f"GABA_B {verdict} the liquid's memory: memory time with minus without "
                    f"GABA_B = {d * 1e3:+.1f} +- {h * 1e3:.1f} ms (paired over seeds).")
    if fits[0]:
        report.note(f"The cross-validated ridge alpha sat on the edge of readout.alpha in "
                    f"{fits[0]} of {fits[1]} readout fits.")


def _bars(summary, conds, keys, ylabel, *, chance=None, title=None, ax=None):
    """Bars of ``summary[(condition, key)]`` with 95% CI error bars (NaN drawn as 0)."""
    vals = {c: {k: summary[(c, k)][0] for k in keys} for c in conds}
    errs = {c: {k: np.nan_to_num(summary[(c, k)][1]) for k in keys} for c in conds}
    if len(keys) == 1:
        vals = {c: v[keys[0]] for c, v in vals.items()}
        errs = {c: v[keys[0]] for c, v in errs.items()}
    ax = plots.comparison_bars(vals, errors=errs, ylabel=ylabel, title=title, ax=ax)
    ax.tick_params(axis="x", labelrotation=20)
    if chance is not None:
        ax.axhline(chance, color="0.4", ls=":", lw=1, label="chance")
        ax.legend(fontsize="small")
    return ax


def _figures(report, spec, summary, conds, recall, delays):
    n = spec["study"]["n_seeds"]
    ci = f"mean +- 95% CI over {n} liquids"
    chance = 1 / spec["task"]["n_templates"]
    report.plot("rates", _bars, summary, conds, ["rate_E", "rate_I"], "rate (Hz)",
                title=f"firing rates ({ci})")
    report.plot("synchrony", [
        functools.partial(_bars, summary, conds, ["pair_synchrony"],
                          MEASURES["pair_synchrony"][1], title=ci),
        functools.partial(_bars, summary, conds, ["population_synchrony"],
                          MEASURES["population_synchrony"][1], title=ci)])
    report.plot("separation", _bars, summary, conds, ["separation", "separation_within"],
                "state distance at the template's end", title=f"separation ({ci})")
    report.plot("accuracy", _bars, summary, conds, ["accuracy"], MEASURES["accuracy"][1],
                chance=chance, title=ci)
    ys = {c: [r["accuracy"] for r in recall if r["condition"] == c] for c in conds}
    es = {c: np.nan_to_num([r["ci95"] for r in recall if r["condition"] == c]) for c in conds}
    report.plot("memory", [
        functools.partial(_recall_panel, delays * 1e3, ys, es, chance, ci),
        functools.partial(_bars, summary, conds, ["memory_time"], MEASURES["memory_time"][1],
                          title="area above chance of the recall curve")])


def _recall_panel(delays_ms, ys, es, chance, title, *, ax=None):
    ax = plots.curves(delays_ms, ys, errors=es, xlabel="delay after the template (ms)",
                      ylabel="recall accuracy (test)", title=title, ax=ax)
    ax.axhline(chance, color="0.4", ls=":", lw=1)
    ax.set_ylim(-0.02, 1.02)
    return ax


def _gap_curve(report, spec, values, g_list, liquid):
    from ..spiking.features import liquid_features
    from ..spiking.measures import coupling_coefficients

    spikelet_area = liquid_features(["gap_junctions"])[0].spikelet_area
    R_m = liquid["neuron"]["R_m"]
    C = liquid["neuron"]["tau_m"] / R_m
    rows = []
    for g in g_list:
        v = values[("g", g)]
        cc = [coupling_coefficients(p, g, R_m).ravel() for p in liquid["pairs"]]
        cc = np.concatenate(cc) if cc else np.zeros(0)
        row = {"g_uS": g * 1e6, "coupling_isolated_pair": g * R_m / (1 + g * R_m),
               "coupling_liquid_mean": float(cc.mean()) if cc.size else float("nan"),
               "spikelet_mV": g * spikelet_area / C * 1e3}
        for k in ("pair_synchrony", "lockstep", "accuracy", "memory_time", "rate_I"):
            row[k], row[f"{k}_ci95"], _ = _ci(v[k])
        rows.append(row)
        report.metric(f"pair_synchrony_g{g * 1e9:g}nS", row["pair_synchrony"])
        report.metric(f"accuracy_g{g * 1e9:g}nS", row["accuracy"])
    report.table("gap_junction_curve", rows)
    g_nS = np.array([r["g_uS"] for r in rows]) * 1e3
    panels = [functools.partial(_g_panel, g_nS, rows, k, label, liquid["default_g"] * 1e9, R_m)
              for k, label in (("pair_synchrony", "synchrony of coupled I pairs"),
                               ("lockstep", "I spikes with a partner <= 0.15 ms"),
                               ("accuracy", "template accuracy at its end"),
                               ("memory_time", "memory time (s)"))]
    report.plot("gap_junction_curve", panels,
                suptitle=f"gap junctions over conductance (mean +- 95% CI over "
                         f"{spec['study']['n_seeds']} liquids); shaded: isolated-pair "
                         "coupling coefficient <= 0.1 (Galarreta & Hestrin 1999; Gibson "
                         "et al. 1999); dashed: the liquid's default")


def _g_panel(g_nS, rows, key, label, default_nS, R_m, *, ax=None):
    y = np.array([r[key] for r in rows])
    e = np.nan_to_num([r[f"{key}_ci95"] for r in rows])
    if ax is None:
        import matplotlib.pyplot as plt
        ax = plt.gca()
    ax.errorbar(g_nS, y, yerr=e, marker="o", ms=3, capsize=3)
    ax.axvspan(0, 0.1 / 0.9 / R_m * 1e9, color="C2", alpha=0.12, lw=0)
    ax.axvline(default_nS, color="0.4", ls="--", lw=1)
    if np.max(g_nS) > 0:
        lin = max(np.min(g_nS[g_nS > 0]), 1.0)
        ax.set_xscale("symlog", linthresh=lin)
        ax.set_xlim(-0.2 * lin, 1.3 * np.max(g_nS))
    ax.set_xlabel("gap-junction conductance g (nS)")
    ax.set_ylabel(label)
    return ax
