"""``python -m biornn`` is the ``biornn`` command (see :mod:`biornn.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
