"""Argument checks used at every public boundary.

Each check names the argument, shows the value it got and says what was
expected, and raises :class:`ValueError` (bad value) or :class:`TypeError`
(bad type).  Deep code may assume its inputs passed these checks.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np

__all__ = [
    "check_positive_int",
    "check_nonnegative_int",
    "check_positive",
    "check_nonnegative",
    "check_in_range",
    "check_choice",
    "check_bool",
    "as_float_array",
    "as_sequences",
    "check_same_length",
    "to_seconds",
    "to_si",
    "to_si_array",
    "to_duration",
    "is_plain_number",
    "unit_dimension",
    "UnitWarning",
    "warn_implausible",
    "ParameterSet",
    "param",
    "nested",
]


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_positive_int(name: str, value) -> int:
    """Return ``value`` as int, or raise unless it is an integer >= 1."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be a positive integer, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def check_nonnegative_int(name: str, value) -> int:
    """Return ``value`` as int, or raise unless it is an integer >= 0."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be a non-negative integer, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value}")
    return int(value)


def _check_real(name: str, value) -> float:
    if not _is_real(value):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def check_positive(name: str, value) -> float:
    """Return ``value`` as float, or raise unless it is finite and > 0."""
    value = _check_real(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def check_nonnegative(name: str, value) -> float:
    """Return ``value`` as float, or raise unless it is finite and >= 0."""
    value = _check_real(name, value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def check_in_range(name, value, low, high, *, low_open=False, high_open=False) -> float:
    """Return ``value`` as float, or raise unless it lies in the interval.

    ``low_open``/``high_open`` exclude the end points, so
    ``check_in_range("leak_rate", a, 0, 1, low_open=True)`` accepts (0, 1].
    """
    value = _check_real(name, value)
    below = value <= low if low_open else value < low
    above = value >= high if high_open else value > high
    if below or above:
        interval = f"{'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"{name} must lie in {interval}, got {value}")
    return value


def check_choice(name: str, value, choices) -> str:
    """Raise unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {value!r}")
    return value


