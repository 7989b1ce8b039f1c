"""The liquid's public API: defaults in code, units, Brian2 access, recordings, cells."""

import subprocess
import sys
import warnings

import brian2 as b2
import numpy as np
import pytest

import biornn as bn
from biornn._validate import UnitWarning
from biornn.specs import load_model
from biornn.spiking import LSM
from biornn.spiking.lsm_parameters import parameter_units
from biornn.spiking.neurons import AdaptiveLIFParameters, NeuronModel

TABLES = ("neuron", "synapses", "input", "connectivity")
QUIET = [(np.array([], dtype=int), np.array([]))]  # one trial without input spikes


def _flat(d, prefix=""):
    out = {}
    for k, v in d.items():
        out.update(_flat(v, f"{prefix}{k}.") if isinstance(v, dict) else {prefix + k: v})
    return out


# ------------------------------------------------------------ defaults and presets
def test_code_defaults_are_exactly_the_maass_preset():
    preset = load_model("maass2002_lsm")          # parsed by biornn.specs, independently
    code, from_file = LSM(seed=0), LSM.from_model("maass2002_lsm", seed=0)
    for table in TABLES:   # the file exactly; the code up to the rounding of "30 nA"
        assert _flat(getattr(from_file, table).to_dict()) == _flat(preset[table]), table
        assert _flat(getattr(code, table).to_dict()) == pytest.approx(
            _flat(preset[table]), rel=1e-12, abs=0), table
    for lsm in (code, from_file):
        assert lsm.shape == tuple(preset["geometry"]["shape"])
        assert lsm.length_constant == preset["geometry"]["length_constant"]
        assert lsm.inhibitory_fraction == preset["geometry"]["inhibitory_fraction"]
        for key in ("dt", "sample_interval", "tau_filter"):
            assert getattr(lsm, key) == preset["simulation"][key]
    # the same draws: the preset changes nothing the code does not already do
    assert np.allclose(code.weight_matrix(), from_file.weight_matrix(), rtol=1e-12, atol=0)


def test_every_preset_key_has_a_declared_unit_and_every_unit_a_preset_key():
    preset = load_model("maass2002_lsm")
    units = parameter_units()
    for table in TABLES:
        assert set(_flat(units[table])) == set(_flat(preset[table])), table
    cell = load_model("adaptive_lif")
    assert set(cell["neuron"]) == set(parameter_units("adaptive_lif")["neuron"])
    assert cell["neuron"] == pytest.approx(dict(AdaptiveLIFParameters()), rel=1e-12, abs=0)


def test_preset_with_a_wrong_unit_is_refused_naming_file_and_key(tmp_path):
    text = (bn.specs.model_path("maass2002_lsm").read_text()
            .replace('tau_m = "30 ms"', 'tau_m = "30 mV"'))
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=r"bad\.toml.*neuron\.tau_m.*time in s.*30 mV"):
        LSM.from_model(str(path))


# ------------------------------------------------------------ units
@pytest.mark.parametrize("kwargs, where, unit", [
    ({"neuron": {"tau_m": "30 mV"}}, "neuron.tau_m", "s"),
    ({"neuron": {"R_m": "1 nA"}}, "neuron.R_m", "ohm"),
    ({"sample_interval": "10 Hz"}, "sample_interval", "s"),
    ({"dt": 0.1 * b2.mV}, "dt", "s"),
    ({"synapses": {"EE": {"D": 5 * b2.mV}}}, "synapses.EE.D", "s"),
    ({"input": {"A_E": "18 mV"}}, "input.A_E", "A"),
    ({"connectivity": {"EE": "0.3 ms"}}, "connectivity.EE", "dimensionless"),
])
def test_a_parameter_of_the_wrong_dimension_is_refused(kwargs, where, unit):
    with pytest.raises(ValueError) as err:
        LSM((3, 3, 3), seed=0, **kwargs)
    msg = str(err.value)
    assert msg.startswith(where) and unit in msg and "got" in msg


def test_run_analog_refuses_wrong_units_before_running():
    lsm = LSM((3, 3, 1), n_inputs=1, seed=0)
    with pytest.raises(ValueError, match="input_scale must be a current in A"):
        lsm.run_analog(np.zeros((5, 1)), input_scale="1 mV", progress=False)
    with pytest.raises(ValueError, match="input_dt must be a time in s"):
        lsm.run_analog(np.zeros((5, 1)), input_dt=1 * b2.Hz, progress=False)
    with pytest.raises(ValueError, match="max_rate must be a rate in Hz"):
        lsm.run_analog(np.zeros((5, 1)), mode="poisson", max_rate="100 ms", progress=False)


