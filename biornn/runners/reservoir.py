"""Echo state network experiments: analog benchmarks and Mackey-Glass closed loop."""

from __future__ import annotations

import time

import numpy as np

from .. import plots, tasks
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
        "n_train": Field("int", 20000, help="teacher-forced training steps"),
        "washout": Field("int", 1000, help="initial training steps left out of the readout"),
        "n_trials": Field("int", 10, help="independent test trials"),
        "teach": Field("int", 1000, help="teacher-forced steps that start each test trial"),
        "horizon": Field("int", 84, help="free-running step scored (84 in Jaeger & Haas 2004)"),
        "n_show": Field("int", 300, help="free-running steps drawn (first trial)"),
    },
    "esn": ESN_PARAMS,
    "readout": {"alpha": Field("float", 1e-11, help="ridge penalty")},
})
def mackey_glass_closed_loop(spec, seed, report):
    """ESN trained by teacher forcing on Mackey-Glass, then run closed loop (Jaeger & Haas 2004).

    The network sees ``z = tanh(x - 1)`` (Jaeger 2001) through output feedback
    only.  After training, each test trial starts from a zero state, is
    teacher-forced for ``teach`` steps and then runs closed loop; NRMSE84 is
    the root-mean-square error of the ``horizon``-th free-running step over
    trials, in the units of ``x``, divided by the standard deviation of ``x``.
    """
    task = spec["task"]
    seed_task, seed_model = spawn(seed, 2)
    n_gen = max(task["horizon"], task["n_show"])
    trial_len = task["teach"] + n_gen
    x = tasks.mackey_glass(task["n_train"] + task["n_trials"] * trial_len, tau=task["tau"],
                           seed=seed_task)
    z = np.tanh(x - 1.0)
    esn = ESN_PARAMS.build(spec["esn"], readout=Ridge(alpha=spec["readout"]["alpha"]),
                           seed=seed_model)
    if not esn.has_feedback:
        raise ValueError("mackey_glass_closed_loop needs output feedback: set "
                         "esn.feedback_scaling > 0")
    start = time.perf_counter()
    esn.fit(None, z[:task["n_train"]], washout=task["washout"])
    report.timing("training_seconds", time.perf_counter() - start)
    errors, h = [], task["horizon"]
    for i in report.progress(range(task["n_trials"]), desc="trials"):
        seg = z[task["n_train"] + i * trial_len:][:trial_len]
        esn.run(None, teacher=seg[:task["teach"]], initial_state=np.zeros(esn.n_units))
        gen = np.arctanh(np.clip(esn.generate(n_gen), -1 + 1e-15, 1 - 1e-15)) + 1.0
        truth = np.arctanh(seg[task["teach"]:]) + 1.0
        errors.append(gen[h - 1, 0] - truth[h - 1, 0])
        if i == 0:
            first = (truth[:task["n_show"]], gen[:task["n_show"]])
    report.metric(f"nrmse{h}", np.sqrt(np.mean(np.square(errors))) / np.std(x))
    report.plot("free_run", plots.traces, *first,
                title=f"Mackey-Glass τ={task['tau']:g}: free run after {task['teach']} "
                      "teacher-forced steps", xlabel="free-running step", ylabel="x(t)")
