"""FORCE learning (Sussillo & Abbott 2009): a chaotic network tamed by a fast online readout.

A sparse random rate network with its output fed back,

    τ dx/dt = −x + g J r + w_f z,      r = tanh(x),      z = wᵀ r,

is chaotic for ``g > 1`` (Sompolinsky, Crisanti & Sommers 1988).  FORCE
("first-order reduced and controlled error") learning trains only the readout
``w``, online, with recursive least squares, from the first step: the error
``z − f`` is kept small at all times, so the fed-back output is always close to
the target and the chaos is suppressed.  Every ``learn_every`` steps,

    e⁻ = wᵀ r − f(t),    P r / (1 + rᵀ P r) = k,    w ← w − e⁻ k,    P ← P − k rᵀ P,

with ``P(0) = I / α``; this is the update of :class:`biornn.readout.RLS`,
which FORCE uses as is.  After training, the network runs freely
(:meth:`FORCE.run`) and generates the target on its own.

Time is continuous and integrated with forward Euler at step ``dt``; the
defaults are those of the paper (N = 1000, p = 0.1, g = 1.5, τ = 10 ms,
dt = 1 ms, α = 1, an RLS step every second time step).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from tqdm.auto import tqdm

from .._rng import as_generator
from .._validate import (as_float_array, check_bool, check_in_range, check_nonnegative,
                         check_positive, check_positive_int, to_seconds)
from ..readout import RLS

__all__ = ["FORCE", "force_step"]


def force_step(x, drive, leak):
    """One Euler step ``x ← x + (dt/τ)(−x + drive)`` in place; returns ``tanh(x)``."""
    x += leak * (drive - x)
    return np.tanh(x)


class FORCE:
    """Chaotic rate network with output feedback and an RLS readout (Sussillo & Abbott 2009).

    ``τ dx/dt = −x + g J r + w_f z``, ``r = tanh(x)``, ``z = wᵀ r``; only ``w`` is
    learned, online by recursive least squares (:class:`biornn.readout.RLS`).

    Parameters
    ----------
    n_units : int, default 1000
    n_outputs : int, default 1
    g : float, default 1.5
        Gain of the recurrent weights; ``J_ij ~ N(0, 1/(pN))`` on a fraction ``p`` of pairs.
    connection_prob : float in (0, 1], default 0.1
    tau, dt : float or Brian2 quantity (seconds), defaults 10 ms and 1 ms
    feedback_scaling : float, default 1.0
        Feedback weights ``w_f ~ U(−s, s)``.
    alpha : float, default 1.0
        RLS regulariser, ``P(0) = I/α`` (the learning rate of FORCE).
    learn_every : int, default 2
        Time steps between RLS updates.
    seed : None, int or Generator

    Attributes
    ----------
    J : scipy.sparse.csr_matrix (N, N)
    w_feedback : ndarray (N, n_outputs)
    readout : biornn.readout.RLS
        The shared online readout; ``readout.coef_`` is ``wᵀ``.
    x, r, z : current state, rates and output

    Examples
    --------
    >>> net = FORCE(200, seed=0)
    >>> t = np.arange(4000) * net.dt
    >>> z_train = net.fit(np.sin(2 * np.pi * t / 0.2)[:, None], progress=False)
    >>> z_free = net.run(1000)          # generates the sine on its own
    """

    #: units of the parameters that have one (specs may write them as "10 ms")
    param_units = {"tau": "s", "dt": "s"}

    def __init__(self, n_units=1000, n_outputs=1, *, g=1.5, connection_prob=0.1, tau=10e-3,
                 dt=1e-3, feedback_scaling=1.0, alpha=1.0, learn_every=2, seed=None):
        self.n_units = check_positive_int("n_units", n_units)
        self.n_outputs = check_positive_int("n_outputs", n_outputs)
        self.g = check_nonnegative("g", g)
        self.connection_prob = check_in_range("connection_prob", connection_prob, 0, 1,
                                              low_open=True)
        self.tau = to_seconds("tau", tau)
        self.dt = to_seconds("dt", dt)
        if self.dt > self.tau:
            raise ValueError(f"dt must not exceed tau for Euler integration, got dt={self.dt}, "
                             f"tau={self.tau}")
        self.feedback_scaling = check_nonnegative("feedback_scaling", feedback_scaling)
        self.alpha = check_positive("alpha", alpha)
        self.learn_every = check_positive_int("learn_every", learn_every)
        rng = as_generator(seed)
        N, p = self.n_units, self.connection_prob
        self.J = (sp.random(N, N, density=p, format="csr", random_state=rng,
                            data_rvs=rng.standard_normal) * (self.g / np.sqrt(p * N))).tocsr()
        self.w_feedback = rng.uniform(-feedback_scaling, feedback_scaling, (N, self.n_outputs))
        self.readout = RLS(N, self.n_outputs, alpha=self.alpha)
        self.x = 0.5 * rng.standard_normal(N)
        self.r = np.tanh(self.x)
        self.z = np.zeros(self.n_outputs)

    def _output(self):
        if hasattr(self.readout, "coef_"):
            return self.readout.coef_ @ self.r
        return np.zeros(self.n_outputs)

    def _simulate(self, n_steps, target=None, progress=False, record_rates=False):
        leak = self.dt / self.tau
        Z = np.empty((n_steps, self.n_outputs))
        R = np.empty((n_steps, self.n_units)) if record_rates else None
        x, J, wf = self.x, self.J, self.w_feedback
        z = self.z
        for t in tqdm(range(n_steps), disable=not progress, desc="FORCE"):
            drive = J @ self.r + wf @ z
            self.r = force_step(x, drive, leak)
            z = self._output()
            if target is not None and (t + 1) % self.learn_every == 0:
                self.readout.update(self.r, target[t])   # z stays the a-priori output
            Z[t] = z
            if record_rates:
                R[t] = self.r
        self.z = z
        return Z if R is None else (Z, R)

    def fit(self, target, *, progress=True):
        """Run the network while training the readout online on ``target``.

        Parameters
        ----------
        target : array (T,) or (T, n_outputs)
            Desired output at each time step (sampled at ``dt``).
        progress : bool

        Returns
        -------
        z : ndarray (T, n_outputs)
            The network's output during training.
        """
        check_bool("progress", progress)
        f = as_float_array("target", target, ndim=(1, 2))
        if f.ndim == 1:
            f = f[:, None]
        if f.shape[1] != self.n_outputs or f.shape[0] == 0:
            raise ValueError(f"target must have shape (T, {self.n_outputs}) with T >= 1, "
                             f"got {np.shape(target)}")
        return self._simulate(f.shape[0], target=f, progress=progress)

    def run(self, n_steps, *, progress=False, return_rates=False):
        """Run freely (no learning) for ``n_steps``; returns the output (and rates) per step."""
        n_steps = check_positive_int("n_steps", n_steps)
        return self._simulate(n_steps, progress=progress, record_rates=return_rates)
