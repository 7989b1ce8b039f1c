"""Model files (``models/*.toml``) and experiment specs (``simulations/*.toml``).

A simulation spec is a TOML file with an ``[experiment]`` table naming its
``kind`` (which runner in :mod:`biornn.experiment` executes it) and one table
per part of the pipeline (``[task]``, ``[esn]``, ``[readout]``, ...).  Each
kind declares a schema (:class:`Field` per key, :class:`ModelParams` for a
table of model parameters); :func:`validate_simulation` checks a spec against
it once, fills in defaults and converts quantities, and raises
:class:`SpecError` naming the file, the key and what was expected.

Quantities are written in TOML as strings with units (``tau_m = "30 ms"``,
``K1 = "0.52 /ms/mM"``) and parsed here, once, into plain SI floats, without
importing Brian2.  Supported units: s, V, A, ohm (or Ω), S, Hz, F, m, M (molar,
stored as mol/m³), mol, with prefixes p n u µ m k M G; combined with ``/``,
``*`` or a space and an optional integer power (``um^2``).
"""

from __future__ import annotations

import copy
import importlib
import inspect
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["parse_quantity", "load_model", "model_path", "list_models", "MODELS_DIR",
           "SIMULATIONS_DIR", "SpecError", "Field", "ModelParams", "REQUIRED",
           "simulation_path", "list_simulations", "read_simulation", "parse_override",
           "apply_overrides", "validate_simulation", "model_parameters"]

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
SIMULATIONS_DIR = Path(__file__).resolve().parent.parent / "simulations"

_BASE = {"s": 1.0, "V": 1.0, "A": 1.0, "ohm": 1.0, "Ω": 1.0, "S": 1.0, "Hz": 1.0,
         "F": 1.0, "m": 1.0, "M": 1e3, "mol": 1.0, "1": 1.0}
_PREFIX = {"p": 1e-12, "n": 1e-9, "u": 1e-6, "µ": 1e-6, "μ": 1e-6, "m": 1e-3,
           "k": 1e3, "M": 1e6, "G": 1e9}
_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def _unit_factor(token: str, where: str) -> float:
    power = 1
    if "^" in token:
        token, _, exp = token.partition("^")
        try:
            power = int(exp)
        except ValueError:
            raise ValueError(f"{where}: bad unit power in {token}^{exp}") from None
    if token in _BASE:
        return _BASE[token] ** power
    if len(token) > 1 and token[0] in _PREFIX and token[1:] in _BASE:
        return (_PREFIX[token[0]] * _BASE[token[1:]]) ** power
    raise ValueError(f"{where}: unknown unit {token!r}")


def parse_quantity(text, name: str = "value") -> float:
    """Parse ``"<number> <unit>"`` into a float in SI units.

    Examples
    --------
    >>> parse_quantity("30 ms")
    0.03
    >>> round(parse_quantity("0.52 /ms/mM"), 6)   # 1/(s * mol/m^3)
    520.0
    """
    if isinstance(text, bool) or not isinstance(text, str):
        raise TypeError(f"{name} must be a string with a unit such as '30 ms', got {text!r}")
    match = _NUMBER.match(text)
    if match is None:
        raise ValueError(f"{name} must look like '<number> <unit>', got {text!r}")
    value = float(match.group(1))
    unit = match.group(2)
    if not unit:
        raise ValueError(f"{name} = {text!r} has no unit (write e.g. '30 ms')")
    factor = 1.0
    # split on '/' keeping the operator: everything after a '/' divides
    for i, part in enumerate(re.split(r"/", unit)):
        tokens = [t for t in re.split(r"[\s*·]+", part) if t]
        for j, tok in enumerate(tokens):
            f = _unit_factor(tok, name)
            factor = factor / f if (i > 0 and j == 0) else factor * f
        if i > 0 and not tokens:
            raise ValueError(f"{name}: empty unit after '/' in {text!r}")
    return value * factor


