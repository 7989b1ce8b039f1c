"""Task generators: equations, shapes, seeds, guards."""

import numpy as np
import pytest

import biornn as bn


def test_narma10_follows_its_recurrence():
    u, y = bn.tasks.narma(300, seed=0, washout=0)
    u, y = u[:, 0], y[:, 0]
    for t in range(20, 300):
        expected = (0.3 * y[t - 1] + 0.05 * y[t - 1] * y[t - 10:t].sum()
                    + 1.5 * u[t - 9] * u[t] + 0.1)
        assert y[t] == pytest.approx(expected, rel=1e-12)
    assert u.min() >= 0 and u.max() <= 0.5


def test_narma_target_responds_to_the_current_input():
    # y[t] must depend on u[t] (and not on later inputs): the readout of the
    # state after u[t] predicts y[t]
    u, y = bn.tasks.narma(60, seed=0, washout=0)
    u2 = u.copy()
    u2[30] += 0.1
    # recompute y from the perturbed input with the same recurrence
    y2 = np.zeros(61)
    for t in range(60):
        window = y2[max(0, t - 9):t + 1].sum()
        u_del = u2[t - 9, 0] if t >= 9 else 0.0
        y2[t + 1] = 0.3 * y2[t] + 0.05 * y2[t] * window + 1.5 * u_del * u2[t, 0] + 0.1
    np.testing.assert_allclose(y2[1:31], y[:30, 0], rtol=1e-12)  # before: unchanged
    assert abs(y2[31] - y[30, 0]) > 1e-3                          # y[30] feels u[30]


def test_narma_is_seeded_and_shaped():
    a = bn.tasks.narma(100, seed=3)
    b = bn.tasks.narma(100, seed=3)
    assert a[0].shape == a[1].shape == (100, 1)
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], bn.tasks.narma(100, seed=4)[1])


def test_narma_higher_order_is_saturated_and_lower_order_is_not():
    _, y20 = bn.tasks.narma(2000, order=20, seed=0)
    assert np.all(np.abs(y20) < 1.0)  # tanh-saturated
    _, y10 = bn.tasks.narma(2000, order=10, seed=0)
    _, y10s = bn.tasks.narma(2000, order=10, seed=0, saturate=True)
    assert not np.allclose(y10, y10s)
    with pytest.raises(RuntimeError, match="diverged"):
        bn.tasks.narma(3000, order=30, saturate=False, seed=0, max_tries=2)


def test_mackey_glass_satisfies_its_delay_equation():
    # finite-difference check of dx/dt = 0.2 x(t-17)/(1+x(t-17)^10) - 0.1 x(t)
    h = 0.1
    x = bn.tasks.mackey_glass(3000, sample_step=h, integration_step=h, seed=0)[:, 0]
    lag = int(17 / h)
    t = np.arange(lag + 1, len(x) - 1)
    dxdt = (x[t + 1] - x[t - 1]) / (2 * h)
    rhs = 0.2 * x[t - lag] / (1 + x[t - lag] ** 10) - 0.1 * x[t]
    assert np.max(np.abs(dxdt - rhs)) < 1e-3


def test_mackey_glass_is_chaotic_in_the_usual_range():
    x = bn.tasks.mackey_glass(2000, seed=1)
    assert 0.2 < x.min() < 0.6 and 1.1 < x.max() < 1.5
    assert np.std(x) > 0.15


def test_mackey_glass_rejects_incompatible_steps():
    with pytest.raises(ValueError, match="sample_step"):
        bn.tasks.mackey_glass(10, sample_step=0.15, integration_step=0.1)
    with pytest.raises(ValueError, match="tau must be > 0"):
        bn.tasks.mackey_glass(10, tau=-17)


def test_memory_capacity_targets_are_delayed_inputs():
    u, Y = bn.tasks.memory_capacity_data(50, 5, seed=0)
    for k in range(1, 6):
        np.testing.assert_array_equal(Y[k:, k - 1], u[:-k, 0])
        assert np.all(np.isnan(Y[:k, k - 1]))
    assert np.abs(u).max() <= 0.8


def test_sinusoids_sum_of_components():
    f = bn.tasks.sinusoids(100, periods=[10.0, 20.0], amplitudes=[1.0, 0.5])[:, 0]
    t = np.arange(100)
    np.testing.assert_allclose(f, np.sin(2 * np.pi * t / 10) + 0.5 * np.sin(2 * np.pi * t / 20),
                               atol=1e-12)
    with pytest.raises(ValueError, match="periods must be positive"):
        bn.tasks.sinusoids(10, periods=[0.0])


@pytest.mark.parametrize("call, exc", [
    (lambda: bn.tasks.narma(0), ValueError),
    (lambda: bn.tasks.narma(10.5), TypeError),
    (lambda: bn.tasks.narma(10, seed=-1), ValueError),
    (lambda: bn.tasks.narma(10, seed="a"), TypeError),
])
def test_task_arguments_are_validated(call, exc):
    with pytest.raises(exc):
        call()
