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
    Hopfield                   binary associative memory (Hopfield 1982): Hebbian,
                               Storkey and pseudo-inverse rules, energy, batched recall
    ContinuousHopfield         graded-response network (Hopfield 1984)
    DenseAssociativeMemory     modern Hopfield network (Ramsauer et al. 2020)
Spiking models (Brian2; ``biornn.spiking``, imported on demand)
    LSM / LiquidStateMachine   liquid state machine (Maass, Natschlaeger & Markram 2002)
"""

__version__ = "0.1.0"

from . import io, metrics, readout, states, tasks  # noqa: E402
from .io import load, save  # noqa: E402
from .readout import RLS, Ridge, RidgeClassifier  # noqa: E402
from .rate.esn import ESN, EchoStateNetwork  # noqa: E402
from .rate.hopfield import Hopfield  # noqa: E402
from .rate.hopfield_continuous import ContinuousHopfield  # noqa: E402
from .rate.dense_memory import DenseAssociativeMemory  # noqa: E402

__all__ = [
    "__version__",
    "io", "metrics", "readout", "states", "tasks",
    "save", "load",
    "Ridge", "RidgeClassifier", "RLS",
    "ESN", "EchoStateNetwork",
    "Hopfield", "ContinuousHopfield", "DenseAssociativeMemory",
]
