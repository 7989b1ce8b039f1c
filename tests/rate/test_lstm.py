import numpy as np
import pytest

from biornn import io
from biornn.rate import _compiled
from biornn.rate.lstm import GATE_ORDER, LSTM, compiled_kernel_available
from biornn.rate.rnn import RNN

from ._gradcheck import numerical_gradient, relative_error

AVAILABLE, WHY_NOT = compiled_kernel_available()
compiled = pytest.param("compiled", marks=pytest.mark.skipif(
    not AVAILABLE, reason=f"the compiled LSTM kernel did not build: {WHY_NOT}"))
KERNELS = ["numpy", compiled]


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_lstm_bptt_matches_finite_differences(loss, kernel):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 6, 3))
    y = (np.eye(2)[rng.integers(0, 2, (2, 6))] if loss == "cross_entropy"
         else rng.standard_normal((2, 6, 2)))
    mask = rng.uniform(0.2, 1, (2, 6))
    net = LSTM(3, 4, 2, loss=loss, kernel=kernel, seed=1)
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


@pytest.mark.parametrize("kernel", KERNELS)
def test_float32_and_save_roundtrip(tmp_path, kernel):
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((2, 5, 2)), rng.standard_normal((2, 5, 1))
    a = LSTM(2, 4, 1, seed=5, kernel=kernel)
    b = LSTM(2, 4, 1, seed=5, dtype="float32", kernel=kernel)
    _, g64 = a.bptt(x, y)
    _, g32 = b.bptt(x, y)
    assert g32["W_h"].dtype == np.float32 and relative_error(g32, g64) < 1e-5
    c = io.load(io.save(a, tmp_path / "lstm"))
    assert c.kernel == kernel
    np.testing.assert_array_equal(a.predict(x), c.predict(x))


@pytest.mark.skipif(not AVAILABLE, reason=f"the compiled LSTM kernel did not build: {WHY_NOT}")
@pytest.mark.parametrize("batch, n_units", [(1, 5), (3, 16)])
def test_compiled_kernel_equals_the_numpy_path(batch, n_units):
    # long enough (300 steps) that a wrong carry between steps would show
    rng = np.random.default_rng(6)
    x = rng.standard_normal((batch, 300, 3))
    y = rng.standard_normal((batch, 300, 2))
    mask = rng.uniform(0, 1, (batch, 300))
    for dtype, tol in (("float64", 1e-12), ("float32", 1e-4)):
        ref = LSTM(3, n_units, 2, dtype=dtype, kernel="numpy", seed=7)
        fused = LSTM(3, n_units, 2, dtype=dtype, kernel="compiled", seed=7)
        loss_r, g_r = ref.bptt(x, y, mask)
        loss_f, g_f = fused.bptt(x, y, mask)
        assert loss_f == pytest.approx(loss_r, rel=tol)
        assert relative_error(g_f, g_r) < tol
        np.testing.assert_allclose(fused.state_gradients(x, y, mask),
                                   ref.state_gradients(x, y, mask), rtol=0,
                                   atol=tol * np.abs(ref.state_gradients(x, y, mask)).max())
        np.testing.assert_allclose(fused.run(x), ref.run(x), rtol=0, atol=10 * tol)


@pytest.mark.skipif(not AVAILABLE, reason=f"the compiled LSTM kernel did not build: {WHY_NOT}")
def test_float32_compiled_gradients_match_float64_over_a_long_sequence():
    rng = np.random.default_rng(8)
    x, y = rng.standard_normal((4, 500, 8)), rng.standard_normal((4, 500, 8))
    _, g64 = LSTM(8, 32, 8, kernel="compiled", seed=9).bptt(x, y)
    _, g32 = LSTM(8, 32, 8, dtype="float32", kernel="compiled", seed=9).bptt(x, y)
    # float32 rounds each operation to ~6e-8; summed over 500 steps and 4 sequences
    # the gradients stay within float32 tolerance of the float64 ones
    assert relative_error({k: v.astype(np.float64) for k, v in g32.items()}, g64) < 2e-6


def test_kernel_choice_is_checked_and_auto_falls_back_to_numpy(monkeypatch):
    with pytest.raises(ValueError, match="kernel"):
        LSTM(2, 3, 1, kernel="fortran")
    monkeypatch.setenv("BIORNN_NO_COMPILE", "1")
    monkeypatch.setattr(_compiled, "_loaded", {})
    with pytest.raises(ValueError, match="BIORNN_NO_COMPILE"):
        LSTM(2, 3, 1, kernel="compiled")
    net, ref = LSTM(2, 3, 1, seed=0), LSTM(2, 3, 1, kernel="numpy", seed=0)
    assert net._lib() is None
    x = np.random.default_rng(0).standard_normal((20, 2))
    np.testing.assert_array_equal(net.predict(x), ref.predict(x))


def test_lstm_rejects_mismatched_targets():
    net = LSTM(2, 3, 1, seed=0)
    with pytest.raises(ValueError, match="match x"):
        net.bptt(np.zeros((2, 5, 2)), np.zeros((3, 5, 1)))
