"""biornn: learning with general recurrent neural networks.

Catalogue::

    Shared layer
        readout        Ridge, RidgeClassifier, RLS (the one linear readout every model uses)
        tasks          NARMA, Mackey-Glass, memory capacity, sinusoids, spike templates, ...
        metrics        nrmse, nmse, memory_capacity, accuracy, separation
        states         spikes -> features, washout, sequence reducers (last, mean, segment_mean)
        audio          cochleagram (gammatone filterbank, ERB scale), spike encodings (Poisson, BSA,
                       send-on-delta); tasks.spoken_digits reads real recordings (FSDD layout)
        sequence_readout  TimeStepClassifier: readout on every step, time-averaged decision
        io             save/load as .npz + JSON (no pickle)
        specs, schema  model files (models/*.toml) and experiment specs (simulations/*.toml)
        experiments    load_spec, run, write_run: one spec -> results.json + spec.toml + figures;
                       one module per experiment kind (the table: experiments.registry.KINDS)
        sweep          run_sweep: grids / random search, local processes or Dask, resumable
        plots          matplotlib figures (every function takes ax=None, returns the axes)
        cli            the ``biornn`` command (run, sweep, validate, models, simulations)
    Rate models (numpy/scipy; ``biornn.rate``)
        ESN / EchoStateNetwork     echo state network (Jaeger 2001; Jaeger & Haas 2004)
        Hopfield                   binary associative memory (Hopfield 1982): Hebbian,
                                   Storkey and pseudo-inverse rules, energy, batched recall
        ContinuousHopfield         graded-response network (Hopfield 1984)
        DenseAssociativeMemory     modern Hopfield network (Ramsauer et al. 2020)
        MLP                        feedforward backprop baseline, time-delay embedding
        RNN                        vanilla RNN: BPTT (full, truncated), RTRL, SnAp-1, UORO
                                   (Williams & Zipser 1989; Menick et al. 2021; Tallec & Ollivier 2017)
        LSTM                       LSTM with forget gate, exact BPTT (Hochreiter & Schmidhuber 1997)
        SGD, Adam, train           optimisers, gradient clipping, training loop
        FORCE                      FORCE learning with the shared RLS (Sussillo & Abbott 2009)
    Spiking models (Brian2; ``biornn.spiking``, imported on first use)
        LSM / LiquidStateMachine   liquid state machine (Maass, Natschlaeger & Markram 2002):
                                   batched trials as copies of the column, numpy/cython
                                   targets and a cached cpp_standalone binary
    Spikes and spiking tasks
        states.exponential_filter, states.binned_counts, states.sample_times
        tasks.spike_templates (SpikeTrials), metrics.separation, metrics.spike_train_distance
"""

__version__ = "0.1.0"

from . import io, metrics, readout, states, tasks  # noqa: E402
from . import audio, sequence_readout  # noqa: E402  (cochlear front end, time-step readout)
from .io import load, save  # noqa: E402
from .readout import RLS, Ridge, RidgeClassifier  # noqa: E402
from .rate.esn import ESN, EchoStateNetwork  # noqa: E402
from .rate.hopfield import Hopfield  # noqa: E402
from .rate.hopfield_continuous import ContinuousHopfield  # noqa: E402
from .rate.dense_memory import DenseAssociativeMemory  # noqa: E402
from .rate.feedforward import MLP  # noqa: E402
from .rate.force import FORCE  # noqa: E402
from .rate.lstm import LSTM  # noqa: E402
from .rate.optim import SGD, Adam, train  # noqa: E402
from .rate.rnn import RNN  # noqa: E402

__all__ = [
    "__version__",
    "io", "metrics", "readout", "states", "tasks",
    "save", "load",
    "LSM", "LiquidStateMachine",
    "Ridge", "RidgeClassifier", "RLS",
    "ESN", "EchoStateNetwork",
    "Hopfield", "ContinuousHopfield", "DenseAssociativeMemory",
    "MLP", "RNN", "LSTM", "FORCE", "SGD", "Adam", "train",
]

_SPIKING = {"LSM", "LiquidStateMachine"}


def __getattr__(name):
    # Brian2 is imported only when a spiking model is asked for, so that
    # ``import biornn`` stays light and the rate half needs no compiler.
    if name in _SPIKING:
        from . import spiking
        return getattr(spiking, name)
    if name == "spiking":
        import importlib
        return importlib.import_module(".spiking", __name__)
    raise AttributeError(f"module 'biornn' has no attribute {name!r}")
