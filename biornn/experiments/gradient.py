"""Gradient-trained RNNs and FORCE: RTRL vs BPTT, the adding problem, FORCE learning.

Each runner calls the seeded demonstration functions of
:mod:`biornn.experiments.demonstrations` and turns their numbers into metrics,
tables and figures.
"""

from __future__ import annotations

import functools

import numpy as np

from .. import plots
from .registry import experiment
from ..schema import Field, ModelParams

_DEMOS = ("biornn.experiments.demonstrations",)
FORCE_PARAMS = ModelParams("biornn.rate.force:FORCE", fixed=("n_units", "n_outputs", "seed"),
                           help="FORCE network parameters (Sussillo & Abbott 2009)")


@experiment("rtrl_vs_bptt", figures=("cost_scaling",), requires=_DEMOS, schema={
    "gradient_check": {
        "n_units": Field("int", 16, low=1),
        "length": Field("int", 50, low=1),
        "gain": Field("float", 1.2, positive=True),
    },
    "cost": {
        "rtrl_sizes": Field("list[int]", [8, 16, 32, 64, 96, 128], low=1),
        "bptt_sizes": Field("list[int]", [128, 256, 512, 1024], low=1),
        "bptt_length": Field("int", 1000, help="time steps per BPTT timing", low=1),
        "repeats": Field("int", 5, help="timings per size (the median is kept)", low=1),
        "fit_from": Field("int", 64, help="fit the RTRL exponent over sizes >= this", low=1),
    },
})
def rtrl_vs_bptt(spec, seed, report):
    """RTRL and BPTT compute the same gradient; RTRL costs O(n^4) per step, BPTT O(n^2)."""
    from .demonstrations import compare_rtrl_bptt, gradient_cost_scaling

    g, c = spec["gradient_check"], spec["cost"]
    diff = compare_rtrl_bptt(g["n_units"], g["length"], gain=g["gain"], seed=seed)
    report.metric("max_relative_gradient_difference", max(diff["relative_difference"].values()))
    report.metric("loss_difference", diff["loss_difference"])
    cost = gradient_cost_scaling(tuple(c["rtrl_sizes"]), tuple(c["bptt_sizes"]),
                                 bptt_length=c["bptt_length"], repeats=c["repeats"],
                                 fit_from=c["fit_from"], seed=seed)
    # measured times: kept with the timings, never compared as results
    report.timing("rtrl_cost_exponent", cost["rtrl_exponent"])
    report.timing("bptt_cost_exponent", cost["bptt_exponent"])
    report.table("cost_per_step",
                 [{"method": "RTRL", "n_units": int(n), "seconds_per_step": float(t)}
                  for n, t in zip(cost["rtrl_sizes"], cost["rtrl_per_step"])] +
                 [{"method": "BPTT", "n_units": int(n), "seconds_per_step": float(t)}
                  for n, t in zip(cost["bptt_sizes"], cost["bptt_per_step"])])
    report.note(f"fitted exponents (time per step ∝ n^a): RTRL {cost['rtrl_exponent']:.2f} "
                f"over n >= {c['fit_from']} (theory 4), BPTT {cost['bptt_exponent']:.2f} "
                "(theory 2); wall-clock measurements on this machine")
    report.plot("cost_scaling", _cost_panel, cost)


def _cost_panel(cost, *, ax=None):
    for method in ("rtrl", "bptt"):
        ax = plots.curves(cost[f"{method}_sizes"],
                          {f"{method.upper()} (a = {cost[f'{method}_exponent']:.2f})":
                           cost[f"{method}_per_step"]}, ax=ax, xlabel="hidden units n",
                          ylabel="seconds per time step", logx=True, logy=True,
                          title="gradient cost per time step")
    return ax


@experiment("adding_problem", figures=("learning_curves",), requires=_DEMOS, schema={
    "task": {
        "length": Field("int", 100, low=1),
        "n_train": Field("int", 2000, low=1),
        "n_test": Field("int", 500, low=1),
    },
    "training": {
        "models": Field("list[str]", ["lstm", "rnn"], choices=("lstm", "rnn")),
        "n_units": Field("int", 32, low=1),
        "n_epochs": Field("int", 10, low=1),
        "batch_size": Field("int", 50, low=1),
        "learning_rate": Field("float", 1e-2, positive=True),
        "clip": Field("float", 1.0, help="gradient-norm clipping", positive=True),
    },
})
def adding_problem(spec, seed, report):
    """LSTM vs vanilla RNN on the adding problem (Hochreiter & Schmidhuber 1997)."""
    from .demonstrations import adding_problem_experiment

    t, tr = spec["task"], spec["training"]
    curves = {}
    for model in report.progress(tr["models"], desc="models"):
        res = adding_problem_experiment(model, n_units=tr["n_units"], length=t["length"],
                                        n_train=t["n_train"], n_test=t["n_test"],
                                        n_epochs=tr["n_epochs"], batch_size=tr["batch_size"],
                                        learning_rate=tr["learning_rate"], clip=tr["clip"],
                                        seed=seed)
        report.metric(f"test_mse_{model}", res["test_mse"])
        report.metric("baseline_mse", res["baseline_mse"])
        report.timing(f"training_seconds_{model}", res["seconds"])
        curves[model.upper()] = res["val_loss"]
    report.note("baseline: always answering 1.0 (MSE about 1/6)")
    epochs = np.arange(1, len(next(iter(curves.values()))) + 1)
    report.plot("learning_curves", plots.curves, epochs, curves, xlabel="epoch",
                ylabel="validation loss", logy=True,
                title=f"adding problem, T = {t['length']}")


@experiment("force", figures=("free_run",), requires=_DEMOS, schema={
    "task": {
        "n_units": Field("int", 500, low=1),
        "train_steps": Field("int", 14400, low=1),
        "test_steps": Field("int", 4800, low=1),
        "n_show": Field("int", 3000, help="steps drawn around the end of training", low=1),
    },
    "force": FORCE_PARAMS,
})
def force(spec, seed, report):
    """FORCE learning of a four-sinusoid periodic target (Sussillo & Abbott 2009)."""
    from .demonstrations import force_periodic

    t = spec["task"]
    options = {k: v for k, v in spec["force"].items() if k != "preset"}
    res = force_periodic(t["n_units"], train_steps=t["train_steps"],
                         test_steps=t["test_steps"], seed=seed,
                         progress=report._progress, **options)
    report.metric("test_mae", res["test_mae"])
    report.metric("train_mae", res["train_mae"])
    report.metric("mean_abs_target", res["mean_abs_target"])
    report.timing("train_and_run_seconds", res["seconds"])
    n0 = max(0, t["train_steps"] - t["n_show"] // 2)
    n1 = min(len(res["target"]), t["train_steps"] + t["n_show"] // 2)
    time_s = np.arange(n0, n1) * res["dt"]
    report.plot("free_run", functools.partial(_force_panel, train_end=t["train_steps"] *
                                              res["dt"]),
                res["target"][n0:n1], res["output"][n0:n1], t=time_s)


def _force_panel(target, output, *, t, train_end, ax=None):
    ax = plots.traces(target, output, t=t, ax=ax, xlabel="time (s)", ylabel="f(t), z(t)",
                      title="FORCE: training, then free run")
    ax.axvline(train_end, color="0.5", ls=":", lw=1)
    return ax
