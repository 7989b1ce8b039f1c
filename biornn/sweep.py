"""Parameter sweeps over a simulation spec: grid or random search, times seeds.

A sweep is a list of *points* (dicts of ``--set`` style overrides) crossed
with a list of seeds.  Every (point, seed) pair is validated before anything
runs, then executed on local processes (``concurrent.futures``) or, given a
scheduler address or a ``distributed.Client``, on a Dask cluster.  Each
finished pair is written at once and atomically to
``OUT/points/<id>.json`` (write to a temporary file, then rename), where
``id`` hashes the overrides and the seed; a restarted sweep reads the
finished pairs back and runs only the rest, so an interruption loses at most
the pairs that were running.  At the end :func:`summarize` writes
``summary.csv``, ``summary.json`` and ``summary.png``: per point, the mean
and standard deviation of every metric over seeds.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import io
import itertools
import json
import math
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._dask import check_scheduler, connect
from . import experiments as _experiments
from . import specs as _specs
from ._files import write_bytes_atomic, write_text_atomic
from ._rng import as_generator

__all__ = ["grid_points", "random_points", "parse_grid", "parse_range", "parse_seeds",
           "run_point", "run_sweep", "summarize", "SweepResult"]


def parse_grid(text: str) -> tuple[str, list]:
    """``"esn.n_units=50,100"`` -> ``("esn.n_units", [50, 100])``."""
    key, sep, values = str(text).partition("=")
    items = [v for v in values.split(",") if v.strip()]
    if not sep or "." not in key or not items:
        raise _specs.SpecError(f"--grid {text!r}: expected TABLE.KEY=V1,V2,... "
                               f"e.g. esn.n_units=50,100")
    return key.strip(), [_specs.parse_value(v) for v in items]


def parse_range(text: str) -> tuple[str, tuple]:
    """``"readout.alpha=1e-8:1e-2:log"`` -> ``("readout.alpha", (1e-8, 1e-2, "log"))``.

    The scale is ``lin`` (default), ``log`` (log-uniform) or ``int`` (integers
    from ``lo`` to ``hi`` inclusive).
    """
    key, sep, rng = str(text).partition("=")
    parts = rng.split(":")
    try:
        lo, hi = float(parts[0]), float(parts[1])
        scale = parts[2] if len(parts) > 2 else "lin"
    except (ValueError, IndexError):
        lo = hi = scale = None
    if not sep or "." not in key or scale not in ("lin", "log", "int") or not hi > lo \
            or (scale == "log" and lo <= 0):
        raise _specs.SpecError(f"--random {text!r}: expected TABLE.KEY=LOW:HIGH[:lin|log|int] "
                               f"with LOW < HIGH (and LOW > 0 for log)")
    return key.strip(), (lo, hi, scale)


def parse_seeds(text: str) -> list[int]:
    """``"0,1,2"`` or ``"0-4"`` (inclusive) or a mix -> list of ints."""
    seeds = []
    for part in str(text).split(","):
        part = part.strip()
        try:
            if "-" in part[1:]:
                a, b = part.split("-", 1)
                if int(b) < int(a):
                    raise ValueError
                seeds.extend(range(int(a), int(b) + 1))
            elif part:
                seeds.append(int(part))
        except ValueError:
            raise _specs.SpecError(f"--seeds {text!r}: expected integers like 0,1,2 or 0-4 "
                                   "(ranges ascending)") \
                from None
    if not seeds or min(seeds) < 0:
        raise _specs.SpecError(f"--seeds {text!r}: expected non-negative integers")
    return seeds


def grid_points(grid: dict) -> list[dict]:
    """Cartesian product of ``{key: [values]}``, in order (last key fastest)."""
    if not grid:
        return [{}]
    keys = list(grid)
    return [dict(zip(keys, combo)) for combo in itertools.product(*(grid[k] for k in keys))]


def random_points(ranges: dict, n_samples: int, seed=0) -> list[dict]:
    """``n_samples`` points drawn from ``{key: (lo, hi, scale)}`` (seeded)."""
    if int(n_samples) < 1:
        raise _specs.SpecError(f"--samples must be >= 1, got {n_samples}")
    rng = as_generator(seed)
    points = []
    for _ in range(int(n_samples)):
        point = {}
        for key, (lo, hi, scale) in ranges.items():
            if scale == "log":
                point[key] = float(np.exp(rng.uniform(np.log(lo), np.log(hi))))
            elif scale == "int":
                point[key] = int(rng.integers(int(lo), int(hi) + 1))
            else:
                point[key] = float(rng.uniform(lo, hi))
        points.append(point)
    return points


def point_id(overrides: dict, seed: int) -> str:
    """Stable id of one (point, seed) pair."""
    blob = json.dumps({"overrides": overrides, "seed": seed}, sort_keys=True)
    return hashlib.sha1(blob.encode()).hexdigest()[:16]


def run_point(spec: dict, overrides: dict, seed: int) -> dict:
    """Run one resolved spec (no figures, no progress bar); a JSON-able record.

    An exception in the run is caught and returned as ``{"error": ...}`` so one
    failing point (a diverging network, say) does not stop the sweep.
    """
    record = {"id": point_id(overrides, seed), "overrides": overrides, "seed": seed}
    try:
        report = _experiments.run(spec, progress=False)
    except Exception as exc:  # noqa: BLE001  (reported, not swallowed)
        return {**record, "error": f"{type(exc).__name__}: {exc}"}
    return {**record, "metrics": report.metrics, "timings": report.timings,
            "choices": report.choices}


def _write_atomic(path: Path, data) -> None:
    write_text_atomic(path, json.dumps(_experiments.json_safe(data), indent=1,
                                       sort_keys=True))


def read_point(path) -> dict | None:
    """A finished point's record, or None when the file is not a complete record
    (truncated, empty, not JSON, or missing its id, seed, overrides or metrics)."""
    path = Path(path)
    try:
        record = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(record, dict) or record.get("id") != path.stem:
        return None
    if not isinstance(record.get("metrics"), dict) or "seed" not in record \
            or not isinstance(record.get("overrides"), dict):
        return None
    record.setdefault("timings", {})
    record.setdefault("choices", {})
    return record


def _set_aside(folder: Path, path: Path) -> Path:
    """Move a bad point file to ``folder/bad/`` under a name that is not taken."""
    bad = folder / "bad"
    bad.mkdir(exist_ok=True)
    for n in range(1000):
        target = bad / (path.name + (f".{n}" if n else ""))
        if not target.exists():
            os.replace(path, target)
            return target
    raise RuntimeError(f"too many bad copies of {path.name} in {bad}")


@dataclass
class SweepResult:
    """What :func:`run_sweep` did: the folder, the summary rows, counts and the
    failed points (records with an ``error``; also in ``OUT/failed/``)."""

    folder: Path
    rows: list
    n_run: int
    n_skipped: int
    complete: bool
    failed: list = field(default_factory=list)
    set_aside: list = field(default_factory=list)


def _definition(spec_file, base_overrides, points, seeds):
    """What identifies a sweep: the spec file and its content, the content of every model
    file a name resolves to (a ``./models/`` file shadowing a shipped one included),
    overrides, points, seeds and biornn's version."""
    from . import __version__

    path = Path(spec_file).resolve()
    # model files a spec may load by name: editing one is a different sweep
    models = hashlib.sha1()
    for name in _specs.list_models():
        model = _specs.model_path(name)
        models.update(name.encode() + b"\0" + model.read_bytes())
    return {"spec": str(path), "spec_sha1": hashlib.sha1(path.read_bytes()).hexdigest(),
            "models_sha1": models.hexdigest(), "biornn_version": __version__,
            "overrides": list(base_overrides), "points": points, "seeds": list(seeds)}


