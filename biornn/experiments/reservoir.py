"""Echo state network experiments: analog benchmarks and Mackey-Glass closed loop."""

from __future__ import annotations

import time


from .. import plots
from . import closed_loop
from .._rng import spawn
from .registry import experiment
from ..readout import Ridge
from ..schema import Field
from .._validate import check_memory
from .common import (ANALOG_TASK_SCHEMA, ESN_PARAMS, READOUT_SCHEMA, analog_task,
                     check_delay_washout, fit_and_score, make_readout, plot_analog)


def _check_benchmark(spec):
    task = spec["task"]
    check_delay_washout(task, "task")
    steps = task["washout"] + task["n_train"] + task["n_test"]
    n_units = spec["esn"].get("n_units", 1)
    outputs = task["max_delay"] if task["name"] == "memory_capacity" else 1
    # the run keeps the states of every step (T x N) next to the task's arrays
    check_memory(f"{steps} steps of task and states (n_units={n_units})",
                 8 * steps * (n_units + outputs + 1))


@experiment("esn_benchmark", figures=("traces", "forgetting_curve"), check=_check_benchmark,
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
    report.choice("readout_alpha", readout.alpha_)
    plot_analog(report, task, y_test, y_pred)


@experiment("mackey_glass_closed_loop", figures=("free_run",), schema={
    "task": {
        "tau": Field("float", 17.0, help="Mackey-Glass delay (17: mildly chaotic)", positive=True),
        "n_train": Field("int", 20000, help="teacher-forced training steps", low=1),
        "washout": Field("int", 1000, help="initial training steps left out of the readout", low=0),
        "n_trials": Field("int", 10, help="independent test trials", low=1),
        "teach": Field("int", 1000, help="teacher-forced steps that start each test trial", low=0),
        "horizon": Field("int", 84, help="free-running step scored (84 in Jaeger & Haas 2004)", low=1),
        "n_show": Field("int", 300, help="free-running steps drawn (first trial)", low=1),
    },
    "esn": ESN_PARAMS,
    "readout": {"alpha": Field("float", 1e-11, help="ridge penalty", low=0)},
})
def mackey_glass_closed_loop(spec, seed, report):
    """ESN trained by teacher forcing on Mackey-Glass, then run closed loop (Jaeger & Haas 2004).

    The protocol and its score are :func:`biornn.experiments.closed_loop.mackey_glass_closed_loop`.
    """
    task = spec["task"]
    seed_task, seed_model = spawn(seed, 2)
    esn = ESN_PARAMS.build(spec["esn"], readout=Ridge(alpha=spec["readout"]["alpha"]),
                           seed=seed_model)
    start = time.perf_counter()
    result = closed_loop.mackey_glass_closed_loop(
        esn, n_train=task["n_train"], washout=task["washout"], n_trials=task["n_trials"],
        teach=task["teach"], horizon=task["horizon"],
        n_generate=max(task["horizon"], task["n_show"]), tau=task["tau"],
        progress=lambda it: report.progress(it, desc="trials"), seed=seed_task)
    report.timing("seconds", time.perf_counter() - start)
    h = task["horizon"]
    report.metric(f"nrmse{h}", result["nrmse"])
    first = (result["truth"][0, :task["n_show"]], result["generated"][0, :task["n_show"]])
    report.plot("free_run", plots.traces, *first,
                title=f"Mackey-Glass τ={task['tau']:g}: free run after {task['teach']} "
                      "teacher-forced steps", xlabel="free-running step", ylabel="x(t)")
