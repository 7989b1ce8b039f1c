#!/usr/bin/env bash
# CI: build the documentation with warnings as errors, then run every docstring example
# (and every >>> block of the pages) as a doctest.  Both builds share one doctree cache,
# so the second reads nothing again.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet -e ".[docs]"
export MPLBACKEND=Agg
python -m sphinx -W --keep-going -q -b html -d docs/_build/doctrees docs docs/_build/html
python -m sphinx -W --keep-going -q -b doctest -d docs/_build/doctrees docs docs/_build/doctest
echo "docs: built in docs/_build/html; doctests passed"
