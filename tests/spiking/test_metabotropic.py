import brian2 as b2
import numpy as np
import pytest

from biornn.spiking.metabotropic import (connect_metabotropic, metabotropic_current,
                                         metabotropic_reference, metabotropic_synapse,
                                         receptor_parameters)
from biornn.spiking.protocols import gprotein_response

SINGLE = np.array([0.05])
BURST = 0.05 + np.arange(10) * 0.01   # 10 spikes at 100 Hz


@pytest.fixture(scope="module")
def gabab():
    return gprotein_response([SINGLE, BURST], 1.2, "gabab", g_max=1e-6)


def test_event_driven_lumped_kinetics_match_destexhe_ode(gabab):
    for k, train in enumerate([SINGLE, BURST]):
        R, G, _ = metabotropic_reference(train, gabab["t"])
        assert np.max(np.abs(gabab["G"][k] - G)) < 0.01 * G.max()
        assert np.max(np.abs(gabab["R"][k] - R)) < 0.01 * R.max()


def test_burst_opens_gabab_channels_cooperatively(gabab):
    peak_single, peak_burst = -gabab["I"][0].min(), -gabab["I"][1].min()
    g_ratio = gabab["G"][1].max() / gabab["G"][0].max()
    assert g_ratio < 10                          # the G-protein stage sums almost linearly
    assert peak_burst > 500 * peak_single        # the n = 4 binding makes the current cooperative
    # the current is outward (K+, E_K = -95 mV below rest at -70 mV)
    assert gabab["I"][1].max() <= 0


def test_gabab_time_course_peaks_at_100ms_and_decays_over_hundreds_of_ms(gabab):
    t = gabab["t"]
    # single pulse: G peaks about 100 ms after the spike, the time course Destexhe et al.
    # (1998) fitted to the GABA_B IPSCs of Otis et al. (1993)
    assert 0.09 < t[np.argmax(gabab["G"][0])] - SINGLE[0] < 0.115
    # burst: slow IPSC, rise of tens of ms after the burst, decay of hundreds of ms
    current = -gabab["I"][1]
    i_peak = np.argmax(current)
    rise = t[i_peak] - BURST[-1]
    half = t[i_peak:][current[i_peak:] < current[i_peak] / 2][0] - t[i_peak]
    assert 0.02 < rise < 0.2
    assert 0.1 < half < 0.8


def test_mglur_current_is_slow_excitatory_and_needs_a_burst():
    out = gprotein_response([SINGLE, BURST], 2.5, "mglur", g_max=1e-6)
    single, burst = out["I"][0], out["I"][1]
    assert burst.min() >= 0 and burst.max() > 5 * single.max()
    t = out["t"]
    i_peak = np.argmax(burst)
    assert t[i_peak] - BURST[-1] > 0.15            # slower than GABA_B
    assert burst[t > BURST[-1] + 0.8].max() > 0.2 * burst.max()   # lasts about a second


def test_gabab_current_reverses_at_the_potassium_potential():
    # Destexhe et al. 1998: E_rev = E_K = -95 mV; v is measured from rest (-70 mV)
    part = metabotropic_current("gabab", g_max=1e-6)
    cells = b2.NeuronGroup(3, "v : volt\n" + part.equations, namespace=part.namespace,
                           method="exact")
    cells.v = (np.array([-95e-3, -110e-3, -80e-3]) + 70e-3) * b2.volt   # clamped
    src = b2.SpikeGeneratorGroup(1, np.zeros(len(BURST), dtype=int), BURST * b2.second)
    syn = connect_metabotropic(src, cells, "gabab", connect={"i": 0, "j": [0, 1, 2]})
    mon = b2.StateMonitor(cells, "I_gabab", record=True)
    b2.Network(cells, src, syn, mon).run(0.4 * b2.second, namespace={})
    I = np.asarray(mon.I_gabab / b2.amp)
    peak = np.abs(I).max()
    assert peak > 0
    assert np.abs(I[0]).max() < 1e-9 * peak                      # no current at E_K
    assert I[1].min() >= 0 and I[2].max() <= 0                   # inward below, outward above


@pytest.mark.parametrize("kwargs, name", [
    ({"receptor": "nmdar"}, "receptor"),
    ({"K2": -1.0}, "K2"),
    ({"pulse": 0.0}, "pulse"),
    ({"Kx": 1.0}, "Kx"),
])
def test_bad_receptor_parameters_are_named(kwargs, name):
    with pytest.raises(ValueError, match=name):
        receptor_parameters(**kwargs)


def test_negative_conductance_is_rejected():
    with pytest.raises(ValueError, match="g_max"):
        metabotropic_current("gabab", g_max=-1e-9)
    assert "r_gabab" in metabotropic_synapse("gabab").model
