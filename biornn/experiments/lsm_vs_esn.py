"""Liquid state machine against echo state network, same tasks, same readout.

Two tasks at matched sizes (the LSM's neuron count equals the ESN's units):

(a) spike-template classification (Maass, Natschläger & Markram 2002): jittered
    copies of Poisson spike-train templates.  The LSM receives the spikes; the ESN
    receives the same spike trains binned to its time step (counts per channel
    per bin).  The readout sees each model's state at the end of the trial.
(b) an analog task, NARMA-10 or memory capacity: the LSM gets the signal as an
    injected current (or rate-coded as Poisson spikes), one task step per readout
    sample; the ESN gets one task step per update.  The series is cut into
    segments that every model runs from rest, the first segments train the
    readout and the last ones test it.

The readout is the same ridge regression / ridge classifier with the same
alpha grid for both.  Costs are wall-clock seconds of the model alone (not the
readout) per trial or per task step, on whatever machine runs the spec.
"""

from __future__ import annotations

import functools
import time

import numpy as np

from .. import metrics, plots, states, tasks
from .._rng import spawn
from .registry import experiment
from ..readout import Ridge, RidgeClassifier
from ..schema import Field, ModelParams
from .common import READOUT_SCHEMA, check_delay_washout

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
        "n_segments": Field("int", 10, help="independent segments, each run from rest", low=2),
        "n_test_segments": Field("int", 3, low=1),
        "segment_steps": Field("int", 100, low=1),
        "washout": Field("int", 20, help="steps dropped at the start of every segment", low=0),
        "mode": Field("str", "current", choices=("current", "poisson"),
                      help="LSM input: injected current or rate-coded Poisson spikes"),
        "input_scale": Field("quantity", "5 nA", help="current per unit signal (mode=current)", positive=True),
        "max_rate": Field("quantity", "100 Hz", help="rate at signal 1 (mode=poisson)", positive=True),
    },
    "lsm": LSM_PARAMS,
    "esn": ESN_MATCHED,
    "readout": READOUT_SCHEMA,
}


def _timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def _classify(spec, n, data, seed_lsm, seed_esn, report):
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
        acc = metrics.accuracy(data.labels[n_train:], clf.predict(feats[n_train:]))
        report.metric(f"accuracy_{model}_n{n}", acc)
        report.timing(f"classification_seconds_per_trial_{model}_n{n}", secs / len(X))
        out[model] = (acc, secs / len(X))
    return out, lsm


def _analog_data(a, seed):
    steps = a["n_segments"] * a["segment_steps"]
    if a["name"] == "narma":
        u, y = tasks.narma(steps, a["order"], seed=seed)
        lo, hi = 0.0, 0.5
    else:
        u, y = tasks.memory_capacity_data(steps, a["max_delay"], seed=seed)
        lo, hi = -0.8, 0.8
    shape = (a["n_segments"], a["segment_steps"])
    return u.reshape(*shape, 1), y.reshape(*shape, -1), (lo, hi)


