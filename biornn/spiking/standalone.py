"""Run the batched liquid as a compiled ``cpp_standalone`` binary, built once.

Brian2's ``cpp_standalone`` device turns the network into a C++ program.  We build
it once per network shape (column, copies per chunk, channels, duration, input
capacity) in a cache folder keyed by a hash of everything that enters the code, so
later runs, in this process or another, reuse the binary (``make`` finds nothing to
recompile; a manifest of the file names and checksums lets a new process skip
code generation too).  Per chunk only data changes:

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

A compiled binary exits normally even when it could not read an input or write a
result (it reports the error on its output), so nothing it leaves is trusted:

* the manifest records the size and SHA-256 of what the binary reads (``main``
  and the static arrays, but the inputs rewritten per chunk); they are checked
  before the first chunk, and again before any chunk if a file changed on disk
  meanwhile.  A build whose manifest is unreadable or whose files differ is
  removed and built afresh, with a warning that says what was wrong;
* the ``results`` folder is emptied before each run, so every file read was written
  by that run; a missing or inconsistent result file (spike indices and times of
  different lengths, a count that disagrees, an index or time out of range), a
  non-zero exit code or an error message from the binary raises ``RuntimeError``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import resource
import shutil
import subprocess
import warnings
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None

import numpy as np
import brian2 as b2

from .encoding import spikes_to_steps
from .learning import plasticity_on
from .runtime import build_liquid

__all__ = ["StandaloneSimulator", "cache_dir"]

_FAR = np.iinfo(np.int32).max  # time bin of unused input slots: never reached


def cache_dir() -> Path:
    """Folder of compiled liquids: ``$BIORNN_CACHE`` or ``~/.cache/biornn``."""
    return Path(os.environ.get("BIORNN_CACHE", Path.home() / ".cache" / "biornn")) / "standalone"


def _fingerprint(lsm, n_copies, n_channels, duration, capacity, recording=None) -> str:
    h = hashlib.sha256()
    prefs = (b2.prefs.core.default_float_dtype, b2.prefs.codegen.cpp.extra_compile_args,
             b2.prefs.codegen.cpp.extra_compile_args_gcc,
             b2.prefs.devices.cpp_standalone.openmp_threads)  # compiled into the binary
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
    # the rules' gates and what a learning phase left (thresholds, drawn amplitudes
    # that set the STDP bounds) are static arrays of the build
    h.update(repr(plasticity_on(lsm)).encode())
    for key, values in sorted(getattr(lsm, "learned", {}).items()):
        h.update(key.encode() + np.ascontiguousarray(values).tobytes())
    if recording is not None:
        h.update(recording.key.encode())
    here = Path(__file__).resolve().parent       # all the code that writes the network,
    for module in sorted(here.glob("*.py")):      # feature constants included
        h.update(module.name.encode() + module.read_bytes())
    if lsm.extensions:
        h.update(repr(lsm.extensions).encode())
    return h.hexdigest()[:20]


_MANIFEST = "biornn_manifest.json"
_MANIFEST_VERSION = 2
_V_FILE = "biornn_v_init.dat"
# what the generated C++ prints when it cannot open, read or write a file
_REPORTED_ERROR = re.compile(r"error|cannot|could not|fail", re.IGNORECASE)


@contextlib.contextmanager
def _locked(path):
    """Hold an exclusive lock on ``path`` (POSIX; a no-op where fcntl is missing)."""
    with open(path, "w") as fh:
        if fcntl is not None:
            fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def _sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class CacheDamaged(Exception):
    """A cached build that cannot be trusted (the message says why)."""


class StandaloneSimulator:
    """Compiled network of ``n_copies`` columns; ``run_chunk`` only rewrites inputs.

    ``last_run_time`` is the simulation time the binary itself reported (s),
    ``last_cpu_time`` the CPU time of the whole binary (loading arrays included).

    ``recording`` (optional) adds Brian2 objects to the build and names result
    arrays to read back after each run (``last_results``, flat arrays): an object
    with ``key`` (a string, part of the cache key: everything it adds that is not
    in the liquid) and ``attach(parts) -> (objects, {name: brian2 Variable})``,
    called with :func:`~biornn.spiking.runtime.build_liquid`'s parts during the build.
    :func:`biornn.spiking.learning.learn` records its history this way.
    """

    def __init__(self, lsm, kind, n_copies, n_channels, duration, capacity=None,
                 recording=None):
        if kind != "spikes":
            raise NotImplementedError("cpp_standalone runs spike input only")
        self.lsm, self.n_copies, self.n_channels = lsm, n_copies, n_channels
        self.duration, self.recording = duration, recording
        self.last_results = {}
        rate_guess = 40.0 * n_channels * n_copies * duration
        self.capacity = int(capacity or 2 ** int(np.ceil(np.log2(max(rate_guess, 64)))))
        self._build()

    # ------------------------------------------------------------------ the cached build
    def _build(self):
        fp = _fingerprint(self.lsm, self.n_copies, self.n_channels, self.duration, self.capacity,
                          self.recording)
        cache_dir().mkdir(parents=True, exist_ok=True)
        self.directory = cache_dir() / fp
        # One lock per network, outside its folder (which a rebuild removes): one
        # process builds it, the others wait and reuse the binary; chunks take turns.
        self._lock = cache_dir() / f"{fp}.lock"
        with _locked(self._lock):
            self._stamps = {}
            self._ensure_built(verify=True)

    def _ensure_built(self, verify):
        """Use the cached build if it checks out, else remove it and build afresh.

        ``verify=False`` re-hashes the files only if one changed size, time or
        inode since the last check (the check before every chunk).  Make would
        recompile every object anyway, so a damaged build is not patched but
        replaced.
        """
        if not verify and not self._changed_on_disk():
            return
        try:
            self._load_manifest()
            return
        except CacheDamaged as exc:
            if (self.directory / _MANIFEST).exists() or (self.directory / "main").exists():
                warnings.warn(f"the compiled liquid cached in {self.directory} is damaged "
                              f"({exc}); rebuilding it", RuntimeWarning, stacklevel=4)
        shutil.rmtree(self.directory, ignore_errors=True)
        self._compile()
        try:
            self._load_manifest()
        except CacheDamaged as exc:
            raise RuntimeError(f"the liquid just compiled in {self.directory} fails its own "
                               f"check ({exc})") from None

    def _changed_on_disk(self):
        for path, stamp in self._stamps.items():
            try:
                st = path.stat()
            except OSError:
                return True
            if (st.st_size, st.st_mtime_ns, st.st_ino) != stamp:
                return True
        return False

    def _load_manifest(self):
        """Read the manifest and check every file it lists (size and SHA-256)."""
        manifest = self.directory / _MANIFEST
        try:
            m = json.loads(manifest.read_text())
            if m.get("version") != _MANIFEST_VERSION or "main" not in m["files"]:
                raise CacheDamaged("manifest of another version")
            files = {rel: (int(size), str(digest)) for rel, (size, digest) in m["files"].items()}
            static = self.directory / "static_arrays"
            inputs = {k: (static / f, np.dtype(d)) for k, (f, d) in m["inputs"].items()}
            results = {k: (f, np.dtype(d)) for k, (f, d) in m["results"].items()}
            extra = {k: (f, np.dtype(d)) for k, (f, d) in m.get("extra", {}).items()}
            v_name = str(m["v_name"])
        except FileNotFoundError:
            raise CacheDamaged("no manifest") from None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CacheDamaged(f"unreadable manifest: {type(exc).__name__}: {exc}") from None
        stamps, damaged = {}, []
        for rel, (size, digest) in files.items():
            path = self.directory / rel
            try:
                st = path.stat()
            except OSError:
                damaged.append((rel, "missing"))
                continue
            if st.st_size != size:
                damaged.append((rel, f"has {st.st_size} bytes, the build wrote {size}"))
            elif _sha256(path) != digest:
                damaged.append((rel, "differs from the build (SHA-256)"))
            stamps[path] = (st.st_size, st.st_mtime_ns, st.st_ino)
        if damaged:
            raise CacheDamaged("; ".join(f"{rel} {why}" for rel, why in damaged))
        self._input_files, self._result_files, self._v_name = inputs, results, v_name
        self._extra_files = extra
        self._stamps = stamps

    def _compile(self):
        lsm, cap = self.lsm, self.capacity
        self.directory.mkdir(parents=True, exist_ok=True)
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
            added, variables = (self.recording.attach(parts) if self.recording is not None
                                else ([], {}))
            net = b2.Network(*parts["objects"], *added)
            net.run(self.duration * b2.second, namespace={})
            b2.device.build(directory=str(self.directory), compile=True, run=False)
            dev = b2.device
            ivars = parts["inputs"].variables
            inputs = {key: self._static_file(dev, ivars[key])
                      for key in ("neuron_index", "_timebins")}
            mon = parts["monitor"]
            results = {k: (dev.get_array_filename(mon.variables[k]), mon.variables[k].dtype)
                       for k in ("i", "t", "N")}
            extra = {k: (dev.get_array_filename(var), var.dtype) for k, var in variables.items()}
            v_name = f"{parts['liquid'].name}.v"
        finally:
            b2.device.reinit()
            b2.set_device("runtime")
        # what the binary reads: itself and its static arrays, but the chunk's inputs
        rewritten = {path.name for path, _ in inputs.values()}
        checked = [self.directory / "main"] + sorted(
            p for p in (self.directory / "static_arrays").iterdir() if p.name not in rewritten)
        manifest = self.directory / _MANIFEST
        tmp = manifest.with_name(manifest.name + ".tmp")
        tmp.write_text(json.dumps({
            "version": _MANIFEST_VERSION,
            "files": {str(p.relative_to(self.directory)): [p.stat().st_size, _sha256(p)]
                      for p in checked},
            "inputs": {k: [p.name, np.dtype(d).str] for k, (p, d) in inputs.items()},
            "results": {k: [f, np.dtype(d).str] for k, (f, d) in results.items()},
            "extra": {k: [f, np.dtype(d).str] for k, (f, d) in extra.items()},
            "v_name": v_name}))
        os.replace(tmp, manifest)  # readers never see a half-written manifest

    def _static_file(self, dev, var):
        target = dev.get_array_name(var, access_data=False)
        names = [name for name in dev.static_arrays if name.startswith(f"_static_array_{target}")]
        if not names:
            raise RuntimeError(f"cannot locate the static array of {target}")
        # the file holds the dtype of the values Brian2 was given, not of the variable
        return self.directory / "static_arrays" / names[-1], dev.static_arrays[names[-1]].dtype

    # ------------------------------------------------------------------ one chunk
    def run_chunk(self, trials, v0, duration):
        """Run the binary on one chunk; return global neuron indices and spike times.

        The network's lock is held for the chunk, so processes sharing a compiled
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
        with _locked(self._lock):
            self._ensure_built(verify=False)
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
        v.ravel().astype(np.float64).tofile(self.directory / "static_arrays" / _V_FILE)
        results = self.directory / "results"
        self._clear(results)
        self._execute(["--results_dir", str(results) + os.sep,
                       f"{self._v_name}=static_arrays/{_V_FILE}"])
        info = results / "last_run_info.txt"
        self.last_run_time = float(info.read_text().split()[0]) if info.exists() else None
        spikes = self._read_spikes(results, len(trials) * self.lsm.n_neurons)
        self.last_results = _read_results(results, self._extra_files)
        return spikes

    @staticmethod
    def _clear(results):
        """Empty the results folder, so that every file read later is this run's."""
        try:
            if results.is_symlink() or results.is_file():
                results.unlink()
            elif results.exists():
                shutil.rmtree(results)
            results.mkdir()
        except OSError as exc:
            raise RuntimeError(f"cannot empty the results folder {results} of the compiled "
                               f"liquid: {exc}") from None

    def _execute(self, args):
        """Run ``main`` with ``args``; any exit code or reported error is a failure."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        try:
            proc = subprocess.run(["./main", *args], cwd=self.directory, capture_output=True,
                                  text=True, errors="replace")
        except OSError as exc:
            raise RuntimeError(f"cannot run the compiled liquid {self.directory / 'main'}: "
                               f"{exc}") from None
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.last_cpu_time = (after.ru_utime + after.ru_stime
                              - before.ru_utime - before.ru_stime)
        said = "\n".join(s for s in (proc.stdout.strip(), proc.stderr.strip()) if s)
        if proc.returncode != 0 or proc.stderr.strip() or _REPORTED_ERROR.search(proc.stdout):
            raise RuntimeError(f"the compiled liquid in {self.directory} failed (exit code "
                               f"{proc.returncode}): {said[-2000:] or 'no message'}")

    def _read_spikes(self, results, n_neurons):
        """Spike indices and times from this run's result files, checked for consistency."""
        arrays = _read_results(results, self._result_files)
        i, t, count = arrays["i"].astype(np.int64), arrays["t"], arrays["N"]
        if count.size != 1 or not (i.size == t.size == int(count[0])):
            raise RuntimeError(f"inconsistent results in {results}: {i.size} indices, "
                               f"{t.size} times, spike count {count.tolist()}")
        if i.size and (i.min() < 0 or i.max() >= self.n_copies * self.lsm.n_neurons
                       or not np.all(np.isfinite(t)) or t.min() < 0
                       or t.max() > self.duration + self.lsm.dt):
            raise RuntimeError(f"spike indices or times out of range in {results}")
        keep = i < n_neurons
        return i[keep], t[keep].copy()


def _read_results(results, files):
    """``{key: flat array}`` of the result files ``{key: (name, dtype)}`` in ``results``."""
    arrays = {}
    for key, (name, dtype) in files.items():
        path = results / name
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise RuntimeError(f"the compiled liquid did not write its result {path}: "
                               f"{exc}") from None
        if len(raw) % dtype.itemsize:
            raise RuntimeError(f"result file {path} is truncated ({len(raw)} bytes)")
        arrays[key] = np.frombuffer(raw, dtype=dtype)
    return arrays
