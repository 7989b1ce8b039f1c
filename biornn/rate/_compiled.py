"""Small C kernels for the time loops numpy cannot vectorise, built on first use and cached.

A recurrent model's step loop makes a dozen numpy calls per time step; for small
networks their fixed cost (about a microsecond each) is the whole run time.  The
loops that matter are written in C beside the model (``_lstm_kernel.c``), compiled
once with the system C compiler (the one Brian2's ``cython`` and ``cpp_standalone``
targets already need) into a per-user cache, and loaded with :mod:`ctypes`; no
package beyond numpy and scipy is involved.  Matrix products go to the BLAS scipy
ships, reached through the function pointers of :mod:`scipy.linalg.cython_blas`
(the documented way other compiled code calls scipy's BLAS).

When no compiler is found or the build fails, :func:`load` returns ``None`` with
the reason in :func:`build_error`, and the models keep their numpy paths.
The cache folder is ``$BIORNN_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/biornn``
or ``~/.cache/biornn``; a library is named by a hash of its source, the compiler
flags, the Python ABI and the CPU, and written atomically, so concurrent
processes and other machines sharing a home folder never load a wrong build.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

__all__ = ["load", "build_error", "blas_pointer", "cache_dir", "address"]

_HERE = Path(__file__).resolve().parent
# Tried in order: vectorised tanh through glibc's libmvec, then plain libm.
_FLAG_SETS = (
    ["-O3", "-march=native", "-fno-math-errno", "-DBIORNN_LIBMVEC", "-Wl,--no-undefined",
     "-lmvec", "-lm"],
    ["-O3", "-march=native", "-fno-math-errno", "-lm"],
    ["-O3", "-fno-math-errno", "-lm"],
)
_loaded: dict = {}
_errors: dict = {}


def cache_dir():
    """The folder compiled kernels are kept in (created on demand)."""
    env = os.environ.get("BIORNN_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "biornn" / "kernels"


def _cpu_signature():
    try:
        with open("/proc/cpuinfo") as fh:
            lines = [ln for ln in fh if ln.startswith(("model name", "flags"))][:2]
    except OSError:
        lines = [platform.processor()]
    return platform.machine() + "".join(lines)


def _build(source, flags, target):
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        raise OSError("no C compiler found (set CC or install gcc)")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".so", dir=target.parent)
    os.close(fd)
    try:
        proc = subprocess.run([cc, "-shared", "-fPIC", "-o", tmp, str(source), *flags],
                              capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            raise OSError(f"{cc} failed: {proc.stderr.strip()[-500:]}")
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _load_or_build(source, flags, target):
    """Load the cached library, building it first if absent and again if unloadable."""
    if target.exists():
        try:
            return ctypes.CDLL(str(target))
        except OSError:                  # truncated or corrupt: build it again
            target.unlink(missing_ok=True)
    _build(source, flags, target)
    return ctypes.CDLL(str(target))


def load(name):
    """The compiled kernel ``_<name>_kernel.c`` as a :class:`ctypes.CDLL`, or ``None``.

    Set ``BIORNN_NO_COMPILE=1`` to never compile (the numpy paths are used).
    """
    if name in _loaded:
        return _loaded[name]
    lib = None
    if os.environ.get("BIORNN_NO_COMPILE", "") not in ("", "0"):
        _errors[name] = "BIORNN_NO_COMPILE is set"
    else:
        source = _HERE / f"_{name}_kernel.c"
        # the kernel and the headers it may include (the build key covers both)
        text = source.read_bytes() + b"".join(h.read_bytes() for h in sorted(_HERE.glob("_*.h")))
        errors = []
        for flags in _FLAG_SETS:
            key = hashlib.sha256(text + " ".join(flags).encode() + _cpu_signature().encode()
                                 + sysconfig.get_platform().encode()
                                 + sys.version.encode()).hexdigest()[:20]
            target = cache_dir() / f"{name}_{key}.so"
            try:
                lib = _load_or_build(source, flags, target)
                break
            except (OSError, subprocess.SubprocessError) as err:
                errors.append(str(err))
        if lib is None:
            _errors[name] = "; ".join(errors)
    _loaded[name] = lib
    return lib


def build_error(name):
    """Why :func:`load` returned ``None`` for ``name`` (empty if it did not)."""
    return _errors.get(name, "")


def blas_pointer(routine):
    """Address of a BLAS routine (``"sgemm"``, ``"dgemm"``, ...) of scipy's BLAS."""
    from scipy.linalg import cython_blas

    capsule = cython_blas.__pyx_capi__[routine]
    api = ctypes.pythonapi
    api.PyCapsule_GetName.restype = ctypes.c_char_p
    api.PyCapsule_GetName.argtypes = [ctypes.py_object]
    api.PyCapsule_GetPointer.restype = ctypes.c_void_p
    api.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    return api.PyCapsule_GetPointer(capsule, api.PyCapsule_GetName(capsule))


def address(a, dtype, kernel):
    """Address of ``a`` for a C kernel that needs a C-contiguous array of ``dtype``.

    Raises TypeError naming ``kernel`` otherwise (an internal error: the callers
    allocate what they pass).
    """
    if not (a.flags.c_contiguous and a.dtype == dtype):
        raise TypeError(f"internal: the {kernel} kernel needs C-contiguous {dtype} arrays, "
                        f"got {a.dtype} with strides {a.strides}")
    return a.ctypes.data
