"""Modern Hopfield network / dense associative memory (Ramsauer et al. 2020).

P stored patterns ``x_μ`` (rows of ``X``, shape (P, N)) and a continuous state
``ξ`` (N,).  The update is attention over the stored patterns::

    ξ_new = Xᵀ softmax(β X ξ)

and it descends the energy (Ramsauer et al. 2020, eq. 2 and Theorem 1)::

    E(ξ) = −lse(β, X ξ) + ½ ξᵀξ + β⁻¹ ln P + ½ M²,
    lse(β, z) = β⁻¹ ln Σ_μ exp(β z_μ),   M = max_μ ‖x_μ‖

(the update is the concave-convex procedure on E, so E never increases and
the iteration converges).  The separation of the stored patterns enters
the exponent, so the number of patterns retrievable from one update grows
exponentially with N (Demircigil et al. 2017; Ramsauer et al. 2020,
Theorem 3), far beyond the ``0.138 N`` of the Hebbian binary network.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp, softmax

from .._validate import (as_float_array, check_nonnegative, check_positive,
                         check_positive_int)
from ..io import Array, register_saveable

__all__ = ["DenseAssociativeMemory", "DenseRecallResult", "dense_energy", "dense_update"]


def dense_update(states, patterns, beta):
    """One update ``ξ ← Xᵀ softmax(β X ξ)`` of each state (rows of ``states``)."""
    return softmax(beta * (states @ patterns.T), axis=-1) @ patterns


def dense_energy(states, patterns, beta):
    """Energy ``E(ξ) = −lse(β, Xξ) + ½ ξᵀξ + β⁻¹ ln P + ½ M²`` of each state."""
    lse = logsumexp(beta * (states @ patterns.T), axis=-1) / beta
    m2 = np.max(np.einsum("pi,pi->p", patterns, patterns))
    return (-lse + 0.5 * np.einsum("...i,...i->...", states, states)
            + np.log(len(patterns)) / beta + 0.5 * m2)


@dataclass
class DenseRecallResult:
    """Outcome of :meth:`DenseAssociativeMemory.recall` for B cues.

    Attributes
    ----------
    states : ndarray (B, N) or (N,)
    energy : ndarray (T + 1, B) or (T + 1,)
        Energy at the start and after every update (later rows repeat the
        final value for cues that stopped earlier).
    n_steps : ndarray (B,) of int, or int
        Updates applied to each cue.
    converged : ndarray (B,) of bool, or bool
        Whether ``max |ξ_new − ξ| ≤ tol`` was reached within ``max_steps``.
    """

    states: np.ndarray
    energy: np.ndarray
    n_steps: np.ndarray
    converged: np.ndarray

    @property
    def final_energy(self):
        return self.energy[-1]


@register_saveable
class DenseAssociativeMemory:
    """Modern Hopfield network with continuous states (Ramsauer et al. 2020).

    One update is attention over the stored patterns, ``ξ ← Xᵀ softmax(β X ξ)``; it
    descends ``E(ξ) = −lse(β, X ξ) + ½ ξᵀξ + const``.

    Parameters
    ----------
    beta : float, default 1.0
        Inverse temperature β.  Large β retrieves single patterns; small β
        gives metastable averages of similar patterns (β → 0: the mean of
        all patterns).  For ±1 patterns of length N the overlaps scale with
        N, so β ≈ 1 separates random patterns for N in the hundreds.

    Examples
    --------
    >>> import biornn as bn
    >>> from biornn.rate.dense_memory import DenseAssociativeMemory
    >>> xi = bn.tasks.random_patterns(1000, 100, seed=0)       # P = 10 N
    >>> mem = DenseAssociativeMemory(beta=1.0).store(xi)
    >>> res = mem.recall(bn.tasks.corrupt(xi, 0.1, seed=1))
    >>> bool((res.states.round() == xi).all())
    True
    """

    def __init__(self, beta=1.0):
        self.beta = check_positive("beta", beta)
        self.patterns_ = None

    @property
    def n_units(self):
        return None if self.patterns_ is None else self.patterns_.shape[1]

    def store(self, patterns):
        """Store real-valued ``patterns`` (P, N) (±1 or any finite values); returns ``self``."""
        X = as_float_array("patterns", patterns, ndim=2)
        if X.size == 0:
            raise ValueError(f"patterns is empty (shape {X.shape})")
        self.patterns_ = X.copy()
        return self

    def energy(self, states):
        """Energy of ``states`` (N,) or (B, N)."""
        return dense_energy(self._check_states("states", states), self.patterns_, self.beta)

    def update(self, states):
        """One update ``Xᵀ softmax(β X ξ)`` of ``states`` (N,) or (B, N)."""
        return dense_update(self._check_states("states", states), self.patterns_, self.beta)

    def recall(self, cues, *, max_steps=100, tol=1e-9):
        """Update each cue until it stops moving or ``max_steps`` updates.

        Parameters
        ----------
        cues : array_like (N,) or (B, N)
        max_steps : int, default 100
        tol : float, default 1e-9
            Converged when ``max_i |ξ_new,i − ξ_i| ≤ tol`` (a stored pattern
            well separated from the others is usually reached in one step).

        Returns
        -------
        DenseRecallResult
        """
        xi = np.array(self._check_states("cues", cues), ndmin=2)
        max_steps = check_positive_int("max_steps", max_steps)
        tol = check_nonnegative("tol", tol)
        X, beta = self.patterns_, self.beta
        E = dense_energy(xi, X, beta)
        trajectory = [E.copy()]
        n_steps = np.zeros(len(xi), dtype=int)
        converged = np.zeros(len(xi), dtype=bool)
        active = np.arange(len(xi))
        for _ in range(max_steps):
            new = dense_update(xi[active], X, beta)
            moved = np.max(np.abs(new - xi[active]), axis=1) > tol
            xi[active] = new
            E[active] = dense_energy(new, X, beta)
            n_steps[active] += 1
            trajectory.append(E.copy())
            converged[active[~moved]] = True
            active = active[moved]
            if active.size == 0:
                break
        energy = np.vstack(trajectory)
        if np.ndim(cues) == 1:
            return DenseRecallResult(xi[0], energy[:, 0], int(n_steps[0]), bool(converged[0]))
        return DenseRecallResult(xi, energy, n_steps, converged)

    def _check_states(self, name, x):
        if self.patterns_ is None:
            raise RuntimeError("no patterns stored: call store(patterns) first")
        arr = as_float_array(name, x, ndim=(1, 2))
        if arr.shape[-1] != self.n_units:
            raise ValueError(f"{name} must have length {self.n_units} (last axis), "
                             f"got shape {arr.shape}")
        return arr

    # what a saved state must hold, checked by biornn.io.load before _from_state
    _SAVED = {"beta": check_positive, "patterns": Array((None, None), optional=True)}

    def _get_state(self):
        arrays = {} if self.patterns_ is None else {"patterns": self.patterns_}
        return {"beta": self.beta}, arrays

    @classmethod
    def _from_state(cls, params, arrays):
        mem = cls(beta=params["beta"])
        if "patterns" in arrays:
            mem.patterns_ = np.array(arrays["patterns"])
        return mem

    def __repr__(self):
        p = 0 if self.patterns_ is None else len(self.patterns_)
        return f"DenseAssociativeMemory(beta={self.beta}, n_patterns={p})"
