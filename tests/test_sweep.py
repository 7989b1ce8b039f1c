"""Sweeps: grids, random search, resume after interruption, Dask gives the local results."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from biornn import sweep
from biornn.specs import SpecError

ROOT = Path(__file__).resolve().parent.parent
TINY = ["esn.n_units=12", "esn.density=0.3", "task.n_train=120", "task.n_test=50", "task.washout=20"]
GRID = sweep.grid_points({"esn.spectral_radius": [0.5, 0.95], "esn.input_scaling": [0.1, 0.5]})


def metrics_of(rows):
    return [{k: v for k, v in r.items() if not k.startswith("time_")} for r in rows]


def test_grid_is_the_cartesian_product_in_order():
    pts = sweep.grid_points({"a.x": [1, 2], "b.y": ["p", "q", "r"]})
    assert len(pts) == 6 and pts[0] == {"a.x": 1, "b.y": "p"} and pts[-1] == {"a.x": 2, "b.y": "r"}
    assert sweep.grid_points({}) == [{}]
    assert sweep.parse_grid("esn.n_units=10,20") == ("esn.n_units", [10, 20])
    assert sweep.parse_seeds("0-2,7") == [0, 1, 2, 7]
    with pytest.raises(SpecError):
        sweep.parse_grid("n_units=10")


def test_random_points_are_seeded_and_in_range():
    ranges = dict([sweep.parse_range("readout.alpha=1e-8:1e-2:log"),
                   sweep.parse_range("esn.n_units=10:20:int")])
    a = sweep.random_points(ranges, 50, seed=1)
    assert a == sweep.random_points(ranges, 50, seed=1)
    assert a != sweep.random_points(ranges, 50, seed=2)
    assert all(1e-8 <= p["readout.alpha"] <= 1e-2 and 10 <= p["esn.n_units"] <= 20 for p in a)
    assert all(isinstance(p["esn.n_units"], int) for p in a)
    with pytest.raises(SpecError):
        sweep.parse_range("readout.alpha=0:1:log")


def test_interrupted_sweep_resumes_without_redoing_points(tmp_path):
    full = sweep.run_sweep("esn_narma", GRID, [0, 1], out=tmp_path / "full", overrides=TINY,
                           max_workers=1, progress=False)
    assert full.complete and full.n_run == 8 and len(full.rows) == 4

    part = tmp_path / "part"
    first = sweep.run_sweep("esn_narma", GRID, [0, 1], out=part, overrides=TINY,
                            max_workers=1, limit=3, progress=False)
    assert (first.n_run, first.n_skipped, first.complete) == (3, 0, False)
    done = {p: p.stat().st_mtime_ns for p in (part / "points").glob("*.json")}
    assert len(done) == 3
    rest = sweep.run_sweep("esn_narma", GRID, [0, 1], out=part, overrides=TINY,
                           max_workers=2, progress=False)
    assert (rest.n_run, rest.n_skipped, rest.complete) == (5, 3, True)
    assert {p: p.stat().st_mtime_ns for p in done} == done        # finished points kept
    assert metrics_of(rest.rows) == metrics_of(full.rows)
    assert (part / "summary.png").exists() and (part / "summary.csv").exists()
    rows = json.loads((part / "summary.json").read_text())
    assert metrics_of(rows) == metrics_of(full.rows)


def test_sweep_killed_by_sigint_resumes_with_the_same_table(tmp_path):
    """A real interruption: Ctrl-C in the middle of `biornn sweep`, then the same command."""
    root = ROOT
    over = ["esn.n_units=40", "esn.density=0.2", "task.n_train=1500", "task.n_test=300",
            "task.washout=50"]
    points = sweep.grid_points({"esn.spectral_radius": [0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99,
                                                        1.05]})
    cmd = [sys.executable, "-m", "biornn.cli", "sweep", "esn_narma", "--workers", "1",
           "--no-progress", "--out", str(tmp_path / "sw"),
           "--grid", "esn.spectral_radius=" + ",".join(str(p["esn.spectral_radius"])
                                                        for p in points)]
    cmd += [a for o in over for a in ("--set", o)]
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.Popen(cmd, env=env, cwd=root, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    folder = tmp_path / "sw" / "points"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if folder.exists() and any(folder.glob("*.json")):
            proc.send_signal(signal.SIGINT)
            break
        time.sleep(0.01)
    proc.communicate(timeout=60)
    done = list(folder.glob("*.json"))
    if proc.returncode == 0 or len(done) == len(points):
        pytest.skip("the sweep finished before the interrupt arrived")
    assert proc.returncode == 130 and 0 < len(done) < len(points)
    assert not list(folder.glob(".*.tmp")), "no half-written point is left behind"
    resumed = sweep.run_sweep("esn_narma", points, None, out=tmp_path / "sw", overrides=over,
                              max_workers=1, progress=False)
    assert resumed.n_skipped == len(done) and resumed.complete
    fresh = sweep.run_sweep("esn_narma", points, None, out=tmp_path / "fresh", overrides=over,
                            max_workers=1, progress=False)
    assert metrics_of(resumed.rows) == metrics_of(fresh.rows)


def test_summary_averages_over_seeds(tmp_path):
    res = sweep.run_sweep("esn_narma", [{}], [0, 1, 2], out=tmp_path, overrides=TINY,
                          max_workers=1, progress=False)
    records = [json.loads(p.read_text()) for p in (tmp_path / "points").glob("*.json")]
    values = sorted(r["metrics"]["nrmse"] for r in records)
    assert len(values) == 3 and res.rows[0]["n_seeds"] == 3
    assert res.rows[0]["nrmse"] == pytest.approx(sum(values) / 3)
    assert res.rows[0]["nrmse_std"] > 0                           # seeds differ


def test_a_folder_holding_another_sweep_is_refused(tmp_path):
    sweep.run_sweep("esn_narma", [{}], [0], out=tmp_path, overrides=TINY, max_workers=1,
                    progress=False)
    with pytest.raises(ValueError, match="different sweep"):
        sweep.run_sweep("esn_narma", [{}], [1], out=tmp_path, overrides=TINY, max_workers=1,
                        progress=False)


def test_a_failing_point_is_recorded_and_retried(tmp_path, monkeypatch):
    # a point that fails while running (a network that diverges, say) is recorded
    from biornn import experiments

    real_run = experiments.run

    def run(spec, **kwargs):
        if spec["task"]["max_delay"] == 30:
            raise FloatingPointError("diverged at max_delay 30")
        return real_run(spec, **kwargs)
    monkeypatch.setattr(experiments, "run", run)
    points = [{"task.max_delay": 10}, {"task.max_delay": 30}]
    over = TINY + ["task.name=memory_capacity", "task.washout=40"]
    res = sweep.run_sweep("esn_narma", points, [0], out=tmp_path, overrides=over,
                          max_workers=1, progress=False)
    assert (res.n_run, len(res.failed), res.complete) == (1, 1, False)
    assert "max_delay 30" in res.failed[0]["error"]
    assert len(list((tmp_path / "failed").glob("*.json"))) == 1
    assert [r["task.max_delay"] for r in res.rows] == [10]
    again = sweep.run_sweep("esn_narma", points, [0], out=tmp_path, overrides=over,
                            max_workers=1, progress=False)
    assert (again.n_run, again.n_skipped, len(again.failed)) == (0, 1, 1)


def test_an_edited_spec_is_not_resumed_with_stale_points(tmp_path):
    spec = tmp_path / "mine.toml"
    spec.write_text((ROOT / "simulations" / "esn_narma.toml").read_text())
    sweep.run_sweep(spec, [{}], [0], out=tmp_path / "sw", overrides=TINY, max_workers=1,
                    progress=False)
    spec.write_text(spec.read_text().replace("order = 10", "order = 5"))
    with pytest.raises(ValueError, match="different sweep"):
        sweep.run_sweep(spec, [{}], [0], out=tmp_path / "sw", overrides=TINY, max_workers=1,
                        progress=False)


def test_invalid_point_fails_before_anything_runs(tmp_path):
    with pytest.raises(SpecError, match="esn.spectral_radus"):
        sweep.run_sweep("esn_narma", [{"esn.spectral_radus": 0.5}], [0], out=tmp_path,
                        overrides=TINY, max_workers=1, progress=False)
    assert not (tmp_path / "points").exists() or not any((tmp_path / "points").iterdir())


def test_dask_local_cluster_gives_the_local_results(tmp_path):
    distributed = pytest.importorskip("distributed")
    local = sweep.run_sweep("esn_narma", GRID, [0], out=tmp_path / "local", overrides=TINY,
                            max_workers=1, progress=False)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        on_dask = sweep.run_sweep("esn_narma", GRID, [0], out=tmp_path / "dask",
                                  overrides=TINY, scheduler=cluster.scheduler_address,
                                  progress=False)
    assert on_dask.complete and on_dask.n_run == 4
    assert metrics_of(on_dask.rows) == metrics_of(local.rows)


def test_sweep_refuses_seed_as_a_point_and_bad_counts():
    from biornn import specs, sweep

    with pytest.raises(specs.SpecError, match="--seeds"):
        sweep.run_sweep("esn_narma", sweep.grid_points({"experiment.seed": [0, 1]}),
                        progress=False)
    with pytest.raises(specs.SpecError, match="--limit"):
        sweep.run_sweep("esn_narma", [{}], limit=-1, progress=False)
    with pytest.raises(specs.SpecError, match="--samples"):
        sweep.random_points({"esn.leak_rate": (0.1, 1.0, "lin")}, 0)
    with pytest.raises(specs.SpecError, match="ascending"):
        sweep.parse_seeds("0,3-1")


def test_bad_point_files_are_set_aside_named_and_rerun(tmp_path, capsys):
    out = tmp_path / "s"
    first = sweep.run_sweep("esn_narma", GRID[:2], [0], out=out, overrides=TINY,
                            max_workers=1, progress=False)
    files = sorted((out / "points").glob("*.json"))
    assert len(files) == 2
    good = json.loads(files[0].read_text())
    files[0].write_text(files[0].read_text()[:20])              # truncated
    files[1].write_text(json.dumps({"id": files[1].stem}))        # incomplete
    again = sweep.run_sweep("esn_narma", GRID[:2], [0], out=out, overrides=TINY,
                            max_workers=1, progress=False)
    err = capsys.readouterr().err
    assert again.complete and again.n_run == 2 and len(again.set_aside) == 2
    assert files[0].name in err and files[1].name in err
    assert sorted(p.name for p in (out / "bad").iterdir()) == sorted(f.name for f in files)
    assert json.loads(files[0].read_text())["metrics"] == good["metrics"]
    assert metrics_of(again.rows) == metrics_of(first.rows)


def test_editing_a_shadowing_model_file_makes_a_new_sweep(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a = sweep.run_sweep("esn_narma", GRID[:1], [0], overrides=TINY, max_workers=1,
                        progress=False)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "maass2002_lsm.toml").write_text('[model]\nname = "mine"\n')
    b = sweep.run_sweep("esn_narma", GRID[:1], [0], overrides=TINY, max_workers=1,
                        progress=False)
    assert a.folder != b.folder and b.n_run == 1


def test_a_second_sweep_on_the_same_folder_is_refused(tmp_path):
    import fcntl

    out = tmp_path / "s"
    (out / "points").mkdir(parents=True)
    with open(out / ".lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        with pytest.raises(SpecError, match="another sweep is running"):
            sweep.run_sweep("esn_narma", GRID[:1], [0], out=out, overrides=TINY,
                            max_workers=1, progress=False)


def test_concurrent_summaries_never_collide(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    out = tmp_path / "s"
    sweep.run_sweep("esn_narma", GRID[:2], [0, 1], out=out, overrides=TINY, max_workers=1,
                    progress=False)
    ids = [sweep.point_id(p, s) for p in GRID[:2] for s in (0, 1)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: sweep.summarize(out, ids, GRID[:2], [0, 1],
                                                          draw=False), range(40)))
    assert all(r == results[0] for r in results)
    assert not list(out.glob("*.tmp")) and not list(out.glob(".*.tmp"))


def test_a_bad_point_fails_before_any_point_runs(tmp_path):
    grid = [{"esn.spectral_radius": 0.5}, {"esn.n_units": "many"}]
    with pytest.raises(SpecError, match="sweep point .*nothing has run"):
        sweep.run_sweep("esn_narma", grid, [0], out=tmp_path / "s", overrides=TINY,
                        max_workers=1, progress=False)
    assert not list((tmp_path / "s").glob("points/*.json"))


def test_chosen_hyperparameters_are_listed_per_seed_not_averaged(tmp_path):
    res = sweep.run_sweep("esn_narma", GRID[:1], [0, 1], out=tmp_path / "s",
                          overrides=TINY + ["readout.alpha=[1e-8, 1e-2]"], max_workers=1,
                          progress=False)
    row = res.rows[0]
    assert "readout_alpha" not in row and "readout_alpha_std" not in row
    assert len(row["chosen_readout_alpha"].split()) == 2