def check_bool(name: str, value) -> bool:
    """Raise unless ``value`` is a bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def as_float_array(name, value, *, ndim=None, dtype=np.float64, allow_nan=False,
                   shape=None) -> np.ndarray:
    """Convert ``value`` to a float array and check rank, shape and finiteness.

    Parameters
    ----------
    name : str
        Argument name used in error messages.
    ndim : int or tuple of int, optional
        Accepted rank(s).
    shape : tuple, optional
        Required shape; ``None`` entries are free.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of numbers, got {value!r}")
    if hasattr(value, "toarray") and hasattr(value, "nnz"):
        raise TypeError(f"{name}: sparse input is not supported; pass a dense array "
                        f"({name}.toarray())")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers: {exc}") from None
    if arr.dtype.kind == "c":
        raise ValueError(f"{name}: Complex data not supported, got dtype {arr.dtype}")
    try:
        arr = arr.astype(dtype, copy=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers: {exc}") from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            names = [str(d) for d in allowed]
            want = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
            raise ValueError(f"{name} must have {want} dimensions, got shape {arr.shape}")
    if shape is not None:
        if len(shape) != arr.ndim or any(
            s is not None and s != a for s, a in zip(shape, arr.shape)
        ):
            want = tuple("any" if s is None else s for s in shape)
            raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    if not allow_nan and arr.size and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def as_sequences(name, value, *, n_features=None, dtype=np.float64):
    """Normalise sequence input to a list or batch and remember its form.

    Accepts ``(time, features)``, a batch ``(batch, time, features)``, or a
    list of ``(time, features)`` arrays of different lengths.  A 1-d array is
    taken as one sequence of one feature.

    Returns
    -------
    batch : ndarray (B, T, D) or list of ndarray (T_i, D)
    form : {"single", "batch", "list"}
        How the caller gave it, so the result is returned in the same form.
    """
    if isinstance(value, (list, tuple)) and len(value) and not np.isscalar(value[0]):
        seqs = []
        for i, item in enumerate(value):
            arr = as_float_array(f"{name}[{i}]", item, ndim=(1, 2), dtype=dtype)
            seqs.append(arr[:, None] if arr.ndim == 1 else arr)
        _check_features(name, seqs[0].shape[1], n_features)
        for i, s in enumerate(seqs):
            if s.shape[1] != seqs[0].shape[1]:
                raise ValueError(
                    f"{name}[{i}] has {s.shape[1]} features, expected {seqs[0].shape[1]}")
            if s.shape[0] == 0:
                raise ValueError(f"{name}[{i}] is empty")
        lengths = {s.shape[0] for s in seqs}
        if len(lengths) == 1:
            return np.stack(seqs), "list"
        return seqs, "list"
    arr = as_float_array(name, value, ndim=(1, 2, 3), dtype=dtype)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.shape[-2] == 0:
        raise ValueError(f"{name} has no time steps (shape {arr.shape})")
    _check_features(name, arr.shape[-1], n_features)
    if arr.ndim == 2:
        return arr[None], "single"
    return arr, "batch"


def _check_features(name, got, expected):
    if expected is not None and got != expected:
        raise ValueError(f"{name} must have {expected} features (last axis), got {got}")


def restore_form(batch, form):
    """Undo :func:`as_sequences`: return results in the form the caller used."""
    if form == "single":
        return batch[0]
    if form == "list" and isinstance(batch, np.ndarray):
        return list(batch)
    return batch


def check_same_length(name_a, a, name_b, b, axis=0):
    """Raise unless ``a`` and ``b`` have the same length along ``axis``."""
    if a.shape[axis] != b.shape[axis]:
        raise ValueError(
            f"{name_a} and {name_b} must have the same length along axis {axis}, "
            f"got {a.shape[axis]} and {b.shape[axis]}")


def to_seconds(name, value, *, allow_zero=False) -> float:
    """Return a duration in seconds from a float (SI), a Brian2 quantity or a
    string with a unit (``"200 ms"``); see :func:`to_si`.

    Brian2 is not imported here: a quantity is recognised by its type's module.
    """
    value = to_si(name, value, "s")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'} seconds, got {value}")
    return value


# ---------------------------------------------------------------------------
# Physical quantities: SI floats, Brian2 quantities or strings with units
# ---------------------------------------------------------------------------

class UnitWarning(UserWarning):
    """A plain number (read as SI) that is implausible for its role.

    Passing the value with its unit (``"200 ms"`` or ``200 * brian2.ms``) says
    what was meant and silences the warning, as does
    ``warnings.filterwarnings("ignore", category=UnitWarning)``.
    """


#: What each declared unit measures, for messages.
UNIT_KINDS = {"s": "a time", "V": "a voltage", "A": "a current", "ohm": "a resistance",
              "S": "a conductance", "Hz": "a rate", "F": "a capacitance", "1": "a number"}

# Brian2 dimension exponents of (m, kg, s, A, mol) -> exponents of the units
# biornn.specs names (s, V, A, m, mol): V = kg m^2 s^-3 A^-1 carries the kg.
_BRIAN_BASES = ("m", "kg", "s", "A", "K", "mol", "cd")


def _is_quantity(value) -> bool:
    """A Brian2 Quantity (recognised without importing Brian2)."""
    return hasattr(value, "dim") and type(value).__module__.startswith("brian2")


def _brian_dimension(value):
    """Dimension of a Brian2 quantity as exponents of (s, V, A, m, mol)."""
    e = dict(zip(_BRIAN_BASES, (value.dim.get_dimension(b) for b in _BRIAN_BASES)))
    if e["K"] or e["cd"]:
        return None  # kelvin, candela: nothing biornn measures
    volt = e["kg"]
    return (e["s"] + 3 * volt, volt, e["A"] + volt, e["m"] - 2 * volt, e["mol"])


def unit_dimension(unit: str):
    """Dimension of a declared unit (``"s"``, ``"ohm"``, ``"1"``) as in biornn.specs."""
    from .specs import quantity_dimension  # pure parsing, no Brian2
    return quantity_dimension(f"1 {unit}", "unit")


def to_si(name: str, value, unit: str) -> float:
    """Return a scalar physical parameter as a float in SI units.

    Parameters
    ----------
    name : str
        Argument name for messages (``"neuron.tau_m"``).
    value : float, Brian2 Quantity or str
        A plain number is taken as already in SI units (seconds, volts, amperes, ...);
        a quantity (``30 * brian2.ms``) or a string with a unit (``"30 ms"``) must
        have the dimension of ``unit``.
    unit : str
        Declared unit: ``"s"``, ``"V"``, ``"A"``, ``"ohm"``, ``"S"``, ``"Hz"``, ``"F"``
        or ``"1"`` (dimensionless).

    Raises
    ------
    ValueError
        Wrong dimension (the message names the parameter, the expected unit and
        what was given), unparsable string, NaN or infinite value.
    TypeError
        Neither a number, a quantity nor a string.
    """
    from .specs import dimension_name, parse_quantity, quantity_dimension
    want = unit_dimension(unit)
    expected = f"{UNIT_KINDS.get(unit, 'a quantity')} in {unit}"
    if unit == "1":
        expected = "a dimensionless number"
    given = None
    if _is_quantity(value):
        given = _brian_dimension(value)
        if np.ndim(value) != 0:
            raise ValueError(f"{name} must be a scalar, got {value!r}")
        si = float(np.asarray(value))
    elif isinstance(value, str):
        try:  # a bare number in a string ("0.5") is dimensionless
            si, given = float(value), unit_dimension("1")
        except ValueError:
            si = None
        try:
            if si is None:
                si, given = parse_quantity(value, name), quantity_dimension(value, name)
        except ValueError as exc:
            raise ValueError(f"{name} must be {expected} such as '1 {unit}': {exc}") from None
    else:
        return _check_real(name, value)
    if given != want:
        got = "an unknown dimension" if given is None else dimension_name(given)
        raise ValueError(f"{name} must be {expected}, got {value!r} ({got})")
    if not np.isfinite(si):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return si


def is_plain_number(value) -> bool:
    """True for a number without a unit (int, float, numpy scalar): read as SI."""
    return _is_real(value) or (isinstance(value, np.ndarray) and not _is_quantity(value))


def warn_implausible(name: str, message: str, *, stacklevel: int = 3) -> None:
    """Warn (:class:`UnitWarning`) that a plain number looks like a unit slip."""
    import warnings
    warnings.warn(f"{name}: {message}; pass it with a unit (e.g. '200 ms' or "
                  "200*brian2.ms) to say what you mean, or silence this with "
                  "warnings.filterwarnings('ignore', category=biornn._validate.UnitWarning)",
                  UnitWarning, stacklevel=stacklevel)


#: A duration given as a plain number above this many seconds draws a UnitWarning.
PLAUSIBLE_DURATION_S = 100.0


def to_duration(name: str, value, *, allow_zero=False, limit=PLAUSIBLE_DURATION_S) -> float:
    """A time in seconds (:func:`to_seconds`) that warns when a plain number exceeds
    ``limit`` seconds (``duration=200`` meaning 200 ms would simulate 200 s)."""
    seconds = to_seconds(name, value, allow_zero=allow_zero)
    if limit is not None and seconds > limit and is_plain_number(value):
        warn_implausible(name, f"{value!r} is read as {seconds:g} s (more than {limit:g} s "
                         "of simulated time)", stacklevel=4)
    return seconds


def to_si_array(name: str, value, unit: str, *, ndim=1) -> np.ndarray:
    """An array of a physical quantity in SI floats (plain numbers, a Brian2 array
    quantity, or a sequence of quantities / strings with units)."""
    if _is_quantity(value):
        if _brian_dimension(value) != unit_dimension(unit):
            to_si(name, value.flat[0] if np.ndim(value) else value, unit)  # raises, named
        return as_float_array(name, np.asarray(value), ndim=ndim, allow_nan=True)
    if isinstance(value, (list, tuple)) and any(isinstance(v, str) or _is_quantity(v)
                                                 for v in value):
        return np.array([to_si(f"{name}[{i}]", v, unit) for i, v in enumerate(value)])
    return as_float_array(name, value, ndim=ndim, allow_nan=True)


# ---------------------------------------------------------------------------
# Parameter sets: frozen dataclasses whose fields declare units
# ---------------------------------------------------------------------------

_BOUNDS = {"positive": (0, np.inf, True), "nonnegative": (0, np.inf, False),
           "fraction": (0, 1, False), "probability": (0, 1, True)}


def param(default, unit: str = "1", bound: str | None = None):
    """A field of a :class:`ParameterSet` with its default (SI), declared unit and,
    optionally, a bound (``"positive"``, ``"nonnegative"``, ``"fraction"`` for
    [0, 1], ``"probability"`` for (0, 1])."""
    from dataclasses import field
    return field(default=default, metadata={"unit": unit, "bound": bound})


def nested(default):
    """A field of a :class:`ParameterSet` holding another parameter set."""
    from dataclasses import field
    return field(default=default, metadata={"nested": True})


class ParameterSet(Mapping):
    """Base of the frozen parameter dataclasses of a model part (neuron, synapses, ...).

    Each field is declared with :func:`param` (default in SI units, unit, bound) or
    :func:`nested`.  Values may be given as SI floats, Brian2 quantities or strings
    with units (``"30 ms"``); they are checked against the declared unit and stored
    as SI floats.  A parameter set reads like a read-only dict (``p["tau_m"]``,
    ``dict(p)``) as well as a dataclass (``p.tau_m``).
    """

    def __post_init__(self):
        from dataclasses import fields
        for f in fields(self):
            value = getattr(self, f.name)
            if not f.metadata.get("nested"):
                object.__setattr__(self, f.name, _convert_param(f, value, f.name))

    @classmethod
    def units(cls) -> dict:
        """Declared unit of every parameter (nested sets as nested dicts)."""
        from dataclasses import fields
        return {f.name: f.default.units() if f.metadata.get("nested") else f.metadata["unit"]
                for f in fields(cls)}

    @classmethod
    def from_mapping(cls, values, *, name: str, base=None):
        """Parameters from ``base`` (default: the class defaults) with ``values``
        (a mapping, possibly partial and nested) overriding them.

        Raises
        ------
        ValueError
            An unknown key (the known ones are listed), a wrong unit or a value
            out of bounds; the message names ``name.key``.
        """
        from dataclasses import fields, replace
        if isinstance(values, cls) and base is None:
            return values
        if not isinstance(values, Mapping):
            raise TypeError(f"{name} must be a dict of parameters or a {cls.__name__}, "
                            f"got {type(values).__name__}")
        known = {f.name: f for f in fields(cls)}
        base = cls() if base is None else base
        out = {}
        for key, value in values.items():
            if key not in known:
                raise ValueError(f"{name} has no parameter {key!r}; known: {sorted(known)}")
            f = known[key]
            if f.metadata.get("nested"):
                sub = type(f.default)
                out[key] = sub.from_mapping(value, name=f"{name}.{key}", base=base[key]) \
                    if isinstance(value, Mapping) and not isinstance(value, sub) else value
            else:
                out[key] = _convert_param(f, value, f"{name}.{key}")
        return replace(base, **out)

    def to_dict(self) -> dict:
        """Plain nested dict of SI floats (for JSON)."""
        return {k: v.to_dict() if isinstance(v, ParameterSet) else v for k, v in self.items()}

    def __getitem__(self, key):
        if key not in self._names():
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self):
        return iter(self._names())

    def __len__(self):
        return len(self._names())

    @classmethod
    def _names(cls):
        from dataclasses import fields
        return [f.name for f in fields(cls)]


