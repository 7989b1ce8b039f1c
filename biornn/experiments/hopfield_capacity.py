"""Storage capacity of Hopfield networks, measured by recall from noisy cues.

For a load ``α = P/N``, P random ±1 patterns are stored, every pattern is
cued with a fraction of its bits flipped, and the cue counts as recalled when
the final state has overlap ``m = (1/N) Σ_i s_i ξ_i ≥ overlap_threshold`` with
it.  For the Hebbian rule in the limit ``N → ∞`` the retrieval states vanish
at ``α_c ≈ 0.138`` (Amit, Gutfreund & Sompolinsky 1985); finite networks
recall a little beyond it.  Also the figures of the capacity experiment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .._rng import spawn
from .._validate import (as_float_array, check_choice, check_in_range, check_positive_int)
from ..tasks import corrupt, random_patterns
from ..rate.hopfield import Hopfield, overlaps
from ..rate.hopfield_rules import RULES

__all__ = ["CapacityCurve", "capacity_curve", "critical_load", "HEBBIAN_CRITICAL_LOAD"]

HEBBIAN_CRITICAL_LOAD = 0.138
"""α_c of the Hebbian rule for N → ∞ (Amit, Gutfreund & Sompolinsky 1985)."""


@dataclass
class CapacityCurve:
    """Fraction of noisy cues recalled against the load α = P/N, for one rule."""

    rule: str
    n_units: int
    loads: np.ndarray
    success: np.ndarray
    n_cues: np.ndarray
    settings: dict = field(default_factory=dict)

    def critical_load(self, level=0.5):
        """Load where the success fraction first drops below ``level``; see :func:`critical_load`."""
        return critical_load(self.loads, self.success, level)


def critical_load(loads, success, level=0.5):
    """First load at which ``success`` falls below ``level``, linearly interpolated.

    Returns the load where the straight line between the last grid point at
    or above ``level`` and the first one below it crosses ``level``; ``nan``
    if the success never drops below it, ``loads[0]`` if it starts below.
    """
    loads = as_float_array("loads", loads, ndim=1)
    success = as_float_array("success", success, ndim=1, shape=(loads.size,))
    level = check_in_range("level", level, 0.0, 1.0)
    below = np.flatnonzero(success < level)
    if below.size == 0:
        return float("nan")
    k = below[0]
    if k == 0:
        return float(loads[0])
    a0, a1, s0, s1 = loads[k - 1], loads[k], success[k - 1], success[k]
    return float(a0 + (s0 - level) * (a1 - a0) / (s0 - s1))


def capacity_curve(rule="hebbian", *, n_units=500, loads=None, flip_fraction=0.1,
                   overlap_threshold=0.95, min_cues=1000, update="async", max_sweeps=100,
                   stop_at_zero=True, seed=None, progress=False):
    """Measure the fraction of cues recalled at each load α = P/N.

    At each load, ``P = round(α N)`` random patterns are stored and all P are
    cued (``flip_fraction`` of the bits flipped, see
    :func:`biornn.tasks.corrupt`) and recalled together; fresh pattern sets
    are drawn until at least ``min_cues`` cues were tried.

    Parameters
    ----------
    rule : {"hebbian", "storkey", "pseudo_inverse"}
    n_units : int, default 500
    loads : array_like, optional
        Increasing loads α; default 0.01, 0.02, ..., 0.80.
    flip_fraction : float, default 0.1
    overlap_threshold : float, default 0.95
        A cue is recalled when the final overlap is at least this.
    min_cues : int, default 1000
    update : {"async", "sync"}, default "async"
    max_sweeps : int, default 100
    stop_at_zero : bool, default True
        Stop after two consecutive loads where no cue was recalled (the
        curve is returned up to there).
    seed : None, int or numpy.random.Generator
        Each load draws from its own child generator, so a point does not
        depend on the other loads of the grid.
    progress : bool, default False
        Show a tqdm bar over the loads.

    Returns
    -------
    CapacityCurve
    """
    check_choice("rule", rule, RULES)
    n_units = check_positive_int("n_units", n_units)
    loads = np.round(np.arange(1, 81) * 0.01, 10) if loads is None else \
        as_float_array("loads", loads, ndim=1)
    if loads.size == 0 or np.any(loads <= 0) or np.any(np.diff(loads) <= 0):
        raise ValueError(f"loads must be positive and increasing, got {loads}")
    check_in_range("overlap_threshold", overlap_threshold, -1.0, 1.0)
    min_cues = check_positive_int("min_cues", min_cues)
    children = spawn(seed, loads.size)
    iterator = range(loads.size)
    if progress:
        from tqdm.auto import tqdm
        iterator = tqdm(iterator, desc=f"capacity ({rule})")
    success, n_cues = [], []
    for k in iterator:
        rng = children[k]
        n_patterns = max(1, int(round(loads[k] * n_units)))
        recalled = tried = 0
        for _ in range(math.ceil(min_cues / n_patterns)):
            xi = random_patterns(n_patterns, n_units, seed=rng)
            net = Hopfield(n_units, rule=rule).store(xi)
            result = net.recall(corrupt(xi, flip_fraction, seed=rng), update=update,
                                max_sweeps=max_sweeps, seed=rng)
            recalled += int(np.sum(overlaps(result.states, xi) >= overlap_threshold))
            tried += n_patterns
        success.append(recalled / tried)
        n_cues.append(tried)
        if stop_at_zero and len(success) >= 2 and success[-1] == 0 and success[-2] == 0:
            break
    m = len(success)
    settings = {"flip_fraction": flip_fraction, "overlap_threshold": overlap_threshold,
                "update": update, "max_sweeps": max_sweeps, "min_cues": min_cues}
    return CapacityCurve(rule, n_units, loads[:m].copy(), np.array(success),
                         np.array(n_cues), settings)
