"""The plasticity study's task and scoring (the Brian2 run itself: tests/test_cli.py)."""

import numpy as np
import pytest

from biornn.experiments import load_spec
from biornn.experiments.plasticity_study import score, two_segment_trials

STIM = {"n_templates": 3, "n_channels": 2, "segment": 0.1, "rate": 50.0, "jitter": 0.0}


def test_two_segment_trials_are_the_templates_of_their_labels_one_after_the_other():
    trials, prev, cur, templates = two_segment_trials(6, STIM, seed=0)
    assert trials.duration == pytest.approx(0.2) and len(trials) == 6
    for (c, t), a, b in zip(trials, prev, cur):
        first, second = t < 0.1, t >= 0.1
        np.testing.assert_allclose(t[first], templates[a][1])       # no jitter: exact
        np.testing.assert_allclose(t[second] - 0.1, templates[b][1])
        np.testing.assert_array_equal(c[second], templates[b][0])


def test_scores_read_current_and_previous_labels_and_separation_tracks_distance():
    rng = np.random.default_rng(0)
    n, samples = 60, 10
    prev, cur = rng.integers(0, 3, n), rng.integers(0, 3, n)
    X = rng.normal(0, 0.05, (n, samples, 8))
    X[np.arange(n), :, cur] += 1.0             # current label in units 0-2
    X[np.arange(n), :, 3 + prev] += 1.0        # previous label in units 3-5
    out = score(X, prev, cur)
    assert out["accuracy"] == 1.0 and out["memory"] == 1.0
    assert out["separation"] > 0.5             # ~0.86 expected (previous labels add to both)
    forgetful = X.copy()
    forgetful[..., 3:6] = rng.normal(0, 0.05, (n, samples, 3))
    assert score(forgetful, prev, cur)["memory"] < 0.6
    blind = X.copy()
    blind[..., :3] = rng.normal(0, 0.05, (n, samples, 3))
    assert abs(score(blind, prev, cur)["separation"]) < 0.2


def test_spec_refuses_too_few_test_trials_or_symbols():
    with pytest.raises(ValueError, match="n_trials"):
        load_spec("plasticity_study", ["test.n_trials=10"])
    with pytest.raises(ValueError, match="n_symbols"):
        load_spec("plasticity_study", ["counting.n_symbols=9", "counting.n_repeats=3"])


# --- the counting task (Lazar, Pipa & Triesch 2009) -------------------------------

from types import SimpleNamespace

from biornn.experiments.plasticity_counting import counting_scores, counting_trials
from biornn.experiments.plasticity_study import weight_change_per_presentation
from biornn.tasks import spike_templates

WORD_STIM = {"n_channels": 3, "segment": 0.05, "rate": 60.0, "jitter": 0.0,
             "n_templates": 6}


def test_counting_trials_follow_the_words_and_play_the_symbols_templates():
    learn, trials, lab = counting_trials(5, WORD_STIM, 12, 3, seed=4, n_learn=25)
    templates = spike_templates(6, 3, 0.05, 60.0, 0.0, 6, seed=4).templates
    # the same six templates as the two-segment trials of the same seed
    _, _, _, two_seg = two_segment_trials(2, WORD_STIM, seed=4)
    for a, b in zip(templates, two_seg):
        np.testing.assert_array_equal(a[1], b[1])
    for k, (c, t) in enumerate(trials):
        assert trials.duration == pytest.approx(0.6)
        for j, sym in enumerate(lab["symbol"][k]):
            inside = (t >= j * 0.05) & (t < (j + 1) * 0.05)
            np.testing.assert_allclose(t[inside] - j * 0.05, templates[sym][1])
            np.testing.assert_array_equal(c[inside], templates[sym][0])
        s, n, cnt = lab["symbol"][k], lab["next"][k], lab["count"][k]
        np.testing.assert_array_equal(n[:-1][~np.isin(s[:-1], (2, 5))],
                                      s[1:][~np.isin(s[:-1], (2, 5))])
        assert np.all(n[np.isin(s, (2, 5))] == -1)           # after c or f: undetermined
        assert set(cnt[np.isin(s, (1, 4))]) <= {1, 2, 3} and np.all(cnt[~np.isin(s, (1, 4))] == 0)
        for j in range(1, 12):                                 # counts step by one
            if cnt[j] > 1:
                assert cnt[j - 1] == cnt[j] - 1 and s[j - 1] == s[j]
    assert len({lab["symbol"][k][0] for k in range(5)}) > 1   # trials start anywhere
    (c, t), = learn
    assert learn.duration == pytest.approx(25 * 0.05)
    first = (t < 0.05)
    assert any(np.array_equal(t[first], templates[w][1]) for w in (0, 3))  # a or d


def _word_states(lab, noise, encode_count, rng, per_symbol=5):
    """States sampled 5 times per symbol: current symbol (and count) one-hot + noise."""
    n, m = lab["symbol"].shape
    X = rng.normal(0, noise, (n, m * per_symbol, 10))
    for k in range(n):
        for j in range(m):
            rows = slice(j * per_symbol, (j + 1) * per_symbol)
            X[k, rows, lab["symbol"][k, j]] += 1.0
            if encode_count:
                X[k, rows, 6 + lab["count"][k, j]] += 1.0
    return X


def test_counting_needs_a_state_that_counts():
    _, _, lab = counting_trials(40, WORD_STIM, 15, 3, seed=1)
    rng = np.random.default_rng(0)
    counts = counting_scores(_word_states(lab, 0.05, True, rng), lab, 0.05, 0.01, 3)
    assert counts["prediction"] == 1.0 and counts["counting"] == 1.0
    assert 0.6 < counts["prediction_baseline"] < 0.9         # 3/4 in expectation
    symbol_only = counting_scores(_word_states(lab, 0.05, False, rng), lab, 0.05, 0.01, 3)
    assert symbol_only["counting"] < 0.5                      # chance 1/3
    assert symbol_only["prediction"] <= symbol_only["prediction_baseline"] + 0.02


def test_weight_change_per_presentation_divides_by_the_presentations_per_interval():
    w0 = np.ones(4, dtype=np.float32)
    weights = np.array([[1.1] * 4, [1.1] * 4, [1.5] * 4], dtype=np.float32)
    history = SimpleNamespace(initial_weights=w0, weights=weights,
                              times=np.array([1.0, 2.0, 4.0]))
    np.testing.assert_allclose(weight_change_per_presentation(history, 0.5),
                               [0.05, 0.0, 0.1], rtol=1e-6)
