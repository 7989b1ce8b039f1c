"""Liquid trials on a Dask LocalCluster of 2 single-threaded worker processes."""

import json
import os
import signal
import threading
import time

import numpy as np
import pytest

import biornn as bn
from biornn import _dask, cli
from biornn.spiking import LSM
from biornn.spiking.distributed import use_scheduler

distributed = pytest.importorskip("distributed")

CHUNK = "biornn-liquid-"


def small_lsm(seed=0, **kw):
    return LSM((5, 3, 3), n_inputs=3, seed=seed, **kw)


@pytest.fixture(scope="module")
def client():
    with _dask.connect("local:2") as c:     # 2 single-threaded worker processes
        assert sorted(c.nthreads().values()) == [1, 1]
        yield c


@pytest.fixture(scope="module")
def data():
    return bn.tasks.spike_templates(n_templates=2, n_channels=3, duration=0.1, rate=40.0,
                                    jitter=0.002, n_trials=4, seed=3)


def chunk_workers(stream):
    return {t["worker"] for t in stream.data if str(t["key"]).startswith(CHUNK)}


def test_distributed_states_equal_the_local_run_bit_for_bit(client, data):
    # the liquid's own stream (seed=None) draws the same initial states on the client
    local = small_lsm(seed=2).run(data.inputs, progress=False)
    with distributed.get_task_stream(client=client) as stream:
        remote = small_lsm(seed=2).run(data.inputs, scheduler=client, progress=False)
    assert remote.shape == local.shape == (4, 10, 45) and local.sum() > 0
    np.testing.assert_array_equal(remote, local)
    # 4 trials on 2 workers: chunks of one trial, run by both workers
    assert chunk_workers(stream) == set(client.nthreads())
    # spikes too, with per-trial seeds and chunks of 3 (the last one padded)
    lsm = small_lsm(seed=2)
    a = lsm.run(data.inputs, seed=[5, 6, 7, 8], output="spikes", progress=False)
    b = lsm.run(data.inputs, seed=[5, 6, 7, 8], output="spikes", chunk_size=3,
                scheduler=client, progress=False)
    assert len(a) == len(b) == 4
    for (ia, ta), (ib, tb) in zip(a, b):
        np.testing.assert_array_equal(ia, ib)
        np.testing.assert_array_equal(ta, tb)
    # another seed gives other states: the comparison above can fail
    other = lsm.run(data.inputs, seed=[1, 2, 3, 4], scheduler=client, progress=False)
    assert not np.array_equal(other, local)


def test_use_scheduler_sends_analog_runs_to_the_cluster(client):
    signals = np.random.default_rng(0).uniform(0, 1, (3, 60, 1))
    lsm = LSM((5, 3, 3), n_inputs=1, seed=6)
    local = lsm.run_analog(signals, input_scale=30e-9, seed=9, progress=False)
    with distributed.get_task_stream(client=client) as stream, use_scheduler(client):
        remote = lsm.run_analog(signals, input_scale=30e-9, seed=9, progress=False)
    assert chunk_workers(stream), "the run went to the cluster"
    assert local.sum() > 0
    np.testing.assert_array_equal(remote, local)
    assert _dask.default_scheduler() is None      # the block's default is gone after it


def test_cli_run_scheduler_gives_the_local_metrics(client, tmp_path):
    tiny = ["sizes.n_neurons=[9]", "esn.density=0.5", "lsm.method=euler",
            "classification.n_train=6", "classification.n_test=4",
            "classification.duration=50 ms", "sizes.n_seeds=1", "analog.n_segments=4",
            "analog.n_val_segments=1", "analog.n_test_segments=1", "analog.segment_steps=20",
            "analog.washout=5", "analog.steps=[\"2 ms\"]"]
    args = ["run", "lsm_vs_esn", "--no-progress"] + [a for o in tiny for a in ("--set", o)]
    metrics = {}
    for name, extra in (("local", []), ("dask", ["--scheduler", client.scheduler.address])):
        with distributed.get_task_stream(client=client) as stream:
            assert cli.main(args + ["--out", str(tmp_path / name)] + extra) == 0
        assert bool(chunk_workers(stream)) == (name == "dask")
        (folder,) = (tmp_path / name).iterdir()
        metrics[name] = json.loads((folder / "results.json").read_text())["metrics"]
    assert metrics["dask"] == metrics["local"]


def test_bad_schedulers_are_refused_before_anything_runs(data, capsys):
    lsm = small_lsm()
    with pytest.raises(TypeError, match="scheduler"):
        lsm.run(data.inputs, scheduler=8786, progress=False)
    with pytest.raises(ValueError, match="local:N"):
        lsm.run(data.inputs, scheduler="local:0", progress=False)
    with pytest.raises(ValueError, match="record"):
        lsm.run(data.inputs, scheduler="local:1", record={"v": [0]}, progress=False)
    assert cli.main(["run", "esn_narma", "--scheduler", "local:x"]) == 1
    assert "--scheduler" in capsys.readouterr().err


def _executing(dask_worker):
    return [str(ts.key) for ts in dask_worker.state.tasks.values() if ts.state == "executing"]


def test_a_killed_workers_chunk_is_rerun_and_nothing_is_lost(client):
    # 8 trials of 0.3 s in chunks of 2: long enough to kill a worker in the middle
    inputs = bn.tasks.spike_templates(n_templates=2, n_channels=3, duration=0.3, rate=40.0,
                                      jitter=0.002, n_trials=8, seed=5).inputs
    lsm, seeds = small_lsm(seed=3), list(range(8))
    local = lsm.run(inputs, seed=seeds, chunk_size=2, progress=False)
    pids = client.run(os.getpid)
    out = {}

    def remote():
        try:
            out["states"] = lsm.run(inputs, seed=seeds, chunk_size=2, scheduler=client,
                                    progress=False)
        except BaseException as exc:  # noqa: BLE001  (re-raised below)
            out["error"] = exc

    thread = threading.Thread(target=remote)
    thread.start()
    deadline = time.monotonic() + 300
    victim = None
    while victim is None and time.monotonic() < deadline and thread.is_alive():
        busy = {w: [k for k in keys if k.startswith(CHUNK)]
                for w, keys in client.run(_executing).items()}
        victim = next(((w, keys[0]) for w, keys in busy.items() if keys), None)
        time.sleep(0.05)
    assert victim is not None, "no chunk was seen running"
    worker, key = victim
    os.kill(pids[worker], signal.SIGKILL)
    thread.join(timeout=600)
    assert not thread.is_alive()
    if "error" in out:
        raise out["error"]
    # complete, in order, nothing counted twice: equal to the local run
    np.testing.assert_array_equal(out["states"], local)
    assert worker not in client.nthreads() or client.run(os.getpid)[worker] != pids[worker]
    story = client.run_on_scheduler(lambda dask_scheduler, k=key: dask_scheduler.story(k))
    assert sum(1 for s in story if s[2] == "processing") >= 2, "the killed chunk ran again"
    assert sum(1 for s in story if s[2] == "memory") == 1
