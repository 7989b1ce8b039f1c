"""Ragged trials through a liquid: duration buckets, each trial cut to its own length."""

import numpy as np
import pytest

from biornn.spiking import LSM
from biornn.spiking.ragged import duration_buckets, run_analog_ragged, run_ragged


def _trials(durations, n_channels=3, rate=80.0, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for d in durations:
        n = rng.poisson(rate * n_channels * d)
        t = np.sort(rng.uniform(0, d - 1e-3, n))
        out.append((rng.integers(0, n_channels, n), t))
    return out


def test_buckets_partition_the_trials_and_minimise_padding():
    d = np.array([0.1, 0.9, 0.12, 0.11, 1.0, 0.5, 0.52])
    buckets = duration_buckets(d, 3)
    assert sorted(np.concatenate(buckets).tolist()) == list(range(d.size))
    # the three natural groups: short, middle, long
    assert [sorted(b.tolist()) for b in buckets] == [[0, 2, 3], [5, 6], [1, 4]]
    # optimal: no partition into 3 contiguous groups of the sorted durations costs less
    s = np.sort(d)
    best = min(a * s[a - 1] + (b - a) * s[b - 1] + (7 - b) * s[-1]
               for a in range(1, 6) for b in range(a + 1, 7))
    assert sum(b.size * d[b].max() for b in buckets) == pytest.approx(best)
    assert len(duration_buckets(d, 1)) == 1 and len(duration_buckets(d[:2], 5)) == 2


def test_ragged_run_equals_each_trial_alone_at_its_own_duration():
    lsm = LSM((3, 3, 3), n_inputs=3, seed=2, method="euler")
    durations = np.array([0.05, 0.12, 0.06, 0.1])
    trials = _trials(durations)
    seeds = [11, 12, 13, 14]
    got = run_ragged(lsm, trials, durations, n_buckets=2, seed=seeds)
    spikes = run_ragged(lsm, trials, durations, n_buckets=2, seed=seeds, output="spikes")
    for i, d in enumerate(durations):
        alone = lsm.run([trials[i]], duration=d, seed=[seeds[i]], progress=False)[0]
        assert got[i].shape == alone.shape == (round(d / lsm.sample_interval), 27)
        np.testing.assert_allclose(got[i], alone, rtol=1e-9, atol=1e-12)
        n_alone, t_alone = lsm.run([trials[i]], duration=d, seed=[seeds[i]], progress=False,
                                   output="spikes")[0]
        np.testing.assert_array_equal(spikes[i][0], n_alone)
        np.testing.assert_allclose(spikes[i][1], t_alone)
    assert sum(s[1].size for s in spikes) > 0     # the liquid was active


def test_ragged_current_input_equals_each_signal_alone():
    lsm = LSM((3, 3, 3), n_inputs=2, seed=5, method="euler", sample_interval=0.01)
    rng = np.random.default_rng(1)
    sigs = [rng.uniform(0, 1, (n, 2)) for n in (4, 9, 5)]
    got = run_analog_ragged(lsm, sigs, input_dt=0.01, n_buckets=2, seed=[1, 2, 3],
                            input_scale=3e-9)
    for i, s in enumerate(sigs):
        alone = lsm.run_analog(s[None], input_dt=0.01, input_scale=3e-9, seed=[i + 1],
                               progress=False)[0]
        assert got[i].shape == (s.shape[0], 27)
        np.testing.assert_allclose(got[i], alone, rtol=1e-9, atol=1e-12)


def test_ragged_inputs_are_checked():
    lsm = LSM((3, 3, 3), n_inputs=3, seed=2)
    trials = _trials([0.05, 0.05])
    with pytest.raises(ValueError, match="durations must have one entry per trial"):
        run_ragged(lsm, trials, [0.05])
    with pytest.raises(ValueError, match=r"inputs\[1\] has a spike at or after"):
        run_ragged(lsm, trials, [0.05, 0.01])
    with pytest.raises(ValueError, match="durations must be positive"):
        duration_buckets([0.1, 0.0])
    with pytest.raises(ValueError, match="mode='current'"):
        run_analog_ragged(lsm, [np.ones((3, 3))], input_dt=0.01, mode="poisson")


@pytest.mark.slow
def test_compiled_ragged_runs_share_one_binary_across_liquids_and_equal_numpy(tmp_path,
                                                                           monkeypatch):
    """cpp_standalone: one build serves buckets of every duration and liquids of every
    seed (their connectivity is data), with the numpy target's spikes."""
    monkeypatch.setenv("BIORNN_CACHE", str(tmp_path))
    durations = np.array([0.05, 0.12, 0.06, 0.1, 0.2])
    trials = _trials(durations)
    seeds = [11, 12, 13, 14, 15]
    for liquid_seed in (2, 5):
        ref = run_ragged(LSM((3, 3, 3), n_inputs=3, seed=liquid_seed), trials, durations,
                         n_buckets=2, seed=seeds, output="spikes")
        got = run_ragged(LSM((3, 3, 3), n_inputs=3, seed=liquid_seed, target="cpp_standalone"),
                         trials, durations, n_buckets=2, seed=seeds, output="spikes")
        for (ia, ta), (ib, tb) in zip(ref, got):
            np.testing.assert_array_equal(ia, ib)
            np.testing.assert_allclose(ta, tb)
        assert max(t.max() for _, t in got) > 0.12      # the long bucket ran its length
    assert len([p for p in (tmp_path / "standalone").iterdir() if p.is_dir()]) == 1
