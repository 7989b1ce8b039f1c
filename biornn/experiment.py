"""Run one simulation spec: task -> model -> readout -> metrics -> report.

An experiment *kind* (``"esn_benchmark"``, ``"lsm_vs_esn"``, ...) is a small
runner function registered with :func:`register` together with the schema
of its spec (see :mod:`biornn.specs`).  A runner only wires package
functions together; it records what it measured on a :class:`Report`::

    @register("esn_benchmark", schema={...}, figures=("traces",))
    def esn_benchmark(spec, seed, report):
        ...
        report.metric("nrmse", nrmse(y_test, y_pred))
        report.plot("traces", plots.traces, y_test, y_pred)

:func:`run` executes a resolved spec and returns the :class:`Report`;
:func:`write_run` writes ``results.json`` (metrics, timings, tables, the
resolved spec, the seed, versions of biornn, brian2 and numpy) and one PNG
per figure into a new folder that never replaces an earlier run.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path

from . import schema as _schema
from . import specs as _specs

__all__ = ["register", "experiments", "load_spec", "run", "write_run", "Report", "Experiment",
           "versions"]

#: Modules whose import registers runners (imported on first use).
RUNNER_MODULES = ("biornn.runners.reservoir", "biornn.runners.lsm_vs_esn",
                  "biornn.runners.hopfield", "biornn.runners.gradient",
                  "biornn.runners.plasticity")


@dataclass(frozen=True)
class Experiment:
    """A registered experiment kind: its runner, spec schema and figures."""

    kind: str
    runner: object
    schema: dict
    figures: tuple = ()
    help: str = ""
    requires: tuple = ()


_REGISTRY: dict[str, Experiment] = {}


def register(kind: str, *, schema: dict, figures=(), help: str = "", requires=()):
    """Decorator registering ``runner(spec, seed, report)`` for experiment ``kind``.

    ``schema`` maps table names to ``{key: Field}`` or a ``ModelParams``;
    ``figures`` names the figures the runner may draw; ``requires`` names
    modules the runner imports (checked when a spec is loaded).
    """
    def deco(runner):
        _REGISTRY[kind] = Experiment(kind, runner, schema, tuple(figures),
                                     help or (runner.__doc__ or "").strip().split("\n")[0],
                                     tuple(requires))
        return runner
    return deco


def experiments() -> dict[str, Experiment]:
    """All registered experiment kinds (importing the runner modules first)."""
    for name in RUNNER_MODULES:
        importlib.import_module(name)
    return dict(_REGISTRY)


def load_spec(name, overrides=(), *, seed=None) -> dict:
    """Read, override and validate a simulation spec.

    Parameters
    ----------
    name : str or path
        A file, or the name of a spec in ``simulations/``.
    overrides : sequence of "table.key=value", or dict
        Applied before validation, so bad overrides are reported too.
    seed : int, optional
        Replaces ``experiment.seed``.

    Returns
    -------
    dict
        The resolved spec (see :func:`biornn.schema.validate_simulation`),
        with ``experiment.spec_file`` set to the file it came from.
    """
    raw, path = _specs.read_simulation(name)
    raw = _specs.apply_overrides(raw, overrides)
    if seed is not None:
        raw = _specs.apply_overrides(raw, {"experiment.seed": seed})
    kinds = experiments()
    try:
        spec = _schema.validate_simulation(raw, {k: e.schema for k, e in kinds.items()},
                                          source=str(path))
    except _specs.SpecError as exc:
        keys = (overrides if isinstance(overrides, dict)
                else [o.partition("=")[0] for o in overrides])
        hit = [k for k in keys if f": {k}:" in str(exc) or f": {k} " in str(exc)]
        if hit:
            raise _specs.SpecError(f"{exc} (value given by --set {hit[0]})") from None
        raise
    exp = kinds[spec["experiment"]["kind"]]
    for module in exp.requires:
        if importlib.util.find_spec(module) is None:
            raise _specs.SpecError(f"{path}: experiment kind {exp.kind!r} needs {module}, "
                                   "which is not available")
    figs = exp.figures
    unknown = [f for f in spec["report"]["figures"] if f not in figs]
    if unknown:
        raise _specs.SpecError(f"{path}: report.figures: unknown figure(s) {unknown}; "
                               f"expected some of {list(figs)}")
    spec["experiment"]["spec_file"] = str(path)
    return spec


def progress_bar(iterable, desc: str = "", *, total=None, enabled: bool = True):
    """``tqdm.auto`` bar over ``iterable``, or the iterable itself when not ``enabled``."""
    if not enabled:
        return iterable
    from tqdm.auto import tqdm
    return tqdm(iterable, desc=desc, total=total, leave=False)


class Report:
    """What a runner measured: metrics, timings, tables and figures to draw.

    Metrics are deterministic numbers (the same seed gives the same values);
    timings (seconds) are kept apart so that comparisons of results, such as
    a sweep run locally and on a cluster, ignore them.  Figures are recorded
    as drawing calls and drawn only when the run is written, so sweeps do
    not pay for them.
    """

    def __init__(self, *, progress: bool = True, figures=None):
        self.metrics: dict[str, float] = {}
        self.timings: dict[str, float] = {}
        self.tables: dict[str, list[dict]] = {}
        self.notes: list[str] = []
        self._plots: list[tuple] = []
        self.figures_failed: dict[str, str] = {}
        self._progress = progress
        self._wanted = set(figures) if figures else None

    def metric(self, name: str, value) -> None:
        """Record a scalar metric (stored as float)."""
        self.metrics[name] = float(value)

    def timing(self, name: str, seconds) -> None:
        """Record a cost in seconds (excluded from result comparisons)."""
        self.timings[name] = float(seconds)

    def table(self, name: str, rows: list[dict]) -> None:
        """Record a table as a list of rows (dicts with the same keys)."""
        self.tables[name] = [dict(r) for r in rows]

    def note(self, text: str) -> None:
        """A sentence for the reader of results.json (caveats, labels)."""
        self.notes.append(str(text))

    def plot(self, name: str, draw, *args, suptitle=None, **kwargs) -> None:
        """Record a figure: ``draw(*args, ax=ax, **kwargs)`` on a fresh axes.

        ``draw`` may also be a list of such callables (with no arguments
        other than ``ax``; use ``functools.partial``), one panel each;
        ``suptitle`` labels the whole figure.
        """
        if self._wanted is None or name in self._wanted:
            self._plots.append((name, draw, args, kwargs, suptitle))

    def progress(self, iterable, desc: str = "", total=None):
        """Wrap a loop in a ``tqdm.auto`` bar (silent when progress is off)."""
        return progress_bar(iterable, desc, total=total, enabled=self._progress)

    @property
    def figure_names(self) -> list[str]:
        return [p[0] for p in self._plots]

    def render(self, folder, *, dpi: int = 100) -> list[str]:
        """Draw every recorded figure into ``folder/<name>.png``; return the file names."""
        from . import plots  # noqa: F401  (selects a headless backend)
        import matplotlib.pyplot as plt

        written, self.figures_failed = [], {}
        for name, draw, args, kwargs, suptitle in self._plots:
            try:
                written.append(self._render_one(plt, folder, dpi, name, draw, args, kwargs,
                                                suptitle))
            except Exception as exc:  # a figure must never cost the run its results
                plt.close("all")
                self.figures_failed[name] = f"{type(exc).__name__}: {exc}"
        return written

    @staticmethod
    def _render_one(plt, folder, dpi, name, draw, args, kwargs, suptitle):
        panels = draw if isinstance(draw, (list, tuple)) else None
        n = len(panels) if panels else 1
        rows = 1 if n <= 3 else 2
        cols = -(-n // rows)
        fig, axes = plt.subplots(rows, cols, figsize=(5.0 * cols, 3.6 * rows),
                                 squeeze=False)
        for ax in axes.flat[n:]:
            ax.set_visible(False)
        if panels:
            for ax, panel in zip(axes.flat, panels):
                panel(ax=ax)
        else:
            draw(*args, ax=axes[0, 0], **kwargs)
        if suptitle:
            import textwrap
            fig.suptitle(textwrap.fill(suptitle, 55 * cols), fontsize="medium")
        fig.tight_layout()
        fname = f"{name}.png"
        try:
            fig.savefig(Path(folder) / fname, dpi=dpi)
        finally:
            plt.close(fig)
        return fname


def run(spec: dict, *, progress: bool = True) -> Report:
    """Execute a resolved spec (from :func:`load_spec`) and return its :class:`Report`."""
    kind = spec["experiment"]["kind"]
    exp = experiments()[kind]
    report = Report(progress=progress, figures=spec["report"]["figures"] or None)
    start = time.perf_counter()
    exp.runner(spec, spec["experiment"]["seed"], report)
    report.timing("total_seconds", time.perf_counter() - start)
    return report


def versions() -> dict[str, str | None]:
    """Versions of biornn, brian2, numpy, scipy and Python (brian2 is not imported)."""
    from . import __version__
    out = {"biornn": __version__, "python": platform.python_version()}
    for pkg in ("brian2", "numpy", "scipy", "matplotlib"):
        try:
            out[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def _json_safe(obj):
    if isinstance(obj, dict):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
    return obj


def new_run_folder(out, stem: str) -> Path:
    """Create and return ``out/<stem>-<UTC time>[-n]``; an existing folder is never reused."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        folder = out / (f"{stem}-{stamp}" + (f"-{n}" if n else ""))
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
    raise RuntimeError(f"could not create a new run folder in {out}")


