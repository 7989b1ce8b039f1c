"""Sphinx configuration of the biornn documentation.

Build: ``python -m sphinx -W --keep-going -b html docs docs/_build/html``
(``.ci/docs.sh`` installs the ``docs`` extra and runs it, then the doctests).
"""

from __future__ import annotations

import filecmp
import importlib
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))          # document this checkout, not another install
sys.path.insert(0, str(HERE / "_ext"))

import biornn  # noqa: E402

project = "biornn"
author = "the biornn authors"
copyright = "biornn authors"
release = version = biornn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
    "biornn_reference",
]

# --- sources ---------------------------------------------------------------------------
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
templates_path = ["_templates"]
root_doc = "index"
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# --- API reference: one page per module, generated recursively -------------------------
# ``api.rst`` names only the package; autosummary walks every public submodule
# (``:recursive:``), so a new module gets its page without editing the docs.
autosummary_generate = True
autosummary_imported_members = False     # each object once, on its defining module's page
autosummary_ignore_module_all = True     # ... also in packages that re-export (biornn, spiking)
# ``python -m biornn`` runs the CLI when biornn.__main__ is imported: never import it here.
autosummary_mock_imports = ["biornn.__main__"]
autodoc_mock_imports = ["biornn.__main__"]
autodoc_default_options = {
    "members": True,
    "undoc-members": True,
    "ignore-module-all": True,
    "member-order": "bysource",
    # public methods a class inherits from a private base (RNN and LSTM from
    # rate._sequence.SequenceModel, the readouts' get_params/set_params), not builtins'
    "inherited-members": "object,dict,list,tuple,Exception,BaseException,ValueError",
}
autodoc_typehints = "none"               # the numpydoc Parameters sections say the types
autoclass_content = "class"
add_module_names = False

numpydoc_show_class_members = False      # autodoc lists members; no second table
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# --- tutorials: the notebooks of notebooks/, rendered as stored ------------------------
# The test suite executes them; the docs do not run them again.
nb_execution_mode = "off"
TUTORIALS = HERE / "tutorials"


def _copy_notebooks() -> None:
    """Copy ``notebooks/*.ipynb`` into ``docs/tutorials/`` (git-ignored), only when changed,
    so a new notebook becomes a tutorial page without editing the docs."""
    TUTORIALS.mkdir(exist_ok=True)
    wanted = {p.name: p for p in sorted((ROOT / "notebooks").glob("*.ipynb"))}
    for old in TUTORIALS.glob("*.ipynb"):
        if old.name not in wanted:
            old.unlink()
    for name, src in wanted.items():
        dst = TUTORIALS / name
        if not dst.exists() or not filecmp.cmp(src, dst, shallow=False):
            shutil.copyfile(src, dst)


_copy_notebooks()

# --- relative references in docstrings --------------------------------------------------
# ``:mod:`.plasticity``` written in biornn/spiking/features.py means what a relative
# import means there: biornn.spiking.plasticity.  Sphinx instead searches every module
# ending in ".plasticity" (biornn.experiments.plasticity too) and warns of the ambiguity,
# so such references are resolved against the documented object's package first.  The
# rewrite lengthens the text: inside a non-last column of a simple table write the
# reference absolute.
_RELATIVE_REF = re.compile(r"(:(?:py:)?(?:mod|func|class|meth|data|attr|exc|obj|const):`)"
                           r"([^`<]*<)?\.(?!\.)([A-Za-z_][\w.]*)(>?`)")


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for name in parts[i:]:
                obj = getattr(obj, name)
        except AttributeError:
            return False
        return True
    return False


def _package_of(what: str, name: str, obj) -> str:
    if what == "module":
        return name if hasattr(obj, "__path__") else name.rpartition(".")[0]
    module = getattr(obj, "__module__", None) or name.rpartition(".")[0]
    return module.rpartition(".")[0]


def _resolve_relative_refs(app, what, name, obj, options, lines):
    package = _package_of(what, name, obj)
    if not package:
        return

    def absolute(match):
        target = f"{package}.{match.group(3)}"
        if not _resolves(target):
            return match.group(0)
        title = match.group(2) or "~"
        return f"{match.group(1)}{title}{target}{match.group(4)}"

    lines[:] = [_RELATIVE_REF.sub(absolute, line) for line in lines]


def setup(app):
    app.connect("autodoc-process-docstring", _resolve_relative_refs, priority=400)


# --- doctests ---------------------------------------------------------------------------
# The docstring examples run with pytest (``--doctest-modules``, in module context, with
# docs/doctest_namespace.py providing np and biornn), see .ci/docs.sh.

# --- output ----------------------------------------------------------------------------
html_theme = "alabaster"
html_title = f"biornn {version}"
html_theme_options = {"description": "Learning with general recurrent neural networks",
                      "fixed_sidebar": True, "page_width": "1100px", "sidebar_width": "240px"}
html_static_path: list[str] = []
