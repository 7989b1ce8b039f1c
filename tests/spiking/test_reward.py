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


def _centred_pairing(reward_at, amount, tonic=0.0):
    """As ``_paired_then_rewarded`` on the centred dopamine (tau_mean 10 s)."""
    samples = np.zeros(250)
    samples[int(round(reward_at / DT))] = amount
    values, dopamine = dopamine_signal(samples, 2.5, dt=DT, tonic=tonic, centre=10.0)
    part, (code, dt) = reward_stdp_synapse(dopamine)
    part = join_synapse_parts(SynapsePart("w : 1"), part)
    pre = b2.SpikeGeneratorGroup(1, [0], [50e-3] * b2.second)
    post = b2.SpikeGeneratorGroup(1, [0], [60e-3] * b2.second)
    syn = b2.Synapses(pre, post, part.model, on_pre=part.on_pre, on_post=part.on_post,
                      namespace=part.namespace)
    syn.connect(i=0, j=0)
    syn.w, syn.w_max = 0.5, 1.0
    syn.run_regularly(code, dt=dt)
    b2.Network(pre, post, syn).run(2.5 * b2.second)
    return float(syn.w[0]) - 0.5, values


def test_centred_dopamine_zero_and_tonic_change_nothing_and_its_sign_sets_the_direction():
    change, values = _centred_pairing(1.0, 0.0, tonic=3.0)
    np.testing.assert_array_equal(values, 0.0)      # a constant level is its own mean
    assert change == 0.0
    up, _ = _centred_pairing(1.0, 50.0, tonic=3.0)
    down, _ = _centred_pairing(1.0, -50.0, tonic=3.0)
    assert up > 0 and down == pytest.approx(-up, rel=1e-9)
    # the pulse passes minus its running mean, which the tag then sees for 1.5 s:
    # ~ (1 - 0.05 x 1.5 s / (0.5 x 0.6)) of the paper's change
    assert 0.85 < up / _paired_then_rewarded(1.0, 50.0) < 1.0


def test_centred_dopamine_subtracts_a_causal_running_mean():
    rng = np.random.default_rng(0)
    samples = rng.exponential(2.0, 20000)
    values, _ = dopamine_signal(samples, 200.0, dt=DT, centre=1.0)
    alpha = 1 - np.exp(-DT / 1.0)
    mean = np.zeros(len(samples))
    for k in range(1, len(samples)):                # the recursion, written out
        mean[k] = (1 - alpha) * mean[k - 1] + alpha * samples[k - 1]
    np.testing.assert_allclose(values, samples - mean, atol=1e-12)
    assert abs(values[2000:].mean()) < 0.05 * samples.mean()
    with pytest.raises(ValueError, match="centre"):
        dopamine_signal(samples, 200.0, dt=DT, centre=0.0)


def test_centred_dopamine_removes_the_drift_of_uncorrelated_synapses():
    # independent pairs of 10 Hz Poisson neurons: A- = 1.5 A+ makes every tag negative
    # on average, so rewards that ignore the spikes depress all weights under the
    # paper's dopamine (E[c] E[d] < 0); centred (tau_mean 1 s), the mean stays put once
    # the running mean has settled (weights measured from 4 s to 12 s)
    warm, duration, n = 4.0, 12.0, 100
    changes = {}
    for centre in (None, 1.0):
        b2.start_scope()
        b2.seed(3)
        rewards = (np.arange(0.25, duration, 0.5), 1.0)
        _, dopamine = dopamine_signal(rewards, duration, dt=DT, tonic=0.2, centre=centre)
        part, (code, dt) = reward_stdp_synapse(dopamine)
        part = join_synapse_parts(SynapsePart("w : 1"), part)
        pre, post = b2.PoissonGroup(n, 10 * b2.Hz), b2.PoissonGroup(n, 10 * b2.Hz)
        syn = b2.Synapses(pre, post, part.model, on_pre=part.on_pre, on_post=part.on_post,
                          namespace=part.namespace)
        syn.connect(j="i")
        syn.w, syn.w_max = 0.5, 1.0
        syn.run_regularly(code, dt=dt)
        net = b2.Network(pre, post, syn)
        net.run(warm * b2.second)
        w_warm = np.array(syn.w[:])            # a copy: asarray is the live array
        net.run((duration - warm) * b2.second)
        changes[centre] = np.asarray(syn.w[:]) - w_warm
    paper, centred = changes[None], changes[1.0]
    assert paper.mean() < -0.1
    assert abs(centred.mean()) < 0.15 * abs(paper.mean())
    assert np.any(centred > 2e-3) and np.any(centred < -2e-3)   # weights still move
