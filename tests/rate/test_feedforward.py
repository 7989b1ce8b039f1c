import numpy as np
import pytest

from biornn.rate.feedforward import MLP, delay_embed
from biornn.rate.optim import Adam, train

from ._gradcheck import numerical_gradient, relative_error


@pytest.mark.parametrize("activation, output", [("tanh", "linear"), ("logistic", "logistic")])
def test_backprop_matches_finite_differences(activation, output):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((6, 3)), rng.uniform(0, 1, (6, 2))
    net = MLP(3, 5, 2, activation=activation, output=output, seed=0)
    _, grads = net.backprop(x, y)
    numeric = numerical_gradient(lambda: net.loss_value(x, y), net.params)
    assert relative_error(grads, numeric) < 1e-6


def test_hidden_delta_is_the_backpropagated_output_delta():
    # The slide's rule: ΔW = η δ_y xᵀ with δ_y = σ'(u_y) ⊙ Vᵀ δ_z, here for one sample.
    rng = np.random.default_rng(1)
    x, t = rng.standard_normal(3), rng.standard_normal(1)
    net = MLP(3, 4, 1, seed=1)
    p = net.params
    u = p["W"] @ x + p["b"]
    z = p["V"] @ np.tanh(u) + p["c"]
    delta_z = z - t
    delta_y = (1 - np.tanh(u) ** 2) * (p["V"].T @ delta_z)
    _, grads = net.backprop(x[None], t[None])
    np.testing.assert_allclose(grads["W"], np.outer(delta_y, x))


def test_mlp_learns_xor():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    y = np.array([[0], [1], [1], [0]], float)
    net = MLP(2, 8, 1, seed=0)
    train(net, x, y, optimizer=Adam(0.05), n_epochs=500, batch_size=4, progress=False)
    np.testing.assert_allclose(net.predict(x), y, atol=0.1)


def test_delay_embedding_rows_are_the_last_window_inputs():
    u = np.arange(10.0)
    X = delay_embed(u, 3)
    assert X.shape == (8, 3)
    np.testing.assert_array_equal(X[0], [2, 1, 0])
    np.testing.assert_array_equal(X[-1], [9, 8, 7])
    with pytest.raises(ValueError, match="window"):
        delay_embed(u, 11)
    with pytest.raises(ValueError, match="window"):
        delay_embed(u, 0)
