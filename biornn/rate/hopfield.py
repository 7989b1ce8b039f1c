"""Binary Hopfield network (Hopfield 1982).

N units with states ``s_i ∈ {−1, +1}``, symmetric weights ``W`` with zero
diagonal and thresholds ``θ``.  A unit aligns with its local field::

    s_i ← sgn(h_i − θ_i),   h_i = Σ_j W_ij s_j      (a tie, h_i = θ_i, keeps s_i)

and the energy (Lyapunov function)::

    E(s) = −½ sᵀ W s + θᵀ s

changes by ``ΔE = −Δs_i (h_i − θ_i) < 0`` whenever a unit flips under
asynchronous (one unit at a time) updates.  E is bounded below, so every
trajectory ends at a fixed point: the guaranteed convergence of the 1982
paper.  Synchronous updates (all units at once) end at a fixed point or a
2-cycle (Goles, Fogelman-Soulié & Pellegrin 1985); both are reported.

Patterns are stored by one of the rules of :mod:`biornn.rate.hopfield_rules`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from .._rng import as_generator
from .._validate import as_float_array, check_bool, check_choice, check_positive_int
from ..io import Array, register_saveable
from .hopfield_rules import RULES

__all__ = ["Hopfield", "RecallResult", "energy", "overlaps", "check_spins", "float_dtype"]

_BLOCK = 64  # units per block of an asynchronous sweep (see _async_sweep)


def energy(states, weights, thresholds):
    """Hopfield energy ``E(s) = −½ sᵀ W s + θᵀ s`` of each state (rows of ``states``)."""
    s = np.asarray(states)
    return -0.5 * np.einsum("...i,...i->...", s @ weights.T, s) + s @ thresholds


def overlaps(states, patterns):
    """Overlap ``m = (1/N) Σ_i s_i ξ_i`` of each state with its pattern (same shapes)."""
    return np.mean(np.asarray(states) * np.asarray(patterns), axis=-1)


def float_dtype(dtype):
    """Return ``numpy.dtype(dtype)``, or raise unless it is float64 or float32."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise ValueError(f"dtype must be 'float64' or 'float32', got {dtype!r}")
    return dt


def check_spins(name, x, n_units, dtype=np.float64):
    """Return ``x`` as a 2-d ``(B, n_units)`` ±1 array, and whether it was 1-d."""
    arr = as_float_array(name, x, ndim=(1, 2), dtype=dtype)
    if arr.shape[-1] != n_units:
        raise ValueError(f"{name} must have length {n_units} (last axis), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape})")
    bad = np.abs(arr) != 1.0
    if bad.any():
        raise ValueError(f"{name} must contain only -1 and +1 entries, "
                         f"got {arr[bad].flat[0]!r} (and {int(bad.sum()) - 1} more)")
    return np.array(arr, ndmin=2, copy=True), arr.ndim == 1


@dataclass
class RecallResult:
    """Outcome of :meth:`Hopfield.recall` for a batch of B cues.

    Attributes
    ----------
    states : ndarray (B, N), or (N,) for a single cue
        Final states.
    energy : ndarray (T + 1, B), or (T + 1,)
        Energy along the trajectory: at the start and after every sweep
        (``record="sweep"``) or after every single-unit update
        (``record="update"``, asynchronous only).  A cue that stopped early
        keeps its final energy in the later rows.
    n_sweeps : ndarray (B,) of int, or int
        Sweeps applied to each cue, including the last one that changed
        nothing (a converged cue) or that closed a 2-cycle.
    converged : ndarray (B,) of bool, or bool
        Whether the cue reached a fixed point within ``max_sweeps``.
    cycled : ndarray (B,) of bool, or bool
        Whether synchronous updates entered a 2-cycle (always False for
        asynchronous updates); such a cue is not converged.
    update : str
        ``"async"`` or ``"sync"``.
    """

    states: np.ndarray
    energy: np.ndarray
    n_sweeps: np.ndarray
    converged: np.ndarray
    cycled: np.ndarray
    update: str

    @property
    def final_energy(self):
        """Energy of the final states, ``energy[-1]``."""
        return self.energy[-1]

    def _squeeze(self):
        return RecallResult(self.states[0], self.energy[:, 0], int(self.n_sweeps[0]),
                            bool(self.converged[0]), bool(self.cycled[0]), self.update)


