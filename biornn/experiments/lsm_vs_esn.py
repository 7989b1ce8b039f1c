"""Liquid state machine against echo state network, same tasks, same readout, over seeds.

Two tasks at matched sizes (the LSM's neuron count equals the ESN's units):

(a) spike-template classification (Maass, Natschläger & Markram 2002): jittered
    copies of Poisson spike-train templates.  The LSM receives the spikes; the ESN
    receives the same spike trains binned to its time step (counts per channel
    per bin).  The readout sees each model's state at the end of the trial.
(b) an analog task, NARMA-10 or memory capacity
    (:mod:`~biornn.experiments.lsm_vs_esn_analog`): the LSM gets the signal
    population-coded over several input channels (push-pull ramps,
    :func:`biornn.spiking.encoding.population_code`), as injected current or
    Poisson spikes, one task step per readout sample; the ESN one task step per
    update.  The liquid's task step (in liquid time) and input scale, and the ESN's
    input scaling, are chosen on validation segments, never on the test segments.

Every seed draws new data, a new liquid and a new ESN; tables give the mean and the
95% confidence interval over seeds (:func:`biornn.metrics.confidence_interval`).
The readout is the same ridge regression / ridge classifier with the same alpha grid
for both.  Costs are wall-clock seconds of the model alone (not the readout) per
trial or per task step, the median over seeds, on whatever machine runs the spec.
"""

from __future__ import annotations

import functools
import time

import numpy as np

from .. import metrics, plots, states, tasks
from .._rng import spawn
from ..readout import RidgeClassifier
from ..schema import Field, ModelParams
from .common import READOUT_SCHEMA, check_delay_washout
from .lsm_vs_esn_analog import analog_data, delay_line_baseline, run_analog
from .registry import experiment

LSM_PARAMS = ModelParams("biornn.spiking.lsm:LiquidStateMachine",
                         fixed=("shape", "n_inputs", "seed", "extensions"),
                         help="liquid parameters (sizes come from [sizes])")
ESN_MATCHED = ModelParams("biornn.rate.esn:EchoStateNetwork",
                          fixed=("n_units", "readout", "seed"),
                          help="ESN parameters (sizes come from [sizes])")

SCHEMA = {
    "sizes": {
        "n_neurons": Field("list[int]", [45, 90, 135],
                           help="matched sizes; the liquid is (n/9) x 3 x 3, so multiples of 9", low=1),
        "n_seeds": Field("int", 2, help="repeats with new data, liquid and ESN (95% CI over them)",
                         low=1),
    },
    "classification": {
        "enabled": Field("bool", True),
        "n_templates": Field("int", 2, low=2),
        "n_channels": Field("int", 4, low=1),
        "duration": Field("quantity", "200 ms", positive=True),
        "rate": Field("quantity", "20 Hz", help="Poisson rate of each template channel", positive=True),
        "jitter": Field("quantity", "4 ms", help="SD of the Gaussian spike jitter", low=0),
        "n_train": Field("int", 100, low=1),
        "n_test": Field("int", 60, low=1),
        "esn_bin": Field("quantity", "10 ms", help="bin width of the spike counts the ESN gets", positive=True),
    },
    "analog": {
        "enabled": Field("bool", True),
        "name": Field("str", "narma", choices=("narma", "memory_capacity")),
        "order": Field("int", 10, low=1),
        "max_delay": Field("int", 20, low=1),
        "n_segments": Field("int", 12, help="independent segments, each run from rest", low=3),
        "n_val_segments": Field("int", 2, help="segments before the test ones, for choosing "
                                "settings", low=1),
        "n_test_segments": Field("int", 3, low=1),
        "segment_steps": Field("int", 150, low=1),
        "washout": Field("int", 20, help="steps dropped at the start of every segment", low=0),
        "n_channels": Field("int", 8, help="input channels of the liquid's population code "
                            "(even with push_pull)", low=1),
        "push_pull": Field("bool", True, help="ON and OFF ramps in pairs"),
        "overlap": Field("float", 1.0, help="ramp width / offset spacing of the code", low=1.0),
        "steps": Field("list[quantity]", ["1 ms", "2 ms"], help="candidate task steps in liquid "
                       "time (one readout sample each), chosen on validation", positive=True),
        "mode": Field("str", "current", choices=("current", "poisson"),
                      help="LSM input: injected current or rate-coded Poisson spikes"),
        "input_scales": Field("list[quantity]", ["10 nA"], help="candidate mean input "
                              "current per unit code (mode=current), chosen on validation",
                              positive=True),
        "max_rates": Field("list[quantity]", ["200 Hz"], help="candidate rates at code 1 "
                           "(mode=poisson), chosen on validation", positive=True),
        "esn_input_scalings": Field("list[float]", [0.2, 0.5], help="candidate ESN input "
                                    "scalings, chosen on validation", positive=True),
    },
    "lsm": LSM_PARAMS,
    "esn": ESN_MATCHED,
    "readout": READOUT_SCHEMA,
}


