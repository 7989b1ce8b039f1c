"""Synapse models: static and dynamic (Markram, Wang & Tsodyks 1998), event-driven.

Dynamic synapse, in the form used by Maass, Natschläger & Markram (2002): the
amplitude of the n-th postsynaptic current of a spike train with interspike
intervals Delta_n is ``A_n = A u_n R_n`` with

    u_n = U + u_{n-1} (1 - U) exp(-Delta_{n-1} / F)
    R_n = 1 + (R_{n-1} - u_{n-1} R_{n-1} - 1) exp(-Delta_{n-1} / D)
    u_1 = U,  R_1 = 1

(U: utilisation, D: recovery from depression, F: facilitation time constant).
Between spikes nothing needs integrating, so the update runs only when a spike
arrives (``on_pre``), using the time since the synapse's previous spike: the cost is
proportional to the number of synaptic events, not to time steps x synapses.
Starting from ``u = 0, R = 1`` the first spike gives ``u_1 = U, R_1 = 1`` whatever
the elapsed time.

Each model returns Brian2 ``model`` and ``on_pre`` strings that add the amplitude to
``<target>_post``, the postsynaptic current variable named by the caller (one per
projection type, see :mod:`biornn.spiking.neurons`).
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass

import numpy as np

from .._validate import ParameterSet, nested, param

__all__ = ["static_synapse", "tsodyks_markram_synapse", "tsodyks_markram_amplitudes",
           "TM_INITIAL_STATE", "DynamicSynapseParameters", "SynapseParameters"]


@dataclass(frozen=True)
class DynamicSynapseParameters(ParameterSet):
    """Mean parameters of the dynamic synapses of one connection type.

    Parameters
    ----------
    U : float (1), in (0, 1]
        Utilisation.
    D, F : float (s)
        Time constants of recovery from depression and of facilitation.
    A : float (A)
        Amplitude (scale of the postsynaptic current; negative for inhibition).
    delay : float (s)
        Transmission delay.
    """

    U: float = param(MISSING, "1", "probability")
    D: float = param(MISSING, "s", "positive")
    F: float = param(MISSING, "s", "positive")
    A: float = param(MISSING, "A")
    delay: float = param(MISSING, "s", "nonnegative")


@dataclass(frozen=True)
class SynapseParameters(ParameterSet):
    """Recurrent synapses of the liquid (Maass, Natschläger & Markram 2002, after
    Markram, Wang & Tsodyks 1998 and Gupta, Wang & Markram 2000).

    Parameters
    ----------
    parameter_spread : float (1), default 0.5
        SD of U, D, F as a fraction of the mean (normal, redrawn if <= 0 or U > 1).
    amplitude_spread : float (1), default 1.0
        SD of A as a fraction of the mean (gamma distribution).
    EE, EI, IE, II : DynamicSynapseParameters
        Means per connection type (first letter presynaptic):
        EE U=0.5, D=1.1 s, F=0.05 s, A=30 nA, delay 1.5 ms;
        EI U=0.05, D=0.125 s, F=1.2 s, A=60 nA, delay 0.8 ms;
        IE U=0.25, D=0.7 s, F=0.02 s, A=-19 nA, delay 0.8 ms;
        II U=0.32, D=0.144 s, F=0.06 s, A=-19 nA, delay 0.8 ms.
    """

    parameter_spread: float = param(0.5, "1", "nonnegative")
    amplitude_spread: float = param(1.0, "1", "nonnegative")
    EE: DynamicSynapseParameters = nested(DynamicSynapseParameters(
        U=0.5, D=1.1, F=0.05, A=30e-9, delay=1.5e-3))
    EI: DynamicSynapseParameters = nested(DynamicSynapseParameters(
        U=0.05, D=0.125, F=1.2, A=60e-9, delay=0.8e-3))
    IE: DynamicSynapseParameters = nested(DynamicSynapseParameters(
        U=0.25, D=0.7, F=0.02, A=-19e-9, delay=0.8e-3))
    II: DynamicSynapseParameters = nested(DynamicSynapseParameters(
        U=0.32, D=0.144, F=0.06, A=-19e-9, delay=0.8e-3))

#: Values to (re)set the dynamic-synapse state to before a trial.
TM_INITIAL_STATE = {"u": 0.0, "R": 1.0}


def static_synapse(target: str) -> tuple[str, str]:
    """Static synapse: every spike adds ``A`` to ``target``. Returns (model, on_pre)."""
    return "A : amp (constant)", f"{target}_post += A"


def tsodyks_markram_synapse(target: str, plastic: bool = False) -> tuple[str, str]:
    """Event-driven dynamic synapse (closed-form update at each spike).

    Per-synapse parameters ``U`` (1), ``D``, ``F`` (second), ``A`` (amp); state
    ``u``, ``R`` (the values at the previous spike) and ``t_last`` (its time).
    ``plastic=True`` leaves ``A`` writable (for STDP, :mod:`.plasticity`).
    Returns (model, on_pre).
    """
    model = f"""
    A : amp{"" if plastic else " (constant)"}
    U : 1 (constant)
    D : second (constant)
    F : second (constant)
    u : 1
    R : 1
    t_last : second
    """
    # R uses the previous u, so it is updated first.
    on_pre = f"""
    R = 1 + (R - u*R - 1)*exp(-(t - t_last)/D)
    u = U + u*(1 - U)*exp(-(t - t_last)/F)
    t_last = t
    {target}_post += A*u*R
    """
    return model, on_pre


def tsodyks_markram_amplitudes(spike_times, U, D, F, A=1.0):
    """Reference amplitudes ``A u_n R_n`` for one synapse and a spike train (numpy).

    Parameters
    ----------
    spike_times : array_like, shape (n,)
        Increasing presynaptic spike times (s).
    U, D, F, A : float
        Synapse parameters (D, F in seconds).

    Returns
    -------
    numpy.ndarray, shape (n,)
    """
    times = np.asarray(spike_times, dtype=float)
    out = np.empty(len(times))
    u, R, last = 0.0, 1.0, 0.0
    for n, t in enumerate(times):
        delta = t - last
        R = 1 + (R - u * R - 1) * np.exp(-delta / D)
        u = U + u * (1 - U) * np.exp(-delta / F)
        out[n] = A * u * R
        last = t
    return out