def run_sweep(spec_name, points, seeds=None, *, out=None, overrides=(), scheduler=None,
              max_workers=None, limit=None, progress=True, metric=None) -> SweepResult:
    """Run ``spec_name`` at every point and seed, resuming a sweep in ``out``.

    Parameters
    ----------
    spec_name : str or path
    points : list of dict
        ``{"table.key": value}`` overrides per point (:func:`grid_points`,
        :func:`random_points`).
    seeds : list of int, optional
        Default: the spec's own ``experiment.seed``.
    out : path, optional
        Sweep folder; default ``sweeps/<spec>-<hash of the definition>``, so
        the same command resumes the same sweep.
    overrides : sequence of "table.key=value"
        Applied to every point (before the point's own).
    scheduler : str or distributed.Client, optional
        Dask scheduler address (``tcp://host:8786``), ``"local"`` / ``"local:N"``
        (a LocalCluster of N single-threaded processes), or a client; default
        runs on local processes without Dask.  Workers must be able to import
        biornn; give them one thread each (Brian2 is not thread-safe).
    max_workers : int, optional
        Local processes (default: CPU count); 1 runs in this process.
    limit : int, optional
        Stop after this many new pairs (split a long sweep over sessions).
    metric : str, optional
        Metric drawn in ``summary.png`` (default: the first).
    """
    if limit is not None and int(limit) < 0:
        raise _specs.SpecError(f"--limit must be >= 0, got {limit}")
    if scheduler is not None:
        check_scheduler("scheduler", scheduler)
    for keys in [_specs.parse_override(o)[0] for o in overrides] + \
            [tuple(k.split(".")) for p in points for k in p]:
        if tuple(keys) == ("experiment", "seed"):
            raise _specs.SpecError("a sweep sets experiment.seed itself: give the seeds with "
                                   "--seeds (seeds=...), not as a point or an override")
    base = _experiments.load_spec(spec_name, overrides)
    if seeds is None:
        seeds = [base["experiment"]["seed"]]
    # validate every point first: a typo fails before anything runs
    fixed = {".".join(keys): value for keys, value in map(_specs.parse_override, overrides)}
    jobs = []
    for point in points:
        for seed in seeds:
            try:
                spec = _experiments.load_spec(spec_name, {**fixed, **point}, seed=seed)
            except _specs.SpecError as exc:
                text = str(exc).replace(" (value given by --set", " (value given by the "
                                        "sweep's --grid/--random/--set")
                raise _specs.SpecError(f"sweep point {point}: {text}; nothing has run") \
                    from None
            jobs.append((point_id(point, seed), spec, point, seed))
    definition = _definition(base["experiment"]["spec_file"], overrides, points, seeds)
    digest = hashlib.sha1(json.dumps(definition, sort_keys=True).encode()).hexdigest()[:8]
    folder = Path(out) if out is not None else \
        Path("sweeps") / f"{Path(base['experiment']['spec_file']).stem}-{digest}"
    (folder / "points").mkdir(parents=True, exist_ok=True)
    with _lock(folder):
        return _run_locked(folder, definition, jobs, points, seeds, scheduler, max_workers,
                           limit, progress, metric, digest)


