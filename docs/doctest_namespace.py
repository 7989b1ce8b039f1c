"""pytest plugin for the docstring examples: ``python -m pytest -p doctest_namespace
--doctest-modules biornn`` with ``docs/`` on ``sys.path`` (see ``.ci/docs.sh``).

Examples may assume ``import numpy as np`` (the numpydoc convention) and
``import biornn`` / ``import biornn as bn``; everything else they import themselves
or take from the module they document.
"""

import pytest


@pytest.fixture(autouse=True)
def _biornn_doctest_namespace(doctest_namespace):
    import numpy as np

    import biornn

    doctest_namespace.update(np=np, biornn=biornn, bn=biornn)
