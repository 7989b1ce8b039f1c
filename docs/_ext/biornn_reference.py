"""Sphinx extension: the CLI and spec references, generated from the code at build time.

Two directives, each replaced by reStructuredText built from biornn itself, so the
pages cannot fall out of step with the code:

``.. biornn-cli::``
    Every subcommand of :func:`biornn.cli.build_parser`: its description, its
    ``--help`` text and a table of its arguments with defaults.
``.. biornn-simulations::``
    The shipped specs (title, description, kind) and the scripts of ``simulations/``.
``.. biornn-spec-reference::``
    Every experiment kind of :data:`biornn.experiments.registry.KINDS`: every table
    and key with type, default, unit, range and help (from :mod:`biornn.schema`);
    for a model table (:class:`biornn.schema.ModelParams`) the model class's
    keyword parameters and defaults, read with :mod:`inspect` (parameter sets held
    in dataclasses are expanded field by field, with their declared units), and the
    first sentence of each parameter's entry in the class docstring.

Run as a script (``python docs/_ext/biornn_reference.py spec|cli|simulations``) it prints the
generated reStructuredText, which is the quickest way to check it.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import os
import re
import sys

from docutils.parsers.rst import Directive
from docutils.statemachine import StringList
from sphinx.util.nodes import nested_parse_with_titles

# ---------------------------------------------------------------------------------------
# text helpers
# ---------------------------------------------------------------------------------------


def _escape(text) -> str:
    """Plain text safe inside reStructuredText (no markup is interpreted)."""
    text = " ".join(str(text).split())
    return re.sub(r"([\\`*_|<>\[\]])", r"\\\1", text)


def _literal(value) -> str:
    text = " ".join(repr(value).split()) if not isinstance(value, str) else repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"``{text}``" if text.strip() and "``" not in text else _escape(text)


def _table(header, rows, widths) -> list[str]:
    out = [".. list-table::", "   :header-rows: 1", f"   :widths: {' '.join(map(str, widths))}",
           ""]
    for row in [header] + rows:
        out.append(f"   * - {row[0] or ' '}")
        out.extend(f"     - {cell or ' '}" for cell in row[1:])
    return out + [""]


def _heading(text, char) -> list[str]:
    return [text, char * len(text), ""]


def _first_sentence(lines) -> str:
    text = " ".join(" ".join(lines).split())
    match = re.match(r"(.+?\.)(\s+[A-Z(]|$)", text)
    return match.group(1) if match else text


# ---------------------------------------------------------------------------------------
# CLI reference
# ---------------------------------------------------------------------------------------


def _subparsers(parser):
    # argparse keeps subcommands in its action list; there is no public accessor.
    for action in parser._actions:  # noqa: SLF001
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            return action.choices
    return {}


def _argument_rows(parser):
    rows = []
    for action in parser._actions:  # noqa: SLF001
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):  # noqa: SLF001
            continue
        names = ", ".join(action.option_strings) or action.metavar or action.dest
        if action.option_strings and action.nargs != 0:
            names += f" {action.metavar or action.dest.upper()}"
        default = action.default
        if default in (None, False, [], argparse.SUPPRESS) or action.nargs == 0:
            default_text = ""
        else:
            default_text = _literal(default)
        required = "required" if not action.option_strings else default_text
        rows.append([f"``{names}``", required, _escape(action.help or "")])
    return rows


def cli_reference() -> list[str]:
    """reStructuredText of the ``biornn`` command: one section per subcommand."""
    from biornn.cli import build_parser

    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "88"  # argparse wraps --help text to the terminal width
    try:
        parser = build_parser()
        out = [_escape(parser.description or ""), "", "::", ""]
        out += ["   " + line for line in parser.format_help().splitlines()] + [""]
        for name, sub in _subparsers(parser).items():
            out += _heading(f"biornn {name}", "-")
            if sub.description:
                out += [_escape(sub.description), ""]
            out += ["::", ""] + ["   " + line for line in sub.format_help().splitlines()]
            out += [""]
            rows = _argument_rows(sub)
            if rows:
                out += _table(["argument", "default", "help"], rows, (30, 15, 55))
    finally:
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    return out


# ---------------------------------------------------------------------------------------
# spec reference
# ---------------------------------------------------------------------------------------


def _unit_of(default) -> str:
    """Unit as the schema writes it (``"200 ms"`` -> ``ms (SI: s)``)."""
    from biornn import specs

    if isinstance(default, list):
        default = default[0] if default else None
    if not isinstance(default, str) or not specs.is_quantity_string(default):
        return ""
    unit = default.split(None, 1)[1] if " " in default.strip() else default
    si = specs.dimension_name(specs.quantity_dimension(default))
    return _escape(f"{unit} (SI: {si})")


def _field_range(fld) -> str:
    parts = []
    if fld.choices:
        parts.append("one of " + ", ".join(f"``{c}``" for c in fld.choices))
    if fld.positive:
        parts.append("> 0")
    if fld.low is not None and fld.high is not None:
        parts.append(f"[{fld.low:g}, {fld.high:g}]")
    elif fld.low is not None:
        parts.append(f"≥ {fld.low:g}")
    elif fld.high is not None:
        parts.append(f"≤ {fld.high:g}")
    return "; ".join(parts)


def _field_rows(fields, required):
    rows = []
    for key, fld in fields.items():
        default = "required" if fld.default is required else _literal(fld.default)
        rows.append([f"``{key}``", f"``{fld.type}``", default, _unit_of(fld.default),
                     _field_range(fld), _escape(fld.help)])
    return rows


def _docstring_params(cls) -> dict:
    """Parameter name -> (first sentence of its description, its type) in the class
    docstring; the description stays reStructuredText, as the docstring writes it."""
    from numpydoc.docscrape import ClassDoc

    try:
        doc = ClassDoc(cls, config={"show_class_members": False})
    except Exception:  # a malformed docstring must not stop the reference
        return {}
    out = {}
    for param in doc["Parameters"]:
        for name in param.name.split(","):
            out[name.strip()] = (_first_sentence(param.desc), param.type)
    return out


def _dataclass_rows(prefix, value, cls_doc):
    rows = []
    for f in dataclasses.fields(value):
        sub = getattr(value, f.name)
        key = f"{prefix}.{f.name}"
        if dataclasses.is_dataclass(sub) and not isinstance(sub, type):
            rows += _dataclass_rows(key, sub, cls_doc)
            continue
        unit = f.metadata.get("unit", "")
        unit = "" if unit in ("", "1") else _escape(unit)
        bound = _escape(f.metadata.get("bound") or "")
        rows.append([f"``{key}``", _escape(type(sub).__name__), _literal(sub), unit, bound, ""])
    return rows


def _declared_units(cls) -> dict:
    """Units a model class declares: ``cls.param_units`` (rate models) or a
    ``parameter_units()`` function of its module (nested dicts of unit strings)."""
    units = dict(getattr(cls, "param_units", {}))
    module_units = getattr(inspect.getmodule(cls), "parameter_units", None)
    if callable(module_units):
        try:
            units.update({k: v for k, v in module_units().items() if isinstance(v, str)})
        except TypeError:
            pass
    return {k: ("" if v == "1" else v) for k, v in units.items()}


def _model_rows(schema, required):
    cls, params = schema.signature()
    doc = _docstring_params(cls)
    units = _declared_units(cls)
    rows = []
    for name, default in params.items():
        desc, doc_type = doc.get(name, ("", ""))
        desc = desc or _escape(doc_type)   # "tau, dt : float (seconds), defaults 10 ms and 1 ms"
        if dataclasses.is_dataclass(default) and not isinstance(default, type):
            rows.append([f"``{name}``", _escape(type(default).__name__), "see below", "", "",
                         desc])
            rows += _dataclass_rows(name, default, doc)
            continue
        type_name = schema.types.get(name) or (
            type(default).__name__ if default is not required and default is not None
            else doc_type.split(",")[0])
        rows.append([f"``{name}``", _escape(type_name),
                     "required" if default is required else _literal(default),
                     _escape(units.get(name, "")), "", desc])
    return cls, rows


def spec_reference() -> list[str]:
    """reStructuredText of every experiment kind's spec: tables, keys, defaults, units."""
    from biornn import schema, specs
    from biornn.experiments import registry

    shipped = {}
    for sim in specs.list_simulations():
        shipped.setdefault(sim["kind"], []).append(sim["name"])
    header = ["key", "type", "default", "unit", "range", "help"]
    widths = (18, 10, 16, 12, 12, 32)
    out = []
    for kind in registry.KINDS:
        exp = registry.get(kind)
        out += [f".. _spec-{kind}:", ""] + _heading(kind, "-")
        doc = inspect.getdoc(exp.runner)
        out += (doc.splitlines() if doc else [_escape(exp.help)]) + [""]
        out += [f"- defined in :mod:`{exp.runner.__module__}`"]
        if exp.figures:
            out += ["- figures: " + ", ".join(f"``{f}``" for f in exp.figures)]
        if exp.requires:
            out += ["- requires: " + ", ".join(f"``{m}``" for m in exp.requires)]
        names = sorted(shipped.get(kind, []))
        out += ["- shipped specs: " + (", ".join(f"``{n}``" for n in names) or "none"), ""]
        for table, fields in {**schema.COMMON_SCHEMA, **exp.schema}.items():
            out += [f".. rubric:: [{table}]", ""]
            if isinstance(fields, schema.ModelParams):
                cls, rows = _model_rows(fields, schema.REQUIRED)
                fixed = (f" The experiment sets {', '.join(f'``{k}``' for k in fields.fixed)}"
                         " itself." if fields.fixed else "")
                help_text = f"{_escape(fields.help)}: " if fields.help else ""
                out += [f"{help_text}keyword arguments of "
                        f":class:`{cls.__module__}.{cls.__qualname__}`, and ``preset``, the "
                        f"name of a model file whose parameters are loaded first.{fixed}", ""]
                out += _table(header, rows, widths)
            else:
                out += _table(header, _field_rows(fields, schema.REQUIRED), widths)
    return out


