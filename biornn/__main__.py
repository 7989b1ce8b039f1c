"""``python -m biornn`` is the ``biornn`` command (see :mod:`biornn.cli`)."""

import sys

from .cli import main

sys.exit(main())
