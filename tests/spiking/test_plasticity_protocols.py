"""Protocols behind the plasticity reproductions (small versions; the scripts run them full)."""

import numpy as np
import pytest

from biornn.spiking.plasticity_protocols import (izhikevich_distal_reward,
                                                 song_abbott_neuron,
                                                 song_learning_durations,
                                                 triplet_frequency_dependence)

SMALL_IZH = dict(n_exc=40, n_inh=10, n_out=8, n_sample=10, record_every=0.5)


def test_song_neurons_share_a_network_and_only_gated_ones_learn():
    out = song_abbott_neuron([40.0, 40.0], stdp=[False, True], duration=0.5, measure=0.25,
                             n_ex=60, n_in=12, A_plus=0.05, seed=3, record_every=0.25)
    fixed, plastic = out["weights"]
    assert out["weights"].shape == (2, 60) and out["rates"].shape == (2,)
    assert np.all((fixed >= 0) & (fixed <= 1)) and np.all((plastic >= 0) & (plastic <= 1))
    # the gated-off neuron keeps its drawn weights, uniform in [0, 1]: none at a bound
    assert np.all((fixed > 0) & (fixed < 1))
    assert not np.allclose(plastic, fixed)               # the plastic one moved
    np.testing.assert_allclose(out["times"], [0.0, 0.25, 0.5])
    assert out["history"]["near_zero"].shape == (3, 2)
    np.testing.assert_allclose(out["history"]["near_zero"][-1, 1], (plastic < 0.1).mean())


def test_song_initial_weights_are_the_given_ones_and_stay_without_stdp():
    w0 = np.linspace(0.0, 1.0, 2 * 30).reshape(2, 30)
    out = song_abbott_neuron([10.0, 20.0], stdp=False, w_init=w0, duration=0.2, n_ex=30,
                             n_in=5, seed=0)
    np.testing.assert_allclose(out["weights"], w0, atol=1e-12)
    one = song_abbott_neuron([10.0, 20.0], stdp=False, w_init=[0.0, 1.0], duration=0.05,
                             n_ex=30, n_in=5, seed=0)
    np.testing.assert_array_equal(one["weights"][0], 0.0)
    np.testing.assert_array_equal(one["weights"][1], 1.0)


def test_song_learning_durations_give_every_input_rate_the_same_spikes_per_synapse():
    rates = [10.0, 40.0]
    durations = song_learning_durations(rates, 25)
    np.testing.assert_allclose(durations, [2.5, 0.625])
    counts = [song_abbott_neuron([r], stdp=False, duration=d, dt=1e-3, n_ex=80, n_in=0,
                                 seed=k)["input_spikes"][0]
              for k, (r, d) in enumerate(zip(rates, durations))]
    # 80 Poisson trains of mean 25 spikes: the mean count has SD sqrt(25 / 80) = 0.56
    np.testing.assert_allclose(counts, 25.0, atol=2.5)
    with pytest.raises(ValueError, match="input_rates"):
        song_learning_durations([10.0, -1.0], 25)
    with pytest.raises(ValueError, match="spikes_per_synapse"):
        song_learning_durations([10.0], 0)


def test_song_refuses_unknown_parameters_and_bad_arguments():
    with pytest.raises(ValueError, match="unknown Song"):
        song_abbott_neuron([10.0], g_maximum=1.0)
    with pytest.raises(ValueError, match="target"):
        song_abbott_neuron([10.0], target="gpu")
    with pytest.raises(ValueError, match="learning_scale"):
        song_abbott_neuron([10.0, 20.0], learning_scale=[1.0, 0.0])
    with pytest.raises(ValueError, match="learning_scale"):
        song_abbott_neuron([10.0, 20.0], learning_scale=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="w_init"):
        song_abbott_neuron([10.0], w_init=1.5)
    with pytest.raises(ValueError, match="w_init"):
        song_abbott_neuron([10.0], w_init=np.zeros((1, 7)), n_ex=8)
    with pytest.raises(ValueError, match="input_rates"):
        song_abbott_neuron([10.0, 0.0])


