"""One home for experiments: spec -> task -> model -> states -> readout -> metrics -> report.

An experiment *kind* (``"esn_benchmark"``, ``"lsm_vs_esn"``, ...) is one module of
this package holding an :class:`Experiment`: a runner that only wires package
functions together, the schema of its spec and the figures it draws.  The kinds
are listed once, in :data:`~biornn.experiments.registry.KINDS`, and imported on
first use.  Protocol helpers of the rate models live here too
(:mod:`~biornn.experiments.demonstrations`, :mod:`~biornn.experiments.closed_loop`,
:mod:`~biornn.experiments.hopfield_capacity`); those of the spiking models stay in
:mod:`biornn.spiking` (only it imports Brian2).

::

    spec = load_spec("esn_narma", ["esn.n_units=50"], seed=3)   # validated, SI floats
    report = run(spec)                                          # metrics, tables, figures
    folder = write_run(spec, report, "runs")                    # results.json, spec.toml, PNGs

A runner records what it measured on the :class:`Report`::

    @experiment("esn_benchmark", schema={...}, figures=("traces",))
    def esn_benchmark(spec, seed, report):
        ...
        report.metric("nrmse", nrmse(y_test, y_pred))
        report.plot("traces", plots.traces, y_test, y_pred)
"""

from __future__ import annotations

import collections
import importlib.util
import time
import warnings

from .. import schema as _schema
from .. import specs as _specs
from .registry import KINDS, Experiment, experiment, experiments, get
from .report import (Report, json_safe, new_run_folder, progress_bar, results_json,
                     run_folder_stem, versions, write_run)

__all__ = ["KINDS", "Experiment", "experiment", "experiments", "get", "load_spec", "run",
           "ResolvedSpec", "Report", "write_run", "new_run_folder", "run_folder_stem",
           "versions", "json_safe", "results_json", "progress_bar"]


class ResolvedSpec(dict):
    """A validated spec: tables of values with defaults filled in and quantities in SI
    floats (a plain ``dict`` to the runners).  ``written`` holds the same spec as a user
    writes it (quantities as strings with units), which a run saves as ``spec.toml``."""

    written: dict | None = None


def load_spec(name, overrides=(), *, seed=None) -> ResolvedSpec:
    """Read, override and validate a simulation spec.

    Parameters
    ----------
    name : str or path
        A spec file, a run folder holding ``spec.toml`` (to rerun it), or the name
        of a spec in ``./simulations/`` or among the shipped ones.
    overrides : sequence of "table.key=value", or dict
        Applied before validation, so bad overrides are reported too.
    seed : int, optional
        Replaces ``experiment.seed``.

    Returns
    -------
    ResolvedSpec
        The resolved spec (see :func:`biornn.schema.validate_simulation`), with
        ``experiment.spec_file`` set to the file it came from.

    Raises
    ------
    biornn.specs.SpecError
        Any key, type, unit, range or choice that does not validate, naming the
        file (or the ``--set`` that gave it) and the key.
    """
    raw, path = _specs.read_simulation(name)
    raw = _specs.apply_overrides(raw, overrides)
    if seed is not None:
        raw = _specs.apply_overrides(raw, {"experiment.seed": seed})
    kind = raw.get("experiment", {}).get("kind") if isinstance(raw.get("experiment"), dict) \
        else None
    schemas = {kind: get(kind).schema} if kind in KINDS else {k: None for k in KINDS}
    try:
        spec = _schema.validate_simulation(raw, schemas, source=str(path))
    except _specs.SpecError as exc:
        keys = (overrides if isinstance(overrides, dict)
                else [o.partition("=")[0] for o in overrides])
        hit = [k for k in keys if f": {k}:" in str(exc) or f": {k} " in str(exc)]
        if hit:
            raise _specs.SpecError(f"{exc} (value given by --set {hit[0]})") from None
        raise
    exp = get(spec["experiment"]["kind"])
    for module in exp.requires:
        if importlib.util.find_spec(module) is None:
            raise _specs.SpecError(f"{path}: experiment kind {exp.kind!r} needs {module}, "
                                   "which is not available")
    if exp.check is not None:
        try:
            exp.check(spec)
        except (ValueError, TypeError) as exc:
            raise _specs.SpecError(f"{path}: {exc}") from None
    unknown = [f for f in spec["report"]["figures"] if f not in exp.figures]
    if unknown:
        raise _specs.SpecError(f"{path}: report.figures: unknown figure(s) {unknown}; "
                               f"expected some of {list(exp.figures)}")
    spec["experiment"]["spec_file"] = str(path)
    resolved = ResolvedSpec(spec)
    resolved.written = _schema.written_spec(raw, schemas)
    return resolved


def run(spec: dict, *, progress: bool = True) -> Report:
    """Execute a resolved spec (from :func:`load_spec`) and return its :class:`Report`."""
    from ..readout import GridEdgeWarning

    exp = get(spec["experiment"]["kind"])
    report = Report(progress=progress, figures=spec["report"]["figures"] or None)
    start = time.perf_counter()
    # a readout whose alpha lands on the edge of its grid says so once, as a note of the
    # run, instead of a warning per fit (a study fits hundreds of readouts)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", GridEdgeWarning)
        exp.runner(spec, spec["experiment"]["seed"], report)
    edges = collections.Counter(str(w.message).split(";")[0] for w in caught
                                if issubclass(w.category, GridEdgeWarning))
    for w in caught:
        if not issubclass(w.category, GridEdgeWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if edges:
        report.note(f"{sum(edges.values())} of the run's ridge fits chose an alpha at the edge "
                    f"of its grid (the best alpha may lie outside; widen readout.alpha), e.g. "
                    f"{next(iter(edges))}")
    report.timing("total_seconds", time.perf_counter() - start)
    return report
