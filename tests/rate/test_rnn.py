import numpy as np
import pytest

from biornn import io
from biornn.rate.rnn import RNN

from ._gradcheck import numerical_gradient, relative_error


def problem(B=2, T=7, D=3, O=2, seed=0, classes=False):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((B, T, D))
    y = (np.eye(O)[rng.integers(0, O, (B, T))] if classes
         else rng.standard_normal((B, T, O)))
    return x, y, rng.uniform(0.2, 1.0, (B, T))


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_bptt_matches_finite_differences(loss):
    x, y, mask = problem(classes=loss == "cross_entropy")
    net = RNN(3, 5, 2, gain=1.3, loss=loss, seed=1)
    _, grads = net.bptt(x, y, mask)
    numeric = numerical_gradient(lambda: net.loss_value(x, y, mask), net.params)
    assert relative_error(grads, numeric) < 1e-6


def frozen_chunk_loss(net, x, y, k, boundary_states):
    """Loss with the state entering every chunk of k steps held at ``boundary_states``."""
    T = x.shape[1]
    total = 0.0
    for c, start in enumerate(range(0, T, k)):
        sl = slice(start, start + k)
        X, Y, M = net._data(x[:, sl], y[:, sl], None)
        cache = net._forward(X, boundary_states[c])
        from biornn.rate._sequence import output_error
        total += output_error(net._readout(cache["H"]), Y, M, net.loss)[0]
    return total


def test_detach_truncation_is_the_exact_gradient_of_the_chunked_loss():
    x, y, _ = problem(T=9)
    net = RNN(3, 4, 2, gain=1.2, seed=2)
    k = 3
    H = net.run(x)                                   # (B, T, n), unperturbed states
    h0s = [None] + [H[:, s - 1].copy() for s in range(k, 9, k)]
    _, grads = net.bptt(x, y, truncation=k, truncation_mode="detach")
    numeric = numerical_gradient(lambda: frozen_chunk_loss(net, x, y, k, h0s), net.params)
    assert relative_error(grads, numeric) < 1e-6


def test_window_truncation_sends_each_error_back_exactly_k_steps():
    # Reference by finite differences: for each step t, rerun the last k steps from the
    # frozen state h_{t-k} and differentiate the loss at step t alone.
    from biornn.rate._sequence import output_error
    x, y, _ = problem(B=1, T=8)
    net = RNN(3, 4, 2, gain=1.2, seed=3)
    k, T = 3, 8
    H = net.run(x)

    def windowed_loss():
        total = 0.0
        for t in range(T):
            s = max(0, t - k + 1)
            h0 = None if s == 0 else H[:, s - 1]
            X, Y, M = net._data(x[:, s:t + 1], y[:, s:t + 1], None)
            cache = net._forward(X, h0)
            total += output_error(net._readout(cache["H"][-1:]), Y[-1:], None, net.loss)[0]
        return total

    _, grads = net.bptt(x, y, truncation=k, truncation_mode="window")
    numeric = numerical_gradient(windowed_loss, net.params)
    assert relative_error(grads, numeric) < 1e-6


@pytest.mark.parametrize("mode", ["window", "detach"])
@pytest.mark.parametrize("k", [7, 8, 100])
def test_truncation_at_or_beyond_the_length_equals_full_bptt(mode, k):
    x, y, mask = problem(T=7)
    net = RNN(3, 6, 2, seed=4)
    loss, full = net.bptt(x, y, mask)
    loss_k, trunc = net.bptt(x, y, mask, truncation=k, truncation_mode=mode)
    assert loss_k == loss
    for name in full:
        np.testing.assert_array_equal(trunc[name], full[name])


def test_short_truncation_loses_long_range_credit():
    x, y, _ = problem(T=30)
    net = RNN(3, 6, 2, gain=1.5, seed=5)
    _, full = net.bptt(x, y)
    _, short = net.bptt(x, y, truncation=1)
    assert not np.allclose(full["W"], short["W"])
    np.testing.assert_allclose(full["W_out"], short["W_out"])   # readout is never truncated


def test_single_sequence_and_batch_of_one_agree():
    x, y, _ = problem(B=1)
    net = RNN(3, 5, 2, seed=6)
    l1, g1 = net.bptt(x[0], y[0])
    l2, g2 = net.bptt(x, y)
    assert l1 == pytest.approx(l2)
    assert net.predict(x[0]).shape == (7, 2) and net.run(x).shape == (1, 7, 5)
    for k in g1:
        np.testing.assert_allclose(g1[k], g2[k])


def test_float32_gradients_follow_float64():
    x, y, _ = problem()
    n64 = RNN(3, 5, 2, seed=7)
    n32 = RNN(3, 5, 2, seed=7, dtype="float32")
    _, g64 = n64.bptt(x, y)
    _, g32 = n32.bptt(x, y)
    assert all(g.dtype == np.float32 for g in g32.values())
    assert relative_error(g32, g64) < 1e-5


def test_same_seed_same_weights_and_save_roundtrip(tmp_path):
    a, b = RNN(2, 4, 1, seed=3), RNN(2, 4, 1, seed=3)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    x = np.random.default_rng(0).standard_normal((10, 2))
    c = io.load(io.save(a, tmp_path / "rnn"))
    np.testing.assert_array_equal(a.predict(x), c.predict(x))


@pytest.mark.parametrize("bad, match", [
    (dict(x=np.zeros((2, 5, 3)), y=np.zeros((2, 6, 2))), "match x"),
    (dict(x=np.zeros((2, 5, 4)), y=np.zeros((2, 5, 2))), "3 features"),
    (dict(x=np.full((5, 3), np.nan), y=np.zeros((5, 2))), "NaN"),
    (dict(x=np.zeros((5, 3)), y=np.zeros((5, 2)), truncation=0), "truncation"),
    (dict(x=np.zeros((5, 3)), y=np.zeros((5, 2)), truncation_mode="chunk"), "truncation_mode"),
    (dict(x=np.zeros((5, 3)), y=np.zeros((5, 2)), mask=-np.ones(5)), "mask"),
])
def test_bad_input_gets_a_clear_error(bad, match):
    net = RNN(3, 4, 2, seed=0)
    with pytest.raises(ValueError, match=match):
        net.bptt(**bad)


def test_bad_construction_is_rejected():
    with pytest.raises(ValueError, match="loss"):
        RNN(1, 2, 1, loss="hinge")
    with pytest.raises(ValueError, match="n_units"):
        RNN(1, 0, 1)
