"""The biornn command line: run, sweep, validate, models, simulations, --help."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from biornn import cli, experiments, specs

from .test_spoken_digits import TINY as TINY_DIGITS
from .test_spoken_digits import write_tone_digits

ROOT = Path(__file__).resolve().parent.parent

# Tiny sizes per shipped spec: every spec must have an entry (see the test below).
TINY = {
    "esn_narma": ["esn.n_units=15", "esn.density=0.3", "task.n_train=150", "task.n_test=60", "task.washout=20"],
    "esn_memory_capacity": ["esn.n_units=15", "esn.density=0.3", "task.max_delay=10", "task.n_train=150",
                            "task.n_test=60", "task.washout=20"],
    "mackey_glass_closed_loop": ["esn.n_units=30", "esn.density=0.3", "task.n_train=400",
                                 "task.washout=100", "task.n_trials=2", "task.teach=50",
                                 "task.n_show=50", "task.horizon=30"],
    "lsm_vs_esn": ["sizes.n_neurons=[9]", "esn.density=0.5", "lsm.method=euler",
                   "classification.n_train=12",
                   "classification.n_test=8", "classification.duration=50 ms",
                   "sizes.n_seeds=2", "analog.n_segments=4", "analog.n_val_segments=1",
                   "analog.n_test_segments=1", "analog.segment_steps=20", "analog.washout=5",
                   "analog.steps=[\"2 ms\"]"],
    "hopfield_capacity": ["network.n_units=40", "cues.min_cues=20", "loads.start=0.05",
                          "loads.stop=0.8", "loads.step=0.15", "energy.n_cues=2"],
    "rtrl_vs_bptt": ["gradient_check.n_units=4", "gradient_check.length=10",
                     "cost.rtrl_sizes=[4, 8]", "cost.bptt_sizes=[4, 8]",
                     "cost.bptt_length=20", "cost.repeats=1", "cost.fit_from=4"],
    "adding_problem": ["task.length=10", "task.n_train=100", "task.n_test=50",
                       "training.n_epochs=2", "training.n_units=8"],
    "force_sinusoids": ["task.n_units=50", "task.train_steps=400", "task.test_steps=200",
                        "task.n_show=200"],
    "stdp_study": ["protocol.n_pairings=3", "protocol.spacing=20 ms",
                   "protocol.delta_t=[\"-40 ms\", \"40 ms\"]",
                   "protocol.frequency=5 Hz", "rules.triplet_frequencies=[\"20 Hz\"]",
                   "liquid.shape=[3, 3, 3]", "liquid.duration=200 ms", "liquid.method=euler"],
    # data.root = "" reads $BIORNN_FSDD, pointed at synthetic tone 'digits' below
    "spoken_digits": TINY_DIGITS,
    "liquid_features_study": ["lsm.shape=[3, 3, 3]", "lsm.method=euler", "study.n_seeds=2",
                              "study.conditions=[\"plain\", \"all\"]", "task.n_train=8",
                              "task.n_test=4", "task.template_duration=50 ms",
                              "task.max_delay=100 ms", "gap_curve.g=[\"0 uS\", \"0.2 uS\"]"],
    "plasticity_study": ["liquid.shape=[3, 3, 3]", "liquid.method=euler", "test.n_trials=12",
                         "learning.n_presentations=1", "stimuli.segment=20 ms",
                         "counting.n_trials=4", "counting.n_symbols=8", "counting.n_repeats=2",
                         "learning.conditions=[\"static\", \"stdp_homeostasis\"]"],
}


def needs_models(name):
    """Validate a spec; skip only where Brian2 itself is missing (a broken import fails)."""
    import importlib.util

    try:
        experiments.load_spec(name)
    except specs.SpecError as exc:
        if "is not available" in str(exc) and importlib.util.find_spec("brian2") is None:
            pytest.skip(f"{name}: brian2 is not installed")
        raise


def run_cli(*argv):
    return cli.main([str(a) for a in argv])


def test_every_shipped_spec_has_a_tiny_configuration():
    assert sorted(TINY) == sorted(s["name"] for s in specs.list_simulations())


@pytest.mark.parametrize("name", sorted(TINY))
def test_run_writes_results_and_figures(name, tmp_path, tmp_path_factory, monkeypatch,
                                        capsys):
    needs_models(name)
    if name == "spoken_digits":   # FSDD-layout recordings synthesised for the test
        monkeypatch.setenv("BIORNN_FSDD", str(write_tone_digits(tmp_path_factory.mktemp("fsdd"))))
    args = ["run", name, "--out", tmp_path, "--no-progress"]
    for o in TINY[name]:
        args += ["--set", o]
    assert run_cli(*args) == 0
    (folder,) = tmp_path.iterdir()
    results = json.loads((folder / "results.json").read_text())
    assert results["metrics"], "a run records metrics"
    # numbers, or null where a quantity is undefined (a NaN, e.g. a load never reached)
    assert all(v is None or isinstance(v, (int, float)) for v in results["metrics"].values())
    assert any(isinstance(v, (int, float)) for v in results["metrics"].values())
    assert results["seed"] == results["spec"]["experiment"]["seed"] == 0
    assert results["versions"]["biornn"] and results["versions"]["numpy"]
    assert "brian2" in results["versions"]
    assert results["overrides"] == TINY[name]
    pngs = sorted(p.name for p in folder.glob("*.png"))
    assert pngs and pngs == sorted(results["figures"])
    assert all((folder / p).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    for table in results["tables"]:
        assert (folder / f"{table}.csv").exists()
    assert "results:" in capsys.readouterr().out


def test_second_run_does_not_overwrite_the_first(tmp_path):
    base = ["run", "esn_narma", "--out", tmp_path, "--no-progress"] + \
        [a for o in TINY["esn_narma"] for a in ("--set", o)]
    assert run_cli(*base) == 0
    first = {p: p.read_bytes() for p in tmp_path.rglob("results.json")}
    assert run_cli(*base, "--seed", "5") == 0
    folders = sorted(tmp_path.iterdir())
    assert len(folders) == 2
    assert {p: p.read_bytes() for p in first} == first          # untouched
    seeds = sorted(json.loads((f / "results.json").read_text())["seed"] for f in folders)
    assert seeds == [0, 5]


def test_same_seed_gives_the_same_metrics(tmp_path):
    base = ["run", "esn_memory_capacity", "--out", tmp_path, "--no-progress"] + \
        [a for o in TINY["esn_memory_capacity"] for a in ("--set", o)]
    assert run_cli(*base) == 0 and run_cli(*base) == 0
    a, b = [json.loads((f / "results.json").read_text())["metrics"]
            for f in sorted(tmp_path.iterdir())]
    assert a == b


@pytest.mark.parametrize("override, message", [
    ("esn.n_unit=10", "esn.n_unit: unknown key"),
    ("task.n_train=many", "task.n_train: expected int, got str"),
    ("esn.preset=no_such_model", "esn.preset: unknown model 'no_such_model'"),
    ("experiment.kind=nothing", "unknown experiment kind 'nothing'"),
])
def test_malformed_spec_exits_nonzero_naming_the_problem(override, message, tmp_path, capsys):
    assert run_cli("run", "esn_narma", "--set", override, "--out", tmp_path) == 2
    err = capsys.readouterr().err
    assert message in err and "esn_narma.toml" in err
    assert not any(tmp_path.iterdir()), "a failed spec writes no run folder"


def test_report_figures_selects_what_is_drawn(tmp_path, capsys):
    tiny = [a for o in TINY["esn_memory_capacity"] for a in ("--set", o)]
    assert run_cli("run", "esn_memory_capacity", "--out", tmp_path, "--no-progress", *tiny,
                   "--set", "report.figures=[]", "--set", "report.dpi=50") == 0
    (folder,) = tmp_path.iterdir()
    assert [p.name for p in folder.glob("*.png")] == ["forgetting_curve.png"]
    assert run_cli("run", "esn_memory_capacity", "--out", tmp_path, *tiny,
                   "--set", 'report.figures=["spikes"]') == 2
    assert "unknown figure(s) ['spikes']" in capsys.readouterr().err


def test_bad_unit_in_a_spec_file_exits_nonzero(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[experiment]\nkind = "esn_benchmark"\n[esn]\nn_units = 10\n'
                   'spectral_radius = "0.9 furlongs"\n')
    assert run_cli("run", bad, "--out", tmp_path / "runs") == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "esn.spectral_radius" in err and "unknown unit 'furlongs'" in err


def test_unknown_simulation_lists_known_ones(capsys):
    assert run_cli("run", "no_such_simulation") == 2
    assert "esn_narma" in capsys.readouterr().err


def test_listings(capsys):
    assert run_cli("simulations", "--kinds") == 0
    out = capsys.readouterr().out
    for name in TINY:
        assert name in out
    assert "esn_benchmark" in out and "mackey_glass_closed_loop" in out
    assert run_cli("simulations", "--kind", "esn_benchmark") == 0
    out = capsys.readouterr().out
    assert "[task]" in out and "n_train (int) = 2000" in out and "EchoStateNetwork" in out
    assert run_cli("simulations", "--kind", "nope") == 2
    assert run_cli("models") == 0
    assert run_cli("validate", "esn_narma", "--show") == 0
    assert '"n_units": 200' in capsys.readouterr().out


def test_sweep_command_prints_a_table_and_resumes(tmp_path, capsys):
    args = ["sweep", "esn_narma", "--grid", "esn.spectral_radius=0.5,0.9", "--seeds", "0-1",
            "--workers", "1", "--out", tmp_path / "sw", "--no-progress"] + \
        [a for o in TINY["esn_narma"] for a in ("--set", o)]
    assert run_cli(*args) == 0
    out = capsys.readouterr().out
    assert "esn.spectral_radius" in out and "4 points run, 0 already done" in out
    assert run_cli(*args) == 0
    assert "0 points run, 4 already done" in capsys.readouterr().out
    assert (tmp_path / "sw" / "summary.png").exists()


@pytest.mark.parametrize("sub", [[], ["run"], ["sweep"], ["models"], ["simulations"],
                                 ["validate"]])
def test_help_everywhere(sub, capsys):
    with pytest.raises(SystemExit) as ex:
        cli.main([*sub, "--help"])
    assert ex.value.code == 0
    assert "usage: biornn" in capsys.readouterr().out


def test_module_entry_point_runs_and_needs_a_command():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "biornn", "simulations"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert proc.returncode == 0 and "esn_narma" in proc.stdout, proc.stderr
    proc = subprocess.run([sys.executable, "-m", "biornn"], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=60)
    assert proc.returncode == 2 and "COMMAND" in proc.stderr


def test_a_figure_that_fails_to_draw_does_not_lose_the_results(tmp_path):
    from biornn import experiments

    spec = experiments.load_spec("esn_narma", ["esn.n_units=20", "task.n_train=200",
                                              "task.n_test=100", "task.washout=50"])
    report = experiments.run(spec, progress=False)

    def broken(*args, ax=None, **kwargs):
        raise RuntimeError("cannot draw")
    report.plot("broken", broken)  # also the kind's own figures are drawn
    folder = experiments.write_run(spec, report, tmp_path)
    results = json.loads((folder / "results.json").read_text())
    assert results["metrics"] == report.metrics
    assert "broken" in results["figures_failed"]
    assert "broken.png" not in results["figures"]


def test_non_positive_dpi_is_a_spec_error():
    from biornn import experiments, specs

    with pytest.raises(specs.SpecError, match="report.dpi: expected a value > 0"):
        experiments.load_spec("esn_narma", ["report.dpi=0"])
