import numpy as np
import pytest

from biornn.rate.force import FORCE
from biornn.readout import RLS


def test_force_uses_the_shared_rls_readout():
    net = FORCE(50, seed=0)
    assert type(net.readout) is RLS


def test_force_learns_a_sinusoid_and_generates_it_freely():
    net = FORCE(200, seed=1)
    t = np.arange(6000) * net.dt
    f = np.sin(2 * np.pi * t / 0.2)[:, None]            # period 200 steps = 20 τ
    z_train = net.fit(f[:4000], progress=False)
    z_free = net.run(2000)
    assert np.mean(np.abs(z_train[-1000:] - f[3000:4000])) < 0.02
    assert np.mean(np.abs(z_free - f[4000:])) < 0.1
    assert net.readout.n_updates_ == 2000                # learn_every = 2


def divergence(g, steps=6000):
    a, b = FORCE(200, g=g, seed=3), FORCE(200, g=g, seed=3)
    b.x += 1e-6
    _, ra = a.run(steps, return_rates=True)
    _, rb = b.run(steps, return_rates=True)
    return np.abs(ra[-500:] - rb[-500:]).max()


def test_untrained_network_is_chaotic_for_g_above_one_only():
    assert divergence(1.5) > 1e-2          # a tiny perturbation grows
    assert divergence(0.8) < 1e-8          # and shrinks below the transition
    a, b = FORCE(100, seed=4), FORCE(100, seed=4)
    np.testing.assert_array_equal(a.run(50, return_rates=True)[1], b.run(50, return_rates=True)[1])


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_units=0), "n_units"), (dict(connection_prob=0.0), "connection_prob"),
    (dict(alpha=-1.0), "alpha"), (dict(dt=0.1, tau=0.01), "dt"), (dict(learn_every=0), "learn_every"),
])
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        FORCE(**kwargs)


def test_bad_target():
    net = FORCE(20, seed=0)
    with pytest.raises(ValueError, match="target"):
        net.fit(np.zeros((10, 2)), progress=False)
    with pytest.raises(ValueError, match="NaN"):
        net.fit(np.full(10, np.nan), progress=False)
