"""Electrical synapses (gap junctions) between neurons of one group.

Each junction couples two neurons symmetrically through a conductance ``g``:

    I_gap,i = sum_j g_ij (v_j - v_i),      g_ij = g_ji >= 0

The current is written by a ``(summed)`` variable of its own (``I_gap`` by default),
which the neuron adds to its membrane sum (:func:`gap_junction_current`): two summed
projections writing the same variable would overwrite each other in Brian2, so
chemical synapses never write it.  Both directions of a junction are separate
synapses with the same ``g``.

For two identical passive cells with input resistance ``R`` (leak ``1/R``), a steady
current injected in cell 1 gives the coupling coefficient

    CC = v_2 / v_1 = g R / (1 + g R)

(:func:`coupling_coefficient`).  With ``v`` measured from rest, ``v_j - v_i`` is the
same as for absolute potentials.

References: Bennett MVL, Zukin RS (2004) Electrical coupling and neuronal
synchronization in the mammalian brain. Neuron 41:495-511.  Galarreta M, Hestrin S
(1999) A network of fast-spiking cells in the neocortex connected by electrical
synapses. Nature 402:72-75.
"""

from __future__ import annotations

import brian2 as b2
import numpy as np

from .._rng import as_generator
from .._validate import as_float_array, check_in_range, check_nonnegative, check_positive
from .parts import NeuronPart

__all__ = ["gap_junction_current", "gap_junction_pairs", "connect_gap_junctions",
           "coupling_coefficient", "spike_synchrony"]


def gap_junction_current(name="I_gap") -> NeuronPart:
    """Neuron-side part: ``<name> : amp``, written by :func:`connect_gap_junctions`."""
    return NeuronPart(name, f"{name} : amp", {})


def gap_junction_pairs(neurons, probability, seed=None):
    """Unordered pairs ``(i, j)``, ``i < j``, among ``neurons``, each kept with ``probability``.

    Returns an int array of shape (n_pairs, 2), in global neuron indices.
    """
    idx = np.asarray(neurons, dtype=int).ravel()
    p = check_in_range("probability", probability, 0.0, 1.0)
    a, b = np.triu_indices(len(idx), k=1)
    keep = as_generator(seed).random(len(a)) < p
    return np.column_stack([idx[a[keep]], idx[b[keep]]])


def connect_gap_junctions(group, g, *, pairs=None, neurons=None, probability=None,
                          seed=None, spikelet_area=0.0, capacitance=None, current="I_gap",
                          v="v", name=None):
    """Create the gap-junction ``Synapses`` of ``group``.

    Give the junctions either as ``pairs`` (array (n, 2) of neuron indices, each
    unordered pair once) or as ``neurons`` + ``probability`` (random pairs among
    those neurons, drawn with ``seed``).

    Parameters
    ----------
    group : brian2.NeuronGroup
        Must contain :func:`gap_junction_current` named ``current``.
    g : float or array of shape (n_pairs,)
        Junction conductance in siemens (>= 0).
    spikelet_area : float
        Area (V s) of the action potential that an integrate-and-fire neuron does
        not simulate; when a neuron fires, each partner receives the charge the
        spike drives through the junction, ``dv = g * spikelet_area / capacitance``
        (the spikelet).  0 (default) couples subthreshold potentials only.
        About 1e-4 V s for a 100 mV, 1 ms spike.
    capacitance : float
        Membrane capacitance (F) of the neurons, needed when ``spikelet_area > 0``
        (for the liquid's LIF cells ``tau_m / R_m``).
    v : str
        The membrane potential variable.

    Returns
    -------
    brian2.Synapses
        Both directions of each junction; ``g_gap`` holds the conductances.
    """
    if pairs is None:
        if neurons is None or probability is None:
            raise ValueError("give pairs=, or neurons= and probability=")
        pairs = gap_junction_pairs(neurons, probability, seed)
    pairs = np.asarray(pairs, dtype=int).reshape(-1, 2)
    if np.any(pairs[:, 0] == pairs[:, 1]):
        raise ValueError("pairs must join two different neurons")
    if pairs.size and (pairs.min() < 0 or pairs.max() >= len(group)):
        raise ValueError(f"pairs must index neurons 0..{len(group) - 1}")
    g_arr = as_float_array("g", g, ndim=(0, 1))
    if np.any(g_arr < 0):
        raise ValueError(f"g (gap-junction conductance) must be >= 0, got {g!r}")
    g_arr = np.broadcast_to(g_arr, (len(pairs),))
    spikelet_area = check_nonnegative("spikelet_area", spikelet_area)
    on_pre, namespace = None, {}
    if spikelet_area > 0:
        if capacitance is None:
            raise ValueError("capacitance (F) is needed when spikelet_area > 0")
        namespace = {"spikelet_charge": spikelet_area * b2.volt * b2.second,
                     "C_gap": check_positive("capacitance", capacitance) * b2.farad}
        on_pre = f"{v}_post += g_gap*spikelet_charge/C_gap"
    syn = b2.Synapses(group, group, model=f"""
        g_gap : siemens (constant)
        {current}_post = g_gap*({v}_pre - {v}_post) : amp (summed)
        """, on_pre=on_pre, namespace=namespace, name=name or "gap_junctions*")
    if len(pairs):
        syn.connect(i=np.r_[pairs[:, 0], pairs[:, 1]], j=np.r_[pairs[:, 1], pairs[:, 0]])
        syn.g_gap = np.r_[g_arr, g_arr] * b2.siemens
    else:  # an empty projection still defines the summed variable (as 0)
        syn.active = False
    return syn


def coupling_coefficient(g, R):
    """Steady-state coupling coefficient ``g R / (1 + g R)`` of a passive pair."""
    g, R = check_nonnegative("g", g), check_nonnegative("R", R)
    return g * R / (1 + g * R)


def spike_synchrony(times_a, times_b, window=2e-3, duration=None):
    """Fraction of spikes with a partner within ``window`` (s), corrected for chance.

    ``(n_coinc - n_expected) / (0.5 (n_a + n_b) - n_expected)``, the coincidence
    factor of Kistler et al. (1997) made symmetric: 0 for independent Poisson
    trains, 1 when every spike has a partner.  ``duration`` (s) defaults to the
    last spike time.
    """
    a = np.sort(as_float_array("times_a", times_a, ndim=1))
    b = np.sort(as_float_array("times_b", times_b, ndim=1))
    window = check_nonnegative("window", window)
    if len(a) == 0 or len(b) == 0:
        return 0.0
    duration = duration or max(a[-1], b[-1])
    pos = np.searchsorted(b, a)
    left = np.abs(a - b[np.clip(pos - 1, 0, len(b) - 1)])
    right = np.abs(b[np.clip(pos, 0, len(b) - 1)] - a)
    n_coinc = np.count_nonzero(np.minimum(left, right) <= window)
    expected = 2 * window * len(a) * len(b) / duration
    denom = 0.5 * (len(a) + len(b)) - expected
    return float((n_coinc - expected) / denom) if denom > 0 else 0.0
