"""Biophysical features of the liquid, as :class:`~biornn.spiking.lsm.LSM` extensions.

``LSM(..., features=["stdp", "gap_junctions", "dendrites", "gabab"])`` switches them
on, in any combination and all at once; parameters come from
``models/lsm_features.toml`` and a dict overrides them
(``features={"stdp": {"rule": "triplet"}}``).  Each feature is an extension of the
liquid builder (:func:`biornn.spiking.runtime.build_liquid`): it may add

- ``currents``: neuron parts summed into the LIF membrane equation,
- ``synapse_parts(pre_type)``: parts joined to the dynamic synapses of the
  projection from ``"E"`` or ``"I"`` neurons,
- ``setup_synapses(pre_type, synapses, lsm, n_copies)``: per-synapse values,
- ``build(lsm, liquid, n_copies)``: extra Brian2 objects.

The equations live in their modules; this file only wires them into the liquid:

========================  ==========================================================
``"stdp"``                :mod:`.plasticity` on E->E (the dynamic synapse's ``A`` is
                          the weight, bounded by ``A_max``; E->I synapses stay fixed)
``"gap_junctions"``       :mod:`.gap_junctions` among I neurons, pair probability
                          ``probability * exp(-(D/lambda)^2)``, with spikelets
``"dendrites"``           :mod:`.dendrites`: E neurons get an NMDA dendrite that
                          receives their excitatory synaptic current ``I_syn_e``;
                          the Mg2+ gate is refreshed every ``gate_dt`` (0.5 ms)
``"gabab"``               :mod:`.metabotropic` GABA_B on I->E, pooled per neuron
========================  ==========================================================

The values in ``models/lsm_features.toml`` are calibrated in the liquid and their
figures printed by ``simulations/liquid_calibration.py`` (measures:
:mod:`.measures`); where the paper's cell limits a mechanism, the file offers a
named variant of the column (:func:`liquid_variant`).

Cost (see ``benchmarks/lsm_features.py``): STDP traces and GABA_B receptors are
event-driven (updated only at spikes); GABA_B's G-protein kinetics and the dendrite
are per-neuron equations.  Weights learned by STDP are reset with the rest of the
network state before every chunk of trials; :meth:`STDPFeature.weights` reads them
after a run (runtime targets).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import brian2 as b2
import numpy as np

from .._validate import check_bool, check_choice, check_nonnegative, check_positive
from ..specs import load_model
from .dendrites import attach_gate_update, dendritic_compartment, passive_load
from .gap_junctions import connect_gap_junctions, gap_junction_current
from .metabotropic import metabotropic_current, metabotropic_synapse
from .learning import plasticity_on, synapse_bounds
from .learning_features import LEARNING_FEATURES, LEARNING_TOP
from .plasticity import stdp_parameters, stdp_synapse

__all__ = ["FEATURES", "liquid_features", "liquid_variant", "STDPFeature", "GapJunctionFeature",
           "DendriteFeature", "GABABFeature"]


def _post_is_excitatory(lsm, pre_type, n_copies):
    return np.tile(~lsm.inhibitory[lsm.recurrent[pre_type].post], n_copies).astype(float)


@dataclass
class STDPFeature:
    """STDP on the liquid's E->E synapses (rule parameters as :data:`.plasticity.STDP_RULES`).

    Each plastic synapse is bounded by ``max(A_max, A_drawn)``: switching the rule on
    leaves every drawn amplitude as drawn, and the few drawn above ``A_max`` (the
    amplitudes are Gamma-distributed) keep their own bound.  ``clip_initial=True``
    restores the older model change: one bound ``A_max`` for all, drawn amplitudes
    above it clipped to it.  The rule is frozen in :meth:`LSM.run` unless
    ``plastic=True``; :meth:`LSM.learn` runs it and keeps the weights.
    """

    rule: str = "additive"
    A_max: float = 90e-9
    clip_initial: bool = False
    params: dict = field(default_factory=dict)
    plastic = True                 # the dynamic synapse's A must be writable
    learns = True
    currents = ()
    _synapses: object = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        stdp_parameters(self.rule, **self.params)           # validates rule and keys
        self.A_max = check_positive("A_max", self.A_max)
        self.clip_initial = check_bool("clip_initial", self.clip_initial)

    def synapse_parts(self, pre_type):
        return [stdp_synapse(self.rule, "A", "amp", gate="plastic", **self.params)] \
            if pre_type == "E" else []

    def setup_synapses(self, pre_type, syn, lsm, n_copies):
        if pre_type != "E":
            return
        mask = _post_is_excitatory(lsm, "E", n_copies)
        syn.plastic = mask * plasticity_on(lsm)
        A = np.tile(lsm.recurrent["E"].params["A"], n_copies)
        if self.clip_initial:
            # a fixed (E->I) synapse gets a bound it never reaches (its change is gated)
            syn.A_max = np.where(mask > 0, self.A_max, np.maximum(A, self.A_max)) * b2.amp
            syn.A = np.where(mask > 0, np.minimum(A, self.A_max), A) * b2.amp
        else:
            syn.A_max = synapse_bounds(lsm, self.A_max, n_copies) * b2.amp
        self._synapses = syn

    def build(self, lsm, liquid, n_copies):
        return []

    def weights(self, lsm, copy=0):
        """Amplitudes A (A) of copy ``copy``'s E synapses after the last run, in the
        order of ``lsm.recurrent["E"]``, and the mask of the plastic (E->E) ones."""
        if self._synapses is None:
            raise RuntimeError("run the liquid first (runtime target)")
        n = lsm.recurrent["E"].n_synapses
        A = np.asarray(self._synapses.A[copy * n:(copy + 1) * n] / b2.amp)
        return A, ~lsm.inhibitory[lsm.recurrent["E"].post]


@dataclass
class GapJunctionFeature:
    """Gap junctions among the liquid's inhibitory neurons."""

    g: float = 0.05e-6
    probability: float = 0.6
    length_constant: float = 2.0
    spikelet_area: float = 0.03e-3
    currents = (gap_junction_current(),)

    def __post_init__(self):
        self.g = check_nonnegative("g", self.g)
        self.length_constant = check_positive("length_constant", self.length_constant)

    def pairs(self, lsm):
        """Junctions ``(n, 2)`` of one column: I-I pairs with probability ``p exp(-(D/lambda)^2)``."""
        inh = np.flatnonzero(lsm.inhibitory)
        a, b = np.triu_indices(len(inh), k=1)
        d2 = ((lsm.positions[inh[a]] - lsm.positions[inh[b]]) ** 2).sum(-1)
        p = self.probability * np.exp(-d2 / self.length_constant ** 2)
        keep = np.random.default_rng([lsm.brian_seed, 0x6A9]).random(len(a)) < p
        return np.column_stack([inh[a[keep]], inh[b[keep]]])

    def build(self, lsm, liquid, n_copies):
        pairs = self.pairs(lsm)
        offsets = (np.arange(n_copies) * lsm.n_neurons)[:, None, None]
        all_pairs = (pairs[None] + offsets).reshape(-1, 2)
        capacitance = lsm.neuron["tau_m"] / lsm.neuron["R_m"]
        return [connect_gap_junctions(liquid, self.g, pairs=all_pairs,
                                      spikelet_area=self.spikelet_area,
                                      capacitance=capacitance, name="gap_junctions")]


