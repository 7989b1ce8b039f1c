"""What a run measured and where it is written.

:class:`Report` collects a runner's metrics, timings, tables, notes and figures;
:func:`write_run` writes ``results.json`` (metrics, timings, tables, the resolved
spec, the seed, versions of biornn, brian2 and numpy), ``spec.toml`` (the spec as
resolved, rerunnable with ``biornn run FOLDER``), one PNG per figure and one CSV
per table into a new folder that never replaces an earlier run.
"""

from __future__ import annotations

import datetime as _dt
import importlib.metadata
import json
import math
import os
import platform
from pathlib import Path

from .._files import write_text_atomic


__all__ = ["Report", "write_run", "new_run_folder", "run_folder_stem", "versions",
           "json_safe", "results_json", "progress_bar"]


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
        self.units: dict[str, str] = {}
        self.choices: dict[str, object] = {}
        self.timings: dict[str, float] = {}
        self.tables: dict[str, list[dict]] = {}
        self.notes: list[str] = []
        self._plots: list[tuple] = []
        self.figures_failed: dict[str, str] = {}
        self._progress = progress
        self._wanted = set(figures) if figures else None

    def metric(self, name: str, value, unit: str | None = None) -> None:
        """Record a scalar metric (stored as float); ``unit`` for a physical value
        (``"Hz"``, ``"s"``; SI), written next to it in ``results.json``."""
        self.metrics[name] = float(value)
        if unit is not None:
            self.units[name] = unit

    def choice(self, name: str, value) -> None:
        """Record a hyperparameter the run chose itself (a cross-validated alpha, say):
        kept apart from the metrics, so a sweep lists it per seed instead of averaging
        it as if it were a result."""
        self.choices[name] = value.item() if hasattr(value, "item") else value

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
        """Names of the figures recorded by :meth:`plot`, in the order recorded."""
        return [p[0] for p in self._plots]

    def render(self, folder, *, dpi: int = 100) -> list[str]:
        """Draw every recorded figure into ``folder/<name>.png``; return the file names."""
        from .. import plots  # noqa: F401  (selects a headless backend)
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


def versions() -> dict[str, str | None]:
    """Versions of biornn, brian2, numpy, scipy and Python (brian2 is not imported)."""
    from .. import __version__
    out = {"biornn": __version__, "python": platform.python_version()}
    for pkg in ("brian2", "numpy", "scipy", "matplotlib"):
        try:
            out[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def json_safe(obj):
    """``obj`` with numpy scalars as Python numbers and non-finite floats as
    ``None``/``"inf"``/``"-inf"``, ready for ``json.dumps``."""
    if isinstance(obj, dict):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
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
    import io

    columns = list(dict.fromkeys(k for r in rows for k in r))
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=columns)
    writer.writeheader()
    writer.writerows(json_safe(rows))
    _write_text(path, buf.getvalue())


def run_folder_stem(spec: dict) -> str:
    """Name stem of a run's folder: the spec file's stem (the kind for a rerun's
    ``spec.toml`` or a spec given as a dict)."""
    path = Path(spec["experiment"].get("spec_file") or spec["experiment"]["kind"])
    return spec["experiment"]["kind"] if path.name == "spec.toml" else path.stem


def write_run(spec: dict, report: Report, out="runs", *, overrides=(), folder=None) -> Path:
    """Write a finished run into a new folder (or ``folder``, made by :func:`new_run_folder`).

    Returns the folder, which holds ``results.json``, ``spec.toml`` (the spec as
    resolved, units written as in the spec; ``biornn run FOLDER`` reruns it), one
    ``<name>.csv`` per table and one PNG per figure.  ``results.json`` holds
    ``metrics`` (with their ``units``), ``timings`` (s), ``tables``, ``notes``,
    ``figures``, the ``spec`` as written (quantities as strings with units) and
    ``spec_si`` (every quantity in SI floats, as the models received it), the
    ``seed``, the ``overrides`` given, ``versions`` and the UTC ``created`` time.
    Each file is written under a temporary name and renamed, so a failed write
    leaves no partial file.
    """
    folder = new_run_folder(out, run_folder_stem(spec)) if folder is None else Path(folder)
    written = getattr(spec, "written", None)
    results = {
        "experiment": spec["experiment"]["kind"],
        "title": spec["experiment"]["title"],
        "seed": spec["experiment"]["seed"],
        "metrics": report.metrics,
        "units": {**report.units, **{k: "s" for k in report.timings}},
        "timings": report.timings,
        "choices": report.choices,
        "tables": report.tables,
        "notes": report.notes,
        "figures": [],
        "spec": written if written is not None else spec,
        "spec_si": spec,
        "overrides": list(overrides) if not isinstance(overrides, dict) else overrides,
        "versions": versions(),
        "host": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    _write_json(folder / "results.json", results)   # the numbers first: figures may fail
    if written is not None:
        from ..specs import dump_toml
        _write_text(folder / "spec.toml", dump_toml(
            written, f"{spec['experiment']['title'] or spec['experiment']['kind']}\n"
                     f"the spec of this run as resolved; rerun with: biornn run {folder}"))
    for name, rows in report.tables.items():   # tables also as CSV, for spreadsheets
        _write_csv(folder / f"{name}.csv", rows)
    results["figures"] = report.render(folder, dpi=spec["report"]["dpi"])
    if report.figures_failed:
        results["figures_failed"] = report.figures_failed
    _write_json(folder / "results.json", results)
    return folder


def results_json(data) -> str:
    """``data`` as the JSON text of a ``results.json``."""
    return json.dumps(json_safe(data), indent=2) + "\n"


def _write_text(path, text):
    write_text_atomic(path, text)


def _write_json(path, data):
    _write_text(path, results_json(data))
