"""Hopfield network experiments: storage capacity per learning rule, energy descent."""

from __future__ import annotations

import numpy as np

from .. import plots, tasks
from .._rng import spawn
from .registry import experiment
from ..schema import Field

RULES = ("hebbian", "storkey", "pseudo_inverse")


def _check_loads(spec):
    ld = spec["loads"]
    if not ld["stop"] > ld["start"]:
        raise ValueError(f"loads.start ({ld['start']}) must be below loads.stop ({ld['stop']})")
    if "pseudo_inverse" in spec["network"]["rules"] and ld["stop"] >= 1:
        raise ValueError(f"loads.stop ({ld['stop']}) must be below 1 with the pseudo_inverse "
                         "rule: it cannot store N or more patterns in N units")


@experiment("hopfield_capacity", figures=("capacity", "energy"), check=_check_loads,
          requires=("biornn.rate.hopfield", "biornn.experiments.hopfield_capacity"), schema={
    "network": {
        "n_units": Field("int", 200, low=2),
        "rules": Field("list[str]", list(RULES), choices=RULES),
        "update": Field("str", "async", choices=("async", "sync")),
        "max_sweeps": Field("int", 100, low=1),
    },
    "cues": {
        "flip_fraction": Field("float", 0.1, help="fraction of bits flipped in every cue", low=0, high=1),
        "overlap_threshold": Field("float", 0.95, help="overlap that counts as recalled", low=0, high=1),
        "min_cues": Field("int", 200, help="cues tried per load (at least)", low=1),
    },
    "loads": {
        "start": Field("float", 0.02, help="first load alpha = P/N", positive=True),
        "stop": Field("float", 0.7, positive=True),
        "step": Field("float", 0.02, positive=True),
    },
    "energy": {
        "load": Field("float", 0.1, help="load of the network whose recall is drawn", positive=True),
        "flip_fraction": Field("float", 0.3, low=0, high=1),
        "n_cues": Field("int", 8, low=1),
    },
})
def hopfield_capacity(spec, seed, report):
    """Fraction of noisy cues recalled against the load P/N, per rule (Amit et al. 1985)."""
    from ..rate.hopfield import Hopfield
    from .hopfield_capacity import HEBBIAN_CRITICAL_LOAD, capacity_curve

    net, cues, ld, en = spec["network"], spec["cues"], spec["loads"], spec["energy"]
    loads = np.round(np.arange(ld["start"], ld["stop"] + ld["step"] / 2, ld["step"]), 10)
    gens = spawn(seed, len(net["rules"]) + 1)
    curves = {}
    for rule, rng in zip(report.progress(net["rules"], desc="rules"), gens):
        curve = capacity_curve(rule, n_units=net["n_units"], loads=loads,
                               flip_fraction=cues["flip_fraction"],
                               overlap_threshold=cues["overlap_threshold"],
                               min_cues=cues["min_cues"], update=net["update"],
                               max_sweeps=net["max_sweeps"], seed=rng)
        curves[rule] = curve
        for level in (0.9, 0.5):
            report.metric(f"critical_load_{int(level * 100)}_{rule}", curve.critical_load(level))
    report.table("capacity", [{"rule": r, "load": float(a), "recalled": float(s)}
                              for r, c in curves.items() for a, s in zip(c.loads, c.success)])
    report.note(f"Hebbian critical load for N -> infinity: {HEBBIAN_CRITICAL_LOAD} "
                "(Amit, Gutfreund & Sompolinsky 1985); finite networks recall a little beyond.")
    report.plot("capacity", _draw_capacity, curves, HEBBIAN_CRITICAL_LOAD)

    n = net["n_units"]
    rng = gens[-1]
    xi = tasks.random_patterns(max(1, int(round(en["load"] * n))), n, seed=rng)
    hop = Hopfield(n, rule="hebbian").store(xi)
    k = min(en["n_cues"], len(xi))
    result = hop.recall(tasks.corrupt(xi[:k], en["flip_fraction"], seed=rng), seed=rng,
                        record="update" if net["update"] == "async" else "sweep")
    energy = np.asarray(result.energy)
    report.metric("energy_increases", int(np.sum(np.diff(energy, axis=0) > 1e-9)))
    report.plot("energy", plots.energy, energy.T, xlabel="single-unit update"
                if net["update"] == "async" else "sweep",
                title=f"Energy along recall (Hebbian, α = {en['load']:g}, "
                      f"{en['flip_fraction']:.0%} flipped)")


def _draw_capacity(curves, critical, *, ax=None):
    ax = plots._axes(ax)
    for rule, c in curves.items():
        plots.capacity_curve(c.loads, c.success, label=rule, ax=ax, xlabel="load α = P/N",
                             ylabel="fraction of cues recalled")
    ax.axvline(critical, color="0.5", ls=":", lw=1)
    ax.set_title("Hopfield capacity")
    return ax
