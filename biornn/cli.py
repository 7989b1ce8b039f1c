"""The ``biornn`` command line.

::

    biornn run SPEC [--seed N] [--out DIR] [--set TABLE.KEY=VALUE ...] [--scheduler ADDRESS]
    biornn sweep SPEC --grid TABLE.KEY=V1,V2 [--seeds 0-4] [--scheduler ADDRESS]
    biornn validate SPEC [SPEC ...]
    biornn models
    biornn simulations

``SPEC`` is a TOML file, a run folder (to rerun its ``spec.toml``) or the name of a
spec (``./simulations/`` first, then the shipped ones).  ``python -m biornn`` is the
same command.  Every
command has ``--help``.  Errors in a spec exit with status 2 and a message
naming the file, the key and what was expected.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap

__all__ = ["main", "build_parser"]

_EPILOG = """examples:
  biornn simulations
  biornn run esn_narma
  biornn run simulations/esn_narma.toml --set esn.n_units=50 --seed 3 --out runs
  biornn sweep esn_narma --grid esn.spectral_radius=0.5,0.9,1.1 --seeds 0-2
  biornn run lsm_vs_esn --scheduler local:2
"""


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of the ``biornn`` command (also used by the docs)."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="biornn", description="Run biornn experiments from TOML specs.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"biornn {__version__}")
    parser.add_argument("--debug", "--traceback", dest="debug", action="store_true",
                        help="show the full traceback of an error (before the command: "
                             "biornn --debug run ...)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    def spec_args(p):
        p.add_argument("spec", metavar="SPEC",
                       help="simulation spec: a TOML file or a name from `biornn simulations`")
        p.add_argument("--set", dest="overrides", action="append", default=[],
                       metavar="TABLE.KEY=VALUE",
                       help="override a spec value (repeatable), e.g. --set esn.n_units=50; "
                            "VALUE is TOML (50, 0.5, true, [1, 2], \"30 ms\") or a bare string")
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="show the full traceback of an error")

    p = sub.add_parser("run", help="run one simulation spec and write a report",
                       description="Run a simulation spec; write results.json and PNG "
                                   "figures into a new folder under --out (an earlier run "
                                   "is never overwritten).")
    spec_args(p)
    p.add_argument("--seed", type=int, default=None, help="master seed (overrides "
                   "experiment.seed)")
    p.add_argument("--out", default="runs", metavar="DIR",
                   help="parent folder of the run folders (default: runs)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run the liquids' trials on Dask: a scheduler address (e.g. "
                        "tcp://host:8786), or local[:N] for a LocalCluster of N "
                        "single-threaded processes; default: this process")

    p = sub.add_parser("sweep", help="run a spec over a grid or random set of parameters",
                       description="Grid or random search over spec values and seeds. "
                                   "Each finished point is saved at once; rerunning the "
                                   "same command resumes and skips finished points.")
    spec_args(p)
    p.add_argument("--grid", action="append", default=[], metavar="TABLE.KEY=V1,V2,...",
                   help="values of one key (repeatable: the grid is their product)")
    p.add_argument("--random", action="append", default=[],
                   metavar="TABLE.KEY=LOW:HIGH[:lin|log|int]",
                   help="range of one key for random search (repeatable)")
    p.add_argument("--samples", type=int, default=10,
                   help="points drawn for random search (default 10)")
    p.add_argument("--sweep-seed", type=int, default=0,
                   help="seed of the random search's draws (default 0)")
    p.add_argument("--seeds", default=None, metavar="0,1,2|0-4",
                   help="experiment seeds for every point (default: the spec's seed)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="Dask scheduler address (e.g. tcp://host:8786), or local[:N] for a "
                        "Dask LocalCluster of N processes; default: local processes "
                        "without Dask")
    p.add_argument("--workers", type=int, default=None,
                   help="local processes (default: CPU count; 1 runs in this process)")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="sweep folder (default: sweeps/<spec>-<hash of the sweep>)")
    p.add_argument("--limit", type=int, default=None,
                   help="stop after this many new points (resume later)")
    p.add_argument("--metric", default=None, help="metric drawn in summary.png")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")

    p = sub.add_parser("validate", help="check specs without running them",
                       description="Validate simulation specs; print the resolved spec "
                                   "with --show.")
    p.add_argument("specs", nargs="+", metavar="SPEC")
    p.add_argument("--set", dest="overrides", action="append", default=[],
                   metavar="TABLE.KEY=VALUE", help="override a spec value (repeatable)")
    p.add_argument("--show", action="store_true", help="print the resolved spec as JSON")

    sub.add_parser("models", help="list the model files and their citations",
                   description="List models/*.toml with their citations.")
    p = sub.add_parser("simulations", help="list the simulation specs",
                       description="List simulations/*.toml and the experiment kinds.")
    p.add_argument("--kinds", action="store_true",
                   help="also list the experiment kinds and their tables")
    p.add_argument("--kind", default=None, metavar="KIND",
                   help="describe every table and key of one experiment kind")
    return parser


def _cmd_run(args) -> int:
    from . import experiments
    from ._dask import check_scheduler, use_scheduler

    spec = experiments.load_spec(args.spec, args.overrides, seed=args.seed)
    if args.scheduler is not None:
        check_scheduler("--scheduler", args.scheduler)
    # the output folder is made (and so known to be writable) before anything runs
    folder = experiments.new_run_folder(args.out, experiments.run_folder_stem(spec))
    title = spec["experiment"]["title"] or spec["experiment"]["kind"]
    print(f"biornn: running {title} (seed {spec['experiment']['seed']})", file=sys.stderr)
    try:
        # every liquid the experiment runs sends its trials to this scheduler
        with use_scheduler(args.scheduler):
            report = experiments.run(spec, progress=not args.no_progress)
    except BaseException:
        _remove_if_empty(folder)
        raise
    _print_report(report)       # the numbers reach the screen whatever happens to the disk
    try:
        experiments.write_run(spec, report, overrides=args.overrides, folder=folder)
    except OSError as exc:
        kept = _keep_elsewhere(spec, report)
        raise OSError(f"could not write the run into {folder} ({exc}); "
                      f"its results are kept in {kept}") from exc
    for name, error in report.figures_failed.items():
        print(f"biornn: figure {name} could not be drawn ({error}); the results are saved",
              file=sys.stderr)
    print(f"results: {folder / 'results.json'}")
    return 0


def _print_report(report) -> None:
    for name, value in report.metrics.items():
        unit = f" {report.units[name]}" if name in report.units else ""
        print(f"  {name:<28s} {value:.6g}{unit}")
    for name, value in report.choices.items():
        print(f"  {name:<28s} {value} (chosen by the run)")
    for name, rows in report.tables.items():
        if rows and len(rows) <= 12:
            print(f"  table {name}:")
            print(textwrap.indent(_format_rows(rows), "    "))
    for note in report.notes:
        print(f"  note: {note}")
    print(f"  total time {report.timings['total_seconds']:.2f} s")


def _remove_if_empty(folder) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


def _keep_elsewhere(spec, report) -> str:
    """Write the results of a run whose folder could not be written to a temporary
    file (or, failing that, to standard error); return where they are."""
    import tempfile

    from .experiments import results_json

    data = {"metrics": report.metrics, "units": report.units, "timings": report.timings,
            "tables": report.tables, "notes": report.notes, "spec": spec}
    text = results_json(data)
    try:
        fd, path = tempfile.mkstemp(prefix="biornn-results-", suffix=".json")
        with open(fd, "w") as fh:
            fh.write(text)
        return path
    except OSError:
        sys.stderr.write(text)
        return "the text above (standard error)"


def _format_rows(rows) -> str:
    from .sweep import format_table
    return format_table(rows)


def _cmd_sweep(args) -> int:
    from . import specs, sweep

    if args.grid and args.random:
        raise specs.SpecError("give --grid or --random, not both")
    if args.random:
        ranges = dict(sweep.parse_range(r) for r in args.random)
        points = sweep.random_points(ranges, args.samples, args.sweep_seed)
    else:
        points = sweep.grid_points(dict(sweep.parse_grid(g) for g in args.grid))
    seeds = sweep.parse_seeds(args.seeds) if args.seeds is not None else None
    result = sweep.run_sweep(args.spec, points, seeds, out=args.out, overrides=args.overrides,
                             scheduler=args.scheduler, max_workers=args.workers,
                             limit=args.limit, progress=not args.no_progress,
                             metric=args.metric)
    print(sweep.format_table(result.rows))
    state = "complete" if result.complete else "incomplete (run the same command to resume)"
    print(f"sweep {state}: {result.n_run} points run, {result.n_skipped} already done; "
          f"{result.folder}")
    for rec in result.failed:
        print(f"failed: {rec['overrides']} seed {rec['seed']}: {rec['error']}", file=sys.stderr)
    return 1 if result.failed else 0


def _cmd_validate(args) -> int:
    from . import experiments

    for name in args.specs:
        spec = experiments.load_spec(name, args.overrides)
        print(f"ok  {spec['experiment']['spec_file']}  ({spec['experiment']['kind']})")
        if args.show:
            print(json.dumps(spec, indent=2, default=str))
    return 0


def _cmd_models(args) -> int:
    from . import specs

    names = specs.list_models()
    if not names:
        print("no model files in", specs.MODELS_DIR)
    for name in names:
        try:
            meta = specs.load_model(name)["model"]
        except ValueError as exc:
            print(f"{name}\n    (cannot be read: {exc})")
            continue
        print(name)
        if meta.get("title"):
            print(f"    {meta['title']}")
        if meta.get("citation"):
            print(textwrap.fill(meta["citation"], 88, initial_indent="    ",
                                subsequent_indent="    "))
    return 0


def _cmd_simulations(args) -> int:
    from . import experiments, specs

    if args.kind:
        return _describe_kind(args.kind)
    sims = specs.list_simulations()
    width = max([len(s["name"]) for s in sims] + [4])
    for s in sims:
        print(f"{s['name']:<{width}}  {s['kind']:<26}  {s['title']}")
    if not sims:
        print("no simulation specs in", specs.SIMULATIONS_DIR)
    if args.kinds:
        print("\nexperiment kinds:")
        for kind, exp in sorted(experiments.experiments().items()):
            tables = ", ".join(f"[{t}]" for t in exp.schema)
            print(f"  {kind:<26}  {exp.help}\n  {'':<26}  tables: {tables}; "
                  f"figures: {', '.join(exp.figures)}")
    return 0


def _describe_kind(kind) -> int:
    from . import experiments, schema, specs

    kinds = experiments.experiments()
    if kind not in kinds:
        raise specs.SpecError(f"unknown experiment kind {kind!r}; expected one of "
                              f"{sorted(kinds)}")
    exp = kinds[kind]
    print(f"{kind}: {exp.help}\nfigures: {', '.join(exp.figures)}")
    for table, fields in {**schema.COMMON_SCHEMA, **exp.schema}.items():
        print(f"\n[{table}]")
        if isinstance(fields, schema.ModelParams):
            fixed = f"; set by the experiment: {', '.join(fields.fixed)}" if fields.fixed else ""
            print(f"  keyword arguments of {fields.target} (and preset = MODEL_NAME){fixed}")
            continue
        for key, fld in fields.items():
            default = "required" if fld.default is schema.REQUIRED else f"= {fld.default!r}"
            choices = f" one of {list(fld.choices)}" if fld.choices else ""
            print(f"  {key} ({fld.type}{choices}) {default}")
            if fld.help:
                print(f"      {fld.help}")
    return 0


_COMMANDS = {"run": _cmd_run, "sweep": _cmd_sweep, "validate": _cmd_validate,
             "models": _cmd_models, "simulations": _cmd_simulations}


def main(argv=None) -> int:
    """Entry point of the ``biornn`` console script; returns the exit status.

    A user's error (a bad spec or argument, a file that cannot be read or written, a
    network too large for memory, a simulator that refuses a setting) ends in one
    line on standard error and a non-zero status: 2 for a spec, 1 otherwise.
    ``--debug`` shows the traceback instead.
    """
    from .specs import SpecError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print(f"biornn {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:   # output piped into `head` and the like
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:
        if args.debug:
            raise
        status = 2 if isinstance(exc, (SpecError, FileNotFoundError)) else 1
        print(f"biornn {args.command}: error: {_describe(exc)}", file=sys.stderr)
        if not isinstance(exc, (SpecError, ValueError, TypeError, OSError, MemoryError)):
            print("  (biornn --debug ... shows the traceback)", file=sys.stderr)
        return status


def _describe(exc: BaseException) -> str:
    """One line for an exception: its message, with the class for the unexpected ones."""
    from .specs import SpecError

    if isinstance(exc, (SpecError, FileNotFoundError)):
        return str(exc)
    if isinstance(exc, MemoryError):
        return f"out of memory: {exc or 'the run needs more memory than this machine has'}"
    text = " ".join(str(exc).split()) or "(no message)"
    if len(text) > 600:
        text = text[:600] + " ..."
    return f"{type(exc).__name__}: {text}"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
