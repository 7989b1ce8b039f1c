"""Binary Hopfield network: energy descent, storage rules, recall, capacity, io."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.integrate import quad

import biornn as bn
from biornn.rate.dense_memory import DenseAssociativeMemory
from biornn.rate.hopfield import Hopfield, energy, overlaps
from biornn.rate.hopfield_continuous import ContinuousHopfield
from biornn.experiments.hopfield_capacity import capacity_curve, critical_load
from biornn.rate.hopfield_rules import storkey

RULES = ["hebbian", "storkey", "pseudo_inverse"]


def random_network(n, seed, integer_weights=False, theta_scale=0.0):
    """Random symmetric weights with zero diagonal (integer ones make ties common)."""
    rng = np.random.default_rng(seed)
    A = rng.integers(-1, 2, (n, n)).astype(float) if integer_weights else rng.normal(size=(n, n))
    W = np.triu(A, 1)
    W = W + W.T
    theta = theta_scale * (rng.integers(-1, 2, n) if integer_weights else rng.normal(size=n))
    net = Hopfield(n, thresholds=theta).set_weights(W)
    cues = rng.choice([-1.0, 1.0], size=(3, n))
    return net, cues


def naive_async(W, theta, s, seed, max_sweeps):
    """Textbook sequential dynamics: one unit at a time, its field from scratch."""
    rng = np.random.default_rng(seed)
    s = s.copy()
    for sweep in range(max_sweeps):
        changed = False
        for i in rng.permutation(len(s)):
            h = W[i] @ s - theta[i]
            new = 1.0 if h > 0 else -1.0 if h < 0 else s[i]
            changed |= new != s[i]
            s[i] = new
        if not changed:
            return s, sweep + 1
    return s, max_sweeps


# ---------------------------------------------------------------- energy and convergence
@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 90), seed=st.integers(0, 2**32 - 1), integer_weights=st.booleans(),
       theta_scale=st.sampled_from([0.0, 0.5, 2.0]))
def test_energy_never_increases_under_async_updates(n, seed, integer_weights, theta_scale):
    net, cues = random_network(n, seed, integer_weights, theta_scale)
    res = net.recall(cues, seed=seed, record="update")
    assert res.converged.all()  # symmetric W, zero diagonal: always a fixed point
    assert np.all(np.diff(res.energy, axis=0) <= 0)
    assert np.all(net.is_fixed_point(res.states))
    scale = 1e-9 * (1 + np.abs(net.weights).sum())
    np.testing.assert_allclose(res.energy[-1], net.energy(res.states), atol=scale)
    # the same, with energies computed from scratch from the states after k sweeps
    direct = [net.energy(net.recall(cues, seed=seed, max_sweeps=k).states)
              for k in range(1, int(res.n_sweeps.max()) + 1)]
    assert np.all(np.diff(np.vstack([net.energy(cues)] + direct), axis=0) <= scale)


@pytest.mark.parametrize("n", [7, 150])  # 150 > one block of the batched sweep
def test_async_recall_follows_the_sequential_dynamics_exactly(n):
    net, cues = random_network(n, seed=n, theta_scale=0.3)
    res = net.recall(cues, seed=5)
    for b, cue in enumerate(cues):
        s, sweeps = naive_async(net.weights, net.thresholds, cue, 5, 100)
        np.testing.assert_array_equal(res.states[b], s)
        assert res.n_sweeps[b] == sweeps
        single = net.recall(cue, seed=5)  # the rest of the batch changes nothing
        np.testing.assert_array_equal(single.states, s)
        assert single.n_sweeps == sweeps and single.converged


def test_async_ties_keep_the_state_as_in_exact_integer_arithmetic():
    # Hebbian fields are multiples of 1/N and often exactly θ = 0: a tie must
    # keep the unit, whatever the rounding of the running field updates
    n = 300
    xi = bn.tasks.random_patterns(30, n, seed=0)
    net = Hopfield(n).store(xi)
    cues = bn.tasks.corrupt(xi[:6], 0.3, seed=0)
    res = net.recall(cues, seed=3)
    W_int = np.rint(net.weights * n).astype(np.int64)  # exact N W
    for b, cue in enumerate(cues):
        s, sweeps = naive_async(W_int, np.zeros(n, dtype=np.int64), cue.astype(np.int64), 3, 100)
        np.testing.assert_array_equal(res.states[b], s)
        assert res.n_sweeps[b] == sweeps


def test_same_seed_gives_the_same_trajectory():
    xi = bn.tasks.random_patterns(30, 120, seed=0)
    net = Hopfield(120).store(xi)
    cues = bn.tasks.corrupt(xi, 0.3, seed=1)
    a = net.recall(cues, seed=7, record="update")
    b = net.recall(cues, seed=7, record="update")
    np.testing.assert_array_equal(a.energy, b.energy)
    np.testing.assert_array_equal(a.states, b.states)
    np.testing.assert_array_equal(bn.tasks.corrupt(xi, 0.3, seed=1), cues)


def test_synchronous_two_cycle_is_reported_not_hidden():
    # two mutually inhibiting units started equal flip together for ever
    net = Hopfield(2).set_weights([[0.0, -1.0], [-1.0, 0.0]])
    res = net.recall([[1.0, 1.0], [1.0, -1.0]], update="sync")
    assert res.cycled.tolist() == [True, False]
    assert res.converged.tolist() == [False, True]
    assert res.n_sweeps.tolist() == [2, 1]
    np.testing.assert_array_equal(res.energy[:, 0], [1.0, 1.0, 1.0])
    # asynchronous updates settle the same cue in a fixed point
    a = net.recall([1.0, 1.0], seed=0)
    assert a.converged and not a.cycled and a.states[0] == -a.states[1]


def test_synchronous_recall_cleans_up_noisy_cues():
    xi = bn.tasks.random_patterns(10, 300, seed=3)
    res = Hopfield(300).store(xi).recall(bn.tasks.corrupt(xi, 0.1, seed=4), update="sync")
    assert res.converged.all() and not res.cycled.any()
    np.testing.assert_array_equal(res.states, xi)


# ---------------------------------------------------------------- storage rules
@pytest.mark.parametrize("rule", RULES)
def test_stored_patterns_are_fixed_points_at_low_load(rule):
    xi = bn.tasks.random_patterns(10, 400, seed=11)
    net = Hopfield(400, rule=rule).store(xi)
    W = net.weights
    assert np.allclose(W, W.T) and np.all(np.diagonal(W) == 0)
    assert net.is_fixed_point(xi).all()
    res = net.recall(bn.tasks.corrupt(xi, 0.15, seed=12), seed=13)
    np.testing.assert_array_equal(res.states, xi)
    assert np.all(res.energy[-1] < res.energy[0])


def test_pseudo_inverse_stores_independent_patterns_as_exact_fixed_points():
    rng = np.random.default_rng(0)
    n, p = 60, 48  # α = 0.8, far beyond the Hebbian capacity
    base = rng.choice([-1.0, 1.0], n)
    # strongly correlated patterns: each copies 70% of a common base pattern
    xi = np.where(rng.random((p, n)) < 0.7, base, rng.choice([-1.0, 1.0], (p, n)))
    assert np.linalg.matrix_rank(xi) == p
    assert Hopfield(n, rule="pseudo_inverse").store(xi).is_fixed_point(xi).all()
    assert not Hopfield(n, rule="hebbian").store(xi).is_fixed_point(xi).all()


@pytest.mark.parametrize("n_patterns", [20, 30])
def test_pseudo_inverse_refuses_patterns_that_span_every_dimension(n_patterns):
    # P >= N independent patterns: the projection is the identity, the weights
    # without self-couplings are rounding noise, and recall would "converge" on them
    xi = bn.tasks.random_patterns(n_patterns, 20, seed=3)
    assert np.linalg.matrix_rank(xi) == 20
    with pytest.raises(ValueError, match="span all 20 dimensions"):
        Hopfield(20, rule="pseudo_inverse").store(xi)


def test_pseudo_inverse_refuses_a_span_that_contains_a_units_axis():
    # ξ¹ and ξ² differ only in unit 0, so (ξ¹ − ξ²)/2 = e_0 is in their span and P_00 = 1
    rng = np.random.default_rng(4)
    xi = rng.choice([-1.0, 1.0], (4, 12))
    xi[1] = xi[0]
    xi[1, 0] = -xi[0, 0]
    with pytest.raises(ValueError, match="axis of 1 unit.*unit 0"):
        Hopfield(12, rule="pseudo_inverse").store(xi)


def test_pseudo_inverse_stores_dependent_patterns_as_their_span():
    # duplicates and a sign-flipped copy are linearly dependent but harmless:
    # the weights are those of the independent ones and all are fixed points
    xi = bn.tasks.random_patterns(5, 40, seed=5)
    dependent = np.vstack([xi, xi[:2], -xi[3:4]])
    a = Hopfield(40, rule="pseudo_inverse").store(xi)
    b = Hopfield(40, rule="pseudo_inverse").store(dependent)
    np.testing.assert_allclose(b.weights, a.weights, atol=1e-12)
    assert b.is_fixed_point(dependent).all()


def test_storkey_rule_matches_its_definition():
    rng = np.random.default_rng(1)
    n = 9
    xi = rng.choice([-1.0, 1.0], (4, n))
    W = np.zeros((n, n))
    for x in xi:  # Storkey 1997, element by element
        new = W.copy()
        for i in range(n):
            for j in range(n):
                if i != j:
                    h_ij = sum(W[i, k] * x[k] for k in range(n) if k not in (i, j))
                    h_ji = sum(W[j, k] * x[k] for k in range(n) if k not in (i, j))
                    new[i, j] += (x[i] * x[j] - x[i] * h_ji - h_ij * x[j]) / n
        W = new
    for chunk in (1, 3, 64):  # patterns folded into W one, three or all at a time
        np.testing.assert_allclose(storkey(xi, chunk=chunk), W, atol=1e-14)
    # continuing from stored weights is the same as learning all at once
    more = rng.choice([-1.0, 1.0], (3, n))
    np.testing.assert_allclose(storkey(more, weights=storkey(xi)),
                               storkey(np.vstack([xi, more])), atol=1e-14)


def test_hebbian_weights_are_scaled_outer_products():
    xi = bn.tasks.random_patterns(3, 8, seed=2)
    W = Hopfield(8).store(xi).weights
    expected = sum(np.outer(x, x) for x in xi) / 8
    np.fill_diagonal(expected, 0)
    np.testing.assert_allclose(W, expected)


def test_float32_network_recalls():
    xi = bn.tasks.random_patterns(5, 100, seed=5)
    net = Hopfield(100, rule="storkey", dtype="float32").store(xi)
    assert net.weights.dtype == np.float32
    res = net.recall(bn.tasks.corrupt(xi, 0.1, seed=6), seed=0)
    assert res.states.dtype == np.float32 and (overlaps(res.states, xi) == 1).all()


def test_energy_function_matches_its_formula():
    net, cues = random_network(12, 3, theta_scale=1.0)
    W, th = net.weights, net.thresholds
    expected = [-0.5 * c @ W @ c + th @ c for c in cues]
    np.testing.assert_allclose(net.energy(cues), expected)
    np.testing.assert_allclose(energy(cues, W, th), expected)


# ---------------------------------------------------------------- validation
@pytest.mark.parametrize("bad, match", [
    (np.full((2, 10), 0.5), "-1 and \\+1"),
    (np.ones((2, 9)), "length 10"),
    (np.where(np.eye(2, 10) > 0, np.nan, 1.0), "NaN"),
    ("abc", "array of numbers"),
])
def test_bad_patterns_are_rejected_clearly(bad, match):
    net = Hopfield(10)
    with pytest.raises((ValueError, TypeError), match=match):
        net.store(bad)
    with pytest.raises((ValueError, TypeError), match=match):
        net.recall(bad)


def test_bad_arguments_are_rejected_clearly():
    with pytest.raises(ValueError, match="rule must be one of"):
        Hopfield(10, rule="oja")
    with pytest.raises(TypeError, match="n_units"):
        Hopfield(2.5)
    with pytest.raises(ValueError, match="update must be one of"):
        Hopfield(4).recall(np.ones(4), update="parallel")
    with pytest.raises(ValueError, match="thresholds"):
        Hopfield(4, thresholds=np.zeros(3))
    with pytest.raises(ValueError, match="dtype"):
        Hopfield(4, dtype="int8")
    with pytest.raises(ValueError, match="zero diagonal"):
        Hopfield(2).set_weights(np.eye(2))


def test_asymmetric_weights_need_the_flag_and_warn():
    W = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [-1.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match="allow_asymmetric"):
        Hopfield(3).set_weights(W)
    with pytest.warns(RuntimeWarning, match="no longer guaranteed"):
        net = Hopfield(3).set_weights(W, allow_asymmetric=True)
    res = net.recall(np.ones(3), max_sweeps=20, seed=0)
    np.testing.assert_allclose(res.final_energy, net.energy(res.states))
    with pytest.raises(ValueError, match="symmetric"):
        net.recall(np.ones(3), record="update")
    # the field of unit j is Σ_k W_jk s_k: check the final state against it
    h = net.weights @ res.states
    assert res.converged == bool(np.all(h * res.states >= 0))


# ---------------------------------------------------------------- tasks, capacity, io
def test_random_patterns_and_corrupt_cues():
    xi = bn.tasks.random_patterns(200, 500, seed=0)
    assert xi.shape == (200, 500) and set(np.unique(xi)) == {-1.0, 1.0}
    assert abs(xi.mean()) < 0.01
    cues = bn.tasks.corrupt(xi, 0.1, seed=1)
    assert np.all((cues != xi).sum(axis=1) == 50)
    np.testing.assert_allclose(overlaps(cues, xi), 0.8)
    with pytest.raises(ValueError, match="-1 and \\+1"):
        bn.tasks.corrupt(xi * 0.5, 0.1)
    with pytest.raises(ValueError, match="flip_fraction"):
        bn.tasks.corrupt(xi, 1.5)


def test_capacity_curve_falls_with_load():
    curve = capacity_curve("hebbian", n_units=200, loads=[0.05, 0.35, 0.4], min_cues=60,
                           seed=0)
    assert curve.success[0] > 0.95 and curve.success[1] < 0.1
    assert 0.05 < curve.critical_load(0.5) < 0.35
    assert critical_load([0.1, 0.2, 0.3], [1.0, 0.6, 0.2], 0.5) == pytest.approx(0.225)
    assert np.isnan(critical_load([0.1, 0.2], [1.0, 0.9], 0.5))


def test_save_load_round_trip(tmp_path):
    xi = bn.tasks.random_patterns(8, 64, seed=0)
    net = Hopfield(64, rule="storkey", thresholds=0.01).store(xi)
    path = bn.io.save(net, tmp_path / "net")
    back = bn.io.load(path)
    assert isinstance(back, Hopfield) and back.rule == "storkey"
    np.testing.assert_array_equal(back.weights, net.weights)
    np.testing.assert_array_equal(back.patterns_, xi)
    cues = bn.tasks.corrupt(xi, 0.2, seed=3)
    a, b = net.recall(cues, seed=4), back.recall(cues, seed=4)
    np.testing.assert_array_equal(a.states, b.states)
    np.testing.assert_array_equal(a.energy, b.energy)


# ---------------------------------------------------------------- continuous network (1984)
@settings(max_examples=15, deadline=None)
@given(n=st.integers(2, 40), seed=st.integers(0, 2**32 - 1),
       gain=st.sampled_from([0.5, 3.0, 20.0]))
def test_continuous_energy_never_increases(n, seed, gain):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(n, n)) / np.sqrt(n)
    net = ContinuousHopfield(n, gain=gain, bias=rng.normal(size=n) * 0.1)
    net.set_weights(A + A.T)
    res = net.recall(rng.uniform(-1, 1, (3, n)), duration=10.0, dt=0.02)
    assert np.all(np.diff(res.energy, axis=0) <= 1e-9 * (1 + np.abs(res.energy).max()))


def test_continuous_network_retrieves_patterns_at_rest():
    xi = bn.tasks.random_patterns(8, 200, seed=0)
    net = ContinuousHopfield(200, gain=10.0).store(xi)
    res = net.recall(bn.tasks.corrupt(xi, 0.2, seed=1), duration=50.0)
    assert res.converged.all()
    np.testing.assert_array_equal(np.sign(res.states), xi)
    assert np.all(np.abs(res.states) > 0.99)  # near the corners at high gain
    # at rest the potentials satisfy u = W V + I
    np.testing.assert_allclose(res.potentials, res.states @ net.weights + net.bias, atol=1e-5)


def test_continuous_energy_matches_the_integral_of_the_inverse_gain():
    gain, V = 3.0, np.array([0.3, -0.9, 1.0])
    net = ContinuousHopfield(3, gain=gain)  # W = 0, I = 0: only the leak term
    expected = sum(quad(lambda x: np.arctanh(x) / gain, 0, v)[0] for v in V)
    assert net.energy(V) == pytest.approx(expected, rel=1e-6)


def test_continuous_bad_input_and_round_trip(tmp_path):
    net = ContinuousHopfield(4, gain=5.0, tau=0.02)
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        net.recall(np.full(4, 1.5))
    with pytest.raises(ValueError, match="symmetric"):
        net.set_weights(np.triu(np.ones((4, 4)), 1))
    net.store(bn.tasks.random_patterns(2, 4, seed=0))
    back = bn.io.load(bn.io.save(net, tmp_path / "c"))
    cue = np.array([0.5, -0.5, 0.2, 0.0])
    np.testing.assert_array_equal(back.recall(cue, duration=0.1, dt=0.001).states,
                                  net.recall(cue, duration=0.1, dt=0.001).states)


# ---------------------------------------------------------------- dense associative memory
@pytest.mark.parametrize("beta", [0.05, 0.5, 4.0])
def test_dense_energy_never_increases(beta):
    rng = np.random.default_rng(0)
    mem = DenseAssociativeMemory(beta).store(rng.normal(size=(30, 16)))
    res = mem.recall(rng.normal(size=(20, 16)) * 2)
    assert res.converged.all()
    assert np.all(np.diff(res.energy, axis=0) <= 1e-10)
    np.testing.assert_allclose(res.energy[-1], mem.energy(res.states))


def test_dense_memory_retrieves_far_above_hebbian_capacity():
    n, p = 64, 640  # α = P/N = 10, against 0.138 for the Hebbian network
    xi = bn.tasks.random_patterns(p, n, seed=0)
    cues = bn.tasks.corrupt(xi, 0.1, seed=1)
    res = DenseAssociativeMemory(beta=1.0).store(xi).recall(cues)
    assert np.all(overlaps(res.states, xi) > 0.999)
    np.testing.assert_array_equal(np.sign(res.states), xi)
    # the binary Hebbian network already fails at α = 0.5
    few = xi[:32]
    hebb = Hopfield(n).store(few).recall(cues[:32], seed=0)
    assert np.mean(overlaps(hebb.states, few) >= 0.95) < 0.5


def test_dense_memory_at_low_beta_averages_all_patterns():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(5, 8))
    mem = DenseAssociativeMemory(beta=1e-9).store(X)
    np.testing.assert_allclose(mem.update(rng.normal(size=8)), X.mean(axis=0), atol=1e-6)


def test_dense_memory_validation_and_round_trip(tmp_path):
    mem = DenseAssociativeMemory(beta=2.0)
    with pytest.raises(RuntimeError, match="store"):
        mem.recall(np.ones(3))
    with pytest.raises(ValueError, match="beta"):
        DenseAssociativeMemory(beta=-1.0)
    mem.store(bn.tasks.random_patterns(4, 6, seed=0))
    with pytest.raises(ValueError, match="length 6"):
        mem.recall(np.ones(5))
    with pytest.raises(ValueError, match="NaN"):
        mem.store(np.full((2, 6), np.nan))
    back = bn.io.load(bn.io.save(mem, tmp_path / "m"))
    cue = np.linspace(-1, 1, 6)
    np.testing.assert_array_equal(back.recall(cue).states, mem.recall(cue).states)


@pytest.mark.slow
@pytest.mark.parametrize("rule, reference", [("hebbian", 0.155), ("storkey", 0.41),
                                             ("pseudo_inverse", 0.51)])
def test_capacity_at_half_success_matches_the_reference(rule, reference):
    # issue 5: N = 500, 10% flipped cues, overlap >= 0.95; success drops below 50%
    # at α ≈ 0.155 (Hebbian), 0.41 (Storkey), 0.51 (pseudo-inverse), within ±0.02
    loads = np.round(np.arange(reference - 0.03, reference + 0.035, 0.01), 3)
    curve = capacity_curve(rule, n_units=500, loads=loads, min_cues=300, seed=1)
    assert abs(curve.critical_load(0.5) - reference) <= 0.02
