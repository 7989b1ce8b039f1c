"""Argument checks used at every public boundary.

Each check names the argument, shows the value it got and says what was
expected, and raises :class:`ValueError` (bad value) or :class:`TypeError`
(bad type).  Deep code may assume its inputs passed these checks.
"""

from __future__ import annotations

import numbers

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
    """Return a duration in seconds from a float (SI) or a Brian2 quantity.

    Brian2 is not imported here: a quantity is recognised by its ``dim``
    attribute and converted with ``float(value / second)`` semantics.
    """
    if hasattr(value, "dim"):
        dim = getattr(value, "dim")
        if str(dim) not in ("s", "second"):
            raise ValueError(f"{name} must be a time (seconds), got {value!r}")
        value = float(np.asarray(value))
    value = _check_real(name, value)
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'} seconds, got {value}")
    return value


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