def _async_sweep(s, f, Wc, order, tol, E, dE=None):
    """One asynchronous sweep, in place: units updated one at a time in ``order``.

    ``s`` (B, N) states, ``f`` (B, N) fields minus thresholds, ``Wc[i]`` the
    change of every field per unit change of ``s_i`` (column i of W).  The
    batch is handled in blocks of ``_BLOCK`` consecutive units of ``order``:
    inside a block each unit is decided on exact fields (flips update the
    block's own fields at once), and the flips of the block reach all other
    fields afterwards in one matrix product.  Blocks where no unit opposes
    its field are skipped, since nothing in them can change.  The dynamics
    is exactly sequential; a sweep costs O(N²) per cue.  The energy changes
    ``ΔE = −Δs_i (h_i − θ_i)`` are added to ``E`` (B,) and, if ``dE`` (N, B)
    is given, written to it update by update.  Returns a (B,) bool array:
    which cues changed.
    """
    n_units = s.shape[1]
    changed = np.zeros(s.shape[0], dtype=bool)
    for start in range(0, n_units, _BLOCK):
        J = order[start:start + _BLOCK]
        sJ, fJ = s[:, J], f[:, J]
        if not np.any(fJ * sJ < -tol):
            continue
        WJJ = Wc[np.ix_(J, J)]
        D = np.zeros_like(sJ)  # Δs of every flip in the block
        for k in range(J.size):
            fk, sk = fJ[:, k], sJ[:, k]
            flip = fk * sk < -tol
            if not flip.any():
                continue
            idx = np.flatnonzero(flip)
            ds = -2.0 * sk[idx]
            step = -ds * fk[idx]  # ΔE = −Δs_i (h_i − θ_i) < 0
            E[idx] += step
            if dE is not None:
                dE[start + k, idx] = step
            D[idx, k] = ds
            sJ[idx, k] = -sk[idx]
            fJ[idx] += ds[:, None] * WJJ[k]
        rows, cols = np.flatnonzero(D.any(axis=1)), np.flatnonzero(D.any(axis=0))
        f[rows] += D[np.ix_(rows, cols)] @ Wc[J[cols]]
        s[:, J] = sJ
        changed[rows] = True
    return changed


def _sync_step(s, f, Wc, tol):
    """One synchronous update of all units, in place; returns which cues changed."""
    flip = f * s < -tol
    rows = np.flatnonzero(flip.any(axis=1))
    if rows.size:
        D = np.where(flip[rows], -2.0 * s[rows], 0.0)
        s[rows] += D
        f[rows] += D @ Wc
    changed = np.zeros(s.shape[0], dtype=bool)
    changed[rows] = True
    return changed


