"""The liquid features study spec: it validates, refuses inconsistent values, and its
runner reports every measure for every condition (tiny liquid, two seeds)."""

import numpy as np
import pytest

from biornn import experiments, specs


def test_shipped_spec_validates_with_every_condition_and_at_least_two_seeds():
    spec = experiments.load_spec("liquid_features_study")
    assert spec["experiment"]["kind"] == "liquid_features_study"
    assert set(spec["study"]["conditions"]) == {"plain", "gap_junctions", "dendrites",
                                                "gabab", "all"}
    assert spec["study"]["n_seeds"] >= 2
    assert spec["gap_curve"]["g"][0] == 0.0 and max(spec["gap_curve"]["g"]) > 0.111e-6


@pytest.mark.parametrize("override, message", [
    (["task.delay_step=400 ms"], "task.delay_step"),
    (["study.n_seeds=1"], "study.n_seeds"),
    (['study.conditions=["stdp"]'], "study.conditions"),
    (['gap_curve.g=["-1 uS"]'], "gap_curve.g"),
    (["study.conditions=[]"], "study.conditions"),
])
def test_spec_refuses_values_that_cannot_run(override, message):
    with pytest.raises(specs.SpecError, match=message):
        experiments.load_spec("liquid_features_study", override)


@pytest.mark.filterwarnings("ignore::biornn.readout.GridEdgeWarning")
def test_runner_reports_each_measure_per_condition_with_a_confidence_interval():
    spec = experiments.load_spec("liquid_features_study", [
        "lsm.shape=[3, 3, 3]", "study.n_seeds=2", 'study.conditions=["plain", "gabab"]',
        "task.n_train=8", "task.n_test=4", "task.template_duration=50 ms",
        "task.max_delay=100 ms", 'gap_curve.g=["0 uS", "0.05 uS"]'])
    report = experiments.run(spec, progress=False)
    rows = {r["condition"]: r for r in report.tables["study"]}
    assert set(rows) == {"plain", "gabab"}
    for row in rows.values():
        assert row["n_seeds"] == 2
        assert row["rate_E"] > 0 and np.isfinite(row["rate_E_ci95"])
        assert 0 <= row["accuracy"] <= 1 and 0 <= row["memory_time"] <= 0.1
    # g = 0 is the plain liquid (the same run), so the curve's first point equals it
    curve = report.tables["gap_junction_curve"]
    assert curve[0]["accuracy"] == rows["plain"]["accuracy"]
    assert curve[1]["coupling_isolated_pair"] == pytest.approx(0.05 / 1.05)
    delays = sorted({r["delay_s"] for r in report.tables["recall_curve"]})
    assert delays == pytest.approx([0.0, 0.05, 0.1])
    diff = {(d["condition"], d["measure"]) for d in report.tables["difference_from_plain"]}
    assert ("gabab", "memory_time") in diff