@contextlib.contextmanager
def _lock(folder: Path):
    """Hold ``folder/.lock`` for the sweep; a second sweep on the folder is refused."""
    import fcntl

    fh = open(folder / ".lock", "a+")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise _specs.SpecError(f"{folder}: another sweep is running in this folder "
                                   f"({holder}); wait for it or choose another --out") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}\n")
        fh.flush()
        yield
    finally:
        fh.close()


def _run_locked(folder, definition, jobs, points, seeds, scheduler, max_workers, limit,
                progress, metric, digest):
    def_path = folder / "sweep.json"
    if def_path.exists():
        old = json.loads(def_path.read_text())
        if old != json.loads(json.dumps(definition)):
            raise ValueError(f"{folder} holds a different sweep ({def_path}: another spec, "
                             "spec content, overrides, points or seeds); choose another --out")
    else:
        _write_atomic(def_path, definition)

    done, set_aside = set(), []
    for path in sorted((folder / "points").glob("*.json")):
        if read_point(path) is None:
            set_aside.append(_set_aside(folder, path))
            print(f"biornn sweep: {path} is not a complete point record; moved to "
                  f"{set_aside[-1]} and its point runs again", file=sys.stderr)
        else:
            done.add(path.stem)
    todo = [j for j in jobs if j[0] not in done]
    n_skipped = len(jobs) - len(todo)
    if limit is not None:
        todo = todo[:int(limit)]
    n_run, failed = 0, []
    for record in _experiments.progress_bar(
            _execute(todo, scheduler, max_workers, digest, functools.partial(_save, folder)),
            "sweep", total=len(todo), enabled=progress):
        if "error" in record:
            failed.append(record)
        else:
            n_run += 1
    complete = n_skipped + n_run == len(jobs)
    rows = summarize(folder, [j[0] for j in jobs], points, seeds, metric=metric,
                     draw=complete)
    return SweepResult(folder, rows, n_run, n_skipped, complete, failed, set_aside)


def _save(folder, record):
    """Write a finished point at once (failed ones apart, retried by the next run)."""
    if "error" in record:
        (folder / "failed").mkdir(exist_ok=True)
        _write_atomic(folder / "failed" / f"{record['id']}.json", record)
        return
    _write_atomic(folder / "points" / f"{record['id']}.json", record)
    stale = folder / "failed" / f"{record['id']}.json"
    if stale.exists():
        stale.unlink()


def _execute(todo, scheduler, max_workers, digest, save):
    """Save and yield finished records in completion order.

    With worker processes each record is saved by a callback as soon as its
    point finishes, so points still running when the sweep is interrupted
    (Ctrl-C waits for them) are kept too.
    """
    if not todo:
        return
    if scheduler is not None:
        for record in _execute_dask(todo, scheduler, digest):
            save(record)
            yield record
        return
    workers = max_workers or min(os.cpu_count() or 1, len(todo))
    if workers == 1:
        for _, spec, point, seed in todo:
            record = run_point(spec, point, seed)
            save(record)
            yield record
        return

    def save_when_done(fut):
        if not fut.cancelled() and fut.exception() is None:
            save(fut.result())

    pool = ProcessPoolExecutor(max_workers=workers)
    try:
        futures = [pool.submit(run_point, spec, point, seed) for _, spec, point, seed in todo]
        for fut in futures:
            fut.add_done_callback(save_when_done)
        for fut in as_completed(futures):
            yield fut.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _execute_dask(todo, scheduler, digest):
    with connect(scheduler, what="a sweep") as client:
        from distributed import as_completed as dask_completed

        futures = [client.submit(run_point, spec, point, seed, key=f"biornn-point-{digest}-{pid}",
                                 pure=False) for pid, spec, point, seed in todo]
        for fut in dask_completed(futures):
            yield fut.result()


