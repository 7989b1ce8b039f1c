"""Build the batched liquid as Brian2 objects, and run it on the runtime targets.

:func:`build_liquid` makes ``n_copies`` independent copies of a
:class:`~biornn.spiking.lsm.LiquidStateMachine` column in one set of Brian2 objects
(same synapses replicated with offset indices).  :class:`RuntimeSimulator` builds it
once for the numpy or cython target, stores it, and per chunk of trials restores it,
sets the new inputs and initial potentials and runs.

Brian2 users reach the objects of a built liquid through :class:`RuntimeSimulator`
(``LSM.build_network()`` returns one); they carry these Brian2 names:

==================  ==============================================================
``liquid``          ``NeuronGroup`` of all copies (neuron ``i`` of copy ``k`` is
                    ``k * n_neurons + i``)
``inputs``          ``SpikeGeneratorGroup`` (spike input; channel ``c`` of copy
                    ``k`` is ``k * n_channels + c``) or ``NeuronGroup`` reading the
                    analog signal ``s``
``synapses_E``      ``Synapses`` from excitatory neurons (onto ``I_syn_e``)
``synapses_I``      ``Synapses`` from inhibitory neurons (onto ``I_syn_i``)
``synapses_input``  ``Synapses`` from ``inputs`` to ``liquid``
``liquid_spikes``   ``SpikeMonitor`` of ``liquid`` (what the readout states use)
==================  ==============================================================
"""

from __future__ import annotations

import numpy as np
import brian2 as b2

from .encoding import spikes_to_steps
from .neurons import exponential_current, injected_current
from .parts import SynapsePart, join_synapse_parts
from .synapses import TM_INITIAL_STATE, static_synapse, tsodyks_markram_synapse

__all__ = ["build_liquid", "replicate", "RuntimeSimulator", "LiquidNetwork"]

_UNITS = {"A": b2.amp, "D": b2.second, "F": b2.second, "delay": b2.second, "U": 1}


def replicate(pre, post, n_copies, n_pre, n_post):
    """Index arrays of ``n_copies`` copies of a projection, copy k offset by k*n."""
    k = np.arange(n_copies)[:, None]
    return (np.asarray(pre)[None] + k * n_pre).ravel(), (np.asarray(post)[None] + k * n_post).ravel()


def _synapses(source, target, projection, model_on_pre, n_copies, n_pre, n_post, name, dt,
              on_post=None, namespace=None):
    model, on_pre = model_on_pre
    syn = b2.Synapses(source, target, model=model, on_pre=on_pre, on_post=on_post,
                      namespace=namespace or {}, dt=dt, name=name)
    i, j = replicate(projection.pre, projection.post, n_copies, n_pre, n_post)
    if i.size == 0:  # an empty projection (C = 0): Brian2 cannot connect empty arrays
        syn.connect(False)
        return syn
    syn.connect(i=i, j=j)
    for key, values in projection.params.items():
        setattr(syn, key, np.tile(values, n_copies) * _UNITS[key])
    return syn


