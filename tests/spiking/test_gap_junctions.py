import brian2 as b2
import numpy as np
import pytest

from biornn.spiking.gap_junctions import (connect_gap_junctions, coupling_coefficient,
                                          gap_junction_current, gap_junction_pairs,
                                          spike_synchrony)
from biornn.spiking.measures import coupling_coefficients, spikelet_at_rest
from biornn.spiking.protocols import (coupled_pair_steady_state, gap_junction_synchrony,
                                      lif_cells)


@pytest.mark.parametrize("g", [0.2e-6, 2e-6])
def test_passive_pair_coupling_coefficient_matches_analytic_value(g):
    v1, v2 = coupled_pair_steady_state(g, current=10e-9, R_m=1e6)
    assert v2 / v1 == pytest.approx(coupling_coefficient(g, 1e6), rel=1e-3)


def test_gap_currents_are_symmetric_and_separate_from_chemical_currents():
    cells = lif_cells(3, [gap_junction_current(),
                          type(gap_junction_current())("I_chem", "I_chem : amp", {})], v_th=1.0)
    cells.v = [5, 1, 0] * b2.mV
    gj = connect_gap_junctions(cells, 1e-6, pairs=[[0, 1]])
    chem = b2.Synapses(cells, cells, "I_chem_post = 2*nA : amp (summed)")
    chem.connect(i=2, j=0)
    net = b2.Network(cells, gj, chem)
    net.run(0.1 * b2.ms, namespace={})
    I = np.asarray(cells.I_gap)
    assert I[0] == pytest.approx(-I[1]) and I[2] == 0    # charge flows from 0 to 1 only
    assert cells.I_chem[0] == 2e-9 * b2.amp               # the chemical current is untouched


def test_coupling_raises_spike_synchrony():
    sync, rate = gap_junction_synchrony([0.0, 0.3e-6, 2e-6], duration=2.0, seed=3)
    assert np.all(rate > 5)
    assert sync[0] < 0.2
    assert sync[2] > 0.8 and sync[2] > sync[1] > sync[0]


def test_synchrony_measure_is_zero_for_independent_and_one_for_identical_trains():
    rng = np.random.default_rng(0)
    a = np.sort(rng.uniform(0, 100, 1000))
    b = np.sort(rng.uniform(0, 100, 1000))
    assert abs(spike_synchrony(a, b, 2e-3, 100)) < 0.05
    assert spike_synchrony(a, a + 1e-3, 2e-3, 100) == pytest.approx(1.0, abs=0.01)


def test_random_pairs_are_reproducible_and_within_the_population():
    p1 = gap_junction_pairs(np.arange(10, 30), 0.3, seed=5)
    p2 = gap_junction_pairs(np.arange(10, 30), 0.3, seed=5)
    np.testing.assert_array_equal(p1, p2)
    assert p1.min() >= 10 and p1.max() < 30 and np.all(p1[:, 0] < p1[:, 1])


@pytest.mark.parametrize("kwargs, name", [
    ({"g": -1e-9, "pairs": [[0, 1]]}, "g"),
    ({"g": 1e-9, "neurons": [0, 1], "probability": 1.5}, "probability"),
    ({"g": 1e-9, "pairs": [[0, 1]], "spikelet_area": -1.0}, "spikelet_area"),
])
def test_bad_gap_junction_parameters_are_named(kwargs, name):
    cells = lif_cells(2, [gap_junction_current()])
    with pytest.raises(ValueError, match=name):
        connect_gap_junctions(cells, **kwargs)


def _liquid_junctions():
    from biornn.spiking import LSM
    from biornn.spiking.features import liquid_features

    return LSM.from_model("maass2002_lsm", seed=1), liquid_features(["gap_junctions"])[0]


def test_liquid_coupling_coefficients_are_in_the_range_measured_between_fs_cells():
    # Galarreta & Hestrin 1999; Gibson, Beierlein & Connors 1999: a few percent to ~0.1
    lsm, gj = _liquid_junctions()
    cc = coupling_coefficients(gj.pairs(lsm), gj.g, lsm.neuron["R_m"])
    assert len(cc) >= 10 and np.all((cc > 0.02) & (cc <= 0.1))


def test_network_coupling_coefficients_match_a_simulated_passive_network():
    pairs = np.array([[0, 1], [1, 2], [0, 2], [2, 3]])
    g = np.array([0.05, 0.1, 0.02, 0.3]) * 1e-6
    expected = coupling_coefficients(pairs, g, 1e6)
    cells = lif_cells(4, [gap_junction_current()], v_th=1.0)
    gj = connect_gap_junctions(cells, g, pairs=pairs)
    net = b2.Network(cells, gj)
    net.store()
    for k, (a, b) in enumerate(pairs):
        net.restore()
        current = np.zeros(4)
        current[a] = 10e-9
        cells.I_inj = current * b2.amp
        net.run(0.4 * b2.second, namespace={})
        assert cells.v[b] / cells.v[a] == pytest.approx(expected[k, 0], rel=1e-3)
    # current into the leaf 3: cell 2 leaks part of it to its other partners
    assert expected[3, 1] < coupling_coefficient(g[3], 1e6) - 0.01


def test_liquid_spikelet_is_g_area_over_c_and_does_not_fire_a_cell_at_rest():
    lsm, gj = _liquid_junctions()
    amplitude, fired = spikelet_at_rest(lsm, gj.g, gj.spikelet_area)
    C = lsm.neuron["tau_m"] / lsm.neuron["R_m"]
    assert amplitude == pytest.approx(gj.g * gj.spikelet_area / C, rel=0.05)
    rest_to_threshold = lsm.neuron["v_th"] - lsm.neuron["I_b"] * lsm.neuron["R_m"]
    assert amplitude < 0.1 * rest_to_threshold and not fired
    _, fired_strong = spikelet_at_rest(lsm, 10 * gj.g, 1e-4)  # a 1.7 mV spikelet does
    assert fired_strong