def _analog(spec, n, data, seed_lsm, seed_esn, report):
    """NARMA NRMSE or memory capacity, and model seconds per task step, of both models."""
    a = spec["analog"]
    U, Y, (lo, hi) = data
    lsm = LSM_PARAMS.build(spec["lsm"], shape=(n // 9, 3, 3), n_inputs=1, seed=seed_lsm)
    step = lsm.sample_interval   # one task step per readout sample
    if a["mode"] == "current":
        X_lsm, t_lsm = _timed(lsm.run_analog, U, mode="current", input_dt=step,
                              input_scale=a["input_scale"], progress=False)
    else:
        X_lsm, t_lsm = _timed(lsm.run_analog, (U - lo) / (hi - lo), mode="poisson",
                              input_dt=step, max_rate=a["max_rate"], progress=False)
    esn = ESN_MATCHED.build(spec["esn"], n_units=n, seed=seed_esn)
    X_esn, t_esn = _timed(esn.run, U)
    w, n_tr = a["washout"], a["n_segments"] - a["n_test_segments"]
    out, preds = {}, {}
    for model, X, secs in (("lsm", X_lsm, t_lsm), ("esn", X_esn, t_esn)):
        if X.shape[1] != U.shape[1]:
            raise ValueError(f"the {model} returned {X.shape[1]} samples per segment for "
                             f"{U.shape[1]} steps")
        feats = lambda s: X[s, w:].reshape(-1, X.shape[2])  # noqa: E731
        targ = lambda s: Y[s, w:].reshape(-1, Y.shape[2])  # noqa: E731
        train, test = slice(0, n_tr), slice(n_tr, None)
        readout = Ridge(alpha=spec["readout"]["alpha"], n_folds=spec["readout"]["n_folds"])
        readout.fit(feats(train), targ(train))
        pred = np.asarray(readout.predict(feats(test))).reshape(targ(test).shape)
        if a["name"] == "narma":
            value = metrics.nrmse(targ(test), pred)
            report.metric(f"nrmse_{model}_n{n}", value)
        else:
            value = metrics.memory_capacity(targ(test), pred)
            report.metric(f"memory_capacity_{model}_n{n}", value)
        report.timing(f"analog_seconds_per_step_{model}_n{n}", secs / U[:, :, 0].size)
        out[model] = (value, secs / U[:, :, 0].size)
        preds[model] = (targ(test), pred)
    return out, preds, step


def _check(spec):
    bad = [n for n in spec["sizes"]["n_neurons"] if n % 9 or n < 9]
    if bad:
        raise ValueError(f"sizes.n_neurons must be multiples of 9 (a (n/9) x 3 x 3 liquid), "
                         f"got {bad}")
    c, a = spec["classification"], spec["analog"]
    if not (c["enabled"] or a["enabled"]):
        raise ValueError("enable classification or analog (or both)")
    check_delay_washout(a, "analog")
    if a["n_test_segments"] >= a["n_segments"]:
        raise ValueError(f"analog.n_test_segments ({a['n_test_segments']}) must be below "
                         f"analog.n_segments ({a['n_segments']}): some segments must train")
    if a["washout"] >= a["segment_steps"]:
        raise ValueError(f"analog.washout ({a['washout']}) must be below "
                         f"analog.segment_steps ({a['segment_steps']})")


@experiment("lsm_vs_esn", schema=SCHEMA, figures=("comparison", "raster", "traces"),
            check=_check)
def lsm_vs_esn(spec, seed, report):
    """Liquid state machine vs echo state network at matched sizes, same readout."""
    sizes = spec["sizes"]["n_neurons"]
    c, a = spec["classification"], spec["analog"]
    seed_cls, seed_ana, seed_lsm, seed_esn = (int(g.integers(2**31)) for g in spawn(seed, 4))
    cls_data = ana_data = None
    if c["enabled"]:
        cls_data = tasks.spike_templates(c["n_templates"], c["n_channels"], c["duration"],
                                         c["rate"], c["jitter"], c["n_train"] + c["n_test"],
                                         seed=seed_cls)
    if a["enabled"]:
        ana_data = _analog_data(a, seed_ana)
    rows, lsm_largest, preds_largest, step = [], None, None, None
    for n in report.progress(sizes, desc="sizes"):
        res_c = res_a = None
        if c["enabled"]:
            res_c, lsm_largest = _classify(spec, n, cls_data, seed_lsm, seed_esn, report)
        if a["enabled"]:
            res_a, preds_largest, step = _analog(spec, n, ana_data, seed_lsm, seed_esn, report)
        for model in ("esn", "lsm"):
            row = {"model": model.upper(), "n_neurons": n}
            if res_c:
                row["accuracy"] = res_c[model][0]
                row["s_per_trial"] = res_c[model][1]
            if res_a:
                row["nrmse" if a["name"] == "narma" else "memory_capacity"] = res_a[model][0]
                row["s_per_step"] = res_a[model][1]
            rows.append(row)
    report.table("comparison", rows)
    step_text = (f"one analog step is one ESN update and {step * 1e3:g} ms of simulated LSM "
                 "time (a readout sample)" if step else "")
    chance = f" Chance accuracy is {1 / c['n_templates']:.2f}." if c["enabled"] else ""
    report.note("Same readout (ridge, same alpha grid) on both models' states"
                f"{'; ' + step_text if step_text else ''}.{chance} "
                "Costs are wall-clock seconds of the model run only, on this machine.")
    _figures(report, rows, sizes, spec, cls_data, lsm_largest, preds_largest, step_text)


def _figures(report, rows, sizes, spec, cls_data, lsm, preds, step_text):
    a = spec["analog"]
    panels = []
    by = {m: [r for r in rows if r["model"] == m] for m in ("ESN", "LSM")}
    for key, label, log in (("accuracy", "template accuracy (test)", False),
                            ("nrmse", "NARMA NRMSE (test)", False),
                            ("memory_capacity", "memory capacity (test)", False),
                            ("s_per_trial", "seconds per trial (classification)", True),
                            ("s_per_step", "seconds per step (analog)", True)):
        if key in rows[0]:
            ys = {m: [r[key] for r in by[m]] for m in by}
            panels.append(functools.partial(_panel, sizes, ys, label, log,
                                            chance=1 / spec["classification"]["n_templates"]
                                            if key == "accuracy" else None))
    report.plot("comparison", panels,
                suptitle="LSM vs ESN, same ridge readout; "
                         f"{step_text + '; ' if step_text else ''}costs: model run only")
    if lsm is not None:   # simulated only if the figure is drawn (not in sweeps)
        report.plot("raster", _draw_raster, lsm, cls_data.inputs[0], cls_data.duration)
    if preds is not None and a["name"] == "narma":
        n_show = min(200, len(preds["esn"][0]))
        report.plot("traces", [functools.partial(plots.traces, preds[m][0][:n_show],
                                                 preds[m][1][:n_show],
                                                 title=f"{m.upper()} n={sizes[-1]}: NARMA-10")
                               for m in ("esn", "lsm")])


def _panel(sizes, ys, label, log, *, chance=None, ax=None):
    ax = plots.curves(sizes, ys, xlabel="neurons / units", ylabel=label, logy=log, ax=ax)
    if chance is not None:
        ax.axhline(chance, color="0.6", ls=":", lw=1, label="chance")
        ax.legend(fontsize="small")
    return ax


def _draw_raster(lsm, trial, duration, *, ax=None):
    neurons, times = lsm.run([trial], duration=duration, output="spikes", progress=False)[0]
    return plots.raster(neurons, times, n_neurons=lsm.n_neurons, ax=ax,
                        title=f"LSM ({lsm.n_neurons} neurons), one template trial")
