"""Reward-modulated STDP: eligibility x dopamine (Izhikevich 2007)."""

import brian2 as b2
import numpy as np
import pytest

from biornn.spiking import LSM
from biornn.spiking.parts import SynapsePart, join_synapse_parts
from biornn.spiking.reward import dopamine_signal, reward_stdp_parameters, reward_stdp_synapse

DT = 10e-3


def _paired_then_rewarded(reward_at, amount, delta=10e-3, duration=2.5):
    """One pre->post pairing at 50 ms; one 10 ms dopamine pulse at ``reward_at``."""
    samples = np.zeros(int(round(duration / DT)))
    samples[int(round(reward_at / DT))] = amount
    _, dopamine = dopamine_signal(samples, duration, dt=DT)
    part, (code, dt) = reward_stdp_synapse(dopamine)
    part = join_synapse_parts(SynapsePart("w : 1"), part)
    pre = b2.SpikeGeneratorGroup(1, [0], [50e-3] * b2.second)
    post = b2.SpikeGeneratorGroup(1, [0], [50e-3 + delta] * b2.second)
    syn = b2.Synapses(pre, post, part.model, on_pre=part.on_pre, on_post=part.on_post,
                      namespace=part.namespace)
    syn.connect(i=0, j=0)
    syn.w, syn.w_max = 0.5, 1.0
    syn.run_regularly(code, dt=dt)
    b2.Network(pre, post, syn).run(duration * b2.second)
    return float(syn.w[0]) - 0.5


def test_zero_dopamine_changes_no_weight_and_its_sign_sets_the_direction():
    assert _paired_then_rewarded(1.0, 0.0) == 0.0
    up = _paired_then_rewarded(1.0, 50.0)
    down = _paired_then_rewarded(1.0, -50.0)
    assert up > 0 and down == pytest.approx(-up, rel=1e-9)
    assert _paired_then_rewarded(1.0, 50.0, delta=-10e-3) < 0    # post-pre: negative tag


def test_eligibility_trace_decays_with_its_time_constant():
    p = reward_stdp_parameters()
    early, late = _paired_then_rewarded(0.5, 50.0), _paired_then_rewarded(2.0, 50.0)
    tau = 1.5 / np.log(early / late)
    assert tau == pytest.approx(p["tau_c"], rel=0.01)
    # the size of the tag: A_plus exp(-10/20) decayed to the reward, times d dt
    expected = p["A_plus"] * np.exp(-0.5) * np.exp(-(0.5 - 0.06) / p["tau_c"]) * 50 * DT
    assert early == pytest.approx(expected, rel=0.02)


def test_reward_events_decay_with_tau_d():
    values, _ = dopamine_signal(([0.1], [2.0]), 1.0, dt=DT, tau_d=0.2, tonic=0.5)
    k = int(round(0.1 / DT))
    assert values[k - 1] == 0.5 and values[k] == pytest.approx(2.5)
    assert values[k + 20] - 0.5 == pytest.approx(2.0 * np.exp(-1.0), rel=1e-9)


def test_dopamine_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="dopamine"):
        dopamine_signal(np.zeros(7), 1.0, dt=DT)
    with pytest.raises(ValueError, match="dopamine"):
        dopamine_signal(lambda t: np.zeros(3), 1.0, dt=DT)
    lsm = LSM((3, 3, 3), n_inputs=1, seed=0, features=["reward_stdp"])
    stream = (np.array([0]), np.array([0.01]))
    with pytest.raises(ValueError, match="dopamine"):
        lsm.learn(stream, duration=0.1, dopamine=np.ones(3), progress=False)
