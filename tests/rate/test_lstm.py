import numpy as np
import pytest

from biornn import io
from biornn.rate.lstm import GATE_ORDER, LSTM
from biornn.rate.rnn import RNN

from ._gradcheck import numerical_gradient, relative_error


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_lstm_bptt_matches_finite_differences(loss):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 6, 3))
    y = (np.eye(2)[rng.integers(0, 2, (2, 6))] if loss == "cross_entropy"
         else rng.standard_normal((2, 6, 2)))
    mask = rng.uniform(0.2, 1, (2, 6))
    net = LSTM(3, 4, 2, loss=loss, seed=1)
    _, grads = net.bptt(x, y, mask)
    numeric = numerical_gradient(lambda: net.loss_value(x, y, mask), net.params)
    assert relative_error(grads, numeric) < 1e-6


def test_gate_order_and_forget_bias():
    net = LSTM(2, 3, 1, forget_bias=1.0, seed=0)
    assert GATE_ORDER == ("input", "forget", "cell", "output")
    np.testing.assert_array_equal(net.params["b"][3:6], 1.0)
    np.testing.assert_array_equal(net.params["b"][:3], 0.0)


def test_open_forget_gate_carries_the_error_further_than_a_vanilla_rnn():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((4, 60, 2)), rng.standard_normal((4, 60, 1))
    mask = np.zeros((4, 60))
    mask[:, -1] = 1
    lstm = LSTM(2, 16, 1, forget_bias=5.0, seed=2)
    rnn = RNN(2, 16, 1, gain=0.9, seed=2)
    ratio = {}
    for name, net in (("lstm", lstm), ("rnn", rnn)):
        norms = np.linalg.norm(net.state_gradients(x, y, mask), axis=-1).mean(0)
        ratio[name] = norms[0] / norms[-1]
    assert ratio["lstm"] > 1e3 * ratio["rnn"]


def test_float32_and_save_roundtrip(tmp_path):
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((2, 5, 2)), rng.standard_normal((2, 5, 1))
    a, b = LSTM(2, 4, 1, seed=5), LSTM(2, 4, 1, seed=5, dtype="float32")
    _, g64 = a.bptt(x, y)
    _, g32 = b.bptt(x, y)
    assert g32["W_h"].dtype == np.float32 and relative_error(g32, g64) < 1e-5
    c = io.load(io.save(a, tmp_path / "lstm"))
    np.testing.assert_array_equal(a.predict(x), c.predict(x))


def test_lstm_rejects_mismatched_targets():
    net = LSTM(2, 3, 1, seed=0)
    with pytest.raises(ValueError, match="match x"):
        net.bptt(np.zeros((2, 5, 2)), np.zeros((3, 5, 1)))
