"""Connecting to a Dask cluster: one helper for sweeps and distributed liquids.

A *scheduler* is given as

* an address of a running Dask scheduler (``"tcp://host:8786"``, ``"host:8786"``);
* ``"local"`` or ``"local:N"``: a ``LocalCluster`` of ``N`` worker processes with one
  thread each (Brian2 keeps global state and is not thread-safe, so one thread per
  worker process), started here and closed afterwards;
* a ``distributed.Client`` (used as is, never closed here).

:func:`connect` turns any of them into a client for the length of a ``with`` block.
:func:`use_scheduler` does the same and makes the client the *default scheduler* of
the liquid runs inside the block (:meth:`biornn.spiking.LSM.run` without a
``scheduler=`` argument), which is how ``biornn run SPEC --scheduler ...`` reaches
the liquids an experiment builds without the experiment knowing about Dask.  The
default lives in a :class:`contextvars.ContextVar`, so it is local to the thread
that set it and never leaks into Dask workers (a liquid running *on* a worker does
not send its trials back to the cluster).

Dask over ``tcp://`` exchanges pickles between client, scheduler and workers:
connect only to a scheduler you trust.
"""

from __future__ import annotations

import contextlib
import contextvars

__all__ = ["connect", "use_scheduler", "default_scheduler", "check_scheduler"]

_DEFAULT = contextvars.ContextVar("biornn_default_scheduler", default=None)

MMAP_THRESHOLD = 1 << 25
"""glibc's ``MALLOC_MMAP_THRESHOLD_`` (bytes) for the worker processes biornn starts.
Dask's nanny sets ``MALLOC_TRIM_THRESHOLD_``, which freezes glibc's mmap threshold
at 128 KiB: every temporary array above it (each of a Brian2 numpy-target step's,
for a few dozen copies of a column) is then mmap-ed and unmapped again, and a
column's trials cost several times the CPU time of a plain process.  Up to 32 MiB
they stay on the heap, as in a plain process (``benchmarks/lsm_dask.py`` prints
the trials per second of both).  For workers started by hand: ``MALLOC_MMAP_THRESHOLD_=33554432 dask worker``."""
MMAP_KEY = "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_"


def _distributed(what: str):
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(f"{what} on a Dask cluster needs dask.distributed: "
                          "pip install 'biornn[dask]'") from exc
    return distributed


def _local_workers(text: str, name: str = "scheduler"):
    """``"local"`` -> None (Dask's default count), ``"local:N"`` -> N; else ValueError."""
    _, sep, n = text.partition(":")
    if not sep:
        return None
    if not n.isdigit() or int(n) < 1:
        raise ValueError(f"{name} {text!r}: expected 'local' or 'local:N' with N a "
                         "positive number of worker processes")
    return int(n)


def check_scheduler(name: str, scheduler):
    """Validate a scheduler argument at a public boundary; return it unchanged."""
    if isinstance(scheduler, str):
        if not scheduler.strip():
            raise ValueError(f"{name} must be a scheduler address, 'local[:N]' or a "
                             "distributed.Client, got an empty string")
        if scheduler == "local" or scheduler.startswith("local:"):
            _local_workers(scheduler, name)
        return scheduler
    client_type = _distributed("a run").Client
    if not isinstance(scheduler, client_type):
        raise TypeError(f"{name} must be a scheduler address (str), 'local[:N]' or a "
                        f"distributed.Client, got {type(scheduler).__name__}")
    return scheduler


@contextlib.contextmanager
def connect(scheduler, *, what: str = "a run"):
    """A ``distributed.Client`` for ``scheduler`` while the block runs.

    ``"local[:N]"`` starts a LocalCluster of N single-threaded worker processes
    and closes it on exit; an address opens a client that is closed on exit; a
    client is yielded unchanged and left open.
    """
    check_scheduler("scheduler", scheduler)
    distributed = _distributed(what)
    if isinstance(scheduler, distributed.Client):
        yield scheduler
        return
    with contextlib.ExitStack() as stack:
        if scheduler == "local" or scheduler.startswith("local:"):
            import dask

            with dask.config.set({MMAP_KEY: MMAP_THRESHOLD}):  # read as nannies start
                cluster = stack.enter_context(distributed.LocalCluster(
                    n_workers=_local_workers(scheduler), threads_per_worker=1,
                    processes=True, dashboard_address=None))
            scheduler = cluster.scheduler_address
        yield stack.enter_context(distributed.Client(scheduler))


@contextlib.contextmanager
def use_scheduler(scheduler):
    """Connect to ``scheduler`` and make it the default of the liquid runs in the block.

    ``None`` leaves everything local (the block runs as without it).  Yields the
    client (or None).

    Examples
    --------
    >>> with use_scheduler("local:2"):                      # doctest: +SKIP
    ...     report = biornn.experiments.run(spec)           # its liquids run on Dask
    """
    if scheduler is None:
        yield None
        return
    with connect(scheduler, what="a liquid run") as client:
        token = _DEFAULT.set(client)
        try:
            yield client
        finally:
            _DEFAULT.reset(token)


def default_scheduler():
    """The client set by the innermost :func:`use_scheduler` block, or None."""
    return _DEFAULT.get()
