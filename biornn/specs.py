"""Model files (``models/*.toml``) and experiment specs (``simulations/*.toml``).

A simulation spec is a TOML file with an ``[experiment]`` table naming its
``kind`` (which experiment of :mod:`biornn.experiments` executes it) and one table
per part of the pipeline (``[task]``, ``[esn]``, ``[readout]``, ...).  This
module finds, reads and overrides spec files (``--set table.key=value``);
:mod:`biornn.schema` validates them against the schema of their kind.

Quantities are written in TOML as strings with units (``tau_m = "30 ms"``,
``K1 = "0.52 /ms/mM"``) and parsed here, once, into plain SI floats, without
importing Brian2.  Supported units: s, V, A, ohm (or Ω), S, Hz, F, m, M (molar,
stored as mol/m³), mol, with prefixes p n u µ m k M G; combined with ``/``,
``*`` or a space and an optional integer power (``um^2``).
"""

from __future__ import annotations

import copy
import json
import os
import re
import tomllib
from pathlib import Path

__all__ = ["parse_quantity", "load_model", "model_path", "list_models", "MODELS_DIR",
           "SIMULATIONS_DIR", "SpecError", "simulation_path", "list_simulations",
           "read_simulation", "parse_override", "apply_overrides", "model_parameters",
           "parse_quantity_dimension", "quantity_dimension", "dimension_name",
           "is_quantity_string", "convert_quantities", "parse_value", "dump_toml"]



def _shipped(folder: str) -> Path:
    """Where the shipped ``models/`` or ``simulations/`` TOML files are.

    In a source checkout (or an editable install) they are the top-level folders of
    the repository, the one place they are edited; a built wheel carries copies of
    them as package data in ``biornn/_data/<folder>`` (see ``setup.py``).
    """
    from importlib.resources import files

    packaged = files(__package__) / "_data" / folder
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / folder


#: Shipped model presets and simulation specs (a user's ``./models/`` and
#: ``./simulations/`` in the working directory shadow them, file by file).
MODELS_DIR = _shipped("models")
SIMULATIONS_DIR = _shipped("simulations")

_BASE = {"s": 1.0, "V": 1.0, "A": 1.0, "ohm": 1.0, "Ω": 1.0, "S": 1.0, "Hz": 1.0,
         "F": 1.0, "m": 1.0, "M": 1e3, "mol": 1.0, "1": 1.0}
_PREFIX = {"p": 1e-12, "n": 1e-9, "u": 1e-6, "µ": 1e-6, "μ": 1e-6, "m": 1e-3,
           "k": 1e3, "M": 1e6, "G": 1e9}
_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


# dimension of each base unit as exponents of (second, volt, ampere, metre, mole)
_DIM = {"s": (1, 0, 0, 0, 0), "V": (0, 1, 0, 0, 0), "A": (0, 0, 1, 0, 0),
        "ohm": (0, 1, -1, 0, 0), "Ω": (0, 1, -1, 0, 0), "S": (0, -1, 1, 0, 0),
        "Hz": (-1, 0, 0, 0, 0), "F": (1, -1, 1, 0, 0), "m": (0, 0, 0, 1, 0),
        "M": (0, 0, 0, -3, 1), "mol": (0, 0, 0, 0, 1), "1": (0, 0, 0, 0, 0)}
_DIM_NAMES = ("s", "V", "A", "m", "mol")


def _unit_factor(token: str, where: str):
    """(SI factor, dimension) of one unit token such as ``ms`` or ``um^2``."""
    power = 1
    if "^" in token:
        token, _, exp = token.partition("^")
        try:
            power = int(exp)
        except ValueError:
            raise ValueError(f"{where}: bad unit power in {token}^{exp}") from None
    if token in _BASE:
        prefix, base = 1.0, token
    elif len(token) > 1 and token[0] in _PREFIX and token[1:] in _BASE:
        prefix, base = _PREFIX[token[0]], token[1:]
    else:
        raise ValueError(f"{where}: unknown unit {token!r}")
    return (prefix * _BASE[base]) ** power, tuple(power * d for d in _DIM[base])


