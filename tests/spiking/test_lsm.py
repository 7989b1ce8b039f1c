"""Liquid state machine: connectivity, determinism, batching, inputs (numpy target)."""

import numpy as np
import pytest

import biornn as bn
from biornn.spiking import LSM, LiquidStateMachine
from biornn.spiking.connectivity import connection_probability

def small_lsm(seed=0, **kw):
    return LSM((5, 3, 3), n_inputs=3, seed=seed, **kw)


@pytest.fixture(scope="module")
def data():
    return bn.tasks.spike_templates(n_templates=2, n_channels=3, duration=0.1, rate=40.0,
                                    jitter=0.002, n_trials=4, seed=3)


def test_connection_statistics_follow_distance_rule():
    lsm = LSM((12, 6, 6), length_constant=2.0, seed=4)
    p = connection_probability(lsm.positions, lsm.inhibitory, lsm.connectivity, 2.0)
    observed = np.zeros_like(p)
    for proj in lsm.recurrent.values():
        observed[proj.pre, proj.post] += 1
    assert observed.max() == 1 and np.trace(observed) == 0
    d2 = ((lsm.positions[:, None] - lsm.positions[None]) ** 2).sum(-1)
    inh = lsm.inhibitory
    for pre in (False, True):
        for post in (False, True):
            block = np.ix_(inh == pre, inh == post)
            for lo, hi in ((1, 2), (2, 4), (4, 9)):
                m = (d2[block] >= lo) & (d2[block] < hi)
                expected = p[block][m].sum()
                got = observed[block][m].sum()
                assert abs(got - expected) < 4 * np.sqrt(expected) + 2, (pre, post, lo)
    # type-specific C: EE pairs at distance 1 connect with probability 0.3 e^{-1/4}
    m = (d2 == 1) & ~inh[:, None] & ~inh[None, :]
    assert observed[m].mean() == pytest.approx(0.3 * np.exp(-0.25), abs=0.03)


def test_maass_column_has_sparse_in_degree_and_paper_parameters():
    lsm = LSM.from_model("maass2002_lsm", seed=1)
    assert lsm.n_neurons == 135 and lsm.inhibitory.sum() == 27
    assert 3.5 < lsm.n_synapses / lsm.n_neurons < 6.5
    A = lsm.recurrent["E"].params["A"]
    assert np.all(A > 0) and np.all(lsm.recurrent["I"].params["A"] < 0)
    U = np.concatenate([p.params["U"] for p in lsm.recurrent.values()])
    assert np.all((U > 0) & (U <= 1))


def test_same_seed_gives_identical_spikes(data):
    a = small_lsm(seed=7).run(data.inputs, output="spikes", progress=False)
    b = small_lsm(seed=7).run(data.inputs, output="spikes", progress=False)
    assert sum(len(i) for i, _ in a) > 0
    for (ia, ta), (ib, tb) in zip(a, b):
        np.testing.assert_array_equal(ia, ib)
        np.testing.assert_array_equal(ta, tb)
    c = small_lsm(seed=8).run(data.inputs, output="spikes", progress=False)
    assert any(len(x[0]) != len(y[0]) or np.any(x[1] != y[1]) for x, y in zip(a, c))


def test_batched_trials_equal_trials_run_one_at_a_time(data):
    lsm = small_lsm(seed=2)
    seeds = [11, 12, 13, 14]
    batched = lsm.run(data.inputs, seed=seeds, output="spikes", progress=False)
    for k in range(len(seeds)):
        single = lsm.run([data.inputs[k]], duration=data.duration, seed=[seeds[k]],
                         output="spikes", progress=False)[0]
        np.testing.assert_array_equal(batched[k][0], single[0])
        np.testing.assert_allclose(batched[k][1], single[1])
    # chunks of 3 copies (the last padded) give the same spikes too
    chunked = lsm.run(data.inputs, seed=seeds, output="spikes", chunk_size=3, progress=False)
    for x, y in zip(batched, chunked):
        np.testing.assert_array_equal(x[0], y[0])


def test_filtered_states_match_the_recorded_spikes(data):
    lsm = small_lsm(seed=2)
    X = lsm.run(data.inputs, seed=[1, 2, 3, 4], progress=False)
    spikes = lsm.run(data.inputs, seed=[1, 2, 3, 4], output="spikes", progress=False)
    assert X.shape == (4, 10, 45)
    i, t = spikes[0]
    expected = np.zeros(45)
    np.add.at(expected, i, np.exp(-(0.1 - t) / 0.03))
    np.testing.assert_allclose(X[0, -1], expected, atol=1e-12)
    counts = lsm.run(data.inputs, seed=[1, 2, 3, 4], output="counts", progress=False)
    assert counts[0].sum() == len(i)


def test_no_input_and_no_background_gives_no_spikes():
    lsm = small_lsm(neuron={"I_b": 0.0})
    empty = [(np.array([], dtype=int), np.array([]))] * 2
    spikes = lsm.run(empty, duration=0.05, output="spikes", progress=False)
    assert all(len(i) == 0 for i, _ in spikes)


def test_background_alone_keeps_the_column_silent_but_input_drives_it(data):
    lsm = small_lsm(seed=5)
    empty = [(np.array([], dtype=int), np.array([]))]
    # I_b R_m = 13.5 mV < 15 mV threshold: only the initial transient may fire
    quiet = lsm.run(empty, duration=0.1, output="spikes", progress=False)[0]
    driven = lsm.run(data.inputs[:1], output="spikes", progress=False)[0]
    assert np.sum(quiet[1] > 0.05) == 0
    assert len(driven[0]) > 5


