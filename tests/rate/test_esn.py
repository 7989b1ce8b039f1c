"""Echo state network: reservoir construction, dynamics, training, generation."""

import numpy as np
import pytest
import scipy.sparse as sp

import biornn as bn
from biornn.rate.reservoir import reservoir_matrix, spectral_radius


@pytest.mark.parametrize("topology", ["random", "orthogonal", "ring"])
@pytest.mark.parametrize("n_units, sparse", [(60, False), (400, True)])
def test_reservoir_has_requested_spectral_radius(topology, n_units, sparse):
    W = reservoir_matrix(n_units, spectral_radius=0.73, density=0.1, topology=topology,
                         sparse=sparse, seed=0)
    assert sp.issparse(W) == sparse
    dense = W.toarray() if sp.issparse(W) else W
    assert np.max(np.abs(np.linalg.eigvals(dense))) == pytest.approx(0.73, rel=1e-6)
    assert spectral_radius(W) == pytest.approx(0.73, rel=1e-6)


def test_random_reservoir_has_requested_density():
    W = reservoir_matrix(300, density=0.05, seed=1, sparse=True)
    assert W.nnz == round(0.05 * 300 * 300)


def test_orthogonal_reservoir_is_scaled_orthogonal():
    W = reservoir_matrix(50, spectral_radius=0.9, topology="orthogonal", seed=0)
    np.testing.assert_allclose(W @ W.T, 0.81 * np.eye(50), atol=1e-12)


def test_esn_with_spectral_radius_below_one_forgets_its_initial_state():
    esn = bn.ESN(80, spectral_radius=0.8, input_scaling=0.5, seed=0)
    u = np.random.default_rng(0).uniform(-1, 1, (400, 1))
    converged, d = esn.echo_state_check(u, n_pairs=4, tol=1e-8, seed=1)
    assert converged
    assert np.all(d[:, 0] > 1.0)  # they did start apart
    assert np.all(d[:, -1] < 1e-8)


def test_without_input_a_large_spectral_radius_keeps_initial_differences():
    # the echo state property fails for rho well above 1 with weak input
    esn = bn.ESN(80, spectral_radius=3.0, input_scaling=0.01, seed=0)
    u = np.zeros((300, 1))
    converged, d = esn.echo_state_check(u, n_pairs=3, seed=1)
    assert not converged and np.all(d[:, -1] > 1e-3)


