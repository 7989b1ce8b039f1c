"""Spiking and biophysical models in Brian2.

This is the only subpackage that imports ``brian2``; ``import biornn`` does not
import it, so the rate half works without compiling anything.

LSM / LiquidStateMachine
    Liquid state machine of Maass, Natschläger & Markram (2002), many trials per run.
neurons, synapses, encoding, connectivity
    Equation parts (LIF neuron, static and Tsodyks-Markram synapses), input formats,
    column geometry.
"""

from . import connectivity, encoding, neurons, synapses
from .encoding import check_spike_trials, poisson_spikes
from .lsm import LSM, LiquidStateMachine
from .synapses import tsodyks_markram_amplitudes

__all__ = ["LSM", "LiquidStateMachine", "check_spike_trials", "poisson_spikes",
           "tsodyks_markram_amplitudes", "connectivity", "encoding", "neurons", "synapses"]