@pytest.mark.parametrize("bad, error", [
    ([(np.array([0, 1]), np.array([0.01, -0.02]))], ValueError),          # negative time
    ([(np.array([0, 3]), np.array([0.01, 0.02]))], ValueError),           # channel 3 of 3
    ([(np.array([[0, 1]]), np.array([[0.01, 0.02]]))], ValueError),       # wrong rank
    ([(np.array([0, 1]), np.array([0.01, np.nan]))], ValueError),         # NaN
    ([(np.array([0, 1]), np.array([0.01]))], ValueError),                 # length mismatch
    ([(np.array([0.5]), np.array([0.01]))], ValueError),                  # non-integer channel
    (np.zeros((2, 3)), TypeError),                                        # not a list
    ([np.array([0.1, 0.2])], TypeError),                                  # not a pair
])
def test_bad_input_gets_a_clear_error(bad, error):
    with pytest.raises(error, match="inputs"):
        small_lsm().run(bad, duration=0.1, progress=False)


def test_bad_parameters_are_rejected():
    with pytest.raises(ValueError, match="shape"):
        LSM((5, 3))
    with pytest.raises(ValueError, match="target"):
        LSM(target="gpu")
    with pytest.raises(ValueError, match="neuron has no parameter"):
        LSM(neuron={"tau": 1.0})
    with pytest.raises(ValueError, match="seed"):
        small_lsm().run([(np.array([0]), np.array([0.01]))], seed=[1, 2], progress=False)


def test_analog_current_and_poisson_inputs_drive_the_liquid():
    lsm = LSM((5, 3, 3), seed=1, neuron={"I_b": 0.0})
    signals = np.zeros((2, 50, 2))
    signals[0] = 1.0            # trial 0 driven, trial 1 silent
    X = lsm.run_analog(signals, mode="current", input_dt=1e-3, input_scale=30e-9,
                       progress=False)
    assert X.shape == (2, 5, 45)
    assert X[0].sum() > 0 and X[1].sum() == 0
    P = lsm.run_analog(signals, mode="poisson", input_dt=1e-3, max_rate=200.0, seed=0,
                       progress=False)
    assert P[0].sum() > 0 and P[1].sum() == 0


def test_alias_and_model_file():
    assert LSM is LiquidStateMachine
    lsm = LSM.from_model("maass2002_lsm", seed=0, shape=(4, 4, 4), neuron={"v_th": 0.016})
    assert lsm.n_neurons == 64 and lsm.neuron["v_th"] == 0.016
    assert lsm.neuron["tau_m"] == pytest.approx(0.03)


@pytest.mark.slow
def test_cpp_standalone_gives_the_same_spikes_and_reuses_its_binary(data, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setenv("BIORNN_CACHE", str(tmp_path))
    seeds = [1, 2, 3, 4]
    ref = small_lsm(seed=3).run(data.inputs, seed=seeds, output="spikes", progress=False)
    lsm = small_lsm(seed=3, target="cpp_standalone")
    got = lsm.run(data.inputs, seed=seeds, output="spikes", progress=False)
    for (ia, ta), (ib, tb) in zip(ref, got):
        np.testing.assert_array_equal(ia, ib)
        np.testing.assert_allclose(ta, tb)
    binary = next(tmp_path.glob("standalone/*/main"))
    stamp = binary.stat().st_mtime_ns
    again = small_lsm(seed=3, target="cpp_standalone").run(
        data.inputs[::-1], seed=seeds[::-1], output="spikes", progress=False)
    assert binary.stat().st_mtime_ns == stamp            # no recompilation
    np.testing.assert_array_equal(again[0][0], ref[3][0])


class ToniCurrent:
    """A minimal extension: an extra current written by its own projection."""

    def __init__(self, amplitude):
        from biornn.spiking.neurons import injected_current
        self.currents = [injected_current("I_tonic")]
        self.amplitude = amplitude

    def build(self, lsm, liquid, n_copies):
        import brian2 as b2
        drive = b2.NeuronGroup(1, "", namespace={}, dt=lsm.dt * b2.second, name="tonic")
        syn = b2.Synapses(drive, liquid, "I_tonic_post = amp_tonic : amp (summed)",
                          namespace={"amp_tonic": self.amplitude * b2.amp},
                          dt=lsm.dt * b2.second, name="tonic_synapses")
        syn.connect()
        return [drive, syn]


def test_extensions_add_their_own_current_and_objects():
    empty = [(np.array([], dtype=int), np.array([]))]
    base = small_lsm(neuron={"I_b": 0.0})
    assert len(base.run(empty, duration=0.05, output="spikes", progress=False)[0][0]) == 0
    driven = small_lsm(neuron={"I_b": 0.0}, extensions=[ToniCurrent(20e-9)])
    spikes = driven.run(empty * 2, duration=0.05, output="spikes", progress=False)
    # 20 nA through 1 MOhm settles at 20 mV > 15 mV threshold: every neuron fires
    assert all(np.unique(i).size == 45 for i, _ in spikes)


def test_save_and_load_give_the_same_liquid(data, tmp_path):
    lsm = small_lsm(seed=9)
    path = bn.save(lsm, tmp_path / "liquid.npz")
    back = bn.load(path)
    assert back.n_synapses == lsm.n_synapses
    np.testing.assert_array_equal(back.weight_matrix(), lsm.weight_matrix())
    a = lsm.run(data.inputs, output="spikes", progress=False)       # seed=None: own stream
    b = back.run(data.inputs, output="spikes", progress=False)
    for (ia, ta), (ib, tb) in zip(a, b):
        np.testing.assert_array_equal(ia, ib)
        np.testing.assert_array_equal(ta, tb)
