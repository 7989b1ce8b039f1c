"""Spec tables and wiring shared by several runners."""

from __future__ import annotations

import numpy as np

from .. import metrics, plots, tasks
from ..readout import Ridge
from ..schema import Field, ModelParams

#: ``[esn]`` table: keyword arguments of EchoStateNetwork (plus ``preset``).
ESN_PARAMS = ModelParams("biornn.rate.esn:EchoStateNetwork", fixed=("readout", "seed"),
                         types={"n_units": "int"}, help="echo state network parameters")

#: ``[readout]`` table: the shared ridge readout.
READOUT_SCHEMA = {
    "alpha": Field("float|list[float]", [1e-8, 1e-6, 1e-4, 1e-2, 1.0],
                   help="ridge penalty; a list is a grid chosen by cross-validation", positive=True),
    "n_folds": Field("int", 5, help="contiguous folds for the alpha grid", low=2),
}

#: ``[task]`` table for analog tasks driven by one scalar input.
ANALOG_TASK_SCHEMA = {
    "name": Field("str", "narma", choices=("narma", "memory_capacity"),
                  help="NARMA system identification or short-term memory capacity"),
    "order": Field("int", 10, help="NARMA order", low=1),
    "max_delay": Field("int", 40, help="largest delay k for memory capacity", low=1),
    "n_train": Field("int", 2000, help="training steps (after the washout)", low=1),
    "n_test": Field("int", 1000, help="test steps", low=1),
    "washout": Field("int", 100, help="initial steps left out of training", low=0),
}


def check_delay_washout(table: dict, name: str) -> None:
    """Memory capacity needs ``washout >= max_delay`` (every target u(t-k) defined)."""
    if table["name"] == "memory_capacity" and table["washout"] < table["max_delay"]:
        raise ValueError(f"{name}.washout ({table['washout']}) must be at least "
                         f"{name}.max_delay ({table['max_delay']}) for memory capacity")


def make_readout(table: dict) -> Ridge:
    """The shared ridge readout from a ``[readout]`` table."""
    return Ridge(alpha=table["alpha"], n_folds=table["n_folds"])


def analog_task(task: dict, seed):
    """Input ``u`` (T, 1) and targets ``y`` (T, outputs) for the whole run
    (washout + train + test steps), and the slices of the train and test parts."""
    n = task["washout"] + task["n_train"] + task["n_test"]
    if task["name"] == "narma":
        u, y = tasks.narma(n, task["order"], seed=seed)
    else:
        u, y = tasks.memory_capacity_data(n, task["max_delay"], seed=seed)
    train = slice(task["washout"], task["washout"] + task["n_train"])
    test = slice(task["washout"] + task["n_train"], n)
    return u, y, train, test


def fit_and_score(states, y, train, test, task, readout, report, *, label=""):
    """Train ``readout`` on ``states[train]``, score it on ``states[test]``.

    Records ``nrmse`` (NARMA) or ``memory_capacity`` (with ``label_`` prefix)
    and returns ``(metric_value, y_test, y_pred)``.
    """
    readout.fit(states[train], y[train])
    y_pred = np.asarray(readout.predict(states[test])).reshape(y[test].shape)
    prefix = f"{label}_" if label else ""
    if task["name"] == "narma":
        value = metrics.nrmse(y[test], y_pred)
        report.metric(f"{prefix}nrmse", value)
        report.metric(f"{prefix}nrmse_train",
                      metrics.nrmse(y[train], np.asarray(readout.predict(states[train]))
                                    .reshape(y[train].shape)))
    else:
        value, per_delay = metrics.memory_capacity(y[test], y_pred, per_delay=True)
        report.metric(f"{prefix}memory_capacity", value)
        report.table(f"{prefix}forgetting_curve",
                     [{"delay": k + 1, "r2": float(r)} for k, r in enumerate(per_delay)])
    return value, y[test], y_pred


def plot_analog(report, task, y_test, y_pred, *, label="", n_show=200):
    """Readout traces (NARMA) or the forgetting curve (memory capacity)."""
    name = f"{label}_" if label else ""
    if task["name"] == "narma":
        report.plot(f"{name}traces", plots.traces, y_test[:n_show], y_pred[:n_show],
                    title=f"{label or 'readout'} on NARMA-{task['order']} (test)")
    else:
        r2 = [row["r2"] for row in report.tables[f"{name}forgetting_curve"]]
        report.plot(f"{name}forgetting_curve", plots.capacity_curve,
                    np.arange(1, len(r2) + 1), r2, total=float(np.sum(r2)),
                    label=label or None, title="memory capacity: r² of u(t-k)")