@register_saveable
class Hopfield:
    """Binary Hopfield network with Hebbian, Storkey or pseudo-inverse storage (Hopfield 1982).

    Units ``s_i = sign(Σ_j W_ij s_j − θ_i)`` updated one at a time descend the energy
    ``E = −½ sᵀ W s + θᵀ s`` (symmetric ``W``, zero diagonal), so recall ends at a
    fixed point.

    Parameters
    ----------
    n_units : int
        Number of ±1 units N.
    rule : {"hebbian", "storkey", "pseudo_inverse"}, default "hebbian"
        Storage rule used by :meth:`store`; see :mod:`biornn.rate.hopfield_rules`.
    thresholds : float or array_like (N,), default 0.0
        θ in the update ``s_i ← sgn(h_i − θ_i)`` and in the energy.
    dtype : {"float64", "float32"}, default "float64"
        Precision of the weights (float32 halves memory for large N).

    Attributes
    ----------
    weights : ndarray (N, N)
        Symmetric, zero diagonal; zeros until :meth:`store` or :meth:`set_weights`.
    patterns_ : ndarray (P, N) or None
        The patterns last stored.

    Examples
    --------
    >>> import biornn as bn
    >>> from biornn.rate.hopfield import Hopfield, overlaps
    >>> xi = bn.tasks.random_patterns(20, 200, seed=0)
    >>> net = Hopfield(200, rule="storkey").store(xi)
    >>> res = net.recall(bn.tasks.corrupt(xi, 0.1, seed=1), seed=2)
    >>> bool(res.converged.all()), float(overlaps(res.states, xi).min())
    (True, 1.0)
    """

    def __init__(self, n_units, *, rule="hebbian", thresholds=0.0, dtype="float64"):
        self.n_units = check_positive_int("n_units", n_units)
        self.rule = check_choice("rule", rule, RULES)
        self.dtype = float_dtype(dtype)
        th = as_float_array("thresholds", thresholds, ndim=(0, 1), dtype=self.dtype)
        if th.ndim == 1 and th.shape != (self.n_units,):
            raise ValueError(f"thresholds must be a scalar or have shape ({self.n_units},), "
                             f"got {th.shape}")
        self.thresholds = np.broadcast_to(th, (self.n_units,)).copy()
        self.weights = np.zeros((self.n_units, self.n_units), dtype=self.dtype)
        self.symmetric = True
        self.patterns_ = None

    # ------------------------------------------------------------------ learning
    def store(self, patterns):
        """Store ±1 ``patterns`` (P, N) with the network's rule, replacing the weights.

        Returns ``self``.
        """
        X, _ = check_spins("patterns", patterns, self.n_units, dtype=self.dtype)
        self.weights = RULES[self.rule](X, dtype=self.dtype)
        self.symmetric = True
        self.patterns_ = X
        return self

    def set_weights(self, weights, *, allow_asymmetric=False):
        """Use ``weights`` (N, N) directly; the diagonal must be zero.

        Asymmetric weights raise unless ``allow_asymmetric=True``, and then
        warn: without ``W = Wᵀ`` the energy is no Lyapunov function and the
        dynamics may cycle for ever (recall stops at ``max_sweeps``).
        Returns ``self``.
        """
        n = self.n_units
        W = as_float_array("weights", weights, ndim=2, shape=(n, n), dtype=self.dtype).copy()
        scale = max(float(np.max(np.abs(W))), np.finfo(self.dtype).tiny)
        if np.max(np.abs(np.diagonal(W))) > 0:
            raise ValueError("weights must have a zero diagonal (no self-couplings), "
                             f"got max |W_ii| = {np.max(np.abs(np.diagonal(W)))}")
        self.symmetric = bool(np.max(np.abs(W - W.T)) <= 1e-12 * scale)
        if not self.symmetric:
            if not allow_asymmetric:
                raise ValueError("weights must be symmetric (max |W - W.T| = "
                                 f"{np.max(np.abs(W - W.T)):.3g}); pass allow_asymmetric=True "
                                 "to use them anyway, without guaranteed convergence")
            warnings.warn("asymmetric weights: the energy is no Lyapunov function and "
                          "recall is no longer guaranteed to converge", RuntimeWarning,
                          stacklevel=2)
        else:
            W = 0.5 * (W + W.T)
        self.weights, self.patterns_ = W, None
        return self

    # ------------------------------------------------------------------ dynamics
    def energy(self, states):
        """Energy ``E(s) = −½ sᵀ W s + θᵀ s`` of ±1 ``states`` (N,) or (B, N)."""
        s, single = check_spins("states", states, self.n_units, dtype=self.dtype)
        e = energy(s, self.weights, self.thresholds)
        return float(e[0]) if single else e

    def local_fields(self, states):
        """Local fields ``h = W s`` of ±1 ``states`` (N,) or (B, N)."""
        s, single = check_spins("states", states, self.n_units, dtype=self.dtype)
        h = s @ self.weights.T
        return h[0] if single else h

    def recall(self, cues, *, update="async", max_sweeps=100, seed=None, record="sweep"):
        """Run the dynamics from each cue until a fixed point or ``max_sweeps``.

        Parameters
        ----------
        cues : array_like (N,) or (B, N) of ±1
            Initial states; a batch is updated together (vectorised).
        update : {"async", "sync"}, default "async"
            ``"async"``: one unit at a time; sweep k visits all units in the
            order ``rng.permutation(N)`` drawn from ``seed`` (the same order
            for every cue of the batch, so a cue's trajectory does not
            depend on the rest of the batch).  ``"sync"``: all units at once;
            a 2-cycle ``s(t+1) = s(t−1) ≠ s(t)`` stops the cue and is
            reported in ``cycled``.
        max_sweeps : int, default 100
        seed : None, int or numpy.random.Generator
            Order of asynchronous updates (unused for ``"sync"``).
        record : {"sweep", "update"}, default "sweep"
            Energy after every sweep, or after every single-unit update
            (``N`` rows per sweep; asynchronous only).

        Returns
        -------
        RecallResult

        Notes
        -----
        A unit flips only when its field opposes it, ``s_i (h_i − θ_i) < 0``;
        fields within ``10⁻¹² (N max|W_ij| + max|θ_i|)`` of the threshold
        count as ties and keep the unit, so the rounding of the running field
        updates cannot decide a tie (Hebbian fields are multiples of 1/N and
        often exactly zero).
        """
        s, single = check_spins("cues", cues, self.n_units, dtype=self.dtype)
        check_choice("update", update, ("async", "sync"))
        max_sweeps = check_positive_int("max_sweeps", max_sweeps)
        check_choice("record", record, ("sweep", "update"))
        if record == "update" and update == "sync":
            raise ValueError('record="update" needs update="async"; a synchronous sweep '
                             "is a single update")
        if record == "update" and not self.symmetric:
            raise ValueError('record="update" needs symmetric weights')
        rng = as_generator(seed)
        B, n = s.shape
        Wc = self.weights if self.symmetric else np.ascontiguousarray(self.weights.T)
        theta = self.thresholds
        # fields within tol of a tie count as ties, so rounding in the running
        # field updates cannot flip a unit whose field is exactly θ
        w_max = max(float(np.max(self.weights)), -float(np.min(self.weights)))
        tol = 1e-12 * (n * w_max + float(np.max(np.abs(theta))))
        f = s @ Wc - theta
        E = -0.5 * np.einsum("bi,bi->b", s, f) + 0.5 * (s @ theta)
        trajectory = [E[None].copy()]
        n_sweeps = np.zeros(B, dtype=int)
        converged = np.zeros(B, dtype=bool)
        cycled = np.zeros(B, dtype=bool)
        active = np.arange(B)
        sa, fa = s, f.copy()
        previous = None  # states one synchronous step back, for 2-cycles
        for _ in range(max_sweeps):
            if update == "async":
                dE = np.zeros((n, active.size)) if record == "update" else None
                Ea = E[active]
                changed = _async_sweep(sa, fa, Wc, rng.permutation(n), tol, Ea, dE)
                if dE is not None:
                    rows = np.broadcast_to(E, (n, B)).copy()
                    rows[:, active] += np.cumsum(dE, axis=0)
                    trajectory.append(rows)
                    Ea = rows[-1, active]
                E[active] = Ea  # accumulated as the trajectory is: it never increases
                if not self.symmetric:  # ΔE = −Δs_i (h_i − θ_i) needs W = Wᵀ
                    E[active] = -0.5 * np.einsum("bi,bi->b", sa, fa) + 0.5 * (sa @ theta)
            else:
                before = sa.copy()
                changed = _sync_step(sa, fa, Wc, tol)
                if previous is not None:
                    back = changed & np.all(sa == previous, axis=1)
                    cycled[active[back]] = True
                    changed &= ~back
                previous = before
                E[active] = -0.5 * np.einsum("bi,bi->b", sa, fa) + 0.5 * (sa @ theta)
            n_sweeps[active] += 1
            if record == "sweep":
                trajectory.append(E[None].copy())
            s[active] = sa
            converged[active[~changed & ~cycled[active]]] = True
            active = active[changed]
            if active.size == 0:
                break
            sa, fa = s[active], fa[changed]
            if previous is not None:
                previous = previous[changed]
        result = RecallResult(s, np.concatenate(trajectory), n_sweeps, converged, cycled,
                              update)
        return result._squeeze() if single else result

    def is_fixed_point(self, states):
        """Whether no unit of ``states`` (N,) or (B, N) would flip."""
        s, single = check_spins("states", states, self.n_units, dtype=self.dtype)
        stable = np.all(s * (s @ self.weights.T - self.thresholds) >= 0, axis=1)
        return bool(stable[0]) if single else stable

    # ------------------------------------------------------------------ io
    # what a saved state must hold, checked by biornn.io.load before _from_state
    _SAVED = {"n_units": check_positive_int, "rule": tuple(RULES), "symmetric": check_bool,
              "weights": Array(("n_units", "n_units")), "thresholds": Array(("n_units",)),
              "patterns": Array((None, "n_units"), optional=True)}

    def _get_state(self):
        params = {"n_units": self.n_units, "rule": self.rule, "dtype": str(self.dtype),
                  "symmetric": self.symmetric}
        arrays = {"weights": self.weights, "thresholds": self.thresholds}
        if self.patterns_ is not None:
            arrays["patterns"] = self.patterns_
        return params, arrays

    @classmethod
    def _from_state(cls, params, arrays):
        net = cls(params["n_units"], rule=params["rule"], thresholds=arrays["thresholds"],
                  dtype=params["dtype"])
        net.weights = np.array(arrays["weights"], dtype=net.dtype)
        net.symmetric = bool(params["symmetric"])
        net.patterns_ = arrays.get("patterns")
        return net

    def __repr__(self):
        p = 0 if self.patterns_ is None else len(self.patterns_)
        return f"Hopfield(n_units={self.n_units}, rule={self.rule!r}, n_patterns={p})"

