"""Schemas of simulation specs, and their validation.

Each experiment kind declares, per table of its spec, a :class:`Field` per key
(type, default, allowed values) or a :class:`ModelParams` (the keyword
arguments of a model class, plus an optional ``preset`` from ``models/``).
:func:`validate_simulation` checks a raw spec once: unknown tables and keys,
wrong types, quantities without or with unknown units, unknown model presets
and missing keys raise :class:`~biornn.specs.SpecError` naming the file, the
dotted key and what was expected; the result has every default filled in and
every quantity in SI floats.
"""

from __future__ import annotations

import copy
import importlib
import inspect
from dataclasses import dataclass, field

from .specs import (SpecError, convert_quantities, dimension_name, is_quantity_string,
                    load_model, model_parameters, parse_quantity_dimension,
                    quantity_dimension)

__all__ = ["Field", "ModelParams", "REQUIRED", "COMMON_SCHEMA", "validate_simulation",
           "written_spec"]


class _Required:
    def __repr__(self):
        return "REQUIRED"


REQUIRED = _Required()
_TYPES = ("int", "float", "bool", "str", "quantity",
          "list[int]", "list[float]", "list[str]", "list[quantity]", "int|list[int]",
          "float|list[float]")


@dataclass(frozen=True)
class Field:
    """One key of a spec table.

    Parameters
    ----------
    type : str
        ``"int"``, ``"float"`` (an int is accepted), ``"bool"``, ``"str"``,
        ``"quantity"`` (a string with a unit, converted to an SI float),
        ``"list[int]"``, ``"list[float]"``, ``"list[str]"``, ``"list[quantity]"``,
        or ``"int|list[int]"``, ``"float|list[float]"`` (a value or a list of them).
    default : object
        Value when the key is absent; :data:`REQUIRED` makes the key mandatory.
    choices : tuple, optional
        Allowed values (or allowed items, for a list).
    help : str
        One line shown by ``biornn simulations --kind KIND`` and in errors.
    positive : bool
        Numbers (or every number of a list) must be > 0.
    low, high : float, optional
        Numbers (or every number of a list) must lie in ``[low, high]`` (SI units for
        quantities).
    """

    type: str
    default: object = REQUIRED
    choices: tuple | None = None
    help: str = ""
    positive: bool = False
    low: float | None = None
    high: float | None = None

    def __post_init__(self):
        if self.type not in _TYPES:
            raise ValueError(f"Field type must be one of {_TYPES}, got {self.type!r}")


@dataclass(frozen=True)
class ModelParams:
    """A table of keyword arguments for a model class.

    The allowed keys are the keyword parameters of ``target``'s constructor
    (``"package.module:Class"``, imported only when a spec is validated),
    plus ``preset``: the name of a file in ``models/`` whose parameters are
    loaded first and overridden by the table's other keys (a class with a
    ``from_model(name, **overrides)`` constructor reads the file itself).
    Quantities written with units are converted to SI floats, also inside
    nested tables (``[lsm.neuron]``, passed as dicts); a parameter whose
    default is a bool, int or float must be given as one.  ``fixed`` names keys the
    runner sets itself (such as the input dimension), which a spec may not set.
    ``types`` gives a :class:`Field` type for parameters without a default
    (``{"n_units": "int"}``).  A class with a ``check_params(**params)`` class method
    (raising ``ValueError``/``TypeError`` naming the parameter) has its values'
    ranges, choices, units and memory needs checked when the spec is loaded; the
    runner's fixed arguments are not among them.  A class with ``accepts_units = True``
    takes strings with units itself: its values are passed as written, and its
    ``check_params`` checks their dimensions.
    """

    target: str
    fixed: tuple = ()
    types: dict = field(default_factory=dict)
    help: str = ""

    def build(self, table: dict, **fixed):
        """Instantiate the model from a resolved table: ``cls.from_model(preset,
        **params)`` when the class has ``from_model`` and a preset is given,
        else ``cls(**params)``; ``fixed`` adds the runner's own arguments."""
        cls, _ = self.signature()
        params = {k: v for k, v in table.items() if k != "preset"}
        if "preset" in table and hasattr(cls, "from_model"):
            return cls.from_model(table["preset"], **params, **fixed)
        return cls(**params, **fixed)

    def signature(self):
        """``(cls, params)``: the model class (imported now) and its keyword parameters,
        ``name -> default`` (:data:`REQUIRED` where it has none), without ``fixed``
        keys and ``*args``/``**kwargs``."""
        module, _, name = self.target.partition(":")
        cls = getattr(importlib.import_module(module), name)
        params = {}
        for p in inspect.signature(cls).parameters.values():
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.name in self.fixed:
                continue
            params[p.name] = REQUIRED if p.default is p.empty else p.default
        return cls, params


#: Tables every simulation spec has, whatever its kind.
COMMON_SCHEMA = {
    "experiment": {
        "kind": Field("str", help="which runner executes the spec"),
        "title": Field("str", "", help="one-line title for listings and figures"),
        "description": Field("str", "", help="what the experiment shows"),
        "seed": Field("int", 0, help="master seed; every random draw derives from it"),
    },
    "report": {
        "figures": Field("list[str]", [], help="figures to draw (default: all the kind offers)"),
        "dpi": Field("int", 100, help="resolution of the PNG figures", positive=True),
    },
}