def build_liquid(lsm, n_copies, n_channels, input_mode="spikes", stimulus=None,
                 current_scale=1e-9):
    """Brian2 objects for ``n_copies`` copies of ``lsm``'s column.

    Parameters
    ----------
    input_mode : {"spikes", "current"}
        Spikes: a ``SpikeGeneratorGroup`` of ``n_copies * n_channels`` inputs (copy k's
        channel c is input ``k*n_channels + c``) with static synapses onto
        ``I_syn_e``.  Current: a group reading ``stimulus(t, i)`` (a TimedArray) and a
        ``(summed)`` projection onto ``I_inj``, weights scaled so that an input
        synapse of mean amplitude ``A_E`` carries ``current_scale`` amperes per unit.

    Returns
    -------
    dict
        ``liquid``, ``inputs``, ``monitor``, ``synapses`` (``{"E", "I", "input"}``),
        ``objects`` (everything for the Network).
    """
    n = lsm.n_neurons
    dt = lsm.dt * b2.second
    nrn, cell = lsm.neuron, lsm.cell
    currents = [exponential_current("I_syn_e", nrn["tau_syn_e"]),
                exponential_current("I_syn_i", nrn["tau_syn_i"])]
    if input_mode == "current":
        currents.append(injected_current("I_inj"))
    for ext in lsm.extensions:
        currents.extend(getattr(ext, "currents", ()))
    eqs, namespace = cell.equations_for(currents, nrn)
    # hook: extensions may add neuron variables, threshold terms and reset code
    # (homeostasis: rate estimates, adaptive thresholds; see homeostasis.NeuronRule)
    rules = [r for ext in lsm.extensions for r in getattr(ext, "neuron_rules", ())]
    for rule in rules:
        eqs += b2.Equations(rule.equations)
        namespace.update(rule.namespace)
    threshold = cell.threshold + "".join(r.threshold for r in rules)
    reset = "\n".join([cell.reset] + [r.reset for r in rules if r.reset])
    liquid = b2.NeuronGroup(n * n_copies, eqs, threshold=threshold, reset=reset,
                            refractory=cell.refractory, method=lsm.method,
                            namespace=namespace, dt=dt, name="liquid")
    inh = np.tile(lsm.inhibitory, n_copies)
    values = {"I_b": nrn["I_b"] * b2.amp, "v_th": nrn["v_th"] * b2.volt,
              "v_reset": nrn["v_reset"] * b2.volt,
              "tau_ref": np.where(inh, nrn["tau_ref_I"], nrn["tau_ref_E"]) * b2.second}
    for name in cell.per_neuron(eqs):
        setattr(liquid, name, values[name])
    objects = [liquid]
    synapses = {}
    for pre_type, target in (("E", "I_syn_e"), ("I", "I_syn_i")):
        # hook: extensions may add synapse parts (STDP, GABA_B) to a projection
        extra = [p for ext in lsm.extensions
                 for p in getattr(ext, "synapse_parts", lambda _: ())(pre_type)]
        model, on_pre = tsodyks_markram_synapse(target, plastic=any(
            getattr(ext, "plastic", False) for ext in lsm.extensions))
        part = join_synapse_parts(SynapsePart(model, on_pre), *extra)
        syn = _synapses(liquid, liquid, lsm.recurrent[pre_type], (part.model, part.on_pre),
                        n_copies, n, n, f"synapses_{pre_type}", dt,
                        on_post=part.on_post or None, namespace=part.namespace)
        syn.u = TM_INITIAL_STATE["u"]
        syn.R = TM_INITIAL_STATE["R"]
        for ext in lsm.extensions:  # hook: set the extensions' per-synapse values
            getattr(ext, "setup_synapses", lambda *a: None)(pre_type, syn, lsm, n_copies)
        objects.append(syn)
        synapses[pre_type] = syn
    proj = lsm.input_projection(n_channels)
    if input_mode == "spikes":
        inputs = b2.SpikeGeneratorGroup(n_copies * n_channels, np.array([], dtype=int),
                                        np.array([]) * b2.second, dt=dt, name="inputs")
        syn = _synapses(inputs, liquid, proj, static_synapse("I_syn_e"), n_copies,
                        n_channels, n, "synapses_input", dt)
        syn.delay = lsm.input["delay"] * b2.second
    else:
        inputs = b2.NeuronGroup(n_copies * n_channels, "s = stimulus(t, i) : 1",
                                namespace={"stimulus": stimulus}, dt=dt, name="inputs")
        syn = b2.Synapses(inputs, liquid, "w : amp (constant)\nI_inj_post = w*s_pre : amp (summed)",
                          namespace={"stimulus": stimulus}, dt=dt, name="synapses_input")
        i, j = replicate(proj.pre, proj.post, n_copies, n_channels, n)
        syn.connect(i=i, j=j)
        syn.w = np.tile(proj.params["A"], n_copies) * (current_scale / lsm.input["A_E"]) * b2.amp
    objects += [inputs, syn]
    synapses["input"] = syn
    for ext in lsm.extensions:
        objects.extend(ext.build(lsm, liquid, n_copies))
    monitor = b2.SpikeMonitor(liquid, record=True, name="liquid_spikes")
    objects.append(monitor)
    return {"liquid": liquid, "inputs": inputs, "monitor": monitor, "synapses": synapses,
            "objects": objects}


