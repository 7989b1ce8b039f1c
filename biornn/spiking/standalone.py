"""Run the batched liquid as a compiled ``cpp_standalone`` binary, built once.

Brian2's ``cpp_standalone`` device turns the network into a C++ program.  We build
it once per network shape (grid, cell, copies per chunk, channels, input and synapse
capacities) in a cache folder keyed by a hash of everything that enters the code, so
later runs, in this process or another, reuse the binary (``make`` finds nothing to
recompile; a manifest of the file names and checksums lets a new process skip
code generation too).  What is data is not compiled in:

* the run's duration: the generated ``main.cpp`` is patched to read it from the
  environment (``BIORNN_DURATION``, the compiled value when unset), so trials of
  every duration (:mod:`biornn.spiking.ragged`) share one binary;
* a plain liquid's connectivity (no extensions): every projection is padded to a
  capacity (its expected size plus a margin, :func:`synapse_capacities`) with inert
  synapses (``A = 0``, which add exactly zero current), and the synapse indices and
  parameters and the refractory periods are static arrays rewritten for the liquid
  that runs, so liquids of every seed share one binary.  A liquid with more
  synapses than the capacity triggers one rebuild with room for it.

Per chunk only data changes:

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
from .connectivity import Projection
from .learning import plasticity_on
from .runtime import build_liquid, replicate

__all__ = ["StandaloneSimulator", "cache_dir", "synapse_capacities"]

_FAR = np.iinfo(np.int32).max  # time bin of unused input slots: never reached
_DURATION_ENV = "BIORNN_DURATION"
#: parameters of the padding synapses: no current (A = 0), valid TM parameters
_INERT = {"A": 0.0, "U": 0.5, "D": 0.1, "F": 0.1, "delay": 0.0}


def cache_dir() -> Path:
    """Folder of compiled liquids: ``$BIORNN_CACHE`` or ``~/.cache/biornn``."""
    return Path(os.environ.get("BIORNN_CACHE", Path.home() / ".cache" / "biornn")) / "standalone"


def _reusable(lsm, recording=None) -> bool:
    """A plain liquid's connectivity is data of a shared binary; extensions', a plastic
    or learned liquid's and a recording build's are compiled into their own binary."""
    return (not lsm.extensions and recording is None and not plasticity_on(lsm)
            and not getattr(lsm, "learned", {}))


def synapse_capacities(lsm) -> dict:
    """Room for the recurrent synapses of ``lsm``'s shape: ``{"E": int, "I": int}``.

    The expected count of each projection over the random draws (the grid's pair
    weights ``S = sum_{a != b} exp(-(D(a,b)/lambda)^2)``, separable over the axes,
    times the mean ``C`` of the presynaptic type over random type assignments),
    plus 5 standard deviations of a binomial count and 3%, rounded up to 64: any
    seed of the same shape and parameters fits (and shares the binary) but a rare
    outlier, for which the binary is rebuilt.
    """
    lam = lsm.length_constant
    S = np.prod([sum((m - abs(d)) * np.exp(-(d / lam) ** 2) for d in range(1 - m, m))
                 for m in lsm.shape]) - lsm.n_neurons
    n = lsm.n_neurons
    n_i = int(round(lsm.inhibitory_fraction * n))
    n_e = n - n_i
    C = lsm.connectivity.to_dict()
    pairs = max(n * (n - 1), 1)
    mean = {"E": S * (C["EE"] * n_e * (n_e - 1) + C["EI"] * n_e * n_i) / pairs,
            "I": S * (C["IE"] * n_i * n_e + C["II"] * n_i * (n_i - 1)) / pairs}
    return {k: int(64 * np.ceil((1.03 * m + 5 * np.sqrt(m) + 1) / 64)) for k, m in mean.items()}


def _fingerprint(lsm, n_copies, n_channels, capacity, synapse_room, recording=None) -> str:
    h = hashlib.sha256()
    prefs = (b2.prefs.core.default_float_dtype, b2.prefs.codegen.cpp.extra_compile_args,
             b2.prefs.codegen.cpp.extra_compile_args_gcc,
             b2.prefs.devices.cpp_standalone.openmp_threads)  # compiled into the binary
    h.update(repr(prefs).encode())
    h.update(repr((b2.__version__, lsm.shape, lsm.dt, lsm.method, n_copies, n_channels,
                   capacity, repr(lsm.cell), sorted(lsm.neuron.items()),
                   sorted(lsm.input.items()))).encode())
    if synapse_room is not None:   # the connectivity is data: only its room is compiled
        h.update(repr(sorted(synapse_room.items())).encode())
    else:
        h.update(repr(lsm.brian_seed).encode())
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


def _padded(proj, room, n_pre, n_post):
    """``proj`` with inert synapses appended up to ``room`` (spread over the neurons)."""
    k = np.arange(room - proj.n_synapses)
    return Projection(np.concatenate([proj.pre, k % n_pre]),
                      np.concatenate([proj.post, k % n_post]),
                      {key: np.concatenate([v, np.full(k.size, _INERT[key])])
                       for key, v in proj.params.items()})


class _PaddedLiquid:
    """The liquid as the shared binary sees it: every projection padded to its room."""

    def __init__(self, lsm, room, n_channels):
        self._lsm = lsm
        n = lsm.n_neurons
        self.recurrent = {k: _padded(p, room[k], n, n) for k, p in lsm.recurrent.items()}
        self._input = lsm.input_projection(n_channels)

    def __getattr__(self, name):
        return getattr(self._lsm, name)

    def input_projection(self, n_channels):
        return self._input


def _patch_duration(directory):
    """Let ``main`` read the run's duration from ``$BIORNN_DURATION``."""
    main = Path(directory) / "main.cpp"
    code = main.read_text()
    code, n = re.subn(r"\b(network\w*)\.run\(([^,()]+),", r"\1.run(biornn_duration(\2),",
                      code)
    if n != 1:
        raise RuntimeError(f"cannot make the run duration of {main} a parameter: found "
                           f"{n} network.run calls, expected 1")
    helper = ("#include <cstdlib>\n"
              "static double biornn_duration(double compiled) {\n"
              f"    const char* s = std::getenv(\"{_DURATION_ENV}\");\n"
              "    return s ? std::strtod(s, NULL) : compiled;\n}\n")
    main.write_text(helper + code)


