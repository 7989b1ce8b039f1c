"""Liquid trials on a Dask cluster: ``LSM.run(inputs, scheduler=...)``.

The trials are cut into chunks of copies of the column, exactly as a local run
cuts them (:meth:`~biornn.spiking.LSM.run`), and each chunk becomes one Dask task.
What stays on the client and what travels:

* the initial potentials of every trial are drawn here, on the client, by the
  same code as a local run (``LSM._trial_generators`` then
  ``LSM.initial_potentials``), before anything is sent.  A trial's state therefore
  does not depend on which chunk or worker runs it: the result equals a local run
  with the same liquid and seeds, bit for bit, in the original trial order;
* the liquid is pickled once (without its Brian2 objects and its random stream,
  which the workers never draw from) and broadcast to the workers; a worker
  unpickles it once, keeps it under a token (a hash of the pickle), and reuses the
  Brian2 network it builds for every chunk of this run and of later runs of the
  same liquid.  For ``target="cpp_standalone"`` each worker process compiles into
  its own slot of the cache (``$BIORNN_CACHE/dask-workers/slot-K``, a slot held by
  a file lock for the worker's lifetime), so workers on one machine do not take
  turns on one binary and a restarted worker reuses the binary of a free slot;
* a chunk returns the spike indices and times of its trials; the client puts them
  back in trial order and computes the readout states itself.

A worker that dies while running a chunk loses that chunk's task; the Dask
scheduler runs it again on another worker (up to its ``allowed-failures``
setting, 3 by default), and since the chunk's result is collected once per
chunk, nothing is lost or counted twice.  Workers need one thread each: Brian2
keeps global state (a lock here makes a multi-threaded worker run its chunks one
at a time, so it gains nothing from its extra threads).  Dask over ``tcp://``
exchanges pickles, so the scheduler and workers must be trusted.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import os
import threading
import uuid
from collections import OrderedDict
from pathlib import Path

import numpy as np

from .._dask import connect
from .._dask import use_scheduler

__all__ = ["run_on_cluster", "use_scheduler", "CHUNKS_PER_WORKER"]

CHUNKS_PER_WORKER = 2
"""Default chunks per worker thread: few enough to amortise the per-time-step cost
of a Brian2 run over many copies, enough that a slow worker does not hold the rest."""

_KEEP = 2                       # liquids a worker keeps built
_WORKER_LIQUIDS = OrderedDict()  # token -> LSM (on a worker)
_WORKER_LOCK = threading.Lock()
_SLOT = None                    # (lock file, folder) of this worker's standalone cache


def shipment(lsm):
    """``(token, pickled liquid)``: what the workers receive; the token names it."""
    import cloudpickle

    clone = copy.copy(lsm)
    clone._simulator = None     # Brian2 objects are rebuilt on the worker
    clone._rng = None           # initial states are drawn on the client
    try:
        blob = cloudpickle.dumps(clone)
    except Exception as exc:  # noqa: BLE001  (any pickling failure, re-raised typed)
        raise TypeError(f"the liquid cannot be sent to Dask workers ({type(exc).__name__}: "
                        f"{exc}); extensions must be picklable (create Brian2 objects in "
                        "their build(), not before)") from None
    return hashlib.sha256(blob).hexdigest()[:24], blob


def chunk_bounds(lsm, n_trials, chunk_size, n_slots):
    """``(lo, hi)`` of each chunk, all of one size (the last padded as locally).

    Without ``chunk_size``: ``CHUNKS_PER_WORKER`` chunks per worker thread, never
    larger than the chunks of a local run.
    """
    if chunk_size is None:
        local, _ = lsm._chunking(n_trials, None)
        chunk_size = max(1, min(local, -(-n_trials // (CHUNKS_PER_WORKER * max(1, n_slots)))))
    size, n_chunks = lsm._chunking(n_trials, chunk_size)
    return size, [(c * size, min(n_trials, (c + 1) * size)) for c in range(n_chunks)]


def run_on_cluster(lsm, kind, trials, n_channels, duration, v0, chunk_size, scheduler,
                   progress):
    """Run the trials' chunks on Dask workers; spikes as a local run returns them.

    Parameters
    ----------
    lsm : LiquidStateMachine
    kind : "spikes" or ("current", input_dt, scale)
        As for the liquid's simulators.
    trials : list
        Per trial: ``(channels, times)`` spikes or a ``(time, channels)`` signal.
    n_channels : int
    duration : float
        Trial length (s).
    v0 : ndarray (trials, n_neurons)
        Initial potentials, drawn by the caller.
    chunk_size : int or None
    scheduler : str or distributed.Client
        See :mod:`biornn._dask`.
    progress : bool
        A bar counting finished trials.

    Returns
    -------
    idx, times, trial : ndarray
        Neuron (within its column), spike time (s) and trial of every spike, chunk
        after chunk.
    """
    from tqdm.auto import tqdm

    n_trials = len(trials)
    token, blob = shipment(lsm)
    with connect(scheduler, what="a liquid run") as client:
        from distributed import as_completed

        n_slots = sum(client.nthreads().values())
        size, bounds = chunk_bounds(lsm, n_trials, chunk_size, n_slots)
        liquid = client.scatter(blob, broadcast=True, hash=False)
        run = uuid.uuid4().hex[:12]
        futures = {client.submit(_run_chunk, token, liquid, kind, size, n_channels, duration,
                                 trials[lo:hi], v0[lo:hi], pure=False,
                                 key=f"biornn-liquid-{run}-chunk-{c}"): c
                   for c, (lo, hi) in enumerate(bounds)}
        results = [None] * len(bounds)
        bar = tqdm(total=n_trials, desc="LSM trials", unit="trial", disable=not progress)
        try:
            for fut in as_completed(futures):
                c = futures[fut]
                results[c] = fut.result()
                bar.update(bounds[c][1] - bounds[c][0])
        finally:
            bar.close()
            client.cancel(list(futures) + [liquid])
    n = lsm.n_neurons
    idx = [i % n for i, _ in results]
    trial = [i // n + lo for (i, _), (lo, _) in zip(results, bounds)]
    times = [t for _, t in results]
    return tuple(np.concatenate(a) for a in (idx, times, trial))


# ---------------------------------------------------------------------- on a worker
def _run_chunk(token, blob, kind, n_copies, n_channels, duration, trials, v0):
    """One chunk on a worker: the liquid built once per worker, reused."""
    with _WORKER_LOCK:
        lsm = _WORKER_LIQUIDS.get(token)
        if lsm is None:
            import cloudpickle

            lsm = cloudpickle.loads(blob)
            _WORKER_LIQUIDS[token] = lsm
            while len(_WORKER_LIQUIDS) > _KEEP:
                _WORKER_LIQUIDS.popitem(last=False)
        _WORKER_LIQUIDS.move_to_end(token)
        if lsm.target == "cpp_standalone":
            _own_standalone_cache()
        sim = lsm._simulator_for(kind, n_copies, n_channels, duration)
        return sim.run_chunk(trials, v0, duration)


def _own_standalone_cache():
    """Point this worker process's standalone cache at a slot no live worker holds."""
    global _SLOT
    if _SLOT is not None:
        return
    import fcntl

    base = Path(os.environ.get("BIORNN_CACHE", Path.home() / ".cache" / "biornn"))
    root = base / "dask-workers"
    root.mkdir(parents=True, exist_ok=True)
    for k in itertools.count():
        fh = open(root / f"slot-{k}.lock", "a")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            continue
        _SLOT = (fh, root / f"slot-{k}")    # the lock lives as long as the process
        break
    os.environ["BIORNN_CACHE"] = str(_SLOT[1])