def test_state_update_follows_the_leaky_integrator_equation():
    esn = bn.ESN(30, leak_rate=0.3, input_scaling=0.7, bias_scaling=0.2, seed=3)
    u = np.random.default_rng(1).normal(size=(5, 2))
    X = esn.run(u)
    x = np.zeros(30)
    W = esn.W.toarray() if sp.issparse(esn.W) else esn.W
    for t in range(5):
        x = 0.7 * x + 0.3 * np.tanh(W @ x + esn.W_in @ u[t] + esn.b)
        np.testing.assert_allclose(X[t], x, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("n_units", [50, 400])
def test_batch_run_equals_sequences_run_one_by_one(n_units):
    U = np.random.default_rng(2).uniform(0, 0.5, (3, 120, 2))
    esn = bn.ESN(n_units, leak_rate=0.5, input_scaling=0.3, seed=4)
    Xb = esn.run(U)
    assert Xb.shape == (3, 120, n_units)
    for i in range(3):
        np.testing.assert_allclose(Xb[i], esn.run(U[i]), rtol=1e-12, atol=1e-14)


def test_list_of_ragged_sequences_returns_a_list():
    rng = np.random.default_rng(0)
    seqs = [rng.normal(size=(n, 1)) for n in (20, 35)]
    esn = bn.ESN(20, seed=0)
    out = esn.run(seqs)
    assert isinstance(out, list) and [o.shape for o in out] == [(20, 20), (35, 20)]
    np.testing.assert_array_equal(out[1], esn.run(seqs[1]))


def test_same_seed_gives_identical_states_and_different_seeds_do_not():
    u = np.random.default_rng(0).normal(size=(50, 1))
    a = bn.ESN(40, seed=7).run(u)
    np.testing.assert_array_equal(a, bn.ESN(40, seed=7).run(u))
    assert not np.allclose(a, bn.ESN(40, seed=8).run(u))


def test_float32_on_request():
    u = np.random.default_rng(0).normal(size=(50, 1))
    esn32 = bn.ESN(40, seed=7, dtype="float32")
    X32 = esn32.run(u)
    assert X32.dtype == np.float32
    np.testing.assert_allclose(X32, bn.ESN(40, seed=7).run(u), atol=1e-5)


def test_narma10_with_100_units_reaches_test_nrmse_below_half():
    u, y = bn.tasks.narma(2600, seed=0)
    esn = bn.ESN(100, spectral_radius=0.9, input_scaling=0.1, density=0.1, seed=0,
                 readout=bn.Ridge(alpha=1e-8))
    esn.fit(u[:1600], y[:1600], washout=200)
    # the test part continues from the training run's state
    pred = esn.predict(u[1600:], initial_state=esn.state_)
    assert bn.metrics.nrmse(y[1600:], pred) < 0.5


def test_teacher_forced_network_generates_a_sine_closed_loop():
    t = np.arange(1200)
    y = 0.5 * np.sin(2 * np.pi * t / 40)[:, None]
    esn = bn.ESN(100, spectral_radius=0.9, feedback_scaling=1.0, bias_scaling=0.2,
                 noise=1e-6, seed=0, readout=bn.Ridge(alpha=1e-8))
    esn.fit(None, y[:1000], washout=100)
    gen = esn.generate(200)
    assert bn.metrics.nrmse(y[1000:], gen) < 0.05


def test_fit_rejects_washout_longer_than_the_sequence_and_mismatched_lengths():
    u, y = bn.tasks.narma(100, seed=0)
    esn = bn.ESN(10, seed=0)
    with pytest.raises(ValueError, match="washout"):
        esn.fit(u, y, washout=100)
    with pytest.raises(ValueError, match="same lengths"):
        esn.fit(u, y[:90])


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_units=-5), "n_units must be a positive integer"),
    (dict(n_units=10, spectral_radius=0.0), "spectral_radius"),
    (dict(n_units=10, spectral_radius=-1.0), "spectral_radius"),
    (dict(n_units=10, leak_rate=0.0), r"leak_rate must lie in \(0, 1\]"),
    (dict(n_units=10, leak_rate=1.5), "leak_rate"),
    (dict(n_units=10, density=0.0), "density"),
    (dict(n_units=10, density=1.2), "density"),
    (dict(n_units=10, topology="smallworld"), "topology must be one of"),
    (dict(n_units=10, input_scaling=float("nan")), "input_scaling must be finite"),
])
def test_bad_constructor_arguments_get_named_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        bn.ESN(**kwargs)


def test_bad_inputs_get_named_errors():
    esn = bn.ESN(10, seed=0)
    with pytest.raises(ValueError, match="inputs contains NaN"):
        esn.run(np.array([[0.1], [np.nan]]))
    with pytest.raises(ValueError, match="inputs must have 1, 2 or 3 dimensions"):
        esn.run(np.zeros((2, 2, 2, 2)))
    esn.run(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="2 features"):
        esn.run(np.zeros((5, 3)))
    u, y = bn.tasks.narma(50, seed=0)
    with pytest.raises(ValueError, match="targets contains NaN"):
        bn.ESN(10, seed=0).fit(u, np.full_like(y, np.nan))


def test_save_load_round_trip_reproduces_predictions_bit_for_bit(tmp_path):
    u, y = bn.tasks.narma(600, seed=1)
    for kwargs in (dict(n_units=50), dict(n_units=400, density=0.05)):
        esn = bn.ESN(**kwargs, input_scaling=0.1, seed=2).fit(u[:400], y[:400], washout=50)
        path = bn.save(esn, tmp_path / f"esn{kwargs['n_units']}")
        loaded = bn.load(path)
        np.testing.assert_array_equal(loaded.predict(u[400:]), esn.predict(u[400:]))
        np.testing.assert_array_equal(loaded.run(u[400:]), esn.run(u[400:]))


def test_step_is_pure_and_follows_the_equation():
    rng = np.random.default_rng(0)
    W, x, p = rng.normal(size=(5, 5)), rng.normal(size=5), rng.normal(size=5)
    x_before = x.copy()
    out = bn.rate.esn.step(x, p, W, 0.4)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_allclose(out, 0.6 * x + 0.4 * np.tanh(W @ x + p))