def _timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def _classify(spec, n, data, seed_lsm, seed_esn):
    """Accuracy and model seconds per trial of both models on spike templates."""
    c = spec["classification"]
    n_train = c["n_train"]
    lsm = LSM_PARAMS.build(spec["lsm"], shape=(n // 9, 3, 3), n_inputs=c["n_channels"],
                           seed=seed_lsm)
    X_lsm, t_lsm = _timed(lsm.run, data.inputs, progress=False)
    edges = np.arange(0.0, c["duration"] + c["esn_bin"] / 2, c["esn_bin"])
    idx = np.concatenate([ch for ch, _ in data.inputs])
    times = np.concatenate([t for _, t in data.inputs])
    trial = np.repeat(np.arange(len(data.inputs)), [len(t) for _, t in data.inputs])
    U = states.binned_counts(idx, times, c["n_channels"], edges, trial_indices=trial,
                             n_trials=len(data.inputs))
    esn = ESN_MATCHED.build(spec["esn"], n_units=n, seed=seed_esn)
    X_esn, t_esn = _timed(esn.run, U)
    out = {}
    for model, X, secs in (("lsm", X_lsm, t_lsm), ("esn", X_esn, t_esn)):
        feats = states.last(X)
        clf = RidgeClassifier(alpha=spec["readout"]["alpha"]).fit(feats[:n_train],
                                                                   data.labels[:n_train])
        out[model] = {"value": metrics.accuracy(data.labels[n_train:],
                                                clf.predict(feats[n_train:])),
                      "seconds": secs / len(X)}
    return out, lsm


def _analog(spec, n, data, seed_lsm, seed_esn):
    from ..spiking.encoding import population_code
    a = spec["analog"]
    lo, hi = data[2]
    return run_analog(
        spec, n, data,
        build_lsm=lambda step: LSM_PARAMS.build({**spec["lsm"], "sample_interval": step},
                                                shape=(n // 9, 3, 3),
                                                n_inputs=a["n_channels"], seed=seed_lsm),
        build_esn=lambda s: ESN_MATCHED.build({**spec["esn"], "input_scaling": s},
                                              n_units=n, seed=seed_esn),
        encode=lambda U: population_code(U, a["n_channels"], low=lo, high=hi,
                                         overlap=a["overlap"], push_pull=a["push_pull"]))


def _check(spec):
    bad = [n for n in spec["sizes"]["n_neurons"] if n % 9 or n < 9]
    if bad:
        raise ValueError(f"sizes.n_neurons must be multiples of 9 (a (n/9) x 3 x 3 liquid), "
                         f"got {bad}")
    c, a = spec["classification"], spec["analog"]
    if not (c["enabled"] or a["enabled"]):
        raise ValueError("enable classification or analog (or both)")
    check_delay_washout(a, "analog")
    if a["n_test_segments"] + a["n_val_segments"] >= a["n_segments"]:
        raise ValueError(f"analog.n_test_segments ({a['n_test_segments']}) + "
                         f"analog.n_val_segments ({a['n_val_segments']}) must be below "
                         f"analog.n_segments ({a['n_segments']}): some segments must train")
    if a["washout"] >= a["segment_steps"]:
        raise ValueError(f"analog.washout ({a['washout']}) must be below "
                         f"analog.segment_steps ({a['segment_steps']})")
    if a["push_pull"] and a["n_channels"] % 2:
        raise ValueError(f"analog.n_channels ({a['n_channels']}) must be even with "
                         "analog.push_pull = true (ON and OFF channels in pairs)")
    if a["mode"] == "poisson" and max(a["max_rates"]) * min(a["steps"]) > 1:
        raise ValueError(f"analog.max_rates x analog.steps must be <= 1 (at most one spike "
                         f"per channel and step), got {max(a['max_rates'])} Hz x "
                         f"{min(a['steps'])} s")


def _summary(values):
    """Mean, 95% CI half-width (nan for one seed) and median of per-seed values."""
    mean, half = metrics.confidence_interval(values)
    return mean, half, float(np.median(values))


@experiment("lsm_vs_esn", schema=SCHEMA, figures=("comparison", "raster", "traces"),
            check=_check)
def lsm_vs_esn(spec, seed, report):
    """Liquid state machine vs echo state network at matched sizes, same readout, over seeds."""
    sizes, n_seeds = spec["sizes"]["n_neurons"], spec["sizes"]["n_seeds"]
    c, a = spec["classification"], spec["analog"]
    per_seed, shown, baseline = [], {}, []
    for s, gen in enumerate(report.progress(spawn(seed, n_seeds), desc="seeds",
                                            total=n_seeds)):
        seed_cls, seed_ana, seed_lsm, seed_esn = (int(g.integers(2**31)) for g in spawn(gen, 4))
        cls_data = ana_data = None
        if c["enabled"]:
            cls_data = tasks.spike_templates(c["n_templates"], c["n_channels"],
                                             c["duration"], c["rate"], c["jitter"],
                                             c["n_train"] + c["n_test"], seed=seed_cls)
        if a["enabled"]:
            ana_data = analog_data(a, seed_ana)
            taps, value = delay_line_baseline(spec, ana_data)
            baseline.append(value)
        for n in sizes:
            res_c = res_a = None
            if c["enabled"]:
                res_c, lsm = _classify(spec, n, cls_data, seed_lsm, seed_esn)
                if s == 0 and n == sizes[-1]:
                    shown["raster"] = (lsm, cls_data)
            if a["enabled"]:
                res_a = _analog(spec, n, ana_data, seed_lsm, seed_esn)
                if s == 0 and n == sizes[-1]:
                    shown["traces"] = res_a
            for model in ("esn", "lsm"):
                row = {"seed": s, "model": model.upper(), "n_neurons": n}
                if res_c:
                    row["accuracy"] = res_c[model]["value"]
                    row["s_per_trial"] = res_c[model]["seconds"]
                if res_a:
                    row[_analog_key(a)] = res_a[model]["value"]
                    row["s_per_step"] = res_a[model]["seconds"]
                    _record_choice(report, model, n, s, res_a[model], a)
                per_seed.append(row)
    rows = _aggregate(report, per_seed, sizes)
    if baseline:
        mean, half, _ = _summary(baseline)
        key = _analog_key(a)
        report.metric(f"{key}_delay_line", mean)
        report.metric(f"{key}_delay_line_ci95", half)
        rows.append({"model": f"delay line ({taps} taps)", "n_seeds": len(baseline),
                     key: mean, f"{key}_ci95": half})
    report.table("comparison", rows)
    report.table("per_seed", per_seed)
    _notes(report, spec, n_seeds)
    _figures(report, rows, sizes, spec, shown)


def _analog_key(a):
    return "nrmse" if a["name"] == "narma" else "memory_capacity"


def _record_choice(report, model, n, s, res, a):
    if model == "lsm":
        step, level = res["setting"]
        report.choice(f"lsm_step_n{n}_seed{s}", step)
        report.choice(f"lsm_{'input_scale' if a['mode'] == 'current' else 'max_rate'}"
                      f"_n{n}_seed{s}", level)
    else:
        report.choice(f"esn_input_scaling_n{n}_seed{s}", res["setting"][0])


def _aggregate(report, per_seed, sizes):
    """One row per model and size: mean and 95% CI of the scores, median costs."""
    rows = []
    for n in sizes:
        for model in ("ESN", "LSM"):
            mine = [r for r in per_seed if r["model"] == model and r["n_neurons"] == n]
            row = {"model": model, "n_neurons": n, "n_seeds": len(mine)}
            for key in ("accuracy", "nrmse", "memory_capacity"):
                if key in mine[0]:
                    mean, half, _ = _summary([r[key] for r in mine])
                    row[key], row[f"{key}_ci95"] = mean, half
                    report.metric(f"{key}_{model.lower()}_n{n}", mean)
                    report.metric(f"{key}_{model.lower()}_n{n}_ci95", half)
            for key, name in (("s_per_trial", "classification_seconds_per_trial"),
                              ("s_per_step", "analog_seconds_per_step")):
                if key in mine[0]:
                    row[f"{key}_median"] = _summary([r[key] for r in mine])[2]
                    report.timing(f"{name}_{model.lower()}_n{n}", row[f"{key}_median"])
            rows.append(row)
    return rows


def _notes(report, spec, n_seeds):
    c, a = spec["classification"], spec["analog"]
    text = (f"Mean and 95% confidence interval (Student t) over {n_seeds} seed(s), each with "
            "new data, liquid and ESN; the same ridge readout on both models' states.")
    if c["enabled"]:
        text += f" Chance accuracy is {1 / c['n_templates']:.2f}."
    if a["enabled"]:
        text += (f" Analog task: one step is one ESN update and one readout sample of the "
                 f"liquid; the liquid gets the signal over {a['n_channels']} population-coded "
                 "channels; its task step and input scale and the ESN's input scaling are "
                 "chosen per seed and size on validation segments (see choices), never on "
                 "the test segments. Predicting the mean scores NRMSE = 1; the delay-line "
                 "row is the same readout on the last inputs themselves (perfect linear "
                 "memory, no reservoir).")
    report.note(text + " Costs are wall-clock seconds of the model run only, the median "
                "over seeds, on this machine.")


def _figures(report, rows, sizes, spec, shown):
    c, a = spec["classification"], spec["analog"]
    panels = []
    for key, label, ref in (
            ("accuracy", "template accuracy (test)",
             {"chance": 1 / c["n_templates"]}),
            ("nrmse", f"NARMA-{a['order']} NRMSE (test)", {"mean predictor": 1.0}),
            ("memory_capacity", "memory capacity (test)", None),
            ("s_per_trial_median", "seconds per trial (classification)", None),
            ("s_per_step_median", "seconds per step (analog)", None)):
        if key in rows[0]:
            base = [r for r in rows if r["model"].startswith("delay line")]
            if base and key in ("nrmse", "memory_capacity"):
                ref = {**(ref or {}), base[0]["model"]: base[0][key]}
            means = {m: [r[key] for r in rows if r["model"] == m] for m in ("ESN", "LSM")}
            errs = ({m: [r[f"{key}_ci95"] for r in rows if r["model"] == m] for m in means}
                    if f"{key}_ci95" in rows[0] else None)
            panels.append(functools.partial(plots.size_comparison, sizes, means, errors=errs,
                                            references=ref, ylabel=label,
                                            logy=key.startswith("s_per")))
    n_seeds = spec["sizes"]["n_seeds"]
    report.plot("comparison", panels,
                suptitle=f"LSM vs ESN, same ridge readout; mean and 95% CI over {n_seeds} "
                         "seed(s); costs: model run only, median over seeds")
    if "raster" in shown:
        lsm, data = shown["raster"]
        report.plot("raster", _draw_raster, lsm, data.inputs[0], data.duration,
                    c["n_channels"])
    if "traces" in shown and a["name"] == "narma":
        res = shown["traces"]
        report.plot("traces", [functools.partial(
            plots.target_prediction, res[m]["target"][:200], res[m]["prediction"][:200],
            title=f"{m.upper()} n={sizes[-1]} ({_setting_text(m, res[m]['setting'], a)}): "
                  f"NARMA-{a['order']} test NRMSE {res[m]['value']:.3f}")
            for m in ("esn", "lsm")])


def _setting_text(model, setting, a):
    if model == "esn":
        return f"input scaling {setting[0]:g}"
    level = (f"{setting[1] * 1e9:g} nA" if a["mode"] == "current" else f"{setting[1]:g} Hz")
    return f"step {setting[0] * 1e3:g} ms, {level}"


def _draw_raster(lsm, trial, duration, n_channels, *, ax=None):
    neurons, times = lsm.run([trial], duration=duration, output="spikes", progress=False)[0]
    return plots.input_liquid_raster(trial[0], trial[1], n_channels, neurons, times,
                                     lsm.inhibitory, ax=ax,
                                     title=f"LSM ({lsm.n_neurons} neurons), one template trial")