def dimension_name(dim) -> str:
    """Readable dimension, e.g. ``(1, 0, 0, 0, 0)`` -> ``"s"``; ``"1"`` if none."""
    parts = [n if e == 1 else f"{n}^{e}" for n, e in zip(_DIM_NAMES, dim) if e]
    return " ".join(parts) or "1 (dimensionless)"


def quantity_dimension(text, name: str = "value"):
    """Dimension of a quantity string, as exponents of (s, V, A, m, mol)."""
    return parse_quantity_dimension(text, name)[1]


def parse_quantity(text, name: str = "value") -> float:
    """Parse ``"<number> <unit>"`` into a float in SI units.

    Examples
    --------
    >>> parse_quantity("30 ms")
    0.03
    >>> round(parse_quantity("0.52 /ms/mM"), 6)   # 1/(s * mol/m^3)
    520.0
    """
    return parse_quantity_dimension(text, name)[0]


def parse_quantity_dimension(text, name: str = "value"):
    """Parse ``"<number> <unit>"`` into ``(SI float, dimension)``; the dimension is a
    tuple of exponents of (s, V, A, m, mol)."""
    if isinstance(text, bool) or not isinstance(text, str):
        raise TypeError(f"{name} must be a string with a unit such as '30 ms', got {text!r}")
    match = _NUMBER.match(text)
    if match is None:
        raise ValueError(f"{name} must look like '<number> <unit>', got {text!r}")
    value = float(match.group(1))
    unit = match.group(2)
    if not unit:
        raise ValueError(f"{name} = {text!r} has no unit (write e.g. '30 ms')")
    factor, dim = 1.0, (0, 0, 0, 0, 0)
    # everything after a '/' divides: "1 mV/ms nA" is 1 mV / (ms nA)
    for i, part in enumerate(re.split(r"/", unit)):
        tokens = [t for t in re.split(r"[\s*·]+", part) if t]
        for tok in tokens:
            f, d = _unit_factor(tok, name)
            sign = -1 if i > 0 else 1
            factor *= f ** sign
            dim = tuple(a + sign * b for a, b in zip(dim, d))
        if i > 0 and not tokens:
            raise ValueError(f"{name}: empty unit after '/' in {text!r}")
    return value * factor, dim


def _find_toml(name, folder_name, shipped_dir, what):
    """A path to an existing TOML file, or ``name``'s file in ``./<folder_name>`` or
    ``shipped_dir``; None if there is none."""
    path = Path(os.fspath(name))
    if path.is_dir() and (path / "spec.toml").is_file() and folder_name == "simulations":
        return path / "spec.toml"      # a run folder: rerun its resolved spec
    if path.suffix == ".toml" or path.exists():
        if not path.exists():
            raise FileNotFoundError(f"no {what} {path}")
        return path
    for folder in (Path.cwd() / folder_name, shipped_dir):
        candidate = folder / f"{name}.toml"
        if candidate.exists():
            return candidate
    return None


def model_path(name) -> Path:
    """Resolve a model name (``"maass2002_lsm"``) or a path to a TOML file."""
    path = _find_toml(name, "models", MODELS_DIR, "model file")
    if path is None:
        known = ", ".join(list_models()) or "none"
        raise ValueError(f"unknown model {str(name)!r}; known models: {known}")
    return path


def list_models() -> list[str]:
    """Names of the model files: the shipped presets and those in ``./models/``."""
    return sorted({p.stem for folder in (Path.cwd() / "models", MODELS_DIR)
                   for p in folder.glob("*.toml")})


def is_quantity_string(value) -> bool:
    """Whether ``value`` is a string that starts with a number (``"30 ms"``, ``"5"``)."""
    return isinstance(value, str) and _NUMBER.match(value) is not None


