"""Save and load biornn objects as ``.npz`` + JSON metadata (never pickle).

A saveable class implements two methods and registers itself::

    @register_saveable
    class Thing:
        def _get_state(self):            # -> (params: JSON-able dict, arrays: dict of ndarray)
            ...
        @classmethod
        def _from_state(cls, params, arrays):
            ...

:func:`save` writes one ``.npz`` file whose entry ``__biornn_meta__`` holds the
JSON metadata (class name, parameters, biornn and numpy versions); the other
entries are the arrays.  :func:`load` reads it back with ``allow_pickle=False``
and rebuilds the object, so a round trip reproduces predictions bit for bit.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

__all__ = ["save", "load", "register_saveable", "FORMAT_VERSION"]

FORMAT_VERSION = 1
_META_KEY = "__biornn_meta__"
_REGISTRY: dict[str, type] = {}


def register_saveable(cls):
    """Class decorator: make ``cls`` loadable by :func:`load` under its name."""
    _REGISTRY[cls.__name__] = cls
    return cls


def _json_default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"cannot store {type(obj).__name__} in JSON metadata")


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
        The file written.
    """
    from . import __version__

    if type(obj).__name__ not in _REGISTRY or not hasattr(obj, "_get_state"):
        raise TypeError(f"obj must be a saveable biornn object, got {type(obj).__name__}")
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
        "class": type(obj).__name__,
        "biornn_version": __version__,
        "numpy_version": np.__version__,
        "params": params,
    }
    blob = np.frombuffer(json.dumps(meta, default=_json_default).encode("utf-8"),
                         dtype=np.uint8)
    # Write to a fresh temporary name in the same folder, then move it into place
    # atomically: a crash never leaves a half-written file at `path`, and without
    # `overwrite` the final link fails if a file appeared there meanwhile.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
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


def load(path):
    """Load an object written by :func:`save` (arrays read with ``allow_pickle=False``).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is truncated, not an ``.npz`` file, or not written by biornn.
    """
    path = Path(os.fspath(path))
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    try:
        data = np.load(path, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):
            raise ValueError(f"{path} is not a biornn file (not an .npz archive)")
        with data:
            if _META_KEY not in data.files:
                raise ValueError(f"{path} is not a biornn file (no metadata entry)")
            meta = json.loads(bytes(data[_META_KEY]).decode("utf-8"))
            arrays = {k: data[k] for k in data.files if k != _META_KEY}
    except (zipfile.BadZipFile, OSError, EOFError, json.JSONDecodeError,
            UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not a readable biornn file: {exc}") from None
    if not isinstance(meta, dict) or meta.get("format") != "biornn":
        raise ValueError(f"{path} is not a biornn file")
    version = meta.get("format_version")
    if not isinstance(version, int) or not isinstance(meta.get("params"), dict):
        raise ValueError(f"{path}: corrupt biornn metadata")
    if version > FORMAT_VERSION:
        raise ValueError(f"{path} was written by a newer biornn (format {version})")
    cls = _REGISTRY.get(meta.get("class"))
    if cls is None:
        raise ValueError(f"{path} holds an unknown class {meta.get('class')!r}")
    try:
        return cls._from_state(meta["params"], arrays)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ValueError(f"{path}: corrupt biornn file ({type(exc).__name__}: {exc})") from None
