"""Homeostatic plasticity: synaptic scaling and intrinsic plasticity of the threshold.

Both rules hold a neuron's firing rate near a target ``r_target`` and compose with
STDP (:mod:`.plasticity`) or stand alone.

Synaptic scaling (Turrigiano et al. 1998; the rate form of van Rossum, Bi & Turrigiano 2000)
    Each neuron keeps a running estimate of its rate,
    ``d nu/dt = -nu / tau_rate``, ``nu += 1/tau_rate`` at each of its spikes, and
    every excitatory weight onto it is scaled *multiplicatively*::

        dw/dt = w (1 - nu_post / r_target) / tau_scaling

    so all its inputs grow together while it fires below the target and shrink
    while it fires above (relative weights, hence what STDP learned, are kept).
    The update runs every ``interval`` as ``w <- w exp(interval (1 - nu/r) /
    tau_scaling)``, exact for a constant rate estimate over the interval.

Intrinsic plasticity of the threshold (Lazar, Pipa & Triesch 2009, SORN)
    SORN's discrete rule ``theta(t+1) = theta(t) + eta_IP (x(t) - H_IP)`` in
    continuous time: the threshold offset ``theta`` rises by ``eta`` at each spike
    and sinks at the constant rate ``eta * r_target``::

        d theta/dt = -eta r_target,     theta += eta at a spike

    so on average ``d theta/dt = eta (r - r_target)``: a neuron firing above its
    target becomes harder to excite and one below it easier.  The neuron fires when
    ``v > v_th + theta``.  Written as ``theta = theta0 - eta r_target t`` with
    ``theta0`` stepped at spikes (exact; the network's clock starts at 0 in every run).

Each rule is a :class:`NeuronRule` (extra neuron equations, a threshold term, reset
code) plus, for scaling, code run regularly on a ``Synapses``; the liquid's
features (:mod:`.features`) wire them in.
"""

from __future__ import annotations

from typing import NamedTuple

import brian2 as b2

from .._validate import check_positive

__all__ = ["NeuronRule", "rate_estimate", "intrinsic_threshold", "attach_synaptic_scaling",
           "synaptic_scaling_code"]


class NeuronRule(NamedTuple):
    """Lines a plasticity rule adds to a neuron: equations, a threshold term, reset code."""

    equations: str
    threshold: str = ""       # appended to the threshold condition, e.g. " + theta"
    reset: str = ""
    namespace: dict = {}


def rate_estimate(tau_rate=1.0, name="nu") -> NeuronRule:
    """Running rate estimate ``d nu/dt = -nu/tau_rate``, ``nu += 1/tau_rate`` at a spike (Hz)."""
    tau = check_positive("tau_rate", tau_rate)
    return NeuronRule(f"d{name}/dt = -{name}/tau_{name} : Hz",
                      reset=f"{name} += 1/tau_{name}",
                      namespace={f"tau_{name}": tau * b2.second})


def intrinsic_threshold(r_target, eta, gate="ip_gate") -> NeuronRule:
    """SORN-style intrinsic plasticity of the threshold (see module docstring).

    Parameters
    ----------
    r_target : float
        Target rate (Hz, > 0).
    eta : float
        Threshold step per spike (V, > 0).
    gate : str
        Per-neuron constant (0 or 1, declared here) multiplying every change, so that
        some neurons (inhibitory ones, frozen copies) keep their threshold.
    """
    r = check_positive("r_target", r_target)
    eta = check_positive("eta", eta)
    # theta = theta0 - gate eta r t solves the drift exactly (and keeps the linear
    # membrane equation solvable by the "exact" method); spikes step theta0
    return NeuronRule(f"theta = theta0 - {gate}*eta_ip*r_target_ip*t : volt\n"
                      f"theta0 : volt\n{gate} : 1 (constant)",
                      threshold=" + theta", reset=f"theta0 += {gate}*eta_ip",
                      namespace={"eta_ip": eta * b2.volt, "r_target_ip": r * b2.Hz})


def synaptic_scaling_code(weight="w", gate=None, rate="nu") -> str:
    """Code of one scaling step (run every ``interval``) on a ``Synapses``."""
    g = f"{gate}*" if gate else ""
    return (f"{weight} = {weight}*exp({g}scaling_interval*(1 - {rate}_post/r_target_scaling)"
            f"/tau_scaling)")


def attach_synaptic_scaling(synapses, *, r_target, tau_scaling, interval=0.1, weight="w",
                            gate=None, rate="nu", name=None):
    """Scale ``synapses``' ``weight`` towards ``r_target`` every ``interval`` (s).

    The target neurons must carry the rate estimate ``rate`` (:func:`rate_estimate`);
    ``gate`` names a per-synapse constant (0/1) that switches scaling off for some
    synapses.  Returns the ``CodeRunner`` (already part of ``synapses``).
    """
    r = check_positive("r_target", r_target)
    tau = check_positive("tau_scaling", tau_scaling)
    interval = check_positive("interval", interval)
    synapses.namespace.update({"r_target_scaling": r * b2.Hz, "tau_scaling": tau * b2.second,
                               "scaling_interval": interval * b2.second})
    return synapses.run_regularly(synaptic_scaling_code(weight, gate, rate),
                                  dt=interval * b2.second,
                                  name=name or f"{synapses.name}_scaling")
