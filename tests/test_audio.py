"""Cochlear front end: ERB spacing, gammatone tuning, cochleagram shape, spike codes."""

import numpy as np
import pytest

from biornn import audio

SR = 8000


def tone(freq, seconds=0.5, amplitude=0.1):
    return amplitude * np.sin(2 * np.pi * freq * np.arange(int(seconds * SR)) / SR)


def test_erb_space_is_uniform_in_erb_rate_and_matches_glasberg_moore():
    cf = audio.erb_space(100.0, 3600.0, 32)
    assert cf[0] == pytest.approx(100.0) and cf[-1] == pytest.approx(3600.0)
    assert np.all(np.diff(cf) > 0)
    np.testing.assert_allclose(np.diff(audio.erb_rate(cf)), np.diff(audio.erb_rate(cf))[0])
    # Glasberg & Moore (1990): ERB(1 kHz) = 24.7 * 5.37 = 132.6 Hz
    assert audio.erb(1000.0) == pytest.approx(132.639)
    # neighbouring channels are about one ERB apart or less for 32 channels here
    assert np.all(np.diff(cf) < 1.1 * audio.erb(cf[1:]))


@pytest.mark.parametrize("freq", [150.0, 440.0, 1000.0, 2600.0])
def test_pure_tone_excites_the_channel_with_the_nearest_centre_frequency(freq):
    cf = audio.erb_space(100.0, 3600.0, 32)
    coch = audio.cochleagram(tone(freq), SR, n_channels=32, frame_rate=100.0)
    energy = coch[5:].mean(axis=0)           # after the filters' onset
    assert np.argmax(energy) == np.argmin(np.abs(cf - freq))
    # tuned: channels two ERB-steps away respond clearly less than the best one
    best = np.argmax(energy)
    far = [c for c in (best - 3, best + 3) if 0 <= c < 32]
    assert all(energy[c] < 0.8 * energy[best] for c in far)