def test_predict_with_feedback_is_repeatable_and_per_sequence():
    t = np.arange(600)
    y = 0.5 * np.sin(2 * np.pi * t / 30)[:, None]
    u = np.cos(2 * np.pi * t / 30)[:, None]
    esn = bn.ESN(60, feedback_scaling=0.5, input_scaling=0.5, noise=1e-6, seed=0)
    esn.fit(u[:400], y[:400], washout=50)
    state = esn.state_.copy()
    first = esn.predict(u[400:])
    np.testing.assert_array_equal(esn.predict(u[400:]), first)
    batch = esn.predict(np.stack([u[400:], u[400:]]))
    np.testing.assert_array_equal(batch[0], batch[1])
    np.testing.assert_array_equal(batch[0], first)
    np.testing.assert_array_equal(esn.state_, state)  # predict does not move the network


def test_refitting_with_training_noise_is_reproducible():
    u, y = bn.tasks.narma(300, seed=0)
    esn = bn.ESN(30, noise=1e-3, seed=0)
    a = esn.fit(u, y, washout=20).readout_.coef_.copy()
    np.testing.assert_array_equal(esn.fit(u, y, washout=20).readout_.coef_, a)
    np.testing.assert_array_equal(bn.ESN(30, noise=1e-3, seed=0).fit(u, y, washout=20)
                                  .readout_.coef_, a)


def test_unfitted_network_round_trips_its_future_draws(tmp_path):
    u = np.random.default_rng(0).normal(size=(40, 2))
    esn = bn.ESN(20, seed=np.random.default_rng(5))
    loaded = bn.load(bn.save(esn, tmp_path / "fresh"))
    np.testing.assert_array_equal(loaded.run(u), esn.run(u))


def test_feedback_network_round_trip_generates_identically(tmp_path):
    y = 0.5 * np.sin(2 * np.pi * np.arange(500) / 25)[:, None]
    esn = bn.ESN(50, feedback_scaling=1.0, bias_scaling=0.2, noise=1e-6, seed=0)
    esn.fit(None, y, washout=50)
    loaded = bn.load(bn.save(esn, tmp_path / "fb"))
    np.testing.assert_array_equal(loaded.generate(50), esn.generate(50))


@pytest.mark.parametrize("alpha", [1e-6, [1e-8, 1e-4, 1e-1]])
@pytest.mark.parametrize("form", ["single", "batch", "list"])
def test_streaming_fit_equals_a_fit_on_all_collected_states(alpha, form):
    rng = np.random.default_rng(0)
    lengths = {"single": [700], "batch": [300, 300], "list": [300, 450]}[form]
    U = [rng.uniform(0, 0.5, (n, 1)) for n in lengths]
    Y = [np.roll(u, 2, axis=0) ** 2 for u in U]
    if form == "single":
        U, Y = U[0], Y[0]
    elif form == "batch":
        U, Y = np.stack(U), np.stack(Y)
    esn = bn.ESN(40, input_scaling=0.5, seed=1, include_input=True,
                 readout=bn.Ridge(alpha=alpha, n_folds=3))
    esn.fit(U, Y, washout=20)         # streams chunks of 256 steps into the readout
    X = esn.run(U)
    seqs_X = [X] if form == "single" else list(X)
    seqs_U = [U] if form == "single" else list(U)
    seqs_Y = [Y] if form == "single" else list(Y)
    feats = np.concatenate([np.hstack([x, u])[20:] for x, u in zip(seqs_X, seqs_U)])
    ref = bn.Ridge(alpha=alpha, n_folds=3).fit(feats, np.concatenate([y[20:] for y in seqs_Y]))
    np.testing.assert_allclose(esn.readout_.coef_, ref.coef_, rtol=1e-7, atol=1e-9)
    assert esn.readout_.alpha_ == ref.alpha_
    if np.ndim(alpha):
        np.testing.assert_allclose(esn.readout_.cv_mse_, ref.cv_mse_, rtol=1e-6)
    np.testing.assert_allclose(esn.state_, seqs_X[-1][-1])
