"""Data sets and task generators.

Every generator is seeded (``seed``: int or numpy Generator) and returns plain
float arrays shaped ``(time, features)`` (or ``(batch, time, features)``).
"""

from __future__ import annotations

import numpy as np

from ._rng import as_generator
from ._validate import check_positive_int

# ---------------------------------------------------------------------------
# Analog time-series tasks (NARMA, Mackey-Glass, memory capacity, sinusoids)
# ---------------------------------------------------------------------------



# ---------------------------------------------------------------------------
# Spiking tasks (spike-train templates)
# ---------------------------------------------------------------------------



# ---------------------------------------------------------------------------
# Associative-memory tasks (random patterns, corrupted cues)
# ---------------------------------------------------------------------------



# ---------------------------------------------------------------------------
# Sequence-learning tasks (adding problem, ...)
# ---------------------------------------------------------------------------

