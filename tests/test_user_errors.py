"""Every user error ends in one line and a non-zero status, never a traceback (issue 11).

Each case is a mistake a user makes on the command line or in a spec: a value out of
range, a wrong unit, a network too big for memory, a file that cannot be written, a
simulator setting it refuses.  ``--debug`` shows the traceback instead.
"""

import pytest

from biornn import cli, experiments


def one_line_error(capsys, argv, status):
    assert cli.main(argv) == status
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.startswith("biornn ")]
    assert len(lines) == 1 and "error:" in lines[0], err
    return lines[0]


@pytest.mark.parametrize("override, words", [
    ("esn.leak_rate=5", "leak_rate must lie in (0, 1]"),
    ("esn.n_units=1000000000", "needs about"),                      # memory, before allocating
    ("esn.topology=evil", "topology must be one of"),
    ("task.n_train=-5", "task.n_train: expected a value >= 1"),
])
def test_rate_model_values_are_refused_at_validation(capsys, override, words):
    line = one_line_error(capsys, ["validate", "esn_narma", "--set", override], 2)
    assert words in line


@pytest.mark.parametrize("override, words", [
    ('lsm.dt="0.1 mV"', "dt must be a time in s"),
    ('lsm.neuron={tau_m="30 mV", R_m="1 nA"}', "neuron.tau_m must be a time in s"),
    ('lsm.sample_interval="10 Hz"', "sample_interval must be a time in s"),
    ("lsm.target=evil", "target must be one of"),
    ("lsm.neuron={bogus=1}", "neuron has no parameter 'bogus'"),
    ("lsm.method=bogus", "method must be one of"),
    ("esn.leak_rate=5", "leak_rate must lie in (0, 1]"),
])
def test_spiking_parameters_are_refused_at_validation_with_their_unit(capsys, override, words):
    pytest.importorskip("brian2")
    line = one_line_error(capsys, ["validate", "lsm_vs_esn", "--set", override], 2)
    assert words in line
    # run refuses the same, before anything runs
    assert words in one_line_error(capsys, ["run", "lsm_vs_esn", "--set", override], 2)


def test_a_quantity_in_the_right_unit_is_accepted(capsys):
    pytest.importorskip("brian2")
    assert cli.main(["validate", "lsm_vs_esn", "--set", 'lsm.neuron={tau_m="25 ms"}',
                     "--set", 'lsm.dt="0.1 ms"']) == 0


@pytest.mark.parametrize("exc, words", [
    (MemoryError(), "out of memory"),
    (OSError(28, "No space left on device"), "No space left on device"),
    (RuntimeError("Brian2: the state updater 'exact' cannot integrate these equations"),
     "RuntimeError: Brian2"),
])
def test_errors_raised_while_running_end_in_one_line(capsys, monkeypatch, tmp_path, exc, words):
    def fail(*args, **kwargs):
        raise exc
    monkeypatch.setattr(experiments, "run", fail)
    line = one_line_error(capsys, ["run", "esn_narma", "--out", str(tmp_path)], 1)
    assert words in line
    assert not list(tmp_path.iterdir()), "no empty run folder is left behind"


def test_debug_shows_the_traceback_of_a_run_error(monkeypatch, tmp_path):
    def fail(*args, **kwargs):
        raise MemoryError("too big")
    monkeypatch.setattr(experiments, "run", fail)
    with pytest.raises(MemoryError):
        cli.main(["--debug", "run", "esn_narma", "--out", str(tmp_path)])


def test_an_absurdly_long_task_is_refused_with_its_memory_estimate(capsys):
    line = one_line_error(capsys, ["validate", "esn_narma", "--set",
                                   "task.n_train=1000000000000"], 2)
    assert "needs about" in line and "PiB" in line
