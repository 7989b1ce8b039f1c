"""Cochleagram post-processing: CMVN, deltas, channel-shift augmentation."""

import numpy as np
import pytest

from biornn import audio, audio_features as af

SR = 8000


def test_channel_standardize_gives_zero_mean_unit_variance_per_channel():
    rng = np.random.default_rng(0)
    x = [rng.normal(3.0, 2.0, (40, 8)) * np.arange(1, 9), rng.normal(size=(17, 8))]
    for y in af.channel_standardize(x):
        np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-12)
        np.testing.assert_allclose(y.std(axis=0), 1.0, rtol=1e-12)
    m = af.channel_standardize(x[0], variance=False)
    np.testing.assert_allclose(m.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(m.std(axis=0), x[0].std(axis=0))


def test_channel_standardize_removes_a_gain_per_band_in_the_log_domain():
    # a recording and the same recording through a band-dependent gain (a tilt)
    rng = np.random.default_rng(1)
    wave = rng.normal(size=SR // 2) * np.hanning(SR // 2)
    tilted = np.convolve(wave, [1.0, 0.9])           # a pre-emphasis-like filter
    a, b = audio.cochleagram([wave, tilted[:wave.size]], SR, n_channels=16,
                             frame_rate=100.0, reference=1e-6)
    raw_gap = np.abs(a - b).mean()
    na, nb = af.channel_standardize([a, b], variance=False)
    assert np.abs(na - nb).mean() < 0.2 * raw_gap


def test_constant_channel_comes_out_as_zeros():
    x = np.ones((10, 3)) * [1.0, 2.0, 3.0]
    np.testing.assert_array_equal(af.channel_standardize(x), 0.0)


def test_deltas_recover_the_slope_of_a_ramp_and_vanish_on_constants():
    t = np.arange(30.0)[:, None]
    x = np.hstack([0.5 * t, -2.0 * t, np.full_like(t, 7.0)])
    for width in (1, 2, 3):
        d = af.deltas(x, width=width)
        np.testing.assert_allclose(d[width:-width], [[0.5, -2.0, 0.0]] * (30 - 2 * width),
                                   atol=1e-12)
    assert len(af.deltas([x, x[:5]])) == 2 and af.deltas([x, x[:5]])[1].shape == (5, 3)
    both = af.deltas([x, x[:5]], append=True)          # cochleagram, then its deltas
    np.testing.assert_array_equal(both[1], np.hstack([x[:5], af.deltas(x[:5])]))


def test_channel_shift_moves_a_tones_energy_by_the_shift():
    cf = audio.erb_space(100.0, 3600.0, 32)
    tone = 0.1 * np.sin(2 * np.pi * 1000.0 * np.arange(SR // 2) / SR)
    coch = audio.cochleagram(tone, SR, n_channels=32, frame_rate=100.0)
    best = int(np.argmax(coch[5:].mean(axis=0)))
    assert best == np.argmin(np.abs(cf - 1000.0))
    for k in (-2, -1, 1, 2):
        shifted = af.channel_shift(coch, k)
        assert int(np.argmax(shifted[5:].mean(axis=0))) == best + k
        # every channel's content is an unshifted channel's content, moved by k
        inner = slice(max(k, 0), 32 + min(k, 0))
        np.testing.assert_array_equal(shifted[:, inner],
                                      coch[:, max(-k, 0):32 - max(k, 0)])
    np.testing.assert_array_equal(af.channel_shift(coch, 0), coch)


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="shift"):
        af.channel_shift(np.zeros((3, 4)), 1.5)
    with pytest.raises(ValueError, match="shift"):
        af.channel_shift(np.zeros((3, 4)), 4)
    with pytest.raises(ValueError, match="cochleagrams"):
        af.channel_standardize([])
    with pytest.raises(ValueError, match="cochleagrams"):
        af.deltas(np.zeros(5))
    with pytest.raises(ValueError, match="width"):
        af.deltas(np.zeros((5, 2)), width=0)
    with pytest.raises(TypeError, match="variance"):
        af.channel_standardize(np.zeros((5, 2)), variance="yes")


def test_spec_front_end_applies_cmvn_and_the_esn_gets_deltas(tmp_path):
    from biornn import datasets, experiments
    from biornn.experiments.spoken_digits import _esn_runner, _front_end
    from biornn.experiments.utterances import esn_states
    from biornn.rate.esn import EchoStateNetwork

    from .test_spoken_digits import write_tone_digits

    data = datasets.spoken_digits(write_tone_digits(tmp_path / "fsdd", digits=range(2),
                                                    indices=range(2)))
    spec = experiments.load_spec("spoken_digits", ["front_end.n_channels=8",
                                                   "front_end.standardize=mean_variance",
                                                   "esn.deltas=true"])
    coch = _front_end(data, spec["front_end"], 100.0)
    plain = audio.cochleagram(data.audio, data.sample_rate, n_channels=8, frame_rate=100.0,
                              normalize="channel")
    for c, p in zip(coch, plain):
        np.testing.assert_allclose(c.mean(axis=0), 0.0, atol=1e-9)
        np.testing.assert_allclose(c, af.channel_standardize(p))
    _, names, run = _esn_runner(spec, 10)
    hyper = (0.9, 0.3, 0.5)
    got = run(coch, 100.0, hyper, 3)
    esn = EchoStateNetwork(10, **dict(zip(names, hyper)), bias_scaling=0.2, density=0.1,
                           seed=3)
    want = esn_states(esn, [np.hstack([c, d]) for c, d in zip(coch, af.deltas(coch))])
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w)
    with pytest.raises(Exception, match="standardize"):
        experiments.load_spec("spoken_digits", ["front_end.standardize=yes"])


def test_channel_concat_keeps_both_gain_views_of_each_recording():
    # a quiet low tone then a loud high one: the per-utterance gain keeps their level
    # difference across channels, the per-channel gain equalises every channel's mean
    t = np.arange(SR // 2) / SR
    wave = np.where(t < 0.25, 0.01 * np.sin(2 * np.pi * 300 * t),
                    0.5 * np.sin(2 * np.pi * 2000 * t))
    waves = [wave, 0.3 * wave[::-1]]
    utt = audio.cochleagram(waves, SR, n_channels=16, frame_rate=100.0, normalize="utterance")
    chan = audio.cochleagram(waves, SR, n_channels=16, frame_rate=100.0, normalize="channel")
    both = af.channel_concat(utt, chan)
    for b, u, c in zip(both, utt, chan):
        assert b.shape == (u.shape[0], 32)
        np.testing.assert_array_equal(b[:, :16], u)
        np.testing.assert_array_equal(b[:, 16:], c)
        # the two views differ: only the per-channel one has equal channel means in
        # the linear domain (exp(log1p) - 1 undoes the log compression)
        lin_u, lin_c = np.expm1(b[:, :16]).mean(0), np.expm1(b[:, 16:]).mean(0)
        assert np.ptp(lin_c) < 1e-9 * lin_c.max() and np.ptp(lin_u) > 0.5 * lin_u.max()
    np.testing.assert_array_equal(af.channel_concat(utt[0], chan[0]), both[0])


def test_channel_concat_refuses_mismatched_recordings():
    with pytest.raises(ValueError, match="frame counts"):
        af.channel_concat(np.zeros((5, 2)), np.zeros((6, 2)))
    with pytest.raises(ValueError, match="same length"):
        af.channel_concat([np.zeros((5, 2))], [np.zeros((5, 2))] * 2)
    with pytest.raises(TypeError, match="all be lists"):
        af.channel_concat(np.zeros((5, 2)), [np.zeros((5, 2))])
    with pytest.raises(ValueError, match="at least one"):
        af.channel_concat()
