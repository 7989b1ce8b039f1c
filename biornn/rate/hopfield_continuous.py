"""Continuous (graded-response) Hopfield network (Hopfield 1984).

Each unit integrates its input; its output is a sigmoid of its potential::

    τ du_i/dt = −u_i + Σ_j W_ij V_j + I_i,     V_i = g(u_i) = tanh(λ u_i)

(Hopfield's ``C_i du_i/dt = Σ_j T_ij V_j − u_i/R_i + I_i`` with ``R_i C_i = τ``
and ``R_i`` absorbed into ``W`` and ``I``).  For symmetric ``W`` the function::

    E(V) = −½ Vᵀ W V − Iᵀ V + Σ_i ∫_0^{V_i} g⁻¹(x) dx,
    ∫_0^V g⁻¹(x) dx = (1/λ) [½ (1+V) ln(1+V) + ½ (1−V) ln(1−V)]

obeys ``dE/dt = −τ Σ_i g'(u_i) (du_i/dt)² ≤ 0``: the outputs descend the
energy to a fixed point.  At high gain λ the minima sit near the corners
``V ∈ {−1, 1}^N`` and coincide with those of the binary network.
The equations are integrated with the exponential Euler step, exact for the
leak::

    u(t + dt) = e^{−dt/τ} u(t) + (1 − e^{−dt/τ}) (W V(t) + I)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import xlogy

from .._validate import (as_float_array, check_choice, check_nonnegative, check_positive,
                         check_positive_int, to_seconds)
from ..io import Array, register_saveable
from .hopfield import check_spins, float_dtype
from .hopfield_rules import RULES

__all__ = ["ContinuousHopfield", "ContinuousResult", "continuous_energy"]


def continuous_energy(V, weights, bias, gain):
    """Lyapunov energy of outputs ``V`` (…, N) of the graded-response network."""
    V = np.asarray(V)
    leak = 0.5 * (xlogy(1.0 + V, 1.0 + V) + xlogy(1.0 - V, 1.0 - V)) / gain
    return (-0.5 * np.einsum("...i,...i->...", V @ weights.T, V) - V @ bias
            + leak.sum(axis=-1))


@dataclass
class ContinuousResult:
    """Outcome of :meth:`ContinuousHopfield.recall` for B initial states.

    Attributes
    ----------
    states : ndarray (B, N) or (N,)
        Final outputs ``V = tanh(λ u)``.
    potentials : ndarray (B, N) or (N,)
        Final potentials ``u``.
    time : ndarray (T + 1,)
        Times (in units of τ's unit) at which the energy was recorded.
    energy : ndarray (T + 1, B) or (T + 1,)
    converged : ndarray (B,) of bool, or bool
        Whether ``max |du/dt| < tol`` was reached before ``duration``.
    """

    states: np.ndarray
    potentials: np.ndarray
    time: np.ndarray
    energy: np.ndarray
    converged: np.ndarray

    @property
    def final_energy(self):
        return self.energy[-1]


@register_saveable
class ContinuousHopfield:
    """Graded-response Hopfield network (Hopfield 1984).

    ``τ du/dt = −u + W V + I``, ``V = tanh(λ u)``; for symmetric ``W`` the energy of
    the module docstring never increases.

    Parameters
    ----------
    n_units : int
    rule : {"hebbian", "storkey", "pseudo_inverse"}, default "hebbian"
        Storage rule of :meth:`store` (:mod:`biornn.rate.hopfield_rules`).
    gain : float, default 10.0
        λ in ``V = tanh(λ u)``; with Hebbian weights the retrieval states
        exist for λ > 1 and approach ±1 as λ grows.
    tau : float or Brian2 quantity, default 1.0
        Time constant τ = RC (seconds; any unit works if ``dt`` and
        ``duration`` use the same).
    bias : float or array_like (N,), default 0.0
        External input currents ``I``.
    dtype : {"float64", "float32"}, default "float64"
    """

    def __init__(self, n_units, *, rule="hebbian", gain=10.0, tau=1.0, bias=0.0,
                 dtype="float64"):
        self.n_units = check_positive_int("n_units", n_units)
        self.rule = check_choice("rule", rule, RULES)
        self.gain = check_positive("gain", gain)
        self.tau = to_seconds("tau", tau)
        self.dtype = float_dtype(dtype)
        b = as_float_array("bias", bias, ndim=(0, 1), dtype=self.dtype)
        if b.ndim == 1 and b.shape != (self.n_units,):
            raise ValueError(f"bias must be a scalar or have shape ({self.n_units},), "
                             f"got {b.shape}")
        self.bias = np.broadcast_to(b, (self.n_units,)).copy()
        self.weights = np.zeros((self.n_units, self.n_units), dtype=self.dtype)
        self.patterns_ = None

    def store(self, patterns):
        """Store ±1 ``patterns`` (P, N) with the network's rule; returns ``self``."""
        X, _ = check_spins("patterns", patterns, self.n_units, dtype=self.dtype)
        self.weights = RULES[self.rule](X, dtype=self.dtype)
        self.patterns_ = X
        return self

    def set_weights(self, weights):
        """Use symmetric ``weights`` (N, N) directly; returns ``self``."""
        n = self.n_units
        W = as_float_array("weights", weights, ndim=2, shape=(n, n), dtype=self.dtype)
        if np.max(np.abs(W - W.T)) > 1e-12 * max(float(np.max(np.abs(W))), 1e-300):
            raise ValueError("weights must be symmetric for the energy to be a Lyapunov "
                             "function (Hopfield 1984)")
        self.weights, self.patterns_ = 0.5 * (W + W.T), None
        return self

    def energy(self, states):
        """Lyapunov energy of outputs ``states`` (N,) or (B, N) in [−1, 1]."""
        V = self._check_outputs("states", states)
        e = continuous_energy(V, self.weights, self.bias, self.gain)
        return float(e[0]) if np.ndim(states) == 1 else e

    def recall(self, cues, *, duration=20.0, dt=0.05, tol=1e-6):
        """Integrate from initial outputs ``cues`` for ``duration`` or until at rest.

        Parameters
        ----------
        cues : array_like (N,) or (B, N) with entries in [−1, 1]
            Initial outputs ``V(0)``; the potentials start at ``g⁻¹(V(0))``
            (with ±1 pulled in to ±(1 − 10⁻⁶)).
        duration : float, default 20.0
            Longest time to integrate (in the unit of ``tau``).
        dt : float, default 0.05
            Time step; the energy decreases step by step when ``dt`` is small
            against ``tau`` and ``1 / (λ ‖W‖)``.
        tol : float, default 1e-6
            The run stops once ``max |du/dt| < tol`` for every cue.

        Returns
        -------
        ContinuousResult
        """
        V = self._check_outputs("cues", cues)
        duration = to_seconds("duration", duration)
        dt = to_seconds("dt", dt)
        tol = check_nonnegative("tol", tol)
        n_steps = max(1, int(np.ceil(duration / dt)))
        u = np.arctanh(np.clip(V, -1 + 1e-6, 1 - 1e-6)) / self.gain
        decay = np.exp(-dt / self.tau)
        energies = [continuous_energy(V, self.weights, self.bias, self.gain)]
        converged = np.zeros(len(u), dtype=bool)
        for _ in range(n_steps):
            drive = V @ self.weights.T + self.bias
            speed = np.max(np.abs(drive - u), axis=1) / self.tau  # max |du/dt|
            converged = speed < tol
            if converged.all():
                break
            u = decay * u + (1.0 - decay) * drive
            V = np.tanh(self.gain * u)
            energies.append(continuous_energy(V, self.weights, self.bias, self.gain))
        else:
            drive = V @ self.weights.T + self.bias
            converged = np.max(np.abs(drive - u), axis=1) / self.tau < tol
        energy = np.vstack(energies)
        time = dt * np.arange(len(energy))
        if np.ndim(cues) == 1:
            return ContinuousResult(V[0], u[0], time, energy[:, 0], bool(converged[0]))
        return ContinuousResult(V, u, time, energy, converged)

    def _check_outputs(self, name, x):
        V = as_float_array(name, x, ndim=(1, 2), dtype=self.dtype)
        if V.shape[-1] != self.n_units or V.size == 0:
            raise ValueError(f"{name} must have length {self.n_units} (last axis), "
                             f"got shape {V.shape}")
        if np.any(np.abs(V) > 1):
            raise ValueError(f"{name} must lie in [-1, 1] (outputs of tanh units)")
        return np.array(V, ndmin=2, copy=True)

    # what a saved state must hold, checked by biornn.io.load before _from_state
    _SAVED = {"n_units": check_positive_int, "rule": tuple(RULES), "gain": check_positive,
              "tau": check_positive, "weights": Array(("n_units", "n_units")),
              "bias": Array(("n_units",)), "patterns": Array((None, "n_units"), optional=True)}

    def _get_state(self):
        params = {"n_units": self.n_units, "rule": self.rule, "gain": self.gain,
                  "tau": self.tau, "dtype": str(self.dtype)}
        arrays = {"weights": self.weights, "bias": self.bias}
        if self.patterns_ is not None:
            arrays["patterns"] = self.patterns_
        return params, arrays

    @classmethod
    def _from_state(cls, params, arrays):
        net = cls(params["n_units"], rule=params["rule"], gain=params["gain"],
                  tau=params["tau"], bias=arrays["bias"], dtype=params["dtype"])
        net.weights = np.array(arrays["weights"], dtype=net.dtype)
        net.patterns_ = arrays.get("patterns")
        return net

    def __repr__(self):
        return (f"ContinuousHopfield(n_units={self.n_units}, rule={self.rule!r}, "
                f"gain={self.gain}, tau={self.tau})")