def simulations_reference() -> list[str]:
    """reStructuredText tables of the shipped specs and of the scripts in ``simulations/``."""
    import ast

    from biornn import specs

    rows = []
    for sim in specs.list_simulations():
        raw, _ = specs.read_simulation(sim["path"])
        exp = raw.get("experiment", {})
        rows.append([f"``biornn run {sim['name']}``", f":ref:`{sim['kind']} <spec-{sim['kind']}>`",
                     f"**{_escape(exp.get('title', ''))}** {_escape(exp.get('description', ''))}"])
    out = _table(["command", "kind", "what it measures"], rows, (28, 18, 54))
    scripts = sorted(p for p in specs.SIMULATIONS_DIR.glob("*.py"))
    if scripts:
        out += ["Scripts for what a spec cannot do (run from a clone of the repository):", ""]
        rows = []
        for path in scripts:
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            rows.append([f"``python simulations/{path.name}``",
                         _escape(doc.strip().split("\n")[0])])
        out += _table(["command", "what it shows"], rows, (40, 60))
    return out


# ---------------------------------------------------------------------------------------
# Sphinx glue
# ---------------------------------------------------------------------------------------


class _Generated(Directive):
    generate = None

    def run(self):
        lines = type(self).generate()
        node_container = []
        from docutils import nodes

        section = nodes.section()
        section.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, source="biornn_reference"),
                                 section)
        node_container.extend(section.children)
        return node_container


class CliDirective(_Generated):
    generate = staticmethod(cli_reference)


class SpecDirective(_Generated):
    generate = staticmethod(spec_reference)


class SimulationsDirective(_Generated):
    generate = staticmethod(simulations_reference)


def setup(app):
    app.add_directive("biornn-cli", CliDirective)
    app.add_directive("biornn-spec-reference", SpecDirective)
    app.add_directive("biornn-simulations", SimulationsDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "spec"
    generators = {"cli": cli_reference, "spec": spec_reference,
                  "simulations": simulations_reference}
    print("\n".join(generators[which]()))
