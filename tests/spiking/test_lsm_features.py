"""Biophysical features inside the liquid: all on at once, reproducible, validated, and each
with its behavioural signature at the parameters the liquid uses (models/lsm_features.toml)."""

import numpy as np
import pytest

import biornn as bn
from biornn.spiking import LSM
from biornn.spiking import measures as M
from biornn.spiking.features import GapJunctionFeature, STDPFeature, liquid_features, \
    liquid_variant

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


@pytest.fixture(scope="module")
def steady():
    """Poisson input (10 channels, 20 Hz) to the Maass column, 3 trials of 0.4 s."""
    return M.burst_inputs(10, 0.4, burst_rate=0.0, n_trials=3, seed=0)


def _column(data, features):
    lsm = LSM.from_model("maass2002_lsm", seed=1, features=features)
    return lsm, lsm.run(data, output="spikes", progress=False, seed=list(range(len(data))))


def test_gap_junctions_raise_the_synchrony_of_coupled_inhibitory_pairs_without_lockstep(steady):
    _, plain = _column(steady, None)
    lsm, coupled = _column(steady, ["gap_junctions"])
    pairs = liquid_features(["gap_junctions"])[0].pairs(lsm)      # the same pairs in both
    assert len(pairs) >= 10
    sync = [M.pair_synchrony(s, pairs, 0.4) for s in (plain, coupled)]
    lock = [M.partner_coincidence(s, pairs) for s in (plain, coupled)]
    assert sync[1] > sync[0] and lock[1] > lock[0]
    # not the lockstep of spikelets near the 1.5 mV between reset and threshold
    assert lock[1] < 0.25
    rates = [M.firing_rates(s, lsm.inhibitory, (0, 0.4))[1].mean() for s in (plain, coupled)]
    assert rates[1] < 1.25 * rates[0]


def test_gabab_lowers_excitatory_rates_100_to_300_ms_after_an_inhibitory_burst():
    data = M.burst_inputs(10, 0.6, burst_rate=200.0, burst_start=0.2, burst_length=0.05,
                          n_trials=4, seed=1)
    rates = {}
    for on in (False, True):
        lsm, spikes = _column(data, ["gabab"] if on else None)
        rates[on] = M.firing_rates(spikes, lsm.inhibitory, (0.35, 0.55))[0]
        burst_I = M.firing_rates(spikes, lsm.inhibitory, (0.2, 0.25))[1]
        before_I = M.firing_rates(spikes, lsm.inhibitory, (0.1, 0.2))[1]
        assert burst_I.mean() > 3 * before_I.mean()       # the input burst is an I burst
    assert M.suppression(rates[True], rates[False]) >= 0.2


def _passive(lsm):
    return M.soma_rest_and_input_resistance(lsm, settle=0.2)  # error < 0.2%


def test_dendrites_keep_the_somas_rest_and_input_resistance():
    ref = _passive(LSM.from_model("maass2002_lsm", seed=1))
    assert ref["rest_E"] == pytest.approx(13.5e-3, rel=0.01)   # I_b R_m (Maass et al. 2002)
    assert ref["R_in_E"] == pytest.approx(1e6, rel=0.01)
    for features in (["dendrites"], {"dendrites": {"nonlinearity": "none"}}):
        got = _passive(
            LSM.from_model("maass2002_lsm", seed=1, features=features))
        for key in ("rest_E", "R_in_E", "rest_I", "R_in_I"):
            assert got[key] == pytest.approx(ref[key], rel=0.02), (features, key)
    loaded = _passive(LSM.from_model(
        "maass2002_lsm", seed=1, features={"dendrites": {"compensate_load": False}}))
    assert loaded["R_in_E"] < 0.9 * ref["R_in_E"]              # what the compensation removes


def test_deep_reset_variant_changes_the_cell_by_name_only():
    kwargs = liquid_variant("deep_reset")
    lsm = LSM.from_model("maass2002_lsm", seed=0, **kwargs)
    assert lsm.neuron["v_reset"] == 0.0
    assert LSM.from_model("maass2002_lsm", seed=0).neuron["v_reset"] > 0
    with pytest.raises(ValueError, match="variant"):
        liquid_variant("no_such_variant")


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
    ({"dendrites": {"compensate_load": "yes"}}, "compensate_load"),
    ({"gabab": {"g_max": -1e-6}}, "g_max"),
    ({"gabab": {"K4": -1.0}}, "K4"),
])
def test_bad_feature_parameters_are_named(features, name):
    with pytest.raises((ValueError, TypeError), match=name):
        LSM((5, 3, 3), seed=0, features=features)


@pytest.mark.slow
def test_all_features_give_the_same_spikes_in_cpp_standalone(data, tmp_path, monkeypatch):
    monkeypatch.setenv("BIORNN_CACHE", str(tmp_path))      # compiles once (~30 s)
    _, ref = _run(data, ALL)
    lsm = LSM((5, 3, 3), n_inputs=3, seed=5, features=ALL, target="cpp_standalone")
    got = lsm.run(data.inputs, output="spikes", progress=False, seed=[1, 2], plastic=True)
    for (ia, ta), (ib, tb) in zip(ref, got):
        np.testing.assert_array_equal(ia, ib)
        np.testing.assert_allclose(ta, tb)