def model_path(name) -> Path:
    """Resolve a model name (``"maass2002_lsm"``) or a path to a TOML file."""
    path = Path(os.fspath(name))
    if path.suffix == ".toml":
        if not path.exists():
            raise FileNotFoundError(f"no model file {path}")
        return path
    for folder in (Path.cwd() / "models", MODELS_DIR):
        candidate = folder / f"{name}.toml"
        if candidate.exists():
            return candidate
    known = ", ".join(list_models()) or "none"
    raise ValueError(f"unknown model {str(name)!r}; known models: {known}")


def list_models() -> list[str]:
    """Names of the model files shipped in ``models/``."""
    return sorted(p.stem for p in MODELS_DIR.glob("*.toml"))


def _convert(node, prefix: str, unit_keys):
    if isinstance(node, dict):
        return {k: _convert(v, f"{prefix}.{k}" if prefix else k, unit_keys) for k, v in node.items()}
    if isinstance(node, list):
        return [_convert(v, f"{prefix}[{i}]", unit_keys) for i, v in enumerate(node)]
    if isinstance(node, str) and _NUMBER.match(node) and prefix.split(".")[0] not in unit_keys:
        return parse_quantity(node, prefix)
    return node


def load_model(name) -> dict:
    """Read ``models/<name>.toml`` into a dict with every quantity in SI floats.

    Strings of the form ``"<number> <unit>"`` are converted; other strings
    (names, citations, notes) are kept.  The ``[model]`` table (name, citation,
    notes) is kept verbatim.

    Raises
    ------
    ValueError
        Unknown model name, malformed TOML, or a quantity with a bad unit
        (the message names the file and the key).
    """
    path = model_path(name)
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: malformed TOML: {exc}") from None
    try:
        data = _convert(raw, "", unit_keys={"model"})
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{path}: {exc}") from None
    data.setdefault("model", {})
    data["model"].setdefault("name", path.stem)
    data["model"]["path"] = str(path)
    return data


def model_parameters(data: dict) -> dict:
    """The parameters of a loaded model file: its ``[parameters]`` table if it
    has one, else every top-level key but the ``[model]`` metadata table."""
    if "parameters" in data and isinstance(data["parameters"], dict):
        return dict(data["parameters"])
    return {k: v for k, v in data.items() if k != "model"}


# ---------------------------------------------------------------------------
# Simulation specs: files, overrides, schemas, validation
# ---------------------------------------------------------------------------

class SpecError(ValueError):
    """A simulation spec that does not validate.

    The message starts with the file (or ``--set``) and the dotted key, then
    says what was expected and what was found.
    """


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
        One line shown by ``biornn simulations --verbose`` and in errors.
    """

    type: str
    default: object = REQUIRED
    choices: tuple | None = None
    help: str = ""

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
    Nested tables (``[lsm.neuron]``) are passed as dicts, quantities converted.  Quantities
    written with units are converted to SI floats; a parameter whose default
    is a bool, int or float must be given as one.  ``fixed`` names keys the
    runner sets itself (such as the input dimension), which a spec may not set.
    ``types`` gives a :class:`Field` type for parameters without a default
    (``{"n_units": "int"}``).
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
        "dpi": Field("int", 100, help="resolution of the PNG figures"),
    },
}


def simulation_path(name) -> Path:
    """Resolve a simulation name (``"esn_narma"``) or a path to a TOML file."""
    path = Path(os.fspath(name))
    if path.suffix == ".toml" or path.exists():
        if not path.exists():
            raise FileNotFoundError(f"no simulation spec {path}")
        return path
    for folder in (Path.cwd() / "simulations", SIMULATIONS_DIR):
        candidate = folder / f"{name}.toml"
        if candidate.exists():
            return candidate
    known = ", ".join(s["name"] for s in list_simulations()) or "none"
    raise SpecError(f"unknown simulation {str(name)!r}; known simulations: {known}")


def read_simulation(name) -> tuple[dict, Path]:
    """Read a spec file as raw TOML (no validation): ``(dict, path)``."""
    path = simulation_path(name)
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh), path
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: malformed TOML: {exc}") from None


def list_simulations(folder=None) -> list[dict]:
    """The specs in ``simulations/``: dicts with name, kind, title, path."""
    folder = SIMULATIONS_DIR if folder is None else Path(folder)
    found = []
    for path in sorted(folder.glob("*.toml")):
        try:
            with open(path, "rb") as fh:
                exp = tomllib.load(fh).get("experiment", {})
        except tomllib.TOMLDecodeError:
            exp = {"title": "(malformed TOML)"}
        found.append({"name": path.stem, "kind": exp.get("kind", "?"),
                      "title": exp.get("title", ""), "path": str(path)})
    return found


def _parse_value(text: str):
    """A ``--set`` value: TOML syntax if it parses (``3``, ``0.5``, ``true``,
    ``[1, 2]``, ``"30 ms"``), else the bare text as a string (``narma``, ``30 ms``)."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text.strip()


