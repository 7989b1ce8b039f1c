"""Save and load biornn objects as ``.npz`` + JSON metadata (never pickle).

A saveable class implements two methods, declares what a saved state must hold,
and registers itself::

    @register_saveable
    class Thing:
        _SAVED = {"n_units": check_positive_int,            # a parameter and its check
                  "W": Array(("n_units", "n_units"))}       # an array and its shape
        def _get_state(self):            # -> (params: JSON-able dict, arrays: dict of ndarray)
            ...
        @classmethod
        def _from_state(cls, params, arrays):
            ...

:func:`save` writes one ``.npz`` file whose entry ``__biornn_meta__`` holds the
JSON metadata (class name and module, parameters, biornn and numpy versions); the
other entries are the arrays.  :func:`load` reads it back with ``allow_pickle=False``
and rebuilds the object, so a round trip reproduces predictions bit for bit.

Loading trusts nothing in the file: a file that is not a biornn archive is refused
as ``not a biornn file: PATH``; the metadata must be shallow JSON; the class is
imported only from the biornn modules listed in ``_MODULES``; and the state is
checked against the class's ``_SAVED`` declaration (see :func:`check_state`)
before the object is built, so a wrong type, value or shape is refused naming the
file and the field.  Saved files get the permissions of any new file (the umask).
"""

from __future__ import annotations

import importlib
import json
import math
import os
import secrets
import zipfile
from pathlib import Path

import numpy as np

__all__ = ["save", "load", "register_saveable", "saveable_class", "check_state", "Array",
           "Saved", "Derived", "maybe", "FORMAT_VERSION"]

FORMAT_VERSION = 1
_META_KEY = "__biornn_meta__"
_MAX_DEPTH = 32  # levels of JSON nesting a biornn file may hold
_REGISTRY: dict[str, type] = {}
# The only modules load() imports to find a saved class, in the order an old file
# (class name without module) is looked up; spiking last, as it imports Brian2.
_MODULES = ("biornn.readout", "biornn.rate.esn", "biornn.rate.hopfield",
            "biornn.rate.hopfield_continuous", "biornn.rate.dense_memory",
            "biornn.rate.feedforward", "biornn.rate.rnn", "biornn.rate.lstm",
            "biornn.spiking.lsm")


def register_saveable(cls):
    """Class decorator: make ``cls`` loadable by :func:`load` under its name."""
    _REGISTRY[cls.__name__] = cls
    return cls


# ---------------------------------------------------------------------- declarations
class Array:
    """What a saved array must look like.

    Parameters
    ----------
    *shapes : tuple
        Accepted shapes (one or more).  Each dimension is an int, ``None`` (any
        length) or a name: a parameter's value if the state has an integer
        parameter of that name, else bound where first met so that every array
        using the name agrees.  ``"name+1"`` is one more than ``name``.
    kind : str, default "f"
        Accepted numpy dtype kinds (``"f"`` float, ``"iu"`` integer, ``"b"`` bool,
        ``"U"`` string, ...).
    below : str or int, optional
        For integer arrays: every value must lie in ``[0, below)`` (indices).
    optional : bool, default False
        The array may be absent.
    """

    def __init__(self, *shapes, kind="f", below=None, optional=False):
        self.shapes, self.kind, self.below, self.optional = shapes, kind, below, optional


class Saved:
    """A nested saved object: ``params[name] = {"class": ..., "params": ...}`` with its
    arrays stored under ``prefix``; checked against its own class's declaration."""

    def __init__(self, prefix, optional=False):
        self.prefix, self.optional = prefix, optional


class Derived:
    """A dimension computed from the checked parameters: ``Derived(lambda p: ...)``."""

    def __init__(self, function):
        self.function = function


def _resolve(sizes, dim):
    if dim is None or isinstance(dim, int):
        return dim
    name, _, plus = dim.partition("+")
    if name not in sizes:
        return None
    return sizes[name] + int(plus or 0)


def _check_array(field, value, spec, sizes):
    if value.dtype.kind not in spec.kind:
        raise TypeError(f"dtype {value.dtype} where kind {spec.kind!r} was expected")
    for shape in spec.shapes:
        if len(shape) != value.ndim:
            continue
        bound = dict(sizes)
        for dim, n in zip(shape, value.shape):
            want = _resolve(bound, dim)
            if want is None and dim is not None:
                bound[dim] = want = n
            if want is not None and want != n:
                break
        else:
            sizes.update(bound)
            break
    else:
        named = " or ".join(str(tuple(_resolve(sizes, d) or d for d in s)) for s in spec.shapes)
        raise ValueError(f"shape {value.shape} where {named} was expected")
    if spec.below is not None and value.size:
        high = _resolve(sizes, spec.below)
        if value.min() < 0 or (high is not None and value.max() >= high):
            raise ValueError(f"values outside [0, {high})")


