#!/usr/bin/env bash
# CI: build the documentation with warnings as errors, then run every docstring example
# of the package as a doctest (pytest --doctest-modules: new modules are picked up
# without editing this script; examples may assume np and biornn, see
# docs/doctest_namespace.py; slow or random ones are marked +SKIP in the docstring).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet -e ".[docs]"
export MPLBACKEND=Agg
python -m sphinx -W --keep-going -q -b html -d docs/_build/doctrees docs docs/_build/html
PYTHONPATH="docs${PYTHONPATH:+:$PYTHONPATH}" python -m pytest -q -p no:cacheprovider \
    -p doctest_namespace --doctest-modules biornn
echo "docs: built in docs/_build/html; docstring examples passed"
