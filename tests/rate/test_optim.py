import numpy as np
import pytest

from biornn.rate.optim import SGD, Adam, clip_grad_norm, global_norm, train
from biornn.rate.rnn import RNN


def delayed_echo(n=64, T=20, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, T, 1))
    y = np.zeros_like(x)
    y[:, 2:] = x[:, :-2]
    return x, y


@pytest.mark.parametrize("optimizer", [Adam(0.02), SGD(0.05, momentum=0.9)])
def test_optimizers_reduce_the_loss(optimizer):
    x, y = delayed_echo()
    net = RNN(1, 12, 1, seed=0)
    before = net.loss_value(x, y)
    hist = train(net, x, y, optimizer=optimizer, n_epochs=15, batch_size=16, seed=0,
                 progress=False)
    assert net.loss_value(x, y) < 0.5 * before
    assert len(hist["loss"]) == 15 and len(hist["grad_norm"]) == 15 * 4


def test_clipping_bounds_the_gradient_norm_and_keeps_its_direction():
    rng = np.random.default_rng(0)
    grads = {"a": rng.standard_normal((3, 4)) * 100, "b": rng.standard_normal(5) * 100}
    clipped, norm = clip_grad_norm(grads, 1.0)
    assert norm == pytest.approx(global_norm(grads)) and norm > 1
    assert global_norm(clipped) == pytest.approx(1.0)
    np.testing.assert_allclose(clipped["a"] * norm, grads["a"])
    small, _ = clip_grad_norm(clipped, 10.0)
    np.testing.assert_array_equal(small["b"], clipped["b"])


def test_early_stopping_restores_the_best_parameters():
    x, y = delayed_echo(n=32)
    xv, yv = delayed_echo(n=16, seed=1)
    net = RNN(1, 8, 1, seed=1)
    hist = train(net, x, y, optimizer=SGD(3.0), n_epochs=30, batch_size=8,
                 validation=(xv, yv), patience=2, clip=100.0, seed=0, progress=False)
    assert len(hist["val_loss"]) < 30                       # SGD(3.0) overshoots: it stopped
    assert hist["best_epoch"] == int(np.argmin(hist["val_loss"]))
    assert net.loss_value(xv, yv) == pytest.approx(min(hist["val_loss"]))


def test_training_is_reproducible():
    x, y = delayed_echo(n=16)
    out = []
    for _ in range(2):
        net = RNN(1, 6, 1, seed=3)
        train(net, x, y, optimizer=Adam(0.01), n_epochs=2, batch_size=4, seed=7, progress=False)
        out.append(net.params["W"].copy())
    np.testing.assert_array_equal(out[0], out[1])


def test_bad_optimizer_arguments():
    with pytest.raises(ValueError, match="learning_rate"):
        Adam(-0.1)
    with pytest.raises(ValueError, match="learning_rate"):
        SGD(-1.0)
    with pytest.raises(ValueError, match="momentum"):
        SGD(0.1, momentum=1.0)
    with pytest.raises(ValueError, match="max_norm"):
        clip_grad_norm({"a": np.ones(2)}, 0.0)
    net = RNN(1, 2, 1, seed=0)
    with pytest.raises(ValueError, match="patience"):
        train(net, np.zeros((2, 3, 1)), np.zeros((2, 3, 1)), patience=2, progress=False)
    with pytest.raises(ValueError, match="same number"):
        train(net, np.zeros((2, 3, 1)), np.zeros((3, 3, 1)), progress=False)


def _copy(params):
    return {k: v.copy() for k, v in params.items()}


@pytest.mark.parametrize("with_validation", [False, True])
def test_divergence_on_the_last_update_raises_and_keeps_the_last_finite_parameters(
        with_validation):
    # one step of SGD(1e200) leaves finite but huge weights whose loss overflows to inf:
    # only a loss measured after the update can see it
    x, y = delayed_echo(n=8)
    net = RNN(1, 4, 1, seed=0)
    before = _copy(net.params)
    validation = delayed_echo(n=4, seed=1) if with_validation else None
    with pytest.raises(FloatingPointError, match=r"epoch 0, .*learning rate.*clip") as err:
        train(net, x, y, optimizer=SGD(1e200), n_epochs=1, batch_size=8,
              validation=validation, seed=0, progress=False)
    assert ("validation loss" if with_validation else "after the last update") in str(err.value)
    for k, v in before.items():
        np.testing.assert_array_equal(net.params[k], v)
    assert np.isfinite(net.loss_value(x, y))


def test_divergence_mid_training_names_the_epoch_and_keeps_the_previous_step():
    x, y = delayed_echo(n=8)
    net = RNN(1, 4, 1, seed=0)
    seen = []

    class Recording(SGD):
        def step(self, params, grads):
            seen.append(_copy(params))
            super().step(params, grads)
            if len(seen) == 3:              # the third update overflows a weight
                params["W"][0, 0] = np.inf

    with pytest.raises(FloatingPointError, match=r"epoch 2, after 2 updates.*'W' non-finite"):
        train(net, x, y, optimizer=Recording(0.01), n_epochs=5, batch_size=8, seed=0,
              progress=False)
    for k, v in seen[-1].items():
        np.testing.assert_array_equal(net.params[k], v)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_clipping_refuses_a_non_finite_norm(bad):
    # rescaling by max_norm / nan (or / inf) would hand NaN gradients to the optimizer
    grads = {"a": np.array([1.0, bad]), "b": np.ones(3)}
    assert not np.isfinite(global_norm(grads))
    with pytest.raises(FloatingPointError, match="norm is"):
        clip_grad_norm(grads, 1.0)


def test_global_norm_does_not_overflow_in_float32():
    grads = {"a": np.full(4, 1e30, dtype=np.float32)}
    assert global_norm(grads) == pytest.approx(2e30, rel=1e-6)


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning", "ignore:invalid:RuntimeWarning")
def test_a_non_finite_first_loss_leaves_the_parameters_untouched():
    x, y = delayed_echo(n=4)
    net = RNN(1, 3, 1, seed=0)
    net.params["W_out"][...] = 1e200             # outputs of 1e200: the squared error overflows
    before = _copy(net.params)
    with pytest.raises(FloatingPointError, match="epoch 0, after 0 updates: the training loss "
                                                 "became inf.*not updated"):
        train(net, x, y, n_epochs=2, batch_size=4, progress=False)
    for k, v in before.items():
        np.testing.assert_array_equal(net.params[k], v)
