import numpy as np
import pytest

from biornn.tasks import adding_problem, last_step_targets


def test_adding_problem_marks_one_value_in_each_half_and_sums_them():
    x, y = adding_problem(500, 40, seed=0)
    assert x.shape == (500, 40, 2) and y.shape == (500, 1)
    marks = x[:, :, 1]
    assert np.all(marks.sum(1) == 2)
    assert np.all(marks[:, :20].sum(1) == 1) and np.all(marks[:, 20:].sum(1) == 1)
    np.testing.assert_allclose(y[:, 0], (x[:, :, 0] * marks).sum(1))
    assert x[:, :, 0].min() >= 0 and x[:, :, 0].max() <= 1
    # answering 1.0 scores the baseline MSE Var(u1 + u2) = 1/6
    assert np.mean((y - 1) ** 2) == pytest.approx(1 / 6, abs=0.02)


def test_adding_problem_is_seeded():
    a, b = adding_problem(5, 10, seed=3), adding_problem(5, 10, seed=3)
    np.testing.assert_array_equal(a[0], b[0])
    with pytest.raises(ValueError, match="length"):
        adding_problem(5, 1)


def test_last_step_targets():
    ys, mask = last_step_targets(np.array([[2.0], [3.0]]), 4)
    assert ys.shape == (2, 4, 1) and mask.sum() == 2 and ys[1, -1, 0] == 3.0
