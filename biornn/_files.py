"""Writing files so that nothing half-written is ever left or read.

Each write goes to a uniquely named temporary file in the target's folder and is
renamed over the target (atomic on POSIX), so concurrent writers never share a
temporary name and a failure leaves the old file (or none), never a partial one.
Files get the permissions the user's umask gives (``0o666 & ~umask``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_text_atomic", "write_bytes_atomic", "umask"]


def umask() -> int:
    """The process's current umask (read without changing it for long)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes_atomic(path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a unique temporary file, removed on failure."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_text_atomic(path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically; see :func:`write_bytes_atomic`."""
    write_bytes_atomic(path, text.encode("utf-8"))
