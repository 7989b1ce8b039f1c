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


def test_spec_refuses_too_few_test_trials_for_the_templates():
    with pytest.raises(ValueError, match="n_trials"):
        load_spec("plasticity_study", ["test.n_trials=4", "stimuli.n_templates=4"])
