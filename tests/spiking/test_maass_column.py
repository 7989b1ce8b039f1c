"""The built column against Maass, Natschläger & Markram (2002), measured on the Brian2 objects.

Expected values are the paper's (Neural Computation 14:2531-2560, Methods: dynamic
synapses after Markram, Wang & Tsodyks 1998), typed here so that a wrong model file
fails: U, D (s), F (s), A (nA) per connection type; delays 1.5 ms (EE) and 0.8 ms
(others); tau_syn 3 ms (excitatory) and 6 ms (inhibitory); tau_m 30 ms, R_m 1 Mohm,
background 13.5 nA; input amplitudes 18 nA (onto E) and 9 nA (onto I).
"""

import brian2 as b2
import numpy as np
import pytest
from scipy import stats

from biornn.spiking import LSM
from biornn.spiking.runtime import build_liquid

PAPER = {  # Maass et al. 2002
    "EE": {"U": 0.5, "D": 1.1, "F": 0.05, "A": 30e-9, "delay": 1.5e-3},
    "EI": {"U": 0.05, "D": 0.125, "F": 1.2, "A": 60e-9, "delay": 0.8e-3},
    "IE": {"U": 0.25, "D": 0.7, "F": 0.02, "A": -19e-9, "delay": 0.8e-3},
    "II": {"U": 0.32, "D": 0.144, "F": 0.06, "A": -19e-9, "delay": 0.8e-3},
}
SPREAD = 0.5          # SD of U, D, F: 50% of the mean (paper); A: SD 100% (gamma)


def _built(lsm):
    parts = build_liquid(lsm, 1, 1)
    return parts, {o.name: o for o in parts["objects"]}


@pytest.fixture(scope="module")
def synapse_table():
    """Per connection type: U, D, F, A, delay read back from the Brian2 synapses."""
    table = {k: {p: [] for p in PAPER["EE"]} for k in PAPER}
    for seed in range(3):
        b2.start_scope()
        lsm = LSM((15, 6, 6), seed=seed)
        _, objs = _built(lsm)
        for pre in "EI":
            syn = objs[f"synapses_{pre}"]
            post = np.where(lsm.inhibitory[np.asarray(syn.j[:])], "I", "E")
            values = {"U": np.asarray(syn.U[:]), "D": np.asarray(syn.D[:] / b2.second),
                      "F": np.asarray(syn.F[:] / b2.second), "A": np.asarray(syn.A[:] / b2.amp),
                      "delay": np.asarray(syn.delay[:] / b2.second)}
            for kind in "EI":
                for key, v in values.items():
                    table[pre + kind][key].append(v[post == kind])
    return {k: {p: np.concatenate(v) for p, v in d.items()} for k, d in table.items()}


def _truncated_mean(mean, upper):
    """Mean of Normal(mean, SPREAD*mean) truncated to (0, upper], the column's draw."""
    sd = SPREAD * mean
    return stats.truncnorm.mean(-mean / sd, (upper - mean) / sd, loc=mean, scale=sd)


@pytest.mark.parametrize("kind", list(PAPER))
@pytest.mark.parametrize("key", ["U", "D", "F"])
def test_dynamic_synapse_means_match_the_paper_within_the_truncation(synapse_table, kind, key):
    x = synapse_table[kind][key]
    paper = PAPER[kind][key]
    assert len(x) > 50
    bias = abs(_truncated_mean(paper, 1.0 if key == "U" else np.inf) - paper)
    assert bias < 0.03 * paper                    # redrawing non-positive values moves little
    se = x.std(ddof=1) / np.sqrt(len(x))
    assert abs(x.mean() - paper) <= bias + 4 * se, (kind, key, x.mean(), paper)
    assert x.std() == pytest.approx(SPREAD * paper, rel=0.25)   # the paper's 50% spread


@pytest.mark.parametrize("kind", list(PAPER))
def test_amplitudes_and_delays_match_the_paper(synapse_table, kind):
    A = synapse_table[kind]["A"]
    paper = PAPER[kind]["A"]
    assert np.all(np.sign(A) == np.sign(paper))
    assert abs(A.mean() - paper) <= 4 * abs(paper) / np.sqrt(len(A))   # gamma, SD = mean
    np.testing.assert_allclose(synapse_table[kind]["delay"], PAPER[kind]["delay"], rtol=1e-9)


def test_input_amplitudes_match_the_paper():
    lsm = LSM((15, 6, 6), seed=0)
    _, objs = _built(lsm)
    syn = objs["synapses_input"]
    A = np.asarray(syn.A[:] / b2.amp)
    onto_inh = lsm.inhibitory[np.asarray(syn.j[:])]
    for mask, paper in ((~onto_inh, 18e-9), (onto_inh, 9e-9)):
        assert abs(A[mask].mean() - paper) <= 4 * paper / np.sqrt(mask.sum())


def test_postsynaptic_currents_arrive_after_the_paper_delays_and_decay_with_its_time_constants():
    lsm = LSM.from_model("maass2002_lsm", seed=3)
    parts, objs = _built(lsm)
    liquid, n = parts["liquid"], lsm.n_neurons
    E, I = lsm.recurrent["E"], lsm.recurrent["I"]
    e = int(np.bincount(E.pre, minlength=n).argmax())       # the E and I cells that fire
    inh = np.flatnonzero(lsm.inhibitory)
    i = int(inh[np.bincount(I.pre, minlength=n)[inh].argmax()])
    targets = set(E.post[E.pre == e]) | set(I.post[I.pre == i]) | {e, i}
    quiet = [k for k in range(n) if k not in targets][:5]
    v_th = np.full(n, 1.0)                                   # nobody else fires
    v_th[[e, i]] = lsm.neuron["v_th"]
    liquid.v_th = v_th * b2.volt
    v0 = np.full(n, lsm.neuron["I_b"] * lsm.neuron["R_m"])
    v0[[e, i]] = lsm.neuron["v_th"] + 1e-3
    v0[quiet] = 0.0
    liquid.v = v0 * b2.volt
    mon = b2.StateMonitor(liquid, ["I_syn_e", "I_syn_i", "v"], record=True)
    net = b2.Network(*parts["objects"], mon)
    net.run(0.1 * b2.ms, namespace={})
    liquid.v_th = 1 * b2.volt                                # one spike each
    net.run(40 * b2.ms, namespace={})
    t = np.asarray(mon.t / b2.second)
    dt = lsm.dt
    for pre, proj, var, tau in ((e, E, "I_syn_e", 3e-3), (i, I, "I_syn_i", 6e-3)):
        sel = proj.pre == pre
        for post, A, U in zip(proj.post[sel], proj.params["A"][sel], proj.params["U"][sel]):
            trace = getattr(mon, var)[post] / b2.amp
            first = int(np.flatnonzero(trace != 0)[0])
            kind = ("I" if pre == i else "E") + ("I" if lsm.inhibitory[post] else "E")
            assert t[first] - dt == pytest.approx(PAPER[kind]["delay"], abs=dt / 2)
            assert trace[first] == pytest.approx(A * U, rel=1e-9)   # first spike: A u R, u = U, R = 1
            k = int(round(5e-3 / dt))
            assert np.log(trace[first] / trace[first + k]) == pytest.approx(5e-3 / tau, rel=0.01)
    # an undisturbed membrane relaxes to I_b R_m = 13.5 mV with tau_m = 30 ms
    v = np.asarray(mon.v[quiet] / b2.volt)
    k = int(round(30e-3 / dt))
    assert np.allclose(v[:, k] / 13.5e-3, 1 - np.exp(-(t[k]) / 30e-3), rtol=2e-3)
