import brian2 as b2
import numpy as np
import pytest

from biornn.spiking.parts import SynapsePart
from biornn.spiking.plasticity import (measure_stdp_window, stdp_parameters, stdp_synapses,
                                       stdp_window)

DELTAS = np.array([-40, -20, -10, -5, 5, 10, 20, 40]) * 1e-3


def test_additive_window_has_the_parameters_amplitudes_and_time_constants():
    n = 10
    dw = measure_stdp_window(DELTAS, "additive", n_pairings=n, frequency=5.0, dt=0.5e-3) / n
    assert np.all(dw[DELTAS > 0] > 0) and np.all(dw[DELTAS < 0] < 0)
    np.testing.assert_allclose(dw, stdp_window(DELTAS, "additive"), rtol=0.02)
    p = stdp_parameters("additive")
    # amplitude and time constant recovered from the measured window, each side
    for side, A, tau in [(DELTAS > 0, p["A_plus"], p["tau_plus"]),
                         (DELTAS < 0, -p["A_minus"], p["tau_minus"])]:
        slope, intercept = np.polyfit(np.abs(DELTAS[side]), np.log(np.abs(dw[side])), 1)
        assert -1 / slope == pytest.approx(tau, rel=0.05)
        assert np.sign(A) * np.exp(intercept) == pytest.approx(A, rel=0.05)


def test_multiplicative_rule_potentiates_weak_and_depresses_strong_weights_more():
    deltas = np.array([-10e-3, 10e-3])
    weak = measure_stdp_window(deltas, "multiplicative", n_pairings=1, w_init=0.2, dt=0.5e-3)
    strong = measure_stdp_window(deltas, "multiplicative", n_pairings=1, w_init=0.8, dt=0.5e-3)
    assert weak[1] == pytest.approx(4 * strong[1], rel=0.01)     # (w_max - w) dependence
    assert strong[0] == pytest.approx(4 * weak[0], rel=0.01)     # w dependence


def test_triplet_rule_potentiates_only_at_high_pairing_frequency():
    deltas = np.array([-10e-3, 10e-3])
    slow = measure_stdp_window(deltas, "triplet", n_pairings=8, frequency=1.0, dt=0.5e-3)
    fast = measure_stdp_window(deltas, "triplet", n_pairings=8, frequency=20.0, dt=0.5e-3)
    assert slow[0] < 0 and fast[0] < 0             # post-before-pre depresses at both
    assert abs(slow[1]) < 1e-3                      # no LTP at 1 Hz (Sjöström et al. 2001)
    assert fast[1] > 0.01                           # LTP at 20 Hz (triplet term)


def test_weights_are_bounded_by_zero_and_w_max():
    deltas = np.array([-5e-3, 5e-3])
    dw = measure_stdp_window(deltas, "additive", n_pairings=10, frequency=10.0, dt=0.5e-3,
                             A_plus=0.3, A_minus=0.3)
    np.testing.assert_allclose(dw + 0.5, [0.0, 1.0])


def test_stdp_composes_with_a_transmission_model():
    pre = b2.SpikeGeneratorGroup(1, [0, 0], [10, 30] * b2.ms)
    post = b2.NeuronGroup(1, "dI/dt = -I/(5*ms) : amp", threshold="False")
    base = SynapsePart(model="A : amp", on_pre="I_post += A")
    syn = stdp_synapses(pre, post, "additive", w_init=1e-9, w_max=2e-9, weight="A",
                        unit="amp", base=base)
    mon = b2.StateMonitor(post, "I", record=0)
    b2.Network(pre, post, syn, mon).run(20 * b2.ms, namespace={})
    assert float(mon.I[0].max() / b2.amp) == pytest.approx(1e-9, rel=1e-6)  # weight is used
    assert float(syn.A_max[0] / b2.amp) == pytest.approx(2e-9)


@pytest.mark.parametrize("kwargs, name", [
    ({"rule": "hebbian"}, "rule"),
    ({"tau_plus": -0.02}, "tau_plus"),
    ({"A_minus": -0.01}, "A_minus"),
    ({"rule": "triplet", "tau_y": 0.0}, "tau_y"),
])
def test_bad_stdp_parameters_are_named(kwargs, name):
    with pytest.raises(ValueError, match=name):
        stdp_parameters(**kwargs)
