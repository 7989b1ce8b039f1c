"""Learning phase of the liquid: weights learned persist, are used, frozen, saved."""

import numpy as np
import pytest

import biornn as bn
from biornn.spiking import LSM
from biornn.spiking.features import STDPFeature

SHAPE = (4, 3, 3)


@pytest.fixture(scope="module")
def data():
    return bn.tasks.spike_templates(n_templates=2, n_channels=3, duration=0.1, rate=60.0,
                                    jitter=0.002, n_trials=2, seed=3)


def _stream(duration, rate=80.0, n_channels=3, seed=0):
    rng = np.random.default_rng(seed)
    n = rng.poisson(rate * n_channels * duration)
    return rng.integers(0, n_channels, n), np.sort(rng.uniform(0, duration, n))


def _stdp(lsm):
    return next(e for e in lsm.extensions if isinstance(e, STDPFeature))


@pytest.fixture(scope="module")
def learned():
    lsm = LSM(SHAPE, n_inputs=3, seed=5, features={"stdp": {"A_max": 60e-9}})
    drawn = lsm.recurrent["E"].params["A"].copy()
    history = lsm.learn(_stream(1.0), duration=1.0, record_weights_every=0.25,
                        progress=False, seed=1)
    return lsm, drawn, history


def test_learned_weights_are_kept_and_used_by_run(learned, data):
    lsm, drawn, history = learned
    A = lsm.recurrent["E"].params["A"]
    ee = ~lsm.inhibitory[lsm.recurrent["E"].post]
    assert np.any(A[ee] != drawn[ee])                       # the rule learned
    np.testing.assert_array_equal(A[~ee], drawn[~ee])      # E->I never plastic
    np.testing.assert_allclose(history.weights[-1], A[history.synapse_index], rtol=1e-6)
    # the history's start is the drawn weights, not a view of the learned ones
    np.testing.assert_allclose(history.initial_weights, drawn[history.synapse_index],
                               rtol=1e-6)
    assert np.any(history.initial_weights != history.weights[-1])
    np.testing.assert_array_equal(history.initial_histogram,
                                  np.histogram(np.clip(drawn[ee], 0, history.bin_edges[-1]),
                                               history.bin_edges)[0])
    lsm.run(data.inputs, progress=False, seed=[1, 2])
    used, _ = _stdp(lsm).weights(lsm, copy=1)              # every copy starts from them
    np.testing.assert_array_equal(used, A)


def test_frozen_runs_repeat_and_plastic_runs_change_weights(learned, data):
    lsm, _, _ = learned
    A = lsm.recurrent["E"].params["A"].copy()
    x1 = lsm.run(data.inputs, progress=False, seed=[1, 2])
    x2 = lsm.run(data.inputs, progress=False, seed=[1, 2])
    np.testing.assert_array_equal(x1, x2)
    lsm.run(data.inputs, progress=False, seed=[1, 2], plastic=True)
    after, ee = _stdp(lsm).weights(lsm)
    assert np.any(after[ee] != A[ee])
    np.testing.assert_array_equal(lsm.recurrent["E"].params["A"], A)   # not written back
    x3 = lsm.run(data.inputs, progress=False, seed=[1, 2])
    np.testing.assert_array_equal(x1, x3)


def test_learned_liquid_round_trips_through_save_and_load(learned, data, tmp_path):
    lsm, drawn, _ = learned
    path = bn.save(lsm, tmp_path / "learned.npz")
    back = bn.load(path)
    for key in ("A", "U", "D", "F", "delay"):
        np.testing.assert_array_equal(back.recurrent["E"].params[key],
                                      lsm.recurrent["E"].params[key])
    np.testing.assert_array_equal(back.learned["E.A_initial"], drawn)
    assert back.features == lsm.features and len(back.extensions) == 1
    np.testing.assert_array_equal(back.run(data.inputs, progress=False, seed=[1, 2]),
                                  lsm.run(data.inputs, progress=False, seed=[1, 2]))


def test_switching_stdp_on_changes_no_drawn_amplitude(data):
    plain = LSM(SHAPE, n_inputs=3, seed=7)
    stdp = LSM(SHAPE, n_inputs=3, seed=7, features={"stdp": {"A_max": 30e-9}})
    drawn = plain.recurrent["E"].params["A"]
    assert np.any(drawn[~plain.inhibitory[plain.recurrent["E"].post]] > 30e-9)  # has teeth
    x_plain = plain.run(data.inputs, progress=False, seed=[1, 2])
    x_stdp = stdp.run(data.inputs, progress=False, seed=[1, 2])
    A, _ = _stdp(stdp).weights(stdp)
    np.testing.assert_array_equal(A, drawn)
    np.testing.assert_array_equal(x_stdp, x_plain)


def test_weight_history_memory_is_bounded_when_the_run_doubles():
    sizes = []
    for duration in (0.4, 0.8):
        lsm = LSM((3, 3, 3), n_inputs=3, seed=2, features=["stdp"])
        h = lsm.learn(_stream(duration), duration=duration, record_weights_every=0.05,
                      max_snapshots=4, progress=False, seed=0)
        assert len(h.times) <= 4 and h.times[-1] == pytest.approx(duration)
        sizes.append(h.nbytes)
    assert sizes[0] == sizes[1]


def test_learning_without_a_plastic_synapse_is_refused():
    with pytest.raises(ValueError, match="plasticity feature"):
        LSM(SHAPE, n_inputs=3, seed=0).learn(_stream(0.1), duration=0.1)
    no_ee = LSM(SHAPE, n_inputs=3, seed=0, connectivity={"EE": 0.0}, features=["stdp"])
    with pytest.raises(ValueError, match="no plastic synapse"):
        no_ee.learn(_stream(0.1), duration=0.1)


def test_learning_from_trials_plays_them_one_after_another(data):
    lsm = LSM((3, 3, 3), n_inputs=3, seed=2, features=["intrinsic_plasticity"])
    h = lsm.learn(data.inputs, duration=0.1, record_weights_every=0.05, progress=False)
    assert h.times[-1] == pytest.approx(0.2)               # 2 trials of 0.1 s
    assert h.thresholds.shape == (len(h.times), lsm.n_neurons)
    np.testing.assert_array_equal(lsm.learned["theta"], h.thresholds[-1])