def _write_csv(path, rows):
    import csv

    columns = list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(_json_safe(rows))


def write_run(spec: dict, report: Report, out="runs", *, overrides=()) -> Path:
    """Write ``results.json`` and the figures of a finished run into a new folder.

    Returns the folder.  Each table is also written as ``<name>.csv``.
    ``results.json`` holds ``metrics``, ``timings``,
    ``tables``, ``notes``, ``figures``, the resolved ``spec``, the ``seed``,
    the ``overrides`` given, ``versions`` and the UTC ``created`` time.
    """
    stem = Path(spec["experiment"].get("spec_file", spec["experiment"]["kind"])).stem
    folder = new_run_folder(out, stem)
    results = {
        "experiment": spec["experiment"]["kind"],
        "title": spec["experiment"]["title"],
        "seed": spec["experiment"]["seed"],
        "metrics": report.metrics,
        "timings": report.timings,
        "tables": report.tables,
        "notes": report.notes,
        "figures": [],
        "spec": spec,
        "overrides": list(overrides) if not isinstance(overrides, dict) else overrides,
        "versions": versions(),
        "host": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    for name, rows in report.tables.items():   # tables also as CSV, for spreadsheets
        _write_csv(folder / f"{name}.csv", rows)
    _write_json(folder / "results.json", results)   # the numbers first: figures may fail
    results["figures"] = report.render(folder, dpi=spec["report"]["dpi"])
    if report.figures_failed:
        results["figures_failed"] = report.figures_failed
    _write_json(folder / "results.json", results)
    return folder


def _write_json(path, data):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(_json_safe(data), indent=2) + "\n")
    os.replace(tmp, path)
