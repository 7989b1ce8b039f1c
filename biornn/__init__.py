"""biornn: learning with general recurrent neural networks.

Catalogue
---------
Shared layer
    readout        Ridge, RidgeClassifier, RLS (the one linear readout every model uses)
    tasks          NARMA, Mackey-Glass, memory capacity, sinusoids, spike templates, ...
    metrics        nrmse, nmse, memory_capacity, accuracy, separation
    states         spikes -> features, washout, sequence reducers
    io             save/load as .npz + JSON (no pickle)
Rate models (numpy/scipy; ``biornn.rate``)
    ESN / EchoStateNetwork     echo state network (Jaeger 2001; Jaeger & Haas 2004)
Spiking models (Brian2; ``biornn.spiking``, imported on demand)
    LSM / LiquidStateMachine   liquid state machine (Maass, Natschlaeger & Markram 2002)
"""

__version__ = "0.1.0"

from . import io, metrics, readout, states, tasks  # noqa: E402
from .io import load, save  # noqa: E402
from .readout import RLS, Ridge, RidgeClassifier  # noqa: E402
from .rate.esn import ESN, EchoStateNetwork  # noqa: E402

__all__ = [
    "__version__",
    "io", "metrics", "readout", "states", "tasks",
    "save", "load",
    "Ridge", "RidgeClassifier", "RLS",
    "ESN", "EchoStateNetwork",
]
