"""Simulation specs: every shipped spec validates; bad specs fail naming file, key, expectation."""

import textwrap

import pytest

from biornn import experiments, schema, specs
from biornn.schema import Field, ModelParams
from biornn.specs import SpecError

SIMS = [s["name"] for s in specs.list_simulations()]


def write(tmp_path, text, name="spec.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


NARMA = """
    [experiment]
    kind = "esn_benchmark"
    [task]
    name = "narma"
    n_train = 200
    n_test = 100
    washout = 20
    [esn]
    n_units = 20
    {extra}
"""


@pytest.mark.parametrize("name", SIMS)
def test_every_shipped_spec_validates(name):
    try:
        spec = experiments.load_spec(name)
    except SpecError as exc:
        if "is not available" in str(exc):     # its model is on another branch still
            pytest.skip(str(exc))
        raise
    assert spec["experiment"]["kind"] in experiments.experiments()
    assert spec["experiment"]["title"], "every shipped spec has a title"


def test_defaults_are_filled_and_values_kept(tmp_path):
    spec = experiments.load_spec(write(tmp_path, NARMA.format(extra="")))
    assert spec["task"]["n_train"] == 200
    assert spec["task"]["order"] == 10                 # schema default
    assert spec["esn"] == {"n_units": 20}              # model tables keep only what is given
    assert spec["experiment"]["seed"] == 0


def test_unknown_key_names_file_key_and_choices(tmp_path):
    path = write(tmp_path, NARMA.format(extra="n_unit = 3"))
    with pytest.raises(SpecError) as err:
        experiments.load_spec(path)
    msg = str(err.value)
    assert str(path) in msg and "esn.n_unit" in msg and "unknown key" in msg
    assert "spectral_radius" in msg                    # says what is expected


def test_unknown_table_and_unknown_kind(tmp_path):
    with pytest.raises(SpecError, match=r"\[lsm\]: unknown table"):
        experiments.load_spec(write(tmp_path, NARMA.format(extra="[lsm]\nn = 3")))
    path = write(tmp_path, '[experiment]\nkind = "esn_benchmrak"\n', "k.toml")
    with pytest.raises(SpecError, match="unknown experiment kind 'esn_benchmrak'"):
        experiments.load_spec(path)


def test_wrong_type_names_expected_type(tmp_path):
    bad = NARMA.format(extra="").replace("n_train = 200", 'n_train = "200"')
    with pytest.raises(SpecError, match=r"task\.n_train: expected int, got str"):
        experiments.load_spec(write(tmp_path, bad))
    with pytest.raises(SpecError, match=r"esn\.spectral_radius: expected float"):
        experiments.load_spec(write(tmp_path, NARMA.format(extra='spectral_radius = "big"')))


def test_choice_violation_lists_the_choices(tmp_path):
    bad = NARMA.format(extra="").replace('name = "narma"', 'name = "narma10"')
    with pytest.raises(SpecError, match=r"task\.name: expected one of \['narma', 'memory_capacity'\]"):
        experiments.load_spec(write(tmp_path, bad))


def test_unknown_model_preset(tmp_path):
    with pytest.raises(SpecError, match=r"esn\.preset: unknown model 'no_such_model'"):
        experiments.load_spec(write(tmp_path, NARMA.format(extra='preset = "no_such_model"')))


def test_preset_file_is_loaded_and_overridden(tmp_path):
    model = write(tmp_path, """
        [model]
        name = "tiny_esn"
        citation = "Jaeger H (2001) GMD Report 148"
        [parameters]
        n_units = 30
        spectral_radius = 0.5
        leak_rate = 0.3
    """, "tiny_esn.toml")
    spec = experiments.load_spec(write(tmp_path, NARMA.format(extra=f'preset = "{model}"')))
    assert spec["esn"]["n_units"] == 20                # the spec overrides the preset
    assert spec["esn"]["spectral_radius"] == 0.5 and spec["esn"]["leak_rate"] == 0.3
    model.write_text(model.read_text() + "tau_m = \"30 ms\"\n")
    with pytest.raises(SpecError, match=r"tiny_esn\.toml: tau_m: not a parameter of EchoStateNetwork"):
        experiments.load_spec(write(tmp_path, NARMA.format(extra=f'preset = "{model}"')))


def test_required_model_parameter_is_reported(tmp_path):
    text = NARMA.format(extra="").replace("n_units = 20", "spectral_radius = 0.9")
    with pytest.raises(SpecError, match=r"missing required parameter\(s\) \['n_units'\]"):
        experiments.load_spec(write(tmp_path, text))


def test_malformed_toml_names_the_file(tmp_path):
    path = write(tmp_path, "[experiment\nkind = 1\n")
    with pytest.raises(SpecError, match="malformed TOML") as err:
        experiments.load_spec(path)
    assert str(path) in str(err.value)


# -- quantities, with a schema of their own (the ESN kinds have none) ----------
SCHEMA = {"demo": {"neuron": {"tau_m": Field("quantity", "20 ms"),
                              "delays": Field("list[quantity]", ["1 ms"]),
                              "n": Field("int", 1)}}}


def resolve(table):
    return schema.validate_simulation({"experiment": {"kind": "demo"}, "neuron": table},
                                     SCHEMA, source="demo.toml")


def test_quantities_become_si_floats():
    out = resolve({"tau_m": "30 ms", "delays": ["1.5 ms", "2 ms"]})["neuron"]
    assert out["tau_m"] == pytest.approx(0.03)
    assert out["delays"] == pytest.approx([0.0015, 0.002])
    assert resolve({})["neuron"]["tau_m"] == pytest.approx(0.02)   # defaults too


def test_missing_unit_and_bad_unit():
    with pytest.raises(SpecError, match=r"demo\.toml: neuron\.tau_m: missing unit.*'30 ms'"):
        resolve({"tau_m": 30})
    with pytest.raises(SpecError, match=r"neuron\.tau_m.*unknown unit 'parsec'"):
        resolve({"tau_m": "30 parsec"})
    with pytest.raises(SpecError, match=r"neuron\.delays\[1\]: missing unit"):
        resolve({"delays": ["1 ms", 2]})


def test_model_params_convert_quantities_and_check_types():
    kinds = {"demo": {"esn": ModelParams("biornn.rate.esn:EchoStateNetwork",
                                          fixed=("seed", "readout"), types={"n_units": "int"})}}
    raw = {"experiment": {"kind": "demo"}, "esn": {"n_units": 10, "leak_rate": 1}}
    out = schema.validate_simulation(raw, kinds)["esn"]
    assert out == {"n_units": 10, "leak_rate": 1.0} and isinstance(out["leak_rate"], float)
    raw["esn"]["seed"] = 3
    with pytest.raises(SpecError, match=r"esn\.seed: unknown key.*set by the experiment"):
        schema.validate_simulation(raw, kinds)
    raw["esn"] = {"n_units": 2.5}
    with pytest.raises(SpecError, match=r"esn\.n_units: expected int"):
        schema.validate_simulation(raw, kinds)


# -- overrides -------------------------------------------------------------------
def test_override_values_parse_as_toml_or_bare_strings():
    assert specs.parse_override("esn.n_units=50") == (("esn", "n_units"), 50)
    assert specs.parse_override("readout.alpha=[1e-6, 1e-3]") == (("readout", "alpha"),
                                                                   [1e-6, 1e-3])
    assert specs.parse_override("task.name=memory_capacity")[1] == "memory_capacity"
    assert specs.parse_override("neuron.tau_m=30 ms")[1] == "30 ms"
    assert specs.parse_override("esn.include_input=true")[1] is True
    with pytest.raises(SpecError, match="TABLE.KEY=VALUE"):
        specs.parse_override("n_units=50")


def test_overrides_apply_before_validation_and_are_named_in_errors():
    spec = experiments.load_spec("esn_narma", ["esn.n_units=7", "task.n_test=50"], seed=4)
    assert spec["esn"]["n_units"] == 7 and spec["task"]["n_test"] == 50
    assert spec["experiment"]["seed"] == 4
    with pytest.raises(SpecError, match=r"esn\.n_unit: unknown key.*--set esn\.n_unit"):
        experiments.load_spec("esn_narma", ["esn.n_unit=7"])
    raw = {"a": {"b": 1}}
    assert specs.apply_overrides(raw, {"a.c": 2}) == {"a": {"b": 1, "c": 2}}
    assert raw == {"a": {"b": 1}}                      # the original is not modified


def test_quantities_with_the_wrong_dimension_are_spec_errors():
    from biornn import experiments

    with pytest.raises(specs.SpecError, match="spectral_radius is a dimensionless number"):
        experiments.load_spec("esn_narma", ["esn.spectral_radius=0.9 ms"])
    with pytest.raises(specs.SpecError, match="expected a quantity in s, got V"):
        experiments.load_spec("force_sinusoids", ["force.tau=10 mV"])
    with pytest.raises(specs.SpecError, match="wrong unit: expected a quantity in s"):
        experiments.load_spec("lsm_vs_esn", ["classification.duration=50 mV"])
    spec = experiments.load_spec("lsm_vs_esn", ["classification.duration=300 ms"])
    assert spec["classification"]["duration"] == pytest.approx(0.3)


@pytest.mark.parametrize("override, message", [
    ("task.n_train=-5", r"task.n_train: expected a value >= 1"),
    ("task.washout=-1", r"task.washout: expected a value >= 0"),
    ("readout.alpha=[1e-6, -1.0]", r"readout.alpha: expected a value > 0, got -1.0"),
    ("readout.n_folds=1", r"readout.n_folds: expected a value >= 2"),
    ("readout.alpha=nan", r"expected a finite number"),
])
def test_value_ranges_are_checked_when_the_spec_is_loaded(override, message):
    with pytest.raises(SpecError, match=message):
        experiments.load_spec("esn_narma", [override])


def test_values_that_do_not_fit_together_are_refused_at_load():
    with pytest.raises(SpecError, match="washout .* must be at least .*max_delay"):
        experiments.load_spec("esn_memory_capacity", ["task.washout=5", "task.max_delay=20"])
    with pytest.raises(SpecError, match="loads.start .* must be below loads.stop"):
        experiments.load_spec("hopfield_capacity", ["loads.start=0.5", "loads.stop=0.2"])
    with pytest.raises(SpecError, match="n_test_segments"):
        experiments.load_spec("lsm_vs_esn", ["analog.n_test_segments=10",
                                             "analog.n_segments=10"])


def test_validate_and_run_agree_on_a_bad_value(capsys):
    from biornn import cli

    assert cli.main(["validate", "esn_narma", "--set", "task.n_train=-5"]) == 2
    assert cli.main(["run", "esn_narma", "--set", "task.n_train=-5"]) == 2
    err = capsys.readouterr().err
    assert err.count("task.n_train: expected a value >= 1") == 2 and "Traceback" not in err
