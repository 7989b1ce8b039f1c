"""Learning on cpp_standalone: one compiled run, the same history and weights as numpy.

Brian2 promises no bit-identical results across targets (the generated C++ and the
numpy code may round differently; random numbers differ), but this run draws no
random numbers: with the same seed both targets start from the same potentials and
replay the same input, so over a short run of a small liquid they agree to rounding
(weights within 1e-9 relative, the same spikes, counts and histograms).  The tests
that compile are marked slow (three builds of an 18-neuron liquid).
"""

import numpy as np
import pytest

import biornn as bn
from biornn.spiking import LSM
from biornn.spiking.learning import HistoryRecorder
from biornn.spiking.learning_standalone import final_stride

SHAPE, FEATURES = (3, 3, 2), {"stdp": {"A_max": 60e-9}, "intrinsic_plasticity": {}}


def _stream(duration, rate=80.0, n_channels=3, seed=0):
    rng = np.random.default_rng(seed)
    n = rng.poisson(rate * n_channels * duration)
    return rng.integers(0, n_channels, n), np.sort(rng.uniform(0, duration, n))


@pytest.mark.parametrize("total, step, capacity", [(1.0, 0.05, 8), (1.0, 0.05, 4),
                                                   (1000.0, 1.0, 256), (0.4, 0.1, 2),
                                                   (3.3, 0.1, 5), (1.0, 0.25, 256)])
def test_compiled_history_keeps_the_rows_the_runtime_history_keeps(total, step, capacity):
    # the runtime recorder offered every snapshot, thinning as it fills ...
    n_calls = int(round(total / step)) - 1
    runtime = HistoryRecorder(capacity)
    for k in range(1, n_calls + 1):
        runtime.offer(lambda: {"times": k})
    # ... and the compiled run's monitors, sampling at the final stride only
    stride = final_stride(total, step, capacity)
    compiled = HistoryRecorder(capacity, stride=stride)
    rows = list(range(stride, n_calls + 1, stride))
    assert len(rows) < capacity                     # bounded whatever the run's length
    for k in rows:
        compiled.add({"times": k})
    assert compiled.stride == runtime.stride
    assert compiled.rows["times"] == runtime.rows["times"]


def _learn_on_both_targets(features):
    """{target: (liquid, history)} of the same column learning the same stream."""
    out = {}
    for target in ("numpy", "cpp_standalone"):
        lsm = LSM(SHAPE, n_inputs=3, seed=5, features=features, target=target)
        history = lsm.learn(_stream(0.6), duration=0.6, record_weights_every=0.05,
                            max_snapshots=4, progress=False, seed=1)
        out[target] = lsm, history
    return out