_MANIFEST = "biornn_manifest.json"
_MANIFEST_VERSION = 3
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
    """Compiled network of up to ``n_copies`` columns; ``run_chunk`` only rewrites data.

    A chunk may hold fewer trials than ``n_copies`` (the other copies get no input
    and start at 0 V) and last any duration.  ``last_run_time`` is the simulation
    time the binary itself reported (s), ``last_cpu_time`` the CPU time of the whole
    binary (loading arrays included).

    ``recording`` (optional) adds Brian2 objects to the build and names result
    arrays to read back after each run (``last_results``, flat arrays): an object
    with ``key`` (a string, part of the cache key: everything it adds that is not
    in the liquid) and ``attach(parts) -> (objects, {name: brian2 Variable})``,
    called with :func:`~biornn.spiking.runtime.build_liquid`'s parts during the build.
    :func:`biornn.spiking.learning.learn` records its history this way.  A build
    with a recording has its connectivity compiled in (no shared binary).
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
        self.room = None
        if _reusable(lsm, recording):
            room = synapse_capacities(lsm)
            self.room = {k: max(r, -(-lsm.recurrent[k].n_synapses // 64) * 64)
                         for k, r in room.items()}
        self._liquid_data = None
        self._build()

    # ------------------------------------------------------------------ the cached build
    def _build(self):
        fp = _fingerprint(self.lsm, self.n_copies, self.n_channels, self.capacity, self.room,
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
            liquid_sizes = {k: int(v) for k, v in m["liquid_sizes"].items()}
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
        self._liquid_sizes, self._liquid_stats = liquid_sizes, None
        self._stamps = stamps

    def _compile(self):
        lsm, cap = self.lsm, self.capacity
        self.directory.mkdir(parents=True, exist_ok=True)
        b2.set_device("cpp_standalone", build_on_run=False, directory=str(self.directory))
        try:
            b2.device.reinit()
            b2.device.activate(build_on_run=False, directory=str(self.directory))
            b2.seed(lsm.brian_seed)
            view = lsm if self.room is None else _PaddedLiquid(lsm, self.room, self.n_channels)
            parts = build_liquid(view, self.n_copies, self.n_channels, "spikes")
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
            b2.device.build(directory=str(self.directory), compile=False, run=False)
            _patch_duration(self.directory)
            from brian2.codegen.cpp_prefs import get_compiler_and_args
            b2.device.compile_source(str(self.directory), get_compiler_and_args()[0],
                                     False, False)
            dev = b2.device
            ivars = parts["inputs"].variables
            inputs = {key: self._static_file(dev, ivars[key])
                      for key in ("neuron_index", "_timebins")}
            if self.room is not None:   # the liquid's own arrays, rewritten per liquid
                inputs.update(self._liquid_files(dev, parts))
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
            "liquid_sizes": {k: p.stat().st_size for k, (p, _) in inputs.items()
                             if k not in ("neuron_index", "_timebins")},
            "v_name": v_name}))
        os.replace(tmp, manifest)  # readers never see a half-written manifest

    def _liquid_files(self, dev, parts):
        """Static arrays holding the liquid's connectivity: ``{"E.pre": (path, dtype), ...}``."""
        files = {"tau_ref": self._static_file(dev, parts["liquid"].variables["tau_ref"])}
        for key, syn in parts["synapses"].items():
            for end, var in (("pre", "sources"), ("post", "targets")):
                files[f"{key}.{end}"] = self._static_file(dev, None, f"_array_{syn.name}_{var}")
            params = ("A",) if key == "input" else ("A", "U", "D", "F", "delay")
            for name in params:
                files[f"{key}.{name}"] = self._static_file(
                    dev, None, f"_dynamic_array_{syn.name}_{name}")
        return files

    def _static_file(self, dev, var, target=None):
        target = target or dev.get_array_name(var, access_data=False)
        names = [name for name in dev.static_arrays if name.startswith(f"_static_array_{target}")]
        if not names:
            raise RuntimeError(f"cannot locate the static array of {target}")
        # the file holds the dtype of the values Brian2 was given, not of the variable
        return self.directory / "static_arrays" / names[-1], dev.static_arrays[names[-1]].dtype

    # ------------------------------------------------------------------ one chunk
    def run_chunk(self, trials, v0, duration):
        """Run the binary on one chunk; return global neuron indices and spike times.

        ``duration`` (s) may differ from chunk to chunk.  The network's lock is held
        for the chunk, so processes sharing a compiled liquid take turns instead of
        overwriting each other's input (or connectivity) files.
        """
        chans, steps = [], []
        for k, (c, t) in enumerate(trials):
            ck, sk = spikes_to_steps(c, t, self.lsm.dt)
            chans.append(ck + k * self.n_channels)
            steps.append(sk)
        chans = np.concatenate(chans) if chans else np.zeros(0, dtype=np.int64)
        steps = np.concatenate(steps) if steps else np.zeros(0, dtype=np.int64)
        if len(trials) > self.n_copies:
            raise ValueError(f"a chunk of {len(trials)} trials does not fit the "
                             f"{self.n_copies} copies of this binary")
        if chans.size > self.capacity:  # a binary with room for more input spikes
            self.capacity = 2 ** int(np.ceil(np.log2(chans.size)))
            self._build()
        with _locked(self._lock):
            self._ensure_built(verify=False)
            if self.room is not None:
                self._write_liquid()
            return self._run_locked(trials, chans, steps, v0, float(duration))

    def _liquid_arrays(self):
        """The padded, replicated connectivity of this liquid and its SHA-256 token."""
        if self._liquid_data is None:
            lsm, c, n = self.lsm, self.n_copies, self.lsm.n_neurons
            view = _PaddedLiquid(lsm, self.room, self.n_channels)
            nrn = lsm.neuron
            arrays = {"tau_ref": np.tile(np.where(lsm.inhibitory, nrn["tau_ref_I"],
                                                  nrn["tau_ref_E"]), c)}
            for key, proj in {**view.recurrent,
                              "input": view.input_projection(self.n_channels)}.items():
                n_pre = self.n_channels if key == "input" else n
                arrays[f"{key}.pre"], arrays[f"{key}.post"] = replicate(
                    proj.pre, proj.post, c, n_pre, n)
                for name, values in proj.params.items():
                    arrays[f"{key}.{name}"] = np.tile(values, c)
            h = hashlib.sha256()
            for key in sorted(arrays):
                h.update(key.encode() + np.ascontiguousarray(arrays[key]).tobytes())
            self._liquid_data = arrays, h.hexdigest()
        return self._liquid_data

    def _write_liquid(self):
        """Write this liquid's connectivity unless the files hold it already.

        They are rewritten when another liquid (of any process) wrote them last, when
        any of them changed on disk since this simulator wrote it, and once per
        simulator (what an earlier process left is not trusted).
        """
        arrays, token = self._liquid_arrays()
        stamp = self.directory / "static_arrays" / "biornn_liquid.sha256"
        files = {key: f for key, f in self._input_files.items() if key in arrays}

        def stats():
            try:
                return {k: (lambda st: (st.st_size, st.st_mtime_ns, st.st_ino))(p.stat())
                        for k, (p, _) in files.items()}
            except OSError:
                return None
        if (getattr(self, "_liquid_stats", None) is not None and stats() == self._liquid_stats
                and stamp.exists() and stamp.read_text() == token):
            return
        stamp.unlink(missing_ok=True)
        for key, (path, dtype) in files.items():
            data = arrays[key].astype(dtype)
            if self._liquid_sizes.get(key, data.nbytes) != data.nbytes:
                raise RuntimeError(f"the liquid's {key} needs {data.nbytes} bytes where the "
                                   f"compiled liquid in {self.directory} reads "
                                   f"{self._liquid_sizes[key]}")
            path.unlink(missing_ok=True)
            data.tofile(path)
        stamp.write_text(token)
        self._liquid_stats = stats()

    def _run_locked(self, trials, chans, steps, v0, duration):
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
                       f"{self._v_name}=static_arrays/{_V_FILE}"], duration)
        info = results / "last_run_info.txt"
        self.last_run_time = float(info.read_text().split()[0]) if info.exists() else None
        spikes = self._read_spikes(results, len(trials) * self.lsm.n_neurons, duration)
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

    def _execute(self, args, duration=None):
        """Run ``main`` with ``args`` for ``duration`` seconds (default: the compiled
        one); any exit code or reported error is a failure."""
        env = dict(os.environ)
        env.pop(_DURATION_ENV, None)
        if duration is not None:
            env[_DURATION_ENV] = repr(float(duration))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        try:
            proc = subprocess.run(["./main", *args], cwd=self.directory, capture_output=True,
                                  text=True, errors="replace", env=env)
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

    def _read_spikes(self, results, n_neurons, duration):
        """Spike indices and times from this run's result files, checked for consistency."""
        arrays = _read_results(results, self._result_files)
        i, t, count = arrays["i"].astype(np.int64), arrays["t"], arrays["N"]
        if count.size != 1 or not (i.size == t.size == int(count[0])):
            raise RuntimeError(f"inconsistent results in {results}: {i.size} indices, "
                               f"{t.size} times, spike count {count.tolist()}")
        if i.size and (i.min() < 0 or i.max() >= self.n_copies * self.lsm.n_neurons
                       or not np.all(np.isfinite(t)) or t.min() < 0
                       or t.max() > duration + self.lsm.dt):
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