@pytest.mark.slow
def test_song_stdp_pulls_an_overdriven_neuron_down_at_the_paper_parameters():
    # the script's parameters (SONG2000: 1000 inputs, A+ = 0.005, dt 0.1 ms) at 40 Hz:
    # uniform weights drive the neuron far above its learned rate; with A_minus > A_plus
    # and uncorrelated inputs, depression wins: within 2 s the output rate falls
    out = song_abbott_neuron([40.0, 40.0], stdp=[False, True], duration=2.0, measure=0.5,
                             seed=0)
    fixed, plastic = out["rates"]
    assert fixed > 200.0                                  # overdriven without STDP
    assert plastic < 0.8 * fixed
    assert out["weights"][1].mean() < out["weights"][0].mean() - 0.08


def test_triplet_post_pre_depresses_at_low_frequency_and_pre_post_needs_high_frequency():
    dw = triplet_frequency_dependence([0.1, 50.0], (10e-3, -10e-3), n_pairings=20)
    assert dw[1, 0] < 0 < dw[0, 1]            # Sjöström et al. 2001, Pfister & Gerstner 2006
    assert abs(dw[0, 0]) < 0.1 * dw[0, 1]     # pre-post pairs alone barely potentiate


def test_no_dopamine_no_weight_change_in_the_distal_reward_network():
    out = izhikevich_distal_reward(1, duration=1.0, reward=0.0, tonic=0.0, seed=1, **SMALL_IZH)
    assert out["rates"][0] > 0                              # the network is active
    np.testing.assert_array_equal(out["rewarded"], 0.0)     # starts at 0, stays
    np.testing.assert_allclose(out["others_final"], out["others_start"])


@pytest.mark.slow
def test_pairings_of_the_chosen_synapse_schedule_rewards_and_weights_move():
    out = izhikevich_distal_reward(1, duration=4.0, interval=0.5, reward_delay=(0.1, 0.2),
                                   learning_scale=20.0, seed=2, **SMALL_IZH)
    assert out["n_rewards"][0] >= 1
    assert not np.allclose(out["others_final"], out["others_start"])


def test_distal_reward_refuses_unknown_parameters():
    with pytest.raises(ValueError, match="unknown Izhikevich"):
        izhikevich_distal_reward(1, duration=0.1, tau_dopamine=0.2)


def test_distal_reward_ratio_sets_ltd_against_ltp():
    # tonic dopamine only: with no LTD (ratio 0) eligibility is never negative, so no
    # weight can fall; with strong LTD (ratio 3) the mean must fall below its start
    runs = {r: izhikevich_distal_reward(1, duration=1.0, reward=0.0, tonic=0.05, ratio=r,
                                        learning_scale=5.0, seed=1, **SMALL_IZH)
            for r in (0.0, 3.0)}
    start = runs[0.0]["others_start"]
    assert np.all(runs[0.0]["others_final"] >= start - 1e-12)
    assert runs[0.0]["others_final"].mean() > start
    assert runs[3.0]["others_final"].mean() < start
    q = runs[3.0]["others_quartiles"]
    assert q.shape == (len(runs[3.0]["times"]), 1, 3) and np.all(np.diff(q, axis=-1) >= 0)


def test_centred_dopamine_leaves_the_weights_under_tonic_dopamine_alone():
    # one run, two networks: the paper's (tonic + DA) depresses the others through
    # their net-negative tags (A- = 1.5 A+); centred, a constant level is its own
    # running mean, so no weight moves
    out = izhikevich_distal_reward(2, duration=1.0, reward=0.0, tonic=0.05, ratio=1.5,
                                   learning_scale=5.0, centred=[False, True], seed=1,
                                   **SMALL_IZH)
    start = out["others_start"]
    assert out["centred"].tolist() == [False, True]
    assert out["others_final"][0].mean() < 0.99 * start
    np.testing.assert_allclose(out["others_final"][1], start, rtol=1e-9)
    np.testing.assert_array_equal(out["rewarded"][:, 1], 0.0)
