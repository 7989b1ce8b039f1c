"""The experiments package: one table of kinds, run folders that rerun, units kept."""

import json
import os
import stat
import tomllib

import pytest

from biornn import cli, experiments, specs
from biornn.experiments import registry

TINY_NARMA = ["esn.n_units=15", "esn.density=0.3", "task.n_train=150", "task.n_test=60",
              "task.washout=20"]


def test_every_kind_in_the_table_is_an_experiment_of_that_name():
    for kind in registry.KINDS:
        exp = registry.get(kind)
        assert isinstance(exp, registry.Experiment) and exp.kind == kind
        assert exp.help, f"{kind} has a one-line help"


def test_unknown_kind_names_the_known_ones():
    with pytest.raises(KeyError, match="esn_benchmark"):
        registry.get("esn_benchmrak")


def test_listing_the_kinds_imports_no_spiking_model():
    import subprocess
    import sys

    code = ("import sys; from biornn import experiments; experiments.load_spec('esn_narma'); "
            "print('brian2' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_run_folder_holds_its_spec_as_toml_and_reruns_to_the_same_numbers(tmp_path, capsys):
    assert cli.main(["run", "esn_narma", "--out", str(tmp_path / "a"), "--no-progress",
                     *sum((["--set", o] for o in TINY_NARMA), [])]) == 0
    (folder,) = (tmp_path / "a").iterdir()
    written = tomllib.loads((folder / "spec.toml").read_text())
    assert written["esn"]["n_units"] == 15           # the override, as resolved
    assert written["task"]["order"] == 10            # a default, filled in
    first = json.loads((folder / "results.json").read_text())
    assert cli.main(["run", str(folder), "--out", str(tmp_path / "b"), "--no-progress"]) == 0
    (again,) = (tmp_path / "b").iterdir()
    second = json.loads((again / "results.json").read_text())
    assert second["metrics"] == first["metrics"]
    assert second["spec_si"]["esn"] == first["spec_si"]["esn"]
    # rerunning through the spec.toml path itself works too
    assert cli.main(["validate", str(folder / "spec.toml")]) == 0


def test_the_written_spec_keeps_units_and_validates_to_the_same_spec(tmp_path):
    spec = experiments.load_spec("stdp_study", ["protocol.n_pairings=3"])
    assert spec.written["protocol"]["spacing"] == "5 ms"         # as written, with its unit
    assert spec["protocol"]["spacing"] == pytest.approx(0.005)   # SI for the models
    path = tmp_path / "spec.toml"
    path.write_text(specs.dump_toml(spec.written))
    again = experiments.load_spec(path)
    assert {k: v for k, v in again.items() if k != "experiment"} == \
        {k: v for k, v in spec.items() if k != "experiment"}


def test_report_metric_units_are_written_next_to_the_numbers(tmp_path):
    spec = experiments.load_spec("esn_narma", TINY_NARMA)
    report = experiments.run(spec, progress=False)
    report.metric("rate_E", 12.5, unit="Hz")
    folder = experiments.write_run(spec, report, tmp_path)
    results = json.loads((folder / "results.json").read_text())
    assert results["units"]["rate_E"] == "Hz"
    assert results["units"]["total_seconds"] == "s"
    assert results["spec"]["experiment"]["kind"] == "esn_benchmark"


def test_unwritable_output_is_refused_before_anything_runs(tmp_path, capsys, monkeypatch):
    if os.geteuid() == 0:
        # root writes anywhere: make the parent a file instead, which nobody can write into
        out = tmp_path / "file"
        out.write_text("")
        target = out / "runs"
    else:
        out = tmp_path / "ro"
        out.mkdir()
        out.chmod(stat.S_IRUSR | stat.S_IXUSR)
        target = out
    ran = []
    monkeypatch.setattr(experiments, "run", lambda *a, **k: ran.append(1))
    assert cli.main(["run", "esn_narma", "--out", str(target), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "error:" in err
    assert not ran, "the computation must not start when the output cannot be written"


def test_a_failed_write_keeps_the_printed_results_and_leaves_no_temporary_file(
        tmp_path, capsys, monkeypatch):
    from biornn.experiments import report as report_module

    def full_disk(path, text):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(report_module, "_write_text", full_disk)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    out = tmp_path / "runs"
    assert cli.main(["run", "esn_narma", "--out", str(out), "--no-progress",
                     *sum((["--set", o] for o in TINY_NARMA), [])]) == 1
    captured = capsys.readouterr()
    assert "nrmse" in captured.out, "the metrics are printed before writing"
    assert "kept in" in captured.err and "Traceback" not in captured.err
    kept = list(tmp_path.glob("biornn-results-*.json"))
    assert len(kept) == 1 and "nrmse" in json.loads(kept[0].read_text())["metrics"]
    assert not list(out.rglob("*.tmp"))


def test_debug_flag_shows_the_traceback():
    with pytest.raises(specs.SpecError):
        cli.main(["--debug", "run", "esn_narma", "--set", "esn.n_units=abc"])
    with pytest.raises(specs.SpecError):
        cli.main(["run", "esn_narma", "--set", "esn.n_units=abc", "--debug"])


def test_alpha_at_the_grid_edge_becomes_one_note_of_the_run():
    import warnings

    from biornn.readout import GridEdgeWarning

    spec = experiments.load_spec("esn_narma", TINY_NARMA + ["readout.alpha=[1e-12, 1e-11]"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridEdgeWarning)   # none escapes the run
        report = experiments.run(spec, progress=False)
    notes = [n for n in report.notes if "edge of its grid" in n]
    assert len(notes) == 1 and "1e-12" in notes[0]
