"""The front end's spike codes drive the liquid as they are (numpy target, tiny column)."""

import numpy as np
import pytest

from biornn import audio
from biornn.spiking import LSM


@pytest.mark.parametrize("method", ["poisson", "bsa", "threshold"])
def test_encoders_output_runs_through_lsm_run_unchanged(method):
    rng = np.random.default_rng(0)
    t = np.arange(0.3 * 8000) / 8000
    waves = [0.2 * np.sin(2 * np.pi * f * t) * rng.uniform(0.5, 1, t.size) for f in (300, 1200)]
    coch = audio.cochleagram(waves, 8000, n_channels=4, frame_rate=100.0)
    coch = [c / max(c.max() for c in coch) for c in coch]
    spikes = audio.spike_encode(coch, method, frame_rate=100.0, max_rate=200.0, seed=0)
    n_inputs = 8 if method == "threshold" else 4
    lsm = LSM((3, 3, 3), n_inputs=n_inputs, seed=1)
    silent = (np.zeros(0, np.int64), np.zeros(0))
    # same initial potentials for every trial: only the input tells them apart
    X = lsm.run(spikes + [silent], duration=0.3, seed=[0, 0, 0], progress=False)
    assert X.shape == (3, 30, 27) and np.isfinite(X).all()
    for k in (0, 1):   # the encoded input reached the liquid and changed its state
        assert np.abs(X[k] - X[2]).sum() > 0.1 * np.abs(X[2]).sum()