class RuntimeSimulator:
    """One network of ``n_copies`` columns for the numpy/cython targets, reused per chunk.

    Attributes
    ----------
    network : brian2.Network
        Everything below; stored as ``"initial"`` right after it is built.
    neurons : brian2.NeuronGroup
        The liquid (``"liquid"``), copy ``k`` holding neurons ``k*n ... (k+1)*n - 1``.
    inputs : brian2.SpikeGeneratorGroup or brian2.NeuronGroup
    synapses : dict of brian2.Synapses
        ``"E"``, ``"I"`` (recurrent, by presynaptic type) and ``"input"``.
    spike_monitor : brian2.SpikeMonitor
    n_copies, n_channels : int
    """

    def __init__(self, lsm, kind, n_copies, n_channels, duration):
        b2.prefs.codegen.target = lsm.target
        self.lsm = lsm
        self.n_copies = n_copies
        self.n_channels = n_channels
        self.mode = "spikes" if kind == "spikes" else "current"
        self.stimulus = None
        if self.mode == "current":
            _, self.input_dt, scale = kind
            n_samples = int(round(duration / self.input_dt))
            self.stimulus = b2.TimedArray(np.zeros((n_samples, n_copies * n_channels)),
                                          dt=self.input_dt * b2.second, name="stimulus")
        parts = build_liquid(lsm, n_copies, n_channels, self.mode, self.stimulus,
                             None if self.mode == "spikes" else scale)
        self.liquid, self.inputs, self.monitor = parts["liquid"], parts["inputs"], parts["monitor"]
        self.synapses = parts["synapses"]
        self.network = b2.Network(*parts["objects"])
        self.network.store("initial")

    @property
    def neurons(self):
        return self.liquid

    @property
    def spike_monitor(self):
        return self.monitor

    def run_chunk(self, trials, v0, duration, extra=()):
        """Run one chunk; return global neuron indices and spike times of the liquid.

        ``extra``: Brian2 objects (monitors) added to the network for this chunk
        only (after the network is restored; removed after the run).
        """
        b2.prefs.codegen.target = self.lsm.target
        b2.seed(self.lsm.brian_seed)
        self.network.restore("initial")
        if extra:
            self.network.add(*extra)
        n_pad = self.n_copies - len(trials)
        v = np.concatenate([v0, np.zeros((n_pad, v0.shape[1]))]) if n_pad else v0
        self.liquid.v = v.ravel() * b2.volt
        if self.mode == "spikes":
            chans, steps = [], []
            for k, (c, t) in enumerate(trials):
                ck, sk = spikes_to_steps(c, t, self.lsm.dt)
                chans.append(ck + k * self.n_channels)
                steps.append(sk)
            chans = np.concatenate(chans) if chans else np.array([], dtype=int)
            steps = np.concatenate(steps) if steps else np.array([], dtype=int)
            order = np.argsort(steps, kind="stable")
            self.inputs.set_spikes(chans[order], steps[order] * self.lsm.dt * b2.second)
        else:
            values = np.zeros(self.stimulus.values.shape)
            for k, signal in enumerate(trials):
                values[:, k * self.n_channels:(k + 1) * self.n_channels] = signal
            self.stimulus.values[:] = values
        try:
            self.network.run(duration * b2.second, namespace={})
        finally:
            if extra:  # their data stay readable; the stored state stays theirs-free
                self.network.remove(*extra)
        i = np.asarray(self.monitor.i[:], dtype=np.int64)
        t = np.asarray(self.monitor.t_[:], dtype=float)
        keep = i < len(trials) * self.lsm.n_neurons
        return i[keep], t[keep]


LiquidNetwork = RuntimeSimulator
"""The built liquid as Brian2 objects (what ``LSM.build_network()`` returns)."""
