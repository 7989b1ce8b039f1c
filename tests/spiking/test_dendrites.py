import numpy as np
import pytest

from biornn.spiking.dendrites import DENDRITE_DEFAULTS, dendrite_parameters, \
    dendritic_compartment
from biornn.spiking.features import liquid_features
from biornn.spiking.protocols import dendritic_input_output

N = np.array([1, 2, 4, 6, 8, 10, 12])
LIQUID = liquid_features(["dendrites"])[0].params      # the parameters the liquid uses


def test_the_liquid_uses_the_demonstrated_dendrite():
    # one set of values for the figure (defaults), these tests and the liquid
    assert LIQUID == pytest.approx({k: DENDRITE_DEFAULTS[k] for k in LIQUID})


@pytest.fixture(scope="module")
def curves():
    return {name: dendritic_input_output(N, **LIQUID, **kw)[0] for name, kw in {
        "nmda": {}, "none": {"nonlinearity": "none"}, "spread": {"spread": 0.05},
        "sigmoid": {"nonlinearity": "sigmoid"}}.items()}


def test_clustered_synchronous_input_sums_supralinearly(curves):
    gain = curves["nmda"] / (N * curves["nmda"][0])     # measured / arithmetic sum
    assert gain.max() > 1.25 and np.argmax(gain) == len(N) - 1   # grows with the cluster
    assert np.all(np.diff(curves["nmda"]) > 0)


def test_without_the_nonlinearity_or_spread_in_time_summation_is_not_supralinear(curves):
    assert np.all(curves["none"] <= N * curves["none"][0] * 1.001)
    assert np.all(curves["spread"][N >= 6] < 0.6 * curves["nmda"][N >= 6])


def test_sigmoidal_dendrite_fires_an_all_or_none_dendritic_spike(curves):
    slope = np.diff(curves["sigmoid"]) / np.diff(N)    # per added input
    peak = int(np.argmax(slope))
    assert 0 < peak < len(slope) - 1                   # a threshold inside the range ...
    assert slope[peak] > 4 * slope[0] and slope[-1] < 0.6 * slope[peak]   # ... then saturation


@pytest.mark.parametrize("kwargs, name", [
    ({"g_c": -1e-6}, "g_c"), ({"tau_d": 0.0}, "tau_d"), ({"tau_nmda": -1.0}, "tau_nmda"),
    ({"kappa": -1.0}, "kappa"), ({"R_x": 1.0}, "R_x")])
def test_bad_dendrite_parameters_are_named(kwargs, name):
    with pytest.raises(ValueError, match=name):
        dendrite_parameters(**kwargs)


def test_unknown_nonlinearity_is_named():
    with pytest.raises(ValueError, match="nonlinearity"):
        dendritic_compartment(nonlinearity="calcium")


def test_gate_refreshed_every_half_millisecond_keeps_the_input_output_curve():
    exact = dendritic_input_output(N, **LIQUID)[0]
    coarse = dendritic_input_output(N, gate_dt=0.5e-3, **LIQUID)[0]
    np.testing.assert_allclose(coarse, exact, rtol=0.01)
