"""Sequence classification: segment means and Verstraeten's time-averaged decision."""

import numpy as np
import pytest

from biornn import states
from biornn.readout import RidgeClassifier
from biornn.sequence_readout import TimeStepClassifier


def test_segment_mean_averages_equal_time_segments():
    X = np.arange(8.0 * 2).reshape(8, 2)
    out = states.segment_mean(X, 4)
    np.testing.assert_array_equal(out, X.reshape(4, 2, 2).mean(axis=1).ravel())
    # ragged: segments of floor(k T / n) boundaries, one row per sequence
    seqs = [np.arange(10.0)[:, None], np.arange(5.0)[:, None]]
    got = states.segment_mean(seqs, 2)
    np.testing.assert_array_equal(got, [[2.0, 7.0], [0.5, 3.0]])
    np.testing.assert_array_equal(states.segment_mean(seqs, 1), states.mean(seqs))
    batch = np.random.default_rng(0).normal(size=(3, 12, 4))
    assert states.segment_mean(batch, 3).shape == (3, 12)
    with pytest.raises(ValueError, match="n_segments"):
        states.segment_mean(seqs, 6)


def test_segment_mean_tells_apart_sequences_that_the_mean_confuses():
    up, down = np.linspace(0, 1, 20)[:, None], np.linspace(1, 0, 20)[:, None]
    assert np.allclose(states.mean([up, down])[0], states.mean([up, down])[1])
    seg = states.segment_mean([up, down], 2)
    assert seg[0, 0] < seg[0, 1] and seg[1, 0] > seg[1, 1]


def noisy_sequences(n, seed):
    """Class c: frames N(mu_c, 1) in 3 features, lengths 5-30; one frame says little."""
    rng = np.random.default_rng(seed)
    mu = np.array([[0.6, 0, 0], [0, 0.6, 0], [0, 0, 0.6]])
    labels = rng.integers(0, 3, n)
    seqs = [mu[c] + rng.normal(size=(rng.integers(5, 31), 3)) for c in labels]
    return seqs, labels


def test_decision_is_the_argmax_of_the_time_averaged_step_outputs():
    seqs, labels = noisy_sequences(120, 0)
    clf = TimeStepClassifier(alpha=[1e-3, 1.0, 100.0], chunk_size=25).fit(seqs, labels)
    outs = clf.step_outputs(seqs)
    assert [o.shape for o in outs] == [(s.shape[0], 3) for s in seqs]
    for s, o in zip(seqs, outs):   # the outputs are the time-step readout's
        np.testing.assert_allclose(o, clf.classifier_.decision_function(s))
    avg = np.stack([o.mean(axis=0) for o in outs])
    np.testing.assert_allclose(clf.decision_function(seqs), avg)
    np.testing.assert_array_equal(clf.predict(seqs), clf.classes_[np.argmax(avg, axis=1)])


def test_averaging_over_the_utterance_beats_single_frames():
    seqs, labels = noisy_sequences(300, 1)
    test, test_labels = noisy_sequences(300, 2)
    clf = TimeStepClassifier(alpha=1.0).fit(seqs, labels)
    acc_seq = clf.score(test, test_labels)
    frames = np.concatenate(test)
    frame_labels = np.concatenate([np.full(s.shape[0], c) for s, c in zip(test, test_labels)])
    acc_frame = clf.classifier_.score(frames, frame_labels)
    assert acc_seq > 0.85 and acc_frame < 0.65 and acc_seq > acc_frame + 0.2


def test_streamed_chunks_give_the_readout_of_one_fit():
    seqs, labels = noisy_sequences(60, 3)
    a = TimeStepClassifier(alpha=0.5, chunk_size=7).fit(seqs, labels)
    frames = np.concatenate(seqs)
    y = np.concatenate([np.full(s.shape[0], c) for s, c in zip(seqs, labels)])
    b = RidgeClassifier(alpha=0.5).fit(frames, y)
    np.testing.assert_allclose(a.classifier_.coef_, b.coef_, atol=1e-8)


def test_time_step_classifier_checks_its_inputs():
    seqs, labels = noisy_sequences(10, 4)
    with pytest.raises(ValueError, match="one label per sequence"):
        TimeStepClassifier().fit(seqs, labels[:5])
    with pytest.raises(AttributeError, match="not fitted"):
        TimeStepClassifier().predict(seqs)
    with pytest.raises(TypeError, match="chunk_size"):
        TimeStepClassifier(chunk_size=2.5).fit(seqs, labels)


def test_utterance_weighting_gives_every_sequence_equal_weight():
    rng = np.random.default_rng(5)
    seqs = [rng.normal(size=(T, 3)) + k % 3 for k, T in enumerate([2, 30, 5, 3, 17, 8])]
    labels = np.array([0, 1, 2, 0, 1, 2])
    fit = TimeStepClassifier(alpha=0.3, weighting="utterance").fit(seqs, labels)
    X = np.concatenate(seqs)
    y = np.concatenate([np.full(len(s), c) for s, c in zip(seqs, labels)])
    w = np.concatenate([np.full(len(s), 1.0 / len(s)) for s in seqs])
    ref = RidgeClassifier(alpha=0.3).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(fit.classifier_.coef_, ref.coef_, rtol=1e-8, atol=1e-10)
    plain = TimeStepClassifier(alpha=0.3).fit(seqs, labels)
    assert not np.allclose(plain.classifier_.coef_, ref.coef_, atol=1e-3)
    with pytest.raises(ValueError, match="weighting"):
        TimeStepClassifier(weighting="speaker").fit(seqs, labels)