def summarize(folder, ids, points, seeds, *, metric=None, draw=True) -> list[dict]:
    """Mean and std over seeds of every metric, per point; writes summary.csv/.json/.png.

    Rows follow the order of ``points``; a point with no finished seed is
    left out.  Timings are summarised separately (``time_`` columns) and
    never mixed with the metrics.
    """
    folder = Path(folder)
    records = {}
    for pid in ids:
        record = read_point(folder / "points" / f"{pid}.json")
        if record is not None:
            records[pid] = record
    rows = []
    for point in points:
        recs = [records[point_id(point, s)] for s in seeds if point_id(point, s) in records]
        if not recs:
            continue
        row = dict(point)
        row["n_seeds"] = len(recs)
        for group, prefix in (("metrics", ""), ("timings", "time_")):
            names = list(dict.fromkeys(k for r in recs for k in r[group]))
            for name in names:
                vals = np.array([r[group].get(name, np.nan) for r in recs], dtype=float)
                row[f"{prefix}{name}"] = float(np.nanmean(vals))
                row[f"{prefix}{name}_std"] = float(np.nanstd(vals)) if len(recs) > 1 else 0.0
        # chosen hyperparameters are listed per seed, never averaged as results
        for name in dict.fromkeys(k for r in recs for k in r["choices"]):
            row[f"chosen_{name}"] = " ".join(str(r["choices"].get(name)) for r in recs)
        rows.append(row)
    _write_atomic(folder / "summary.json", rows)
    columns = list(dict.fromkeys(k for r in rows for k in r))
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    write_text_atomic(folder / "summary.csv", buf.getvalue())
    if draw and rows:
        _draw_summary(folder / "summary.png", rows, points, metric)
    return rows


def _draw_summary(path, rows, points, metric):
    from . import plots
    import matplotlib.pyplot as plt

    keys = list(points[0]) if points and points[0] else []
    skip = set(keys) | {"n_seeds"}
    metrics_ = [k for k in rows[0] if k not in skip and not k.endswith("_std")
                and not k.startswith(("time_", "chosen_"))]
    if not metrics_:
        return
    metric = metric if metric in metrics_ else metrics_[0]
    fig, ax = plt.subplots(figsize=(6, 3.8))
    x_key = keys[0] if keys else None
    numeric = x_key is not None and all(isinstance(r[x_key], (int, float))
                                        and not isinstance(r[x_key], bool) for r in rows)
    if x_key is None or not numeric:
        labels = [", ".join(f"{k}={r[k]}" for k in keys) or "spec" for r in rows]
        plots.comparison_bars(dict(zip(labels, [r[metric] for r in rows])),
                              errors=dict(zip(labels, [r[f"{metric}_std"] for r in rows])),
                              ax=ax, ylabel=metric)
        ax.tick_params(axis="x", labelrotation=30)
    else:
        groups = {}
        for r in rows:
            label = ", ".join(f"{k}={r[k]}" for k in keys[1:])
            groups.setdefault(label, []).append(r)
        for label, grp in groups.items():
            grp = sorted(grp, key=lambda r: r[x_key])
            plots.curves([r[x_key] for r in grp], {label: [r[metric] for r in grp]},
                         errors={label: [r[f"{metric}_std"] for r in grp]}, ax=ax,
                         xlabel=x_key, ylabel=metric,
                         logx=min(r[x_key] for r in grp) > 0 and
                         max(r[x_key] for r in grp) / min(r[x_key] for r in grp) > 100)
    ax.set_title(f"{metric}: mean ± std over seeds")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    write_bytes_atomic(path, buf.getvalue())


def format_table(rows, *, digits=4) -> str:
    """The summary rows as an aligned text table (std columns folded into ±)."""
    if not rows:
        return "(no finished points)"
    cols = [k for k in rows[0] if not k.endswith("_std") and not k.startswith("time_")]
    cells = [[_fmt(r.get(c), r.get(f"{c}_std"), digits) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)) for row in cells]
    return "\n".join(lines)


def _fmt(value, std, digits):
    if isinstance(value, float):
        text = f"{value:.{digits}g}"
        if std and not math.isnan(std):
            text += f" ± {std:.2g}"
        return text
    return str(value)
