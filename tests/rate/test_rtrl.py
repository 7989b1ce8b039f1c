import numpy as np
import pytest

from biornn.rate.optim import SGD
from biornn.rate.rnn import RNN
from biornn.rate.rtrl import rtrl_gradient, rtrl_online, snap1_gradient, uoro_gradient


def problem(B=2, T=12, D=3, O=2, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((B, T, D)), rng.standard_normal((B, T, O)), rng.uniform(0, 1, (B, T))


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_rtrl_equals_bptt(loss):
    x, y, mask = problem()
    if loss == "cross_entropy":
        y = np.abs(y) / np.abs(y).sum(-1, keepdims=True)      # class probabilities
    net = RNN(3, 6, 2, gain=1.4, loss=loss, seed=1)
    lb, gb = net.bptt(x, y, mask)
    lr, gr = net.rtrl(x, y, mask)
    assert lr == pytest.approx(lb, abs=1e-12)
    for k in gb:
        np.testing.assert_allclose(gr[k], gb[k], rtol=0, atol=1e-10 * max(1, np.abs(gb[k]).max()))


def test_snap1_is_exact_for_a_diagonal_recurrent_matrix():
    x, y, _ = problem()
    net = RNN(3, 5, 2, seed=2)
    net.params["W"][:] = np.diag(np.diag(net.params["W"]) + 0.5)
    _, gb = net.bptt(x, y)
    _, gs = snap1_gradient(net, x, y)
    for k in gb:
        np.testing.assert_allclose(gs[k], gb[k], atol=1e-12)


def test_snap1_is_biased_but_aligned_for_weak_coupling():
    x, y, _ = problem(B=1, T=40)
    net = RNN(3, 16, 2, gain=0.5, seed=3)
    _, ge = rtrl_gradient(net, x, y)
    _, ga = snap1_gradient(net, x, y)
    assert not np.allclose(ga["W"], ge["W"])
    cos = np.vdot(ga["W"], ge["W"]) / (np.linalg.norm(ga["W"]) * np.linalg.norm(ge["W"]))
    assert cos > 0.8


@pytest.mark.parametrize("approximation", ["exact", "snap1", "uoro"])
def test_online_rtrl_learns_to_echo_its_input(approximation):
    # Target y_t = 0.5 x_{t-1}: needs one step of memory, learnt online in one pass.
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (1500, 1))
    y = np.zeros_like(x)
    y[1:] = 0.5 * x[:-1]
    net = RNN(1, 8, 1, gain=0.8, seed=4)
    losses = net.train_online(x, y, SGD(0.05), approximation=approximation, seed=0)
    assert losses.shape == (1500,)
    assert losses[-300:].mean() < 0.25 * losses[:300].mean()


def test_online_rtrl_rejects_a_non_optimizer():
    net = RNN(1, 2, 1, seed=0)
    with pytest.raises(TypeError, match="optimizer"):
        rtrl_online(net, np.zeros((3, 1)), np.zeros((3, 1)), optimizer=0.1)
    with pytest.raises(ValueError, match="approximation"):
        rtrl_online(net, np.zeros((3, 1)), np.zeros((3, 1)), SGD(0.1), approximation="bogus")


def test_uoro_is_unbiased_its_average_converges_to_the_exact_gradient():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((1, 10, 2)), rng.standard_normal((1, 10, 1))
    net = RNN(2, 4, 1, seed=1)
    _, ge = net.bptt(x, y)

    def error(K):
        # a batch of K copies draws K independent estimates and averages them
        _, gu = uoro_gradient(net, np.repeat(x, K, 0), np.repeat(y, K, 0), seed=K)
        return np.sqrt(sum(np.sum((gu[k] - ge[k]) ** 2) for k in ("W", "W_in", "b"))
                       / sum(np.sum(ge[k] ** 2) for k in ("W", "W_in", "b")))

    e10, e4000 = error(10), error(4000)
    assert e4000 < 0.1
    assert e4000 < 0.25 * e10                      # shrinks like 1/sqrt(K): no bias floor
    _, go = uoro_gradient(net, x, y, seed=0)       # the readout gradient is exact
    np.testing.assert_allclose(go["W_out"], ge["W_out"])