@pytest.fixture(scope="module")
def learned(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("BIORNN_CACHE", str(tmp_path_factory.mktemp("cache")))
    yield _learn_on_both_targets(FEATURES)
    mp.undo()


@pytest.mark.slow
def test_compiled_learning_gives_the_weights_and_history_of_numpy(learned):
    (ref, h_ref), (lsm, h) = learned["numpy"], learned["cpp_standalone"]
    A, drawn = lsm.recurrent["E"].params["A"], lsm.learned["E.A_initial"]
    ee = ~lsm.inhibitory[lsm.recurrent["E"].post]
    assert np.any(A[ee] != drawn[ee])                       # it learned
    np.testing.assert_array_equal(A[~ee], drawn[~ee])      # E->I never plastic
    np.testing.assert_allclose(A, ref.recurrent["E"].params["A"], rtol=1e-9, atol=0)
    np.testing.assert_allclose(lsm.learned["theta"], ref.learned["theta"], rtol=1e-9,
                               atol=1e-15)
    assert np.any(lsm.learned["theta"] != 0)
    assert len(h.times) <= 4 and h.times[-1] == pytest.approx(0.6)
    assert h.interval == h_ref.interval
    np.testing.assert_array_equal(h.times, h_ref.times)
    np.testing.assert_allclose(h.weights, h_ref.weights, rtol=1e-6)
    np.testing.assert_allclose(h.rates, h_ref.rates, rtol=1e-9)
    np.testing.assert_allclose(h.thresholds, h_ref.thresholds, rtol=1e-9, atol=1e-15)
    np.testing.assert_array_equal(h.histograms, h_ref.histograms)  # all E->E recorded
    assert h.histogram_synapses == h_ref.histogram_synapses == ee.sum()
    np.testing.assert_array_equal(h.initial_weights, h_ref.initial_weights)


@pytest.mark.slow
def test_compiled_runs_use_the_learned_weights_frozen_or_plastic(learned):
    lsm = learned["cpp_standalone"][0]
    data = bn.tasks.spike_templates(n_templates=2, n_channels=3, duration=0.2, rate=60.0,
                                    jitter=0.002, n_trials=2, seed=3)
    # the same column on numpy, given the weights and thresholds learned on standalone
    same = LSM(SHAPE, n_inputs=3, seed=5, features=FEATURES)
    same.recurrent["E"].params["A"] = lsm.recurrent["E"].params["A"].copy()
    same.learned = {k: v.copy() for k, v in lsm.learned.items()}
    unlearned = LSM(SHAPE, n_inputs=3, seed=5, features=FEATURES)

    def spikes(liquid, plastic=False):
        return liquid.run(data.inputs, seed=list(range(len(data.inputs))), output="spikes", progress=False,
                          plastic=plastic)

    def same_spikes(a, b):
        return all(np.array_equal(ia, ib) and np.allclose(ta, tb)
                   for (ia, ta), (ib, tb) in zip(a, b))

    frozen = spikes(lsm)
    assert same_spikes(frozen, spikes(same))
    assert not same_spikes(frozen, spikes(unlearned))      # the learned weights matter
    # a plastic run after a frozen one gets its own build (the gates are compiled in)
    plastic_ref = spikes(same, plastic=True)
    assert not same_spikes(plastic_ref, frozen)
    assert same_spikes(spikes(lsm, plastic=True), plastic_ref)


SCALING = {"r_target": 5.0, "tau_scaling": 0.5, "interval": 0.05}


@pytest.mark.slow
def test_compiled_homeostasis_learns_what_numpy_learns(tmp_path, monkeypatch):
    # synaptic scaling (a run_regularly on the E synapses), intrinsic plasticity (a
    # threshold offset stepped at spikes) and STDP together (SORN-like): every compiled
    # homeostatic part is exercised (STDP + intrinsic plasticity alone: the fixture)
    monkeypatch.setenv("BIORNN_CACHE", str(tmp_path))
    out = _learn_on_both_targets({**FEATURES, "synaptic_scaling": SCALING})
    (ref, h_ref), (lsm, h) = out["numpy"], out["cpp_standalone"]
    A, drawn = lsm.recurrent["E"].params["A"], lsm.learned["E.A_initial"]
    ee = ~lsm.inhibitory[lsm.recurrent["E"].post]
    assert np.any(A[ee] != drawn[ee])                      # scaling/STDP moved weights
    np.testing.assert_array_equal(A[~ee], drawn[~ee])      # E->I never plastic
    np.testing.assert_allclose(A, ref.recurrent["E"].params["A"], rtol=1e-9, atol=0)
    assert np.any(lsm.learned["theta"] != 0)
    np.testing.assert_allclose(lsm.learned["theta"], ref.learned["theta"], rtol=1e-9,
                               atol=1e-15)
    np.testing.assert_allclose(h.thresholds, h_ref.thresholds, rtol=1e-9, atol=1e-15)
    np.testing.assert_array_equal(h.times, h_ref.times)
    np.testing.assert_allclose(h.weights, h_ref.weights, rtol=1e-6)
    np.testing.assert_allclose(h.rates, h_ref.rates, rtol=1e-9)