def convert_quantities(node, prefix: str = "", unit_keys=()):
    """Copy of a TOML tree with every ``"<number> <unit>"`` string converted to an SI
    float; top-level tables named in ``unit_keys`` are kept verbatim.  ``prefix`` names
    the position in errors."""
    if isinstance(node, dict):
        return {k: convert_quantities(v, f"{prefix}.{k}" if prefix else k, unit_keys) for k, v in node.items()}
    if isinstance(node, list):
        return [convert_quantities(v, f"{prefix}[{i}]", unit_keys) for i, v in enumerate(node)]
    if is_quantity_string(node) and prefix.split(".")[0] not in unit_keys:
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
        data = convert_quantities(raw, "", unit_keys={"model"})
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
# Simulation specs: files and overrides (validation: biornn.schema)
# ---------------------------------------------------------------------------

class SpecError(ValueError):
    """A simulation spec that does not validate.

    The message starts with the file (or ``--set``) and the dotted key, then
    says what was expected and what was found.
    """



def simulation_path(name) -> Path:
    """Resolve a simulation name (``"esn_narma"``) or a path to a TOML file."""
    path = _find_toml(name, "simulations", SIMULATIONS_DIR, "simulation spec")
    if path is None:
        known = ", ".join(s["name"] for s in list_simulations()) or "none"
        raise SpecError(f"unknown simulation {str(name)!r}; known simulations: {known}")
    return path


def read_simulation(name) -> tuple[dict, Path]:
    """Read a spec file as raw TOML (no validation): ``(dict, path)``."""
    path = simulation_path(name)
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh), path
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: malformed TOML: {exc}") from None


def list_simulations(folder=None) -> list[dict]:
    """The specs a name resolves to: dicts with name, kind, title, path.

    Without ``folder``: those in ``./simulations/`` and the shipped ones (a local
    file shadows a shipped one of the same name).
    """
    folders = [Path(folder)] if folder is not None else [Path.cwd() / "simulations",
                                                         SIMULATIONS_DIR]
    paths = {}
    for fold in reversed(folders):
        paths.update({p.stem: p for p in fold.glob("*.toml")})
    found = []
    for path in (paths[k] for k in sorted(paths)):
        try:
            with open(path, "rb") as fh:
                exp = tomllib.load(fh).get("experiment", {})
        except tomllib.TOMLDecodeError:
            exp = {"title": "(malformed TOML)"}
        found.append({"name": path.stem, "kind": exp.get("kind", "?"),
                      "title": exp.get("title", ""), "path": str(path)})
    return found


def parse_value(text: str):
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
    return keys, parse_value(value)


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


def _toml_value(value, where):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)   # JSON escapes are TOML escapes
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v, f"{where}[]") for v in value
                               if v is not None) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v, f'{where}.{k}')}"
                               for k, v in value.items() if v is not None) + "}"
    raise TypeError(f"{where}: cannot write {type(value).__name__} {value!r} as TOML")


def _toml_key(key):
    key = str(key)
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def dump_toml(data: dict, header: str = "") -> str:
    """Write a spec (tables of values) as TOML text; ``tomllib.loads`` reads it back equal.

    Top-level values that are dicts become ``[tables]``; dicts below them are
    written inline.  ``None`` values are left out (TOML has no null: the key's
    default applies when the file is read again).  ``header`` lines are written
    first as comments.
    """
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    scalars = {k: v for k, v in data.items() if not isinstance(v, dict)}
    for key, value in scalars.items():
        if value is not None:
            lines.append(f"{_toml_key(key)} = {_toml_value(value, key)}")
    for table, content in data.items():
        if not isinstance(content, dict):
            continue
        lines += ["", f"[{_toml_key(table)}]"]
        for key, value in content.items():
            if value is not None:
                lines.append(f"{_toml_key(key)} = {_toml_value(value, f'{table}.{key}')}")
    return "\n".join(lines).lstrip("\n") + "\n"
