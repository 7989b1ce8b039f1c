"""Maass et al. (2002) results at reduced size (slow: about a minute on numpy)."""

import numpy as np
import pytest

import biornn as bn
from biornn.spiking import LSM


@pytest.mark.slow
def test_two_templates_with_4ms_jitter_are_classified_well_above_chance():
    data = bn.tasks.spike_templates(n_templates=2, n_channels=4, duration=0.5, rate=20.0,
                                    jitter=0.004, n_trials=120, seed=0)
    X = LSM.from_model("maass2002_lsm", seed=1).run(data.inputs, seed=2, progress=False)
    clf = bn.RidgeClassifier(alpha=1.0).fit(X[:80, -1], data.labels[:80])
    assert clf.score(X[80:, -1], data.labels[80:]) >= 0.85


@pytest.mark.slow
def test_state_distance_is_ordered_by_input_distance():
    from biornn.spiking.templates import separation_curve
    _, measured, curves = separation_curve("numpy", n_pairs=8, seed=3)
    means = [float(np.mean(c[5:])) for c in curves["euclidean"]]   # after 50 ms
    assert measured == sorted(measured)
    assert means == sorted(means), means
