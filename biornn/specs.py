"""Model files (``models/*.toml``) and experiment specs (``simulations/*.toml``).

Quantities are written in TOML as strings with units (``tau_m = "30 ms"``,
``K1 = "0.52 /ms/mM"``) and parsed here, once, into plain SI floats, without
importing Brian2.  Supported units: s, V, A, ohm (or Ω), S, Hz, F, m, M (molar,
stored as mol/m³), mol, with prefixes p n u µ m k M G; combined with ``/``,
``*`` or a space and an optional integer power (``um^2``).
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

__all__ = ["parse_quantity", "load_model", "model_path", "list_models", "MODELS_DIR"]

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"

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
