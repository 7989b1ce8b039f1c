"""Event-driven Tsodyks-Markram synapse against its closed-form recurrence."""

import brian2 as b2
import numpy as np
import pytest

from biornn.spiking.synapses import static_synapse, tsodyks_markram_amplitudes, \
    tsodyks_markram_synapse


def recurrence(times, U, D, F):
    """Markram, Wang & Tsodyks (1998) as written in Maass et al. (2002), eq. in sec. 4."""
    u, R, out = U, 1.0, [U]
    for delta in np.diff(times):
        R = 1 + (R - u * R - 1) * np.exp(-delta / D)
        u = U + u * (1 - U) * np.exp(-delta / F)
        out.append(u * R)
    return np.array(out)


def brian_amplitudes(times, U, D, F, A=1e-9, model=tsodyks_markram_synapse):
    b2.prefs.codegen.target = "numpy"
    dt = 0.1 * b2.ms
    source = b2.SpikeGeneratorGroup(1, np.zeros(len(times), dtype=int), times * b2.second,
                                    dt=dt)
    target = b2.NeuronGroup(1, "I_syn_e : amp", dt=dt, namespace={})
    syn = b2.Synapses(source, target, *model("I_syn_e"), namespace={}, dt=dt)
    syn.connect(i=0, j=0)
    syn.A = A * b2.amp
    if model is tsodyks_markram_synapse:
        syn.U, syn.D, syn.F = U, D * b2.second, F * b2.second
        syn.u, syn.R = 0.0, 1.0
    mon = b2.StateMonitor(target, "I_syn_e", record=0, dt=dt)
    net = b2.Network(source, target, syn, mon)
    net.run((times[-1] + 0.002) * b2.second, namespace={})
    trace = mon.I_syn_e_[0]
    steps = np.round(times / float(dt)).astype(int)
    return (trace[steps + 1] - trace[steps]) / A


@pytest.mark.parametrize("U, D, F", [(0.5, 1.1, 0.05), (0.05, 0.125, 1.2)])
def test_dynamic_synapse_follows_tsodyks_markram_recurrence(U, D, F):
    times = np.concatenate([np.arange(0.01, 0.2, 0.025), 0.4 + np.arange(5) * 0.01])
    got = brian_amplitudes(times, U, D, F)
    expected = recurrence(times, U, D, F)
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    np.testing.assert_allclose(tsodyks_markram_amplitudes(times, U, D, F), expected)
    # depressing (EE) synapses shrink along a regular train, facilitating (EI) ones grow
    if F < D:
        assert expected[7] < expected[0]
    else:
        assert expected[7] > expected[0]


def test_static_synapse_adds_constant_amplitude():
    times = np.array([0.01, 0.012, 0.05])
    got = brian_amplitudes(times, 0, 1, 1, model=static_synapse)
    np.testing.assert_allclose(got, 1.0)