def _convert_param(f, value, name):
    si = to_si(name, value, f.metadata["unit"])
    bound = f.metadata.get("bound")
    if bound:
        low, high, low_open = _BOUNDS[bound]
        check_in_range(name, si, low, high, low_open=low_open)
    return si


def format_bytes(n_bytes) -> str:
    """``n_bytes`` in binary units, e.g. ``"7.5 GiB"``."""
    units = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB")
    value, i = float(n_bytes), 0
    while value >= 1024 and i < len(units) - 1:
        value, i = value / 1024, i + 1
    unit = units[i]
    return f"{value:.3g} {unit}"


def physical_memory():
    """Total physical memory in bytes, or None where the system does not say."""
    import os

    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def check_memory(what: str, n_bytes, *, limit=None) -> None:
    """Refuse, before allocating, what needs more bytes than the machine has.

    Raises a one-line ``ValueError`` giving the estimate, e.g. ``W for
    n_units=1000000000 needs about 1.09 EiB, more than this machine's 15.6 GiB
    of memory``.  ``limit`` defaults to :func:`physical_memory`; with neither,
    nothing is checked.
    """
    limit = physical_memory() if limit is None else limit
    if limit is not None and n_bytes > limit:
        raise ValueError(f"{what} needs about {format_bytes(n_bytes)}, more than this "
                         f"machine's {format_bytes(limit)} of memory")
