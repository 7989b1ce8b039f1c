"""Learning rules of the liquid beside STDP, as features (see :mod:`.features`).

==========================  ==========================================================
``"synaptic_scaling"``      :mod:`biornn.spiking.homeostasis`: every E->E amplitude onto
                            a neuron is scaled multiplicatively towards ``r_target``
                            (Turrigiano)
``"intrinsic_plasticity"``  :mod:`biornn.spiking.homeostasis`: each E neuron's threshold
                            moves to hold ``r_target`` (SORN; Lazar, Pipa & Triesch
                            2009); the learned offsets are kept in
                            ``lsm.learned["theta"]``
``"reward_stdp"``           :mod:`biornn.spiking.reward`: E->E eligibility traces gated
                            by the dopamine given to ``LSM.learn`` (Izhikevich 2007)
==========================  ==========================================================

Each composes with ``"stdp"`` and with the others (``"reward_stdp"`` replaces
``"stdp"``: both would define the same traces).  All are frozen in ``LSM.run``
unless ``plastic=True`` (their gates are 0), and learn in ``LSM.learn``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import brian2 as b2
import numpy as np

from .._validate import check_positive
from .homeostasis import attach_synaptic_scaling, intrinsic_threshold, rate_estimate
from .learning import learned_state, plasticity_on, synapse_bounds
from .parts import SynapsePart
from .reward import dopamine_signal, reward_stdp_parameters, reward_stdp_synapse

__all__ = ["SynapticScalingFeature", "IntrinsicPlasticityFeature", "RewardSTDPFeature",
           "LEARNING_FEATURES", "LEARNING_TOP"]


def _excitatory_targets(lsm, n_copies):
    return np.tile(~lsm.inhibitory[lsm.recurrent["E"].post], n_copies).astype(float)


def _no_params(name, params):
    if params:
        raise ValueError(f"unknown {name} parameters {sorted(params)}")


@dataclass
class SynapticScalingFeature:
    """Multiplicative scaling of the E->E amplitudes towards ``r_target`` (Hz)."""

    r_target: float = 10.0
    tau_scaling: float = 10.0
    tau_rate: float = 1.0
    interval: float = 0.1
    params: dict = field(default_factory=dict)
    plastic = True
    learns = True
    currents = ()

    def __post_init__(self):
        _no_params("synaptic_scaling", self.params)
        self.r_target = check_positive("r_target", self.r_target)
        self.tau_scaling = check_positive("tau_scaling", self.tau_scaling)
        self.interval = check_positive("interval", self.interval)
        self.neuron_rules = (rate_estimate(self.tau_rate),)

    def synapse_parts(self, pre_type):
        return [SynapsePart("scaled : 1 (constant)")] if pre_type == "E" else []

    def setup_synapses(self, pre_type, syn, lsm, n_copies):
        if pre_type == "E":
            syn.scaled = _excitatory_targets(lsm, n_copies) * plasticity_on(lsm)
            attach_synaptic_scaling(syn, r_target=self.r_target, tau_scaling=self.tau_scaling,
                                    interval=self.interval, weight="A", gate="scaled")

    def build(self, lsm, liquid, n_copies):
        return []


@dataclass
class IntrinsicPlasticityFeature:
    """Thresholds of the E neurons adapt to hold ``r_target`` (Hz); step ``eta`` (V)."""

    r_target: float = 10.0
    eta: float = 0.1e-3
    params: dict = field(default_factory=dict)
    learns = True
    currents = ()

    def __post_init__(self):
        _no_params("intrinsic_plasticity", self.params)
        self.neuron_rules = (intrinsic_threshold(self.r_target, self.eta),)
        self.r_target, self.eta = float(self.r_target), float(self.eta)

    def build(self, lsm, liquid, n_copies):
        liquid.ip_gate = np.tile(~lsm.inhibitory, n_copies) * float(plasticity_on(lsm))
        theta = learned_state(lsm).get("theta", np.zeros(lsm.n_neurons))
        liquid.theta0 = np.tile(theta, n_copies) * b2.volt
        return []


@dataclass
class RewardSTDPFeature:
    """Reward-modulated STDP on E->E (:mod:`.reward`); bounds as in ``"stdp"``."""

    A_max: float = 90e-9
    tonic: float = 0.0
    params: dict = field(default_factory=dict)
    plastic = True
    learns = True
    currents = ()
    _dopamine: object = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        reward_stdp_parameters(**self.params)
        self.A_max = check_positive("A_max", self.A_max)

    def set_dopamine(self, dopamine, duration, tonic=0.0):
        """Dopamine of the next network built (``None``: none); see ``dopamine_signal``."""
        if duration is None:
            self._dopamine = None
            return
        dt = reward_stdp_parameters(**self.params)["update_dt"]
        self._dopamine = dopamine_signal(dopamine, duration, dt=dt,
                                         tonic=self.tonic + tonic)[1]

    def synapse_parts(self, pre_type):
        if pre_type != "E":
            return []
        dopamine = self._dopamine if self._dopamine is not None else b2.TimedArray(
            np.zeros(1) / b2.second, dt=1 * b2.second, name="dopamine")
        part, self._update = reward_stdp_synapse(dopamine, "A", "amp", gate="rewarded",
                                                 **self.params)
        return [part]

    def setup_synapses(self, pre_type, syn, lsm, n_copies):
        if pre_type == "E":
            syn.rewarded = _excitatory_targets(lsm, n_copies) * plasticity_on(lsm)
            syn.A_max = synapse_bounds(lsm, self.A_max, n_copies) * b2.amp
            code, dt = self._update
            syn.run_regularly(code, dt=dt, name=f"{syn.name}_reward")

    def build(self, lsm, liquid, n_copies):
        return []


LEARNING_FEATURES = {"synaptic_scaling": SynapticScalingFeature,
                     "intrinsic_plasticity": IntrinsicPlasticityFeature,
                     "reward_stdp": RewardSTDPFeature}
LEARNING_TOP = {"synaptic_scaling": ("r_target", "tau_scaling", "tau_rate", "interval"),
                "intrinsic_plasticity": ("r_target", "eta"),
                "reward_stdp": ("A_max", "tonic")}