def test_filterbank_has_unit_gain_at_each_centre_frequency():
    cf = audio.erb_space(200.0, 3000.0, 4)
    for c, f in enumerate(cf):
        y = audio.gammatone_filterbank(tone(f, 1.0, 1.0), SR, cf)
        assert np.abs(y[SR // 2:, c]).max() == pytest.approx(1.0, abs=0.02)


def test_cochleagram_of_silence_is_zero_with_frames_the_frame_rate_implies():
    for compression in ("log", "power", "none"):
        for normalize in (None, "utterance", "channel"):
            c = audio.cochleagram(np.zeros(SR // 2), SR, n_channels=16, frame_rate=200.0,
                                  compression=compression, normalize=normalize, agc=True)
            assert c.shape == (100, 16) and np.all(c == 0)
    # a partial last frame counts: 0.5 s + 1 sample at 200 frames/s is 101 frames
    assert audio.cochleagram(np.zeros(SR // 2 + 1), SR, frame_rate=200.0).shape == (101, 32)
    assert audio.cochleagram(np.zeros(SR), SR, n_channels=8, frame_rate=100.0).shape == (100, 8)


def test_ragged_recordings_stay_ragged():
    out = audio.cochleagram([tone(300, 0.3), tone(900, 0.55)], SR, n_channels=8,
                            frame_rate=200.0)
    assert isinstance(out, list) and [o.shape for o in out] == [(60, 8), (110, 8)]


def test_gain_normalisation_removes_the_recording_level():
    quiet, loud = tone(500, amplitude=0.01), tone(500, amplitude=0.5)
    for normalize in ("utterance", "channel"):
        a, b = audio.cochleagram([quiet, loud], SR, n_channels=16, normalize=normalize)
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)
    a, b = audio.cochleagram([quiet, loud], SR, n_channels=16)
    assert b.max() > a.max() + 2.0          # without it, log(50x) apart


def test_agc_compresses_level_differences_and_adapts_over_time():
    env_q = np.full((200, 4), 0.01)
    env_l = np.full((200, 4), 1.0)
    q = audio.automatic_gain_control(env_q, 200.0)
    lo = audio.automatic_gain_control(env_l, 200.0)
    # a 100x louder input comes out far less than 100x louder once adapted ...
    assert lo[-1].mean() / q[-1].mean() < 10
    # ... and the gain falls over time (adaptation), from the unadapted first frame
    assert lo[0].mean() == pytest.approx(1.0) and lo[-1].mean() < 0.1


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="frame_rate"):
        audio.cochleagram(tone(300), SR, frame_rate=2 * SR)
    with pytest.raises(ValueError, match="high_freq"):
        audio.cochleagram(tone(300), SR, high_freq=50.0)
    with pytest.raises(ValueError, match="centre_frequencies"):
        audio.gammatone_filterbank(tone(300), SR, [100.0, 5000.0])
    with pytest.raises(ValueError, match="audio"):
        audio.cochleagram(np.zeros((10, 2)), SR)
    with pytest.raises(ValueError, match="compression"):
        audio.cochleagram(tone(300), SR, compression="cubic")
    with pytest.raises(ValueError, match="method"):
        audio.spike_encode(np.zeros((5, 2)), method="rank")


# ------------------------------------------------------------------ spike codes

def decode_bsa(channels, times, n_steps, n_channels, dt=1e-3, **kw):
    spikes = np.zeros((n_steps, n_channels))
    spikes[np.round(times / dt).astype(int), channels] = 1
    return audio.bsa_decode(spikes, audio.bsa_filter(kw.get("filter_length", 40), dt=dt))


def test_bsa_decoding_reconstructs_a_smooth_input():
    t = np.arange(2000) / 1000.0
    x = np.stack([0.5 + 0.3 * np.sin(2 * np.pi * 3 * t),
                  0.4 + 0.3 * np.cos(2 * np.pi * 2 * t)], axis=1)
    ch, ts = audio.spike_encode(x, "bsa", frame_rate=1000.0, dt=1e-3)
    rec = decode_bsa(ch, ts, 2000, 2)
    err = (rec - x)[60:-60]                  # away from the start and the end
    assert np.sqrt(np.mean(err ** 2)) < 0.1
    # the reconstruction follows the signal, not just its mean
    assert np.corrcoef(rec[60:-60, 0], x[60:-60, 0])[0, 1] > 0.9
    # and it is a real code: no spikes for silence
    assert audio.spike_encode(np.zeros((100, 3)), "bsa", frame_rate=1000.0)[0].size == 0


def test_poisson_spike_count_tracks_the_rate():
    rates = np.array([0.0, 0.1, 0.25, 0.5, 1.0])
    x = np.tile(rates, (2000, 1))            # 10 s at 200 frames/s
    ch, ts = audio.spike_encode(x, "poisson", frame_rate=200.0, max_rate=100.0, seed=1)
    counts = np.bincount(ch, minlength=rates.size)
    expected = rates * 100.0 * 10.0
    assert counts[0] == 0
    assert np.all(np.abs(counts - expected) < 4 * np.sqrt(expected) + 1)
    # the rate follows the signal in time: a step from 0 to 1 halfway
    step = np.repeat([0.0, 1.0], 200)[:, None]
    ch, ts = audio.spike_encode(step, "poisson", frame_rate=200.0, seed=2)
    assert ts.min() >= 1.0 and ts.max() < 2.0
    # seeded
    a = audio.spike_encode(x, "poisson", seed=3)
    np.testing.assert_array_equal(a[1], audio.spike_encode(x, "poisson", seed=3)[1])


def test_send_on_delta_fires_once_per_delta_with_up_and_down_channels():
    ramp = np.concatenate([np.linspace(0, 1, 101), np.linspace(1, 0, 101)[1:]])[:, None]
    ch, ts = audio.spike_encode(ramp, "threshold", frame_rate=100.0, delta=0.1)
    assert np.sum(ch == 0) == 10 and np.sum(ch == 1) == 10    # 10 steps up, 10 down
    assert np.all(ts[ch == 0] < 1.0) and np.all(ts[ch == 1] > 1.0)
    # the first up crossing (level 0.1) is interpolated to t = 0.1 s
    assert ts[ch == 0][0] == pytest.approx(0.1, abs=1e-9)
    ch, _ = audio.spike_encode(ramp, "threshold", frame_rate=100.0, delta=0.1, polarity="up")
    assert set(ch) == {0}
    # hysteresis: wobbling by less than delta around a sent level fires nothing more
    wobble = np.concatenate([np.linspace(0, 0.5, 51), 0.5 + 0.04 * np.sin(np.arange(50))])
    ch, _ = audio.spike_encode(wobble[:, None], "threshold", frame_rate=100.0, delta=0.1)
    assert ch.size == 5


def test_spike_codes_of_ragged_cochleagrams_stay_within_each_trial():
    cochs = [np.full((40, 3), 0.8), np.full((90, 3), 0.8)]
    for method in ("poisson", "bsa", "threshold"):
        out = audio.spike_encode(cochs, method, frame_rate=200.0, seed=0)
        assert isinstance(out, list) and len(out) == 2
        for (ch, ts), c in zip(out, cochs):
            assert ch.dtype == np.int64 and ts.dtype == np.float64
            assert ts.size and ts.min() >= 0 and ts.max() < c.shape[0] / 200.0
            assert np.all(np.diff(ts) >= 0)