def _type_name(value) -> str:
    return type(value).__name__


def _check_scalar(kind, value, where, choices=None, dimension=None):
    if kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "float":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif kind == "bool":
        ok = isinstance(value, bool)
    elif kind == "str":
        ok = isinstance(value, str)
    else:  # quantity
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise SpecError(f"{where}: missing unit: expected a quantity written as a string "
                            f"with a unit such as '30 ms', got {value!r}")
        if not isinstance(value, str):
            raise SpecError(f"{where}: expected a quantity such as '30 ms', got "
                            f"{_type_name(value)} {value!r}")
        try:
            si, dim = parse_quantity_dimension(value, where)
        except (ValueError, TypeError) as exc:
            raise SpecError(str(exc)) from None
        if dimension is not None and dim != dimension:
            raise SpecError(f"{where}: {value!r} has the wrong unit: expected a quantity in "
                            f"{dimension_name(dimension)}, got {dimension_name(dim)}")
        return si
    if not ok:
        raise SpecError(f"{where}: expected {kind}, got {_type_name(value)} {value!r}")
    if choices is not None and value not in choices:
        raise SpecError(f"{where}: expected one of {list(choices)}, got {value!r}")
    return value


def _check_field(field: Field, value, where):
    checked = _check_field_type(field, value, where)
    for v in checked if isinstance(checked, list) else [checked]:
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            continue
        if v != v or v in (float("inf"), float("-inf")):
            raise SpecError(f"{where}: expected a finite number, got {v!r}")
        if field.positive and not v > 0:
            raise SpecError(f"{where}: expected a value > 0, got {v!r}")
        if field.low is not None and v < field.low:
            raise SpecError(f"{where}: expected a value >= {field.low:g}, got {v!r}")
        if field.high is not None and v > field.high:
            raise SpecError(f"{where}: expected a value <= {field.high:g}, got {v!r}")
    return checked


def _field_dimension(field: Field):
    """A quantity field's dimension is that of its default (``"200 ms"``: time)."""
    default = field.default
    if isinstance(default, list):
        default = default[0] if default else None
    if "quantity" in field.type and isinstance(default, str):
        return quantity_dimension(default)
    return None


def _check_field_type(field: Field, value, where):
    dim = _field_dimension(field)
    if "|" in field.type and not isinstance(value, list):
        return _check_scalar(field.type.partition("|")[0], value, where, field.choices, dim)
    if "[" in field.type:
        item = field.type[field.type.index("[") + 1:-1]
        if not isinstance(value, list):
            raise SpecError(f"{where}: expected a list of {item}, got {_type_name(value)} {value!r}")
        return [_check_scalar(item, v, f"{where}[{i}]", field.choices, dim)
                for i, v in enumerate(value)]
    return _check_scalar(field.type, value, where, field.choices, dim)


def _check_model_param(default, value, where):
    if isinstance(value, dict):   # a nested table of parameters (neuron = {tau_m = "30 ms"})
        try:
            return convert_quantities(value, where, unit_keys=set())
        except (ValueError, TypeError) as exc:
            raise SpecError(str(exc)) from None
    if is_quantity_string(value) and not isinstance(default, str):
        return _check_scalar("quantity", value, where)
    if isinstance(default, bool):
        return _check_scalar("bool", value, where)
    if isinstance(default, int) and not isinstance(value, float):
        return _check_scalar("int", value, where)
    if isinstance(default, (int, float)):
        return _check_scalar("float", value, where)
    if isinstance(default, str) and not isinstance(value, str):
        raise SpecError(f"{where}: expected str, got {_type_name(value)} {value!r}")
    return value


def _model_value(schema, params, key, value, where):
    if getattr(schema.signature()[0], "accepts_units", False):
        # the class checks every value's unit itself (check_params) and takes strings
        # with units: they stay as written, so a wrong dimension cannot slip through
        return copy.deepcopy(value)
    if key in schema.types:
        return _check_field(Field(schema.types[key]), value, where)
    if schema.target.startswith("biornn.rate.") and isinstance(value, str) \
            and is_quantity_string(value) and not isinstance(params[key], str):
        # Rate models are dimensionless unless the class declares a parameter's unit
        # (``param_units = {"tau": "s"}``): any other unit is a mistake.
        cls = schema.signature()[0]
        unit = getattr(cls, "param_units", {}).get(key)
        if unit is None:
            _check_scalar("quantity", value, where)  # an unknown unit is reported as such
            raise SpecError(f"{where}: {value!r}: {cls.__name__}.{key} is a dimensionless "
                            "number; write it without a unit")
        return _check_scalar("quantity", value, where, dimension=quantity_dimension(f"1 {unit}"))
    return _check_model_param(params[key], value, where)