def parse_override(text: str) -> tuple[tuple[str, ...], object]:
    """Split ``"esn.n_units=50"`` into ``(("esn", "n_units"), 50)``."""
    key, sep, value = str(text).partition("=")
    keys = tuple(k.strip() for k in key.split("."))
    if not sep or not all(keys) or len(keys) < 2:
        raise SpecError(f"--set {text!r}: expected TABLE.KEY=VALUE, e.g. esn.n_units=50")
    return keys, _parse_value(value)


def apply_overrides(raw: dict, overrides=()) -> dict:
    """Return a deep copy of ``raw`` with ``--set`` style overrides applied.

    ``overrides`` is a sequence of ``"dotted.key=value"`` strings or a
    mapping ``{"dotted.key": value}`` (values used as given).
    """
    out = copy.deepcopy(raw)
    items = (overrides.items() if isinstance(overrides, dict)
             else (parse_override(o) for o in overrides))
    for keys, value in items:
        if isinstance(keys, str):
            keys = tuple(keys.split("."))
        node = out
        for k in keys[:-1]:
            nxt = node.setdefault(k, {})
            if not isinstance(nxt, dict):
                raise SpecError(f"--set {'.'.join(keys)}: {k} is a value, not a table")
            node = nxt
        node[keys[-1]] = value
    return out


def _type_name(value) -> str:
    return type(value).__name__


def _check_scalar(kind, value, where, choices=None):
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
            return parse_quantity(value, where)
        except (ValueError, TypeError) as exc:
            raise SpecError(str(exc)) from None
    if not ok:
        raise SpecError(f"{where}: expected {kind}, got {_type_name(value)} {value!r}")
    if choices is not None and value not in choices:
        raise SpecError(f"{where}: expected one of {list(choices)}, got {value!r}")
    return value


def _check_field(field: Field, value, where):
    if "|" in field.type and not isinstance(value, list):
        return _check_scalar(field.type.partition("|")[0], value, where, field.choices)
    if "[" in field.type:
        item = field.type[field.type.index("[") + 1:-1]
        if not isinstance(value, list):
            raise SpecError(f"{where}: expected a list of {item}, got {_type_name(value)} {value!r}")
        return [_check_scalar(item, v, f"{where}[{i}]", field.choices)
                for i, v in enumerate(value)]
    return _check_scalar(field.type, value, where, field.choices)


def _check_model_param(default, value, where):
    if isinstance(value, dict):   # a nested table of parameters (neuron = {tau_m = "30 ms"})
        try:
            return _convert(value, where, unit_keys=set())
        except (ValueError, TypeError) as exc:
            raise SpecError(str(exc)) from None
    if isinstance(value, str) and _NUMBER.match(value) and not isinstance(default, str):
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
    if key in schema.types:
        return _check_field(Field(schema.types[key]), value, where)
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
            hint = (f" (set by the experiment itself)" if key in schema.fixed else
                    f"; expected one of {sorted(params) + ['preset']}")
            raise SpecError(f"{where}.{key}: unknown key for {cls.__name__}{hint}")
        values[key] = _model_value(schema, params, key, value, f"{where}.{key}")
    missing = [k for k, d in params.items() if d is REQUIRED and k not in values]
    if missing:
        raise SpecError(f"{where}: missing required parameter(s) {missing} of {cls.__name__}")
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
