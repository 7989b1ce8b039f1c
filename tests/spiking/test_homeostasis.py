"""Homeostasis: synaptic scaling and intrinsic plasticity move a neuron's rate to its target."""

import brian2 as b2
import numpy as np
import pytest

from biornn.spiking import LSM
from biornn.spiking.homeostasis import (attach_synaptic_scaling, intrinsic_threshold,
                                        rate_estimate)


def _rates(monitor, edges):
    t = np.asarray(monitor.t / b2.second)
    return np.histogram(t, edges)[0] / np.diff(edges)


def _scaled_neuron(r_target, duration=3.0, gate=1):
    rule = rate_estimate(0.2)
    eqs = b2.Equations("dv/dt = -v/(10*ms) : volt") + b2.Equations(rule.equations)
    nrn = b2.NeuronGroup(1, eqs, threshold="v > 10*mV", reset="v = 0*mV\n" + rule.reset,
                         namespace=dict(rule.namespace), method="exact")
    inp = b2.PoissonGroup(50, 20 * b2.Hz)
    syn = b2.Synapses(inp, nrn, "w : volt\nscaled : 1", on_pre="v_post += w", namespace={})
    syn.connect()
    syn.w = 1 * b2.mV
    syn.scaled = gate
    attach_synaptic_scaling(syn, r_target=r_target, tau_scaling=0.5, interval=0.05,
                            weight="w", gate="scaled")
    mon = b2.SpikeMonitor(nrn)
    b2.seed(4)
    b2.Network(nrn, inp, syn, mon).run(duration * b2.second)
    return float(np.sum(syn.w / b2.mV)), _rates(mon, [0, 0.5, duration - 1, duration])


@pytest.mark.parametrize("r_target", [100.0, 5.0])
def test_synaptic_scaling_moves_summed_input_and_rate_towards_the_target(r_target):
    _, (*_, before) = _scaled_neuron(r_target, gate=0)  # same input, scaling off
    total, (*_, late) = _scaled_neuron(r_target)
    assert 20 < before < 60
    assert (total > 50.0) == (r_target > before)       # summed input (50 x 1 mV at start)
    assert abs(late - r_target) < 0.3 * abs(before - r_target)


def _adapting_neuron(r_target, duration=3.0, gate=1):
    rule = intrinsic_threshold(r_target, eta=0.2e-3)
    eqs = b2.Equations("dv/dt = (11*mV - v)/(10*ms) : volt") + b2.Equations(rule.equations)
    nrn = b2.NeuronGroup(1, eqs, threshold="v > 10*mV" + rule.threshold,
                         reset="v = 0*mV\n" + rule.reset, namespace=dict(rule.namespace),
                         method="exact")
    nrn.ip_gate = gate
    mon = b2.SpikeMonitor(nrn)
    b2.Network(nrn, mon).run(duration * b2.second)
    return float(nrn.theta[0] / b2.mV), _rates(mon, [0, 0.2, duration - 1, duration])


@pytest.mark.parametrize("r_target", [80.0, 15.0])
def test_intrinsic_plasticity_moves_the_rate_to_the_target_from_both_sides(r_target):
    _, (*_, before) = _adapting_neuron(r_target, gate=0)     # 10 ms ln 11 period: 42 Hz
    theta, (*_, late) = _adapting_neuron(r_target)
    assert 40 <= before <= 43
    assert (theta < 0) == (r_target > before)           # threshold falls to fire more
    assert abs(late - r_target) < 0.2 * abs(before - r_target)


@pytest.mark.parametrize("features, name", [
    ({"synaptic_scaling": {"r_target": -1.0}}, "r_target"),
    ({"intrinsic_plasticity": {"r_target": -5.0}}, "r_target"),
    ({"intrinsic_plasticity": {"eta": 0.0}}, "eta"),
    ({"synaptic_scaling": {"beta": 1.0}}, "beta"),
])
def test_bad_homeostasis_parameters_are_named(features, name):
    with pytest.raises(ValueError, match=name):
        LSM((3, 3, 3), seed=0, features=features)
