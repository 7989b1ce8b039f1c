"""Spiking and biophysical models in Brian2.

This is the only subpackage that imports ``brian2``; ``import biornn`` does not
import it, so the rate half works without compiling anything.

LSM / LiquidStateMachine
    Liquid state machine of Maass, Natschläger & Markram (2002), many trials per run;
    ``features=["stdp", "gap_junctions", "dendrites", "gabab"]`` switches on the parts below.
neurons, synapses, encoding, connectivity
    Equation parts (LIF neuron, static and Tsodyks-Markram synapses), input formats,
    column geometry.
plasticity
    STDP: pair-based additive and multiplicative (Song, Miller & Abbott 2000), triplet
    (Pfister & Gerstner 2006); the pairing protocol and the analytic window.
gap_junctions
    Electrical coupling with its own summed current ``I_gap``; coupling coefficient,
    spike synchrony.
dendrites
    Two-compartment neuron with an NMDA-like or sigmoidal dendritic nonlinearity.
metabotropic
    G-protein-coupled receptors: GABA_B (Destexhe, Mainen & Sejnowski 1998) and a slow
    mGluR-like excitatory current, event-driven and lumped per neuron.
features, parts, protocols
    Wiring of the features into the liquid; equation parts; the small test preparations.
learning, learning_features, homeostasis, reward
    ``LSM.learn`` (weights that persist, bounded history); synaptic scaling and
    intrinsic plasticity (SORN); reward-modulated STDP (Izhikevich 2007).
plasticity_protocols
    Song, Miller & Abbott (2000) neuron; Sjöström pairing protocol on the triplet rule.
"""

from . import (connectivity, dendrites, encoding, features, gap_junctions, homeostasis, learning,
               metabotropic, neurons, parts, plasticity, plasticity_protocols, protocols, reward,
               synapses)
from .dendrites import DENDRITE_DEFAULTS, attach_gate_update, dendritic_compartment
from .encoding import check_spike_trials, poisson_spikes
from .features import FEATURES, liquid_features
from .gap_junctions import (connect_gap_junctions, coupling_coefficient, gap_junction_current,
                            spike_synchrony)
from .lsm import LSM, LiquidStateMachine
from .metabotropic import (GABAB_DESTEXHE, MGLUR_SLOW, connect_metabotropic,
                           metabotropic_current, metabotropic_synapse)
from .parts import NeuronPart, SynapsePart, join_synapse_parts
from .plasticity import (STDP_RULES, measure_stdp_window, stdp_synapse, stdp_synapses,
                         stdp_window)
from .synapses import tsodyks_markram_amplitudes

__all__ = [
    "LSM", "LiquidStateMachine", "check_spike_trials", "poisson_spikes",
    "tsodyks_markram_amplitudes",
    "STDP_RULES", "stdp_synapse", "stdp_synapses", "stdp_window", "measure_stdp_window",
    "gap_junction_current", "connect_gap_junctions", "coupling_coefficient", "spike_synchrony",
    "DENDRITE_DEFAULTS", "dendritic_compartment", "attach_gate_update",
    "GABAB_DESTEXHE", "MGLUR_SLOW", "metabotropic_current", "metabotropic_synapse",
    "connect_metabotropic",
    "FEATURES", "liquid_features", "NeuronPart", "SynapsePart", "join_synapse_parts",
    "connectivity", "dendrites", "encoding", "features", "gap_junctions", "metabotropic",
    "neurons", "parts", "plasticity", "protocols", "synapses",
    "homeostasis", "learning", "reward", "plasticity_protocols",
]