def test_quantities_and_strings_with_units_equal_si_floats():
    a = LSM((3, 3, 3), seed=1, dt=0.1 * b2.ms, sample_interval="10 ms",
            neuron={"tau_m": "30 ms", "R_m": 1 * b2.Mohm, "I_b": "13.5 nA"},
            synapses={"EE": {"D": "1.1 s"}})
    b = LSM((3, 3, 3), seed=1)
    assert a.neuron == b.neuron and a.synapses == b.synapses and a.dt == b.dt
    assert a.sample_interval == b.sample_interval


def test_validate_reads_quantities_without_importing_brian2():
    code = ("import sys; from biornn._validate import to_si; "
            "assert to_si('tau', '30 ms', 's') == 0.03; "
            "assert 'brian2' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_spike_templates_accept_units_and_warn_on_implausible_plain_numbers():
    kw = dict(n_templates=2, n_channels=2, n_trials=4, seed=7)
    plain = bn.tasks.spike_templates(duration=0.5, rate=20.0, jitter=0.004, **kw)
    units = bn.tasks.spike_templates(duration="500 ms", rate=20 * b2.Hz, jitter=4 * b2.ms, **kw)
    assert all(np.array_equal(p[1], u[1]) for p, u in zip(plain.inputs, units.inputs))
    with pytest.warns(UnitWarning, match="duration: 500 is read as 500 s"):
        bn.tasks.spike_templates(duration=500, rate=0.01, **kw)
    with pytest.warns(UnitWarning, match="jitter"):
        bn.tasks.spike_templates(jitter=4, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnitWarning)    # a unit says what is meant
        bn.tasks.spike_templates(duration="150 s", rate="0.01 Hz", **kw)
    with pytest.raises(ValueError, match="rate must be a rate in Hz"):
        bn.tasks.spike_templates(rate="20 ms", **kw)


def test_run_duration_with_units_and_the_slip_warning():
    lsm = LSM((3, 3, 1), n_inputs=1, seed=2)
    spikes = [(np.array([0, 0]), np.array([0.002, 0.011]))]
    X = lsm.run(spikes, duration=0.02, seed=[5], progress=False)
    assert X.shape == (1, 2, 9)
    for d in ("20 ms", 20 * b2.ms):
        assert np.array_equal(lsm.run(spikes, duration=d, seed=[5], progress=False), X)
    ms = [(np.array([0, 0]), np.array([2.0, 11.0]) * b2.ms)]   # spike times as quantities
    assert np.array_equal(lsm.run(ms, duration="20 ms", seed=[5], progress=False), X)
    # duration=200 meaning 200 ms: warned before anything runs (here a bad channel stops it)
    with pytest.warns(UnitWarning, match="200 is read as 200 s"), \
            pytest.raises(ValueError, match="channel"):
        lsm.run([(np.array([3]), np.array([0.1]))], duration=200, progress=False)
    with pytest.raises(ValueError, match="given in ms"):   # spike times in ms, plain
        lsm.run([(np.array([0, 0]), np.array([2.0, 11.0]))], duration=0.5, progress=False)


# ------------------------------------------------------------ Brian2 access, recordings
def test_built_network_exposes_named_brian2_objects():
    lsm = LSM((3, 3, 3), n_inputs=2, seed=3)
    net = lsm.build_network(n_copies=2)
    assert lsm.network is net
    assert net.network["liquid"] is net.neurons and len(net.neurons) == 2 * 27
    assert net.network["liquid_spikes"] is net.spike_monitor
    for key in ("E", "I"):
        assert net.network[f"synapses_{key}"] is net.synapses[key]
        assert len(net.synapses[key]) == 2 * lsm.recurrent[key].n_synapses
    assert len(net.synapses["input"]) == 2 * lsm.input_projection(2).n_synapses
    assert len(net.inputs) == 2 * 2


def test_recorded_voltages_follow_each_trials_own_spikes():
    lsm = LSM((3, 3, 2), n_inputs=2, seed=4)
    data = bn.tasks.spike_templates(n_templates=2, n_channels=2, duration=0.1, rate=80.0,
                                    n_trials=3, seed=1)
    chosen = np.arange(18)
    spikes, rec = lsm.run(data.inputs, seed=[1, 2, 3], chunk_size=2, progress=False,
                          output="spikes", record={"v": chosen})
    v = rec["v"]
    assert v.shape == (3, 1000, 18) and rec["t"].shape == (1000,)
    nrn = lsm.neuron
    assert v.max() <= nrn["v_th"] + 1e-12                      # reset at threshold
    n_checked = 0
    for k, (idx, times) in enumerate(spikes):                  # trial k's own neurons
        for i, t in zip(idx, times):
            step = int(round(t / lsm.dt)) + 1                  # clamped while refractory
            if step < 1000:
                assert v[k, step, i] == pytest.approx(nrn["v_reset"])
                n_checked += 1
    assert n_checked > 20
    # the records of a trial do not depend on its chunk
    alone, rec1 = lsm.run([data.inputs[2]], seed=[3], progress=False, output="spikes",
                          record={"v": [4, 7]})
    assert np.allclose(rec1["v"][0], v[2][:, [4, 7]])


def test_recordings_are_bounded_before_running():
    lsm = LSM((5, 3, 3), n_inputs=1, seed=0)
    with pytest.raises(ValueError, match="max_record_bytes"):
        lsm.run(QUIET, duration="10 s", record={"v": np.arange(45)},
                max_record_bytes=2**20, progress=False)


def test_user_monitor_sees_every_input_spike():
    lsm = LSM((3, 3, 2), n_inputs=3, seed=5)
    data = bn.tasks.spike_templates(n_templates=2, n_channels=3, duration=0.05, rate=60.0,
                                    jitter=0.0, n_trials=3, seed=4)
    _, rec = lsm.run(data.inputs, chunk_size=2, progress=False,
                     monitors={"inp": lambda net: b2.SpikeMonitor(net.inputs)})
    chunks = rec["inp"]
    assert [c["first"] for c in chunks] == [0, 2]
    assert sum(c["i"].size for c in chunks) == sum(t.size for _, t in data.inputs)


# ------------------------------------------------------------ cells
def _rates(lsm, duration=0.4):
    spikes = lsm.run(QUIET, duration=duration, seed=[0], progress=False, output="spikes")
    _, t = spikes[0]
    n = lsm.n_neurons
    return np.sum(t < 0.1) / (0.1 * n), np.sum(t >= 0.2) / (0.2 * n)


def test_adaptation_lowers_the_late_rate_under_constant_drive():
    isolated = dict(connectivity={k: 0.0 for k in ("EE", "EI", "IE", "II")}, n_inputs=1,
                    neuron={"I_b": "20 nA"}, seed=6)
    early_lif, late_lif = _rates(LSM((4, 1, 1), **isolated))
    early_ad, late_ad = _rates(LSM((4, 1, 1), cell="adaptive_lif", **isolated))
    assert late_lif == pytest.approx(early_lif, rel=0.1)       # the LIF does not adapt
    assert early_lif > 50                                      # constant drive fires it
    assert late_ad < 0.8 * late_lif and late_ad < 0.8 * early_ad


def test_cell_from_a_model_file_and_a_users_equations(tmp_path):
    kw = dict(n_inputs=1, seed=8)
    data = bn.tasks.spike_templates(n_templates=1, n_channels=1, duration=0.1, rate=100.0,
                                    n_trials=1, seed=2)
    plain = LSM((3, 3, 2), **kw).run(data.inputs, seed=[1], progress=False, output="spikes")
    # a cell file: the adaptive cell with b = 0 is the plain LIF
    path = tmp_path / "no_adaptation.toml"
    path.write_text('[model]\ncell = "adaptive_lif"\n[neuron]\nb = "0 nA"\n')
    lsm = LSM((3, 3, 2), cell=str(path), **kw)
    assert lsm.neuron["b"] == 0 and lsm.neuron["tau_w"] == AdaptiveLIFParameters().tau_w
    same = lsm.run(data.inputs, seed=[1], progress=False, output="spikes")
    assert all(np.array_equal(a, b) for a, b in zip(plain[0], same[0]))
    # a user's own equations: the LIF written out, with its own constant
    cell = NeuronModel("""
        dv/dt = (-v + R_m*(I_b + I_in))/(k*tau_m) : volt (unless refractory)
        I_b : amp (constant)
        v_th : volt (constant)
        v_reset : volt (constant)
        tau_ref : second (constant)""", namespace={"k": 1.0}, name="mine")
    mine = LSM((3, 3, 2), cell=cell, **kw).run(data.inputs, seed=[1], progress=False,
                                                  output="spikes")
    assert all(np.allclose(a, b) for a, b in zip(plain[0], mine[0]))
    assert plain[0][0].size > 0
    with pytest.raises(ValueError, match="I_in"):
        NeuronModel("dv/dt = -v/tau_m : volt")


def test_adaptive_liquid_saves_and_loads(tmp_path):
    lsm = LSM((3, 3, 1), cell="adaptive_lif", neuron={"b": "1 nA"}, seed=9)
    back = bn.load(bn.save(lsm, tmp_path / "lsm"))
    assert back.cell is lsm.cell and back.neuron == lsm.neuron
