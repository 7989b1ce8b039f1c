"""Run the batched liquid as a compiled ``cpp_standalone`` binary, built once.

Brian2's ``cpp_standalone`` device turns the network into a C++ program.  We build
it once per network shape (column, copies per chunk, channels, duration, input
capacity) in a cache folder keyed by a hash of everything that enters the code, so
later runs, in this process or another, reuse the binary (``make`` finds nothing to
recompile; a manifest of the file names lets a new process skip code generation
too).  Per chunk only data changes:

* the initial potentials go in through Brian2's ``run_args`` mechanism
  (``liquid.v=<file>`` on the command line);
* the input spikes are the ``SpikeGeneratorGroup``'s static arrays, which the
  binary reads from ``static_arrays/`` at start-up.  Their size is compiled in, so
  the group is built with a fixed capacity of spikes; unused slots hold a time bin
  the run never reaches.  We overwrite those two files (``neuron_index`` and
  ``_timebins``) with the chunk's spikes.  A chunk with more spikes than the
  capacity triggers one rebuild with twice the capacity.

The binary is run with ``subprocess`` and the spike monitor's result files are read
directly, so the Brian2 device is set back to ``runtime`` right after the build
and the rest of the process is unaffected.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import resource
import subprocess
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None

import numpy as np
import brian2 as b2

from .encoding import spikes_to_steps
from .runtime import build_liquid

__all__ = ["StandaloneSimulator", "cache_dir"]

_FAR = np.iinfo(np.int32).max  # time bin of unused input slots: never reached


def cache_dir() -> Path:
    """Folder of compiled liquids: ``$BIORNN_CACHE`` or ``~/.cache/biornn``."""
    return Path(os.environ.get("BIORNN_CACHE", Path.home() / ".cache" / "biornn")) / "standalone"


def _fingerprint(lsm, n_copies, n_channels, duration, capacity) -> str:
    h = hashlib.sha256()
    prefs = (b2.prefs.core.default_float_dtype, b2.prefs.codegen.cpp.extra_compile_args,
             b2.prefs.codegen.cpp.extra_compile_args_gcc)
    h.update(repr(prefs).encode())
    h.update(repr((b2.__version__, lsm.brian_seed, lsm.shape, lsm.dt, lsm.method, n_copies, n_channels,
                   duration, capacity, repr(lsm.cell), sorted(lsm.neuron.items()),
                   sorted(lsm.input.items()))).encode())
    for proj in list(lsm.recurrent.values()) + [lsm.input_projection(n_channels)]:
        h.update(proj.pre.tobytes())
        h.update(proj.post.tobytes())
        for key in sorted(proj.params):
            h.update(key.encode() + np.ascontiguousarray(proj.params[key]).tobytes())
    h.update(lsm.inhibitory.tobytes())
    here = Path(__file__).resolve().parent       # all the code that writes the network,
    for module in sorted(here.glob("*.py")):      # feature constants included
        h.update(module.name.encode() + module.read_bytes())
    if lsm.extensions:
        h.update(repr(lsm.extensions).encode())
    return h.hexdigest()[:20]


@contextlib.contextmanager
def _locked(path):
    """Hold an exclusive lock on ``path`` (POSIX; a no-op where fcntl is missing)."""
    with open(path, "w") as fh:
        if fcntl is not None:
            fcntl.flock(fh, fcntl.LOCK_EX)
        yield


class StandaloneSimulator:
    """Compiled network of ``n_copies`` columns; ``run_chunk`` only rewrites inputs.

    ``last_run_time`` is the simulation time the binary itself reported (s),
    ``last_cpu_time`` the CPU time of the whole binary (loading arrays included).
    """

    def __init__(self, lsm, kind, n_copies, n_channels, duration, capacity=None):
        if kind != "spikes":
            raise NotImplementedError("cpp_standalone runs spike input only")
        self.lsm, self.n_copies, self.n_channels = lsm, n_copies, n_channels
        self.duration = duration
        rate_guess = 40.0 * n_channels * n_copies * duration
        self.capacity = int(capacity or 2 ** int(np.ceil(np.log2(max(rate_guess, 64)))))
        self._build()

    def _build(self):
        fp = _fingerprint(self.lsm, self.n_copies, self.n_channels, self.duration, self.capacity)
        self.directory = cache_dir() / fp
        self.directory.mkdir(parents=True, exist_ok=True)
        # one process builds a given network; the others wait and reuse its binary
        with _locked(cache_dir() / f"{fp}.build.lock"):
            self._build_locked()

    def _build_locked(self):
        lsm, cap = self.lsm, self.capacity
        manifest = self.directory / "biornn_manifest.json"
        if manifest.exists() and (self.directory / "main").exists():
            self._load_manifest(json.loads(manifest.read_text()))
            return
        b2.set_device("cpp_standalone", build_on_run=False, directory=str(self.directory))
        try:
            b2.device.reinit()
            b2.device.activate(build_on_run=False, directory=str(self.directory))
            b2.seed(lsm.brian_seed)
            parts = build_liquid(lsm, self.n_copies, self.n_channels, "spikes")
            n_in = self.n_copies * self.n_channels
            slots = np.arange(cap)
            # placeholder spikes far beyond the run (distinct neuron/time pairs)
            parts["inputs"].set_spikes(slots % n_in,
                                       (self.duration + 1.0 + (slots // n_in) * lsm.dt)
                                       * b2.second)
            parts["liquid"].v = 0 * b2.volt
            net = b2.Network(*parts["objects"])
            net.run(self.duration * b2.second, namespace={})
            b2.device.build(directory=str(self.directory), compile=True, run=False)
            dev = b2.device
            ivars = parts["inputs"].variables
            self._input_files = {
                key: self._static_file(dev, ivars[key]) for key in ("neuron_index", "_timebins")}
            mon = parts["monitor"]
            self._result_files = {k: (dev.get_array_filename(mon.variables[k]),
                                      mon.variables[k].dtype) for k in ("i", "t")}
            self._v_name = f"{parts['liquid'].name}.v"
        finally:
            b2.device.reinit()
            b2.set_device("runtime")
        tmp = manifest.with_name(manifest.name + ".tmp")
        tmp.write_text(json.dumps({
            "inputs": {k: [p.name, np.dtype(d).str] for k, (p, d) in self._input_files.items()},
            "results": {k: [f, np.dtype(d).str] for k, (f, d) in self._result_files.items()},
            "v_name": self._v_name}))
        os.replace(tmp, manifest)  # readers never see a half-written manifest

    def _load_manifest(self, m):
        static = self.directory / "static_arrays"
        self._input_files = {k: (static / f, np.dtype(d)) for k, (f, d) in m["inputs"].items()}
        self._result_files = {k: (f, np.dtype(d)) for k, (f, d) in m["results"].items()}
        self._v_name = m["v_name"]

    def _static_file(self, dev, var):
        target = dev.get_array_name(var, access_data=False)
        names = [name for name in dev.static_arrays if name.startswith(f"_static_array_{target}")]
        if not names:
            raise RuntimeError(f"cannot locate the static array of {target}")
        # the file holds the dtype of the values Brian2 was given, not of the variable
        return self.directory / "static_arrays" / names[-1], dev.static_arrays[names[-1]].dtype

    def run_chunk(self, trials, v0, duration):
        """Run the binary on one chunk; return global neuron indices and spike times.

        The cache folder is locked for the chunk, so processes sharing a compiled
        liquid take turns instead of overwriting each other's input files.
        """
        chans, steps = [], []
        for k, (c, t) in enumerate(trials):
            ck, sk = spikes_to_steps(c, t, self.lsm.dt)
            chans.append(ck + k * self.n_channels)
            steps.append(sk)
        chans = np.concatenate(chans) if chans else np.zeros(0, dtype=np.int64)
        steps = np.concatenate(steps) if steps else np.zeros(0, dtype=np.int64)
        if chans.size > self.capacity:  # a binary with room for more input spikes
            self.capacity = 2 ** int(np.ceil(np.log2(chans.size)))
            self._build()
        with _locked(self.directory / "biornn.lock"):
            return self._run_locked(trials, chans, steps, v0)

    def _run_locked(self, trials, chans, steps, v0):
        order = np.argsort(steps, kind="stable")
        index = np.zeros(self.capacity, dtype=np.int32)
        bins = np.full(self.capacity, _FAR, dtype=np.int32)
        index[:chans.size] = chans[order]
        bins[:chans.size] = steps[order]
        for key, values in (("neuron_index", index), ("_timebins", bins)):
            path, dtype = self._input_files[key]
            values.astype(dtype).tofile(path)
        v = np.zeros((self.n_copies, self.lsm.n_neurons))
        v[:len(v0)] = v0
        v_file = self.directory / "static_arrays" / "biornn_v_init.dat"
        v.ravel().astype(np.float64).tofile(v_file)
        results = self.directory / "results"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(["./main", "--results_dir", str(results) + os.sep,
                        f"{self._v_name}=static_arrays/{v_file.name}"],
                       cwd=self.directory, check=True, stdout=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.last_cpu_time = (after.ru_utime + after.ru_stime
                              - before.ru_utime - before.ru_stime)
        info = results / "last_run_info.txt"
        self.last_run_time = float(info.read_text().split()[0]) if info.exists() else None
        i = np.fromfile(results / self._result_files["i"][0],
                        dtype=self._result_files["i"][1]).astype(np.int64)
        t = np.fromfile(results / self._result_files["t"][0], dtype=self._result_files["t"][1])
        keep = i < len(trials) * self.lsm.n_neurons
        return i[keep], t[keep]