def _validate_model_table(schema: ModelParams, table, where):
    try:
        cls, params = schema.signature()
    except (ImportError, AttributeError) as exc:
        raise SpecError(f"{where}: model class {schema.target} is not available ({exc})") from None
    values = {}
    preset = table.get("preset")
    if preset is not None:
        if not isinstance(preset, str):
            raise SpecError(f"{where}.preset: expected a model name (str), got {preset!r}")
        try:
            data = load_model(preset)
        except (ValueError, FileNotFoundError) as exc:
            raise SpecError(f"{where}.preset: {exc}") from None
        source = data["model"]["path"]
        # a class with from_model() reads its own model files; others take the
        # file's parameters as keyword arguments
        for key, value in ({} if hasattr(cls, "from_model") else model_parameters(data)).items():
            if key not in params:
                raise SpecError(f"{source}: {key}: not a parameter of {cls.__name__} "
                                f"(expected one of {sorted(params)})")
            values[key] = _model_value(schema, params, key, value, f"{source}: {key}")
    for key, value in table.items():
        if key == "preset":
            continue
        if key not in params:
            hint = (" (set by the experiment itself)" if key in schema.fixed else
                    f"; expected one of {sorted(params) + ['preset']}")
            raise SpecError(f"{where}.{key}: unknown key for {cls.__name__}{hint}")
        values[key] = _model_value(schema, params, key, value, f"{where}.{key}")
    missing = [k for k, d in params.items() if d is REQUIRED and k not in values]
    if missing:
        raise SpecError(f"{where}: missing required parameter(s) {missing} of {cls.__name__}")
    check = getattr(cls, "check_params", None)
    if check is not None:
        # the class checks ranges, choices, units and memory without building anything
        try:
            check(**({"preset": preset} if preset is not None and hasattr(cls, "from_model")
                     else {}), **values)
        except (ValueError, TypeError) as exc:
            raise SpecError(f"{where}: {exc}") from None
    if preset is not None:
        values["preset"] = preset
    return values


def validate_simulation(raw: dict, schemas, source="spec") -> dict:
    """Check a raw spec against the schema of its kind; return the resolved spec.

    Parameters
    ----------
    raw : dict
        The TOML content (after overrides).
    schemas : mapping
        ``kind -> {table: {key: Field} or ModelParams}`` (the experiment registry's).
    source : str
        Shown at the start of every error (the file name).

    Returns
    -------
    dict
        Every table of the schema, with defaults filled in and quantities in
        SI floats; model tables hold only the keys given (plus the preset's).

    Raises
    ------
    SpecError
        Unknown experiment kind, unknown table or key, wrong type, missing
        unit, unknown model preset, missing required key.
    """
    if not isinstance(raw.get("experiment"), dict) or "kind" not in raw["experiment"]:
        raise SpecError(f"{source}: experiment.kind: missing; expected one of {sorted(schemas)}")
    kind = raw["experiment"]["kind"]
    if kind not in schemas:
        raise SpecError(f"{source}: experiment.kind: unknown experiment kind {kind!r}; "
                        f"expected one of {sorted(schemas)}")
    schema = {**COMMON_SCHEMA, **schemas[kind]}
    for table in raw:
        if table not in schema:
            raise SpecError(f"{source}: [{table}]: unknown table for kind {kind!r}; "
                            f"expected one of {sorted(schema)}")
        if not isinstance(raw[table], dict):
            raise SpecError(f"{source}: {table}: expected a table, got {raw[table]!r}")
    resolved = {}
    for table, fields in schema.items():
        given = raw.get(table, {})
        where = f"{source}: {table}"
        if isinstance(fields, ModelParams):
            resolved[table] = _validate_model_table(fields, given, where)
            continue
        for key in given:
            if key not in fields:
                raise SpecError(f"{where}.{key}: unknown key; expected one of {sorted(fields)}")
        out = {}
        for key, fld in fields.items():
            if key in given:
                out[key] = _check_field(fld, given[key], f"{where}.{key}")
            elif fld.default is REQUIRED:
                raise SpecError(f"{where}.{key}: missing required key ({fld.help or fld.type})")
            elif fld.default is None:
                out[key] = None
            else:  # defaults go through the same check (quantities get converted)
                out[key] = _check_field(fld, copy.deepcopy(fld.default),
                                        f"{where}.{key} (default)")
        resolved[table] = out
    return resolved


def written_spec(raw: dict, schemas) -> dict:
    """The spec as a user would write it, complete: ``raw`` (already validated) with
    every missing key of a plain table filled with its default as written in the
    schema (quantities stay strings with units).  Model tables keep the keys given
    (their defaults are the model class's own).  Written as ``spec.toml`` of a run,
    it validates to the same resolved spec."""
    kind = raw["experiment"]["kind"]
    out = copy.deepcopy(raw)
    for table, fields in {**COMMON_SCHEMA, **schemas[kind]}.items():
        if isinstance(fields, ModelParams):
            out.setdefault(table, {})
            continue
        given = out.setdefault(table, {})
        for key, fld in fields.items():
            if key not in given and fld.default is not REQUIRED and fld.default is not None:
                given[key] = copy.deepcopy(fld.default)
    return out
