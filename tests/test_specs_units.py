"""Quantities with units in model files are parsed once, into SI floats."""

import pytest

from biornn.specs import parse_quantity


@pytest.mark.parametrize("text, value", [
    ("30 ms", 0.03), ("1 Mohm", 1e6), ("13.5 nA", 13.5e-9), ("15 mV", 0.015),
    ("0.52 /ms/mM", 520.0), ("20 Hz", 20.0), ("0.5 mM", 0.5), ("1.2e-3 s", 1.2e-3),
    ("2 um^2", 2e-12), ("10 nS", 1e-8), ("1 mV/ms nA", 1e-3 / (1e-3 * 1e-9)),
])
def test_parse_quantity(text, value):
    assert parse_quantity(text) == pytest.approx(value)


@pytest.mark.parametrize("text, match", [
    ("30", "no unit"), ("30 parsecs", "unknown unit"), ("ms", "number"), (30, "string"),
])
def test_parse_quantity_errors_name_the_problem(text, match):
    with pytest.raises((ValueError, TypeError), match=match):
        parse_quantity(text, "tau_m")
