"""From model output to readout features, shared by every reservoir.

Spike trains -> exponentially filtered traces or binned counts, washout, and
sequence-to-vector reducers.  All functions take and return plain float arrays
in SI units (seconds).
"""

from __future__ import annotations

import numpy as np

# ---------------------------------------------------------------------------
# Washout and reducers (rate and spiking)
# ---------------------------------------------------------------------------



# ---------------------------------------------------------------------------
# Spikes -> features
# ---------------------------------------------------------------------------

