"""The compiled cpp_standalone liquid never returns spikes it did not compute.

Each test damages the cached build or the run's files the way a disk, a user or
a crash can, and checks that the liquid either rebuilds and gives the spikes of an
undamaged build, or raises a clear error: never a crash, never other spikes.
One build of a tiny liquid (18 neurons) serves the module; the tests of faults
that force a rebuild compile it again each, so they are marked slow.
"""

import os

import numpy as np
import pytest

import biornn as bn
from biornn.spiking import LSM

SHAPE, SEED, TRIAL_SEEDS = (3, 3, 2), 3, [1, 2]


def _liquid():
    return LSM(SHAPE, n_inputs=3, seed=SEED, target="cpp_standalone")


def _run(lsm, inputs):
    # one trial per chunk: a stale result would be the previous trial's spikes
    return lsm.run(inputs, seed=TRIAL_SEEDS, output="spikes", chunk_size=1, progress=False)


def _assert_same_spikes(got, ref):
    assert len(got) == len(ref)
    for (ia, ta), (ib, tb) in zip(got, ref):
        np.testing.assert_array_equal(ia, ib)
        np.testing.assert_array_equal(ta, tb)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """A private cache holding one clean build, and the spikes that build gives."""
    mp = pytest.MonkeyPatch()
    mp.setenv("BIORNN_CACHE", str(tmp_path_factory.mktemp("cache")))
    data = bn.tasks.spike_templates(n_templates=2, n_channels=3, duration=0.1, rate=40.0,
                                    jitter=0.002, n_trials=2, seed=3)
    lsm = _liquid()
    ref = _run(lsm, data.inputs)
    ref_reversed = _run(lsm, data.inputs[::-1])
    # the two trials differ, so returning one for the other would be seen
    assert any(len(a[0]) != len(b[0]) or np.any(a[1] != b[1]) for a, b in zip(ref, ref[::-1]))
    yield {"inputs": data.inputs, "ref": ref, "ref_reversed": ref_reversed,
           "folder": lsm._simulator.directory}
    mp.undo()


def _static_arrays(folder):
    """Static arrays the manifest checks (the liquid's connectivity is rewritten instead)."""
    return sorted((folder / "static_arrays").glob("_static_array__dynamic_array_inputs_spike_*"))


def test_liquids_of_other_seeds_and_durations_share_the_binary_and_match_numpy(cache):
    folder = cache["folder"]
    stamp = (folder / "main").stat().st_mtime_ns
    for seed, duration in ((SEED + 4, 0.1), (SEED + 5, 0.16)):
        got = LSM(SHAPE, n_inputs=3, seed=seed, target="cpp_standalone").run(
            cache["inputs"], duration=duration, seed=TRIAL_SEEDS, output="spikes",
            chunk_size=1, progress=False)
        ref = LSM(SHAPE, n_inputs=3, seed=seed).run(
            cache["inputs"], duration=duration, seed=TRIAL_SEEDS, output="spikes",
            progress=False)
        assert max(t.max() for _, t in got) > 0.1 or duration == 0.1
        _assert_same_spikes(got, ref)
    assert (folder / "main").stat().st_mtime_ns == stamp       # not rebuilt
    assert len([p for p in folder.parent.iterdir() if p.is_dir()]) == 1


def test_damaged_connectivity_files_are_rewritten_not_trusted(cache):
    lsm = _liquid()
    _assert_same_spikes(_run(lsm, cache["inputs"]), cache["ref"])
    weights = sorted((cache["folder"] / "static_arrays").glob(
        "_static_array__dynamic_array_synapses_E_A*"))[0]
    weights.write_bytes(bytes(weights.stat().st_size))     # all weights zero
    _assert_same_spikes(_run(lsm, cache["inputs"][::-1]), cache["ref_reversed"])


@pytest.mark.slow
def test_files_damaged_between_runs_are_detected_and_the_build_replaced(cache):
    lsm = _liquid()
    _assert_same_spikes(_run(lsm, cache["inputs"]), cache["ref"])
    folder = cache["folder"]
    deleted, truncated = _static_arrays(folder)[:2]
    deleted.unlink()
    truncated.write_bytes(truncated.read_bytes()[:-16])
    main = bytearray((folder / "main").read_bytes())   # same size, other bytes
    main[len(main) // 2: len(main) // 2 + 64] = bytes(64)
    (folder / "main").write_bytes(bytes(main))
    with pytest.warns(RuntimeWarning, match="damaged") as record:
        got = _run(lsm, cache["inputs"][::-1])
    said = str(record[0].message)
    assert f"{deleted.name} missing" in said and f"{truncated.name} has" in said
    assert "main differs from the build" in said
    _assert_same_spikes(got, cache["ref_reversed"])


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["main empty", "manifest truncated"])
def test_a_new_liquid_replaces_a_damaged_cached_build(cache, fault):
    if fault == "main empty":
        (cache["folder"] / "main").write_bytes(b"")
    else:
        manifest = cache["folder"] / "biornn_manifest.json"
        manifest.write_text(manifest.read_text()[:50])
    with pytest.warns(RuntimeWarning, match="damaged"):
        got = _run(_liquid(), cache["inputs"])
    _assert_same_spikes(got, cache["ref"])


def test_unwritable_result_files_never_yield_the_previous_runs_spikes(cache):
    lsm = _liquid()
    _assert_same_spikes(_run(lsm, cache["inputs"]), cache["ref"])
    results = cache["folder"] / "results"
    spike_files = sorted(results.glob("_dynamic_array_liquid_spikes_*"))
    assert len(spike_files) == 2
    for path in spike_files:        # a folder in its place: unwritable even for root
        path.unlink()
        path.mkdir()
        (path / "keep").write_text("x")
    for path in results.iterdir():
        if path.is_file():
            path.chmod(0o444)
    _assert_same_spikes(_run(lsm, cache["inputs"][::-1]), cache["ref_reversed"])


def test_an_error_the_binary_reports_is_raised_though_it_exits_normally(cache):
    lsm = _liquid()
    _run(lsm, cache["inputs"])
    sim = lsm._simulator
    short = sim.directory / "static_arrays" / "short.dat"
    short.write_bytes(bytes(8))     # one potential where the liquid has 18
    try:
        with pytest.raises(RuntimeError, match="does not match expected size"):
            sim._execute(["--results_dir", str(sim.directory / "results") + os.sep,
                          f"{sim._v_name}=static_arrays/short.dat"])
    finally:
        short.unlink()