@dataclass
class DendriteFeature:
    """Excitatory neurons become two-compartment cells; their E input lands on the dendrite."""

    nonlinearity: str = "nmda"
    gate_dt: float | None = 0.5e-3   # refresh of the Mg2+ gate (s); None: every step
    compensate_load: bool = True     # keep the soma's rest and input resistance (R_m)
    params: dict = field(default_factory=dict)
    nonlinear = True

    def __post_init__(self):
        if self.gate_dt is not None:
            self.gate_dt = check_positive("gate_dt", self.gate_dt)
        self.compensate_load = check_bool("compensate_load", self.compensate_load)
        self.currents = (dendritic_compartment(["I_syn_e"], nonlinearity=self.nonlinearity,
                                               switch="dendritic",
                                               gate_variable=self.gate_dt is not None,
                                               compensate_load=self.compensate_load,
                                               **self.params),)

    def build(self, lsm, liquid, n_copies):
        if self.compensate_load and passive_load(**self.params) * lsm.neuron["R_m"] >= 1:
            raise ValueError("dendrites: the passive load g_c/(1 + g_c R_d) must be below "
                             f"the soma's leak 1/R_m = {1 / lsm.neuron['R_m']:g} S to be "
                             "compensated; lower g_c or raise R_d")
        liquid.dendritic = np.tile(~lsm.inhibitory, n_copies).astype(float)
        if self.gate_dt is not None:
            attach_gate_update(liquid, self.gate_dt, self.nonlinearity, **self.params)
        return []


