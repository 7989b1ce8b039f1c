"""Washout and sequence reducers shared by every reservoir."""

import numpy as np
import pytest

from biornn import states


def test_washout_drops_leading_steps_in_every_form():
    X = np.arange(24.0).reshape(2, 4, 3)
    np.testing.assert_array_equal(states.washout(X, 1), X[:, 1:])
    np.testing.assert_array_equal(states.washout(X[0], 2), X[0, 2:])
    out = states.washout([X[0], X[1, :3]], 1)
    assert [o.shape for o in out] == [(3, 3), (2, 3)]
    with pytest.raises(ValueError, match="washout"):
        states.washout(X, 4)


def test_reducers_last_and_mean():
    X = np.arange(24.0).reshape(2, 4, 3)
    np.testing.assert_array_equal(states.last(X), X[:, -1])
    np.testing.assert_array_equal(states.mean(X), X.mean(axis=1))
    np.testing.assert_array_equal(states.last([X[0], X[1, :2]]), np.stack([X[0, -1], X[1, 1]]))