def check_state(cls, params, arrays, where=""):
    """Check a saved state against ``cls._SAVED``; raise ValueError naming the field.

    ``_SAVED`` maps a field to a parameter check (a ``check(name, value)`` function
    from :mod:`biornn._validate`, or a tuple of allowed values), an :class:`Array`,
    a :class:`Saved` object or a :class:`Derived` size.  Parameters come first (an
    integer one names a dimension), then derived sizes, arrays and nested objects.
    Fields the declaration does not name are left to the class's ``_from_state``.
    """
    schema = getattr(cls, "_SAVED", {})
    sizes = {}
    for field, spec in sorted(schema.items(), key=lambda kv: _ORDER.get(type(kv[1]), 0)):
        name = where + field
        try:
            if isinstance(spec, Derived):
                sizes[field] = int(spec.function(params))
            elif isinstance(spec, Array):
                if field in arrays:
                    _check_array(field, arrays[field], spec, sizes)
                elif not spec.optional:
                    raise ValueError("missing")
            elif isinstance(spec, Saved):
                if field in params:
                    _check_nested(params[field], spec.prefix, arrays, name)
                elif not spec.optional:
                    raise ValueError("missing")
            elif field in params:
                value = params[field]
                if isinstance(spec, tuple):
                    if value not in spec or isinstance(value, bool) != isinstance(spec[0], bool):
                        raise ValueError(f"{value!r} is not one of {spec}")
                else:
                    value = spec(field, value)
                if isinstance(value, int) and not isinstance(value, bool):
                    sizes[field] = value
            elif not getattr(spec, "may_be_absent", False):
                raise ValueError("missing")
        except _FieldError:
            raise
        except (TypeError, ValueError, KeyError, OverflowError) as exc:
            raise _FieldError(f"field {name!r}: {exc}") from None


class _FieldError(ValueError):
    pass


_ORDER = {Derived: 1, Array: 2, Saved: 3}


def maybe(check):
    """A parameter check that also accepts None, or the parameter's absence."""
    def check_or_none(name, value):
        return None if value is None else check(name, value)
    check_or_none.may_be_absent = True
    return check_or_none


def _check_nested(entry, prefix, arrays, where):
    if not isinstance(entry, dict) or not isinstance(entry.get("params"), dict):
        raise ValueError("expected {'class': ..., 'params': {...}}")
    cls = _find_class(entry.get("class"), entry.get("module"))
    sub = {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}
    check_state(cls, entry["params"], sub, where=f"{where}.")


def saveable_class(name: str, module: str | None = None) -> type:
    """The saveable class ``name`` (from ``module``, which must be one of biornn's own
    modules that hold saveable classes); what a saved model's JSON names."""
    return _find_class(name, module)


def _find_class(name, module=None):
    """The registered class ``name``, importing its module from the allow-list."""
    if not isinstance(name, str):
        raise ValueError(f"class name must be a string, got {name!r}")
    cls = _REGISTRY.get(name)
    if module is not None:
        if cls is None or cls.__module__ != module:
            if module not in _MODULES:
                raise ValueError(f"module {module!r} is not a biornn module that holds "
                                 f"saveable classes")
            importlib.import_module(module)
            cls = _REGISTRY.get(name)
        if cls is None or cls.__module__ != module:
            raise ValueError(f"{module} has no saveable class {name!r}")
        return cls
    for candidate in (None,) + _MODULES:   # a file of the old format: the name alone
        if candidate is not None:
            importlib.import_module(candidate)
        if name in _REGISTRY:
            return _REGISTRY[name]
    raise ValueError(f"unknown class {name!r}")


# ---------------------------------------------------------------------- save
def _json_default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"cannot store {type(obj).__name__} in JSON metadata")


def _new_file(folder, name):
    """Open a fresh temporary file in ``folder`` with the umask's permissions."""
    while True:
        tmp = folder / f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue


def save(obj, path, *, overwrite: bool = False) -> Path:
    """Save ``obj`` to ``path`` (``.npz`` is appended if missing).

    Parameters
    ----------
    obj : a registered biornn object (ESN, Ridge, Hopfield, ...)
    path : str or os.PathLike
    overwrite : bool, default False
        An existing file is never replaced unless this is True.

    Returns
    -------
    pathlib.Path
        The file written, with the permissions the umask gives a new file.
    """
    from . import __version__

    cls = type(obj)
    if _REGISTRY.get(cls.__name__) is not cls or not hasattr(obj, "_get_state"):
        raise TypeError(f"obj must be a saveable biornn object, got {cls.__name__}")
    path = Path(os.fspath(path))
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"folder {path.parent} does not exist")
    params, arrays = obj._get_state()
    arrays = {k: np.asarray(v) for k, v in arrays.items()}
    for key, value in arrays.items():
        if key == _META_KEY:
            raise ValueError(f"array name {key!r} is reserved")
        if value.dtype.hasobject:
            raise TypeError(f"array {key!r} holds Python objects, which would need pickle; "
                            "biornn saves numeric and string arrays only")
    meta = {
        "format": "biornn",
        "format_version": FORMAT_VERSION,
        "class": cls.__name__,
        "module": cls.__module__,
        "biornn_version": __version__,
        "numpy_version": np.__version__,
        "params": params,
    }
    text = json.dumps(meta, default=_json_default)
    # what load() would refuse is not written (it is a bug in the class's declaration)
    check_state(cls, json.loads(text)["params"], arrays)
    blob = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    # Write to a fresh temporary name in the same folder, then move it into place
    # atomically: a crash never leaves a half-written file at `path`, and without
    # `overwrite` the final link fails if a file appeared there meanwhile.
    tmp, fd = _new_file(path.parent, path.name)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **{_META_KEY: blob}, **arrays)
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise FileExistsError(f"{path} exists; pass overwrite=True to replace it") \
                    from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


# ---------------------------------------------------------------------- load
class _NotBiornn(ValueError):
    pass


def _read_member(zf, info):
    """One ``.npy`` member, checked before any memory is allocated for it."""
    with zf.open(info) as fh:
        version = np.lib.format.read_magic(fh)
        read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                       (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if read_header is None:
            raise _NotBiornn(f"array format {version}")
        shape, _, dtype = read_header(fh)
        if dtype.hasobject:
            raise _NotBiornn(f"{info.filename} holds pickled Python objects, which biornn "
                             "never loads")
        if math.prod(shape) * dtype.itemsize != info.file_size - fh.tell():
            raise _NotBiornn(f"{info.filename}: header and data sizes disagree")
    with zf.open(info) as fh:
        return np.lib.format.read_array(fh, allow_pickle=False)


def _depth(value):
    depth, level = 0, [value]
    while level:
        depth += 1
        if depth > _MAX_DEPTH:
            raise _NotBiornn(f"metadata nested deeper than {_MAX_DEPTH} levels")
        level = [v for x in level if isinstance(x, (dict, list))
                 for v in (x.values() if isinstance(x, dict) else x)]


def _read(path):
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic != b"PK\x03\x04":
        raise _NotBiornn("not an .npz archive")
    arrays = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if not info.filename.endswith(".npy"):
                raise _NotBiornn(f"member {info.filename!r} is not an array")
            arrays[info.filename[:-4]] = _read_member(zf, info)
    if _META_KEY not in arrays:
        raise _NotBiornn("no biornn metadata")
    blob = arrays.pop(_META_KEY)
    if blob.dtype != np.uint8 or blob.ndim != 1:
        raise _NotBiornn("metadata is not UTF-8 JSON")
    try:
        meta = json.loads(blob.tobytes().decode("utf-8"))
    except RecursionError:
        raise _NotBiornn(f"metadata nested deeper than {_MAX_DEPTH} levels") from None
    _depth(meta)
    if not isinstance(meta, dict) or meta.get("format") != "biornn":
        raise _NotBiornn("metadata of another format")
    return meta, arrays


def load(path):
    """Load an object written by :func:`save` (arrays read with ``allow_pickle=False``).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        ``not a biornn file: PATH`` for any file :func:`save` did not write
        (another format, a truncated archive, pickled objects); a message naming
        the file and the field for a state of the wrong type, value or shape.
    """
    path = Path(os.fspath(path))
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    try:
        meta, arrays = _read(path)
    except (_NotBiornn, zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError,
            ValueError, UnicodeDecodeError, NotImplementedError) as exc:
        raise ValueError(f"not a biornn file: {path} ({exc})") from None
    version, params = meta.get("format_version"), meta.get("params")
    if not isinstance(version, int) or not isinstance(params, dict):
        raise ValueError(f"{path}: corrupt biornn metadata")
    if version > FORMAT_VERSION:
        raise ValueError(f"{path} was written by a newer biornn (format {version})")
    try:
        cls = _find_class(meta.get("class"), meta.get("module"))
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    except ImportError as exc:
        raise ImportError(f"{path} holds a {meta.get('class')}, whose module cannot be "
                          f"imported: {exc}") from None
    try:
        check_state(cls, params, arrays)
    except ValueError as exc:
        raise ValueError(f"{path}: corrupt biornn file, {exc}") from None
    try:
        return cls._from_state(params, arrays)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ValueError(f"{path}: corrupt biornn file ({type(exc).__name__}: {exc})") from None
