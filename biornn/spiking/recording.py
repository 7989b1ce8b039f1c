"""Extra recordings of a liquid run: state traces of chosen neurons and users' monitors.

:meth:`~biornn.spiking.lsm.LiquidStateMachine.run` records by default only what the
readout needs (the liquid's spikes).  A :class:`Recorder` adds, for each chunk of
trials, Brian2 monitors to the network (after it is restored, so the stored state
is untouched), and gathers their data:

``record={"v": [0, 5, 9]}``
    A ``StateMonitor`` of the named variables of the chosen neurons of every trial,
    sampled every ``record_dt``; returned as ``{"t": (samples,), "v": (trials,
    samples, neurons)}`` in SI units.
``monitors={"name": factory}``
    ``factory(net)`` gets the :class:`~biornn.spiking.runtime.LiquidNetwork` of the
    chunk and returns a Brian2 monitor of the user's making (copy ``k`` of the chunk
    is trial ``first + k``; its neurons are ``k*n ... (k+1)*n - 1``).  Returned as a
    list with one dict per chunk: ``first`` (index of its first trial), ``n_trials``
    and the monitor's ``get_states(units=False)``.

Memory is bounded: before anything runs, the bytes the state traces will hold
(8 per value) are estimated and a run above ``max_bytes`` is refused; a user's
``StateMonitor`` is checked the same way when it is made (a ``SpikeMonitor``'s size
depends on the activity and cannot be known in advance).
"""

from __future__ import annotations

import numpy as np
import brian2 as b2

from .._validate import check_positive_int, to_seconds

__all__ = ["Recorder", "MAX_RECORD_BYTES"]

#: Default bound of the memory extra recordings may take (bytes).
MAX_RECORD_BYTES = 2 ** 29


def _neurons(name, value, n):
    idx = np.atleast_1d(np.asarray(value))
    if idx.ndim != 1 or idx.size == 0 or not np.issubdtype(idx.dtype, np.integer):
        raise ValueError(f"{name} must be a non-empty list of neuron indices, got {value!r}")
    if idx.min() < 0 or idx.max() >= n:
        raise ValueError(f"{name} must lie in [0, {n}), got values in "
                         f"[{idx.min()}, {idx.max()}]")
    return idx.astype(np.int64)


def _bytes(text):
    return f"{text / 2**20:.1f} MiB"


class Recorder:
    """Monitors added to each chunk of a run, and their data (module docstring)."""

    def __init__(self, lsm, record, monitors, record_dt, max_bytes, n_trials, duration):
        self.lsm, self.duration = lsm, duration
        self.max_bytes = check_positive_int("max_record_bytes", max_bytes)
        self.record = {}
        if record is not None:
            if not isinstance(record, dict) or not record:
                raise TypeError("record must be a dict {variable: neuron indices}, "
                                f"got {record!r}")
            for var, idx in record.items():
                self.record[var] = _neurons(f"record[{var!r}]", idx, lsm.n_neurons)
        self.record_dt = lsm.dt if record_dt is None else to_seconds("record_dt", record_dt)
        if self.record_dt < lsm.dt * (1 - 1e-9) or \
                abs(self.record_dt / lsm.dt - round(self.record_dt / lsm.dt)) > 1e-6:
            raise ValueError(f"record_dt must be a multiple of dt = {lsm.dt} s, "
                             f"got {self.record_dt}")
        self.n_samples = int(round(duration / self.record_dt))
        need = 8 * n_trials * self.n_samples * sum(i.size for i in self.record.values())
        if need > self.max_bytes:
            raise ValueError(f"record would hold {_bytes(need)} (trials x samples x "
                             f"neurons x 8 bytes), more than max_record_bytes = "
                             f"{_bytes(self.max_bytes)}: record fewer neurons, a longer "
                             "record_dt, or raise max_record_bytes")
        self.used = need
        if monitors is not None and (not isinstance(monitors, dict) or not all(
                callable(f) for f in monitors.values())):
            raise TypeError("monitors must be a dict {name: factory(net) -> Brian2 monitor}")
        self.monitors = dict(monitors or {})
        self.traces = {var: [] for var in self.record}
        self.user = {name: [] for name in self.monitors}

    def __bool__(self):
        return bool(self.record or self.monitors)

    def attach(self, net, n_in_chunk):
        """Fresh monitors for one chunk of ``n_in_chunk`` trials on ``net``."""
        objs = {}
        n = self.lsm.n_neurons
        for var, idx in self.record.items():
            if var not in net.neurons.variables:
                raise ValueError(f"record: the liquid's cells have no variable {var!r}; "
                                 f"known: {sorted(net.neurons.equations.names)}")
            rows = (np.arange(n_in_chunk)[:, None] * n + idx[None]).ravel()
            objs[("record", var)] = b2.StateMonitor(
                net.neurons, var, record=rows, dt=self.record_dt * b2.second,
                name=f"record_{var}")
        for name, factory in self.monitors.items():
            mon = factory(net)
            if not isinstance(mon, b2.BrianObject):
                raise TypeError(f"monitors[{name!r}] must return a Brian2 object, got "
                                f"{type(mon).__name__}")
            if isinstance(mon, b2.StateMonitor):
                steps = int(np.ceil(self.duration / float(mon.clock.dt)))
                self.used += 8 * steps * len(mon.record) * len(mon.record_variables)
                if self.used > self.max_bytes:
                    raise ValueError(f"monitors[{name!r}]: the recordings would hold "
                                     f"{_bytes(self.used)}, more than max_record_bytes = "
                                     f"{_bytes(self.max_bytes)}")
            objs[("user", name)] = mon
        return objs

    def collect(self, objs, first, n_in_chunk):
        """Read one chunk's monitors (trials ``first ... first + n_in_chunk - 1``)."""
        for (kind, name), mon in objs.items():
            if kind == "record":
                values = np.asarray(getattr(mon, name + "_")
                                    if hasattr(mon, name + "_") else getattr(mon, name))
                values = values[:, :self.n_samples]   # (rows, samples)
                k = self.record[name].size
                self.traces[name].append(values.reshape(n_in_chunk, k, -1).transpose(0, 2, 1))
            else:
                self.user[name].append({"first": first, "n_trials": n_in_chunk,
                                        **mon.get_states(units=False)})

    def result(self):
        out = {}
        if self.record:
            out["t"] = np.arange(self.n_samples) * self.record_dt
            out.update({var: np.concatenate(chunks) for var, chunks in self.traces.items()})
        out.update(self.user)
        return out