@dataclass
class GABABFeature:
    """GABA_B receptors (Destexhe et al. 1998) on the liquid's I->E synapses."""

    g_max: float = 1e-6
    v_rest: float = -70e-3
    weight: float = 1.0            # each I->E synapse's share of receptors (w_gabab)
    params: dict = field(default_factory=dict)
    nonlinear = True

    def __post_init__(self):
        self.weight = check_nonnegative("weight", self.weight)
        self.currents = (metabotropic_current("gabab", g_max=self.g_max, v_rest=self.v_rest,
                                              **self.params),)

    def synapse_parts(self, pre_type):
        return [metabotropic_synapse("gabab", **self.params)] if pre_type == "I" else []

    def setup_synapses(self, pre_type, syn, lsm, n_copies):
        if pre_type == "I":
            syn.w_gabab = self.weight * _post_is_excitatory(lsm, "I", n_copies)

    def build(self, lsm, liquid, n_copies):
        return []


FEATURES = {"stdp": STDPFeature, "gap_junctions": GapJunctionFeature,
            "dendrites": DendriteFeature, "gabab": GABABFeature}

_TOP = {"stdp": ("rule", "A_max"), "gap_junctions": ("g", "probability", "length_constant",
                                                     "spikelet_area"),
        "dendrites": ("nonlinearity", "gate_dt", "compensate_load"), "gabab": ("g_max", "v_rest", "weight")}

# learning rules beside STDP (homeostasis, reward-modulated STDP): learning_features.py
_TOP["stdp"] += ("clip_initial",)
FEATURES.update(LEARNING_FEATURES)
_TOP.update(LEARNING_TOP)


def liquid_features(features, model="lsm_features"):
    """Extensions for ``features`` (names, or a dict name -> overrides / True / False).

    Parameters not given come from ``models/<model>.toml``.  Raises ``ValueError``
    naming an unknown feature or parameter.
    """
    if isinstance(features, str):
        features = [features]
    if not isinstance(features, dict):
        features = {name: {} for name in features}
    spec = load_model(model)
    out = []
    for name, overrides in features.items():
        check_choice("feature", name, FEATURES)
        if overrides is False or overrides is None:
            continue
        params = dict(spec.get(name, {}))
        params.update({} if overrides is True else dict(overrides))
        top = {k: params.pop(k) for k in _TOP[name] if k in params}
        if name == "gap_junctions" and params:
            raise ValueError(f"unknown gap_junctions parameters {sorted(params)}")
        out.append(FEATURES[name](**top, **({"params": params} if params else {})))
    return out


def liquid_variant(name, model="lsm_features"):
    """Keyword arguments of a named liquid variant (``[variants.<name>]`` of the model file).

    A variant changes the column itself (e.g. ``"deep_reset"``: cells reset to rest,
    the cell for which gap-junction spikelets are small against the distance to
    threshold), so it is offered by name rather than applied silently:
    ``LSM.from_model("maass2002_lsm", **liquid_variant("deep_reset"), seed=0)``.
    Returns a dict with ``neuron`` overrides and ``features``.
    """
    variants = load_model(model).get("variants", {})
    check_choice("variant", name, variants)
    spec = dict(variants[name])
    spec.pop("description", None)
    return spec
