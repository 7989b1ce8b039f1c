"""Biophysical features inside the liquid: all on at once, reproducible, validated."""

import numpy as np
import pytest

import biornn as bn
from biornn.spiking import LSM
from biornn.spiking.features import GapJunctionFeature, STDPFeature

ALL = ["stdp", "gap_junctions", "dendrites", "gabab"]


@pytest.fixture(scope="module")
def data():
    return bn.tasks.spike_templates(n_templates=2, n_channels=3, duration=0.1, rate=60.0,
                                    jitter=0.002, n_trials=2, seed=3)


def _run(data, features, seed=5):
    lsm = LSM((5, 3, 3), n_inputs=3, seed=seed, features=features)
    spikes = lsm.run(data.inputs, output="spikes", progress=False, seed=[1, 2],
                     plastic=True)   # STDP learns within each trial (frozen by default)
    return lsm, spikes


def _stdp(lsm):
    return next(e for e in lsm.extensions if isinstance(e, STDPFeature))


def test_all_features_at_once_build_run_and_repeat_exactly(data):
    lsm_a, a = _run(data, ALL)
    lsm_b, b = _run(data, ALL)
    assert lsm_a.method == "euler"                       # nonlinear currents
    assert sum(len(i) for i, _ in a) > 0
    for (ia, ta), (ib, tb) in zip(a, b):
        np.testing.assert_array_equal(ia, ib)
        np.testing.assert_array_equal(ta, tb)
    wa, plastic = _stdp(lsm_a).weights(lsm_a)
    wb, _ = _stdp(lsm_b).weights(lsm_b)
    np.testing.assert_array_equal(wa, wb)
    drawn = lsm_a.recurrent["E"].params["A"]
    assert np.any(wa[plastic] != drawn[plastic])                   # E->E learned
    np.testing.assert_allclose(wa[~plastic], drawn[~plastic], rtol=1e-12)  # E->I as drawn
    assert np.any(drawn[~plastic] > _stdp(lsm_a).A_max)  # the check has teeth


def test_each_feature_changes_the_liquid_activity(data):
    _, base = _run(data, [])
    for name in ALL:
        _, spikes = _run(data, [name])
        differs = any(len(x[0]) != len(y[0]) or np.any(x[1] != y[1])
                      for x, y in zip(base, spikes))
        assert differs, name


def test_gap_junctions_join_only_nearby_inhibitory_neurons():
    lsm = LSM((15, 3, 3), seed=2)
    pairs = GapJunctionFeature(probability=1.0, length_constant=1.5).pairs(lsm)
    assert len(pairs) > 0 and np.all(lsm.inhibitory[pairs])
    d2 = ((lsm.positions[pairs[:, 0]] - lsm.positions[pairs[:, 1]]) ** 2).sum(-1)
    assert np.median(d2) < 10


@pytest.mark.parametrize("features, name", [
    (["calcium"], "feature"),
    ({"stdp": {"rule": "bcm"}}, "rule"),
    ({"stdp": {"tau_plus": -0.02}}, "tau_plus"),
    ({"gap_junctions": {"g": -1e-9}}, "g"),
    ({"dendrites": {"tau_d": 0.0}}, "tau_d"),
    ({"gabab": {"g_max": -1e-6}}, "g_max"),
    ({"gabab": {"K4": -1.0}}, "K4"),
])
def test_bad_feature_parameters_are_named(features, name):
    with pytest.raises(ValueError, match=name):
        LSM((5, 3, 3), seed=0, features=features)


@pytest.mark.slow
def test_all_features_give_the_same_spikes_in_cpp_standalone(data, tmp_path, monkeypatch):
    monkeypatch.setenv("BIORNN_CACHE", str(tmp_path))      # compiles once (~30 s)
    _, ref = _run(data, ALL)
    lsm = LSM((5, 3, 3), n_inputs=3, seed=5, features=ALL, target="cpp_standalone")
    got = lsm.run(data.inputs, output="spikes", progress=False, seed=[1, 2])
    for (ia, ta), (ib, tb) in zip(ref, got):
        np.testing.assert_array_equal(ia, ib)
        np.testing.assert_allclose(ta, tb)
