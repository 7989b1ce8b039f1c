"""Echo state network experiments: analog benchmarks and Mackey-Glass closed loop."""

from __future__ import annotations

import time

import numpy as np

from .. import metrics, plots, tasks
from .._rng import spawn
from ..experiment import register
from ..readout import Ridge
from ..schema import Field
from ._common import (ANALOG_TASK_SCHEMA, ESN_PARAMS, READOUT_SCHEMA, analog_task,
                      fit_and_score, make_readout, plot_analog)


@register("esn_benchmark", figures=("traces", "forgetting_curve"),
          schema={"task": ANALOG_TASK_SCHEMA, "esn": ESN_PARAMS, "readout": READOUT_SCHEMA})
def esn_benchmark(spec, seed, report):
    """ESN on an analog task (NARMA or memory capacity) with the shared ridge readout."""
    task = spec["task"]
    seed_task, seed_model = spawn(seed, 2)
    u, y, train, test = analog_task(task, seed_task)
    esn = ESN_PARAMS.build(spec["esn"], seed=seed_model)
    start = time.perf_counter()
    states = esn.run(u)
    report.timing("reservoir_seconds", time.perf_counter() - start)
    readout = make_readout(spec["readout"])
    _, y_test, y_pred = fit_and_score(states, y, train, test, task, readout, report)
    report.metric("readout_alpha", readout.alpha_)
    plot_analog(report, task, y_test, y_pred)


@register("mackey_glass_closed_loop", figures=("free_run",), schema={
    "task": {
        "tau": Field("float", 17.0, help="Mackey-Glass delay (17: mildly chaotic)"),
        "n_train": Field("int", 3000, help="teacher-forced training steps"),
        "washout": Field("int", 1000, help="initial training steps left out of the readout"),
        "horizon": Field("int", 84, help="free-run steps scored (84 in Jaeger & Haas 2004)"),
        "n_show": Field("int", 300, help="free-run steps drawn"),
        "shift": Field("float", 1.0, help="series fed as tanh(x - shift)"),
    },
    "esn": ESN_PARAMS,
    "readout": {"alpha": Field("float", 1e-8, help="ridge penalty")},
})
def mackey_glass_closed_loop(spec, seed, report):
    """ESN trained by teacher forcing on Mackey-Glass, then run closed loop (Jaeger & Haas 2004).

    The series is squashed as ``y = tanh(x - shift)``; the network has output
    feedback and no input, is teacher-forced on ``n_train`` steps, then
    generates freely from where the teacher left off.  The free-run NRMSE
    over ``horizon`` steps is reported (on the squashed scale).
    """
    task = spec["task"]
    seed_task, seed_model = spawn(seed, 2)
    n_gen = max(task["horizon"], task["n_show"])
    series = np.tanh(tasks.mackey_glass(task["n_train"] + n_gen, tau=task["tau"],
                                        seed=seed_task) - task["shift"])
    teacher, future = series[:task["n_train"]], series[task["n_train"]:]
    esn = ESN_PARAMS.build(spec["esn"], readout=Ridge(alpha=spec["readout"]["alpha"]),
                           seed=seed_model)
    if not esn.has_feedback:
        raise ValueError("mackey_glass_closed_loop needs output feedback: set "
                         "esn.feedback_scaling > 0")
    start = time.perf_counter()
    esn.fit(None, teacher, washout=task["washout"])
    generated = esn.generate(n_gen)
    report.timing("train_and_generate_seconds", time.perf_counter() - start)
    h = task["horizon"]
    report.metric("nrmse_free_run", metrics.nrmse(future[:h], generated[:h]))
    err = np.abs(generated[:, 0] - future[:, 0])
    bad = np.nonzero(err > 0.1 * np.std(series))[0]
    report.metric("steps_within_10pct_std", bad[0] if bad.size else n_gen)
    n = task["n_show"]
    report.plot("free_run", plots.traces, future[:n], generated[:n],
                title=f"Mackey-Glass τ={task['tau']:g}: free run after teacher forcing",
                xlabel="steps after the end of training", ylabel="tanh(x - 1)")
