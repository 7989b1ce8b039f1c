"""Metrics shared by every model: regression errors, memory capacity, accuracy, separation."""

from __future__ import annotations

import numpy as np

# ---------------------------------------------------------------------------
# Regression and classification
# ---------------------------------------------------------------------------



# ---------------------------------------------------------------------------
# Reservoir properties (memory capacity, separation, kernel rank)
# ---------------------------------------------------------------------------

