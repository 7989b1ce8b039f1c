"""Closed-loop prediction protocol for echo state networks (Jaeger 2001; Jaeger & Haas 2004).

The Mackey-Glass benchmark: the network sees the series squashed as
``z = tanh(y - 1)`` through output feedback only; it is trained by teacher
forcing, then each test trial starts from a zero state, is teacher-forced for
``teach`` steps and runs ``n_generate`` steps closed loop.  The score is

    NRMSE_h = sqrt(mean over trials of (ŷ(h) - y(h))²) / std(y)

at the ``horizon``-th free-running step h (84 in Jaeger & Haas 2004), in the
units of ``y``.
"""

from __future__ import annotations

import numpy as np

from .. import tasks
from .._rng import spawn
from .._validate import check_nonnegative_int, check_positive_int

__all__ = ["mackey_glass_closed_loop"]

_EDGE = 1 - 1e-15  # keep arctanh finite if an output saturates


def mackey_glass_closed_loop(esn, *, n_train=20_000, washout=1000, n_trials=50, teach=1000,
                             horizon=84, n_generate=None, tau=17.0, progress=None, seed=None):
    """Train ``esn`` on Mackey-Glass by teacher forcing and score its free runs.

    Parameters
    ----------
    esn : EchoStateNetwork
        With output feedback (``feedback_scaling > 0``); it is fitted here.
    n_train, washout : int
        Teacher-forced training steps, and how many of them the readout ignores.
    n_trials, teach, horizon : int
        Test trials, teacher-forced steps at the start of each, scored step.
    n_generate : int, optional
        Free-running steps per trial (default ``horizon``).
    tau : float
        Mackey-Glass delay.
    progress : callable, optional
        Wraps the trial iterator (e.g. a tqdm factory).
    seed : None, int or numpy.random.Generator
        Seeds the series.

    Returns
    -------
    dict
        ``nrmse`` (at ``horizon``), ``truth`` and ``generated`` (n_trials, n_generate)
        in the units of ``y``.
    """
    if not esn.has_feedback:
        raise ValueError("the closed-loop protocol needs output feedback: set "
                         "feedback_scaling > 0")
    n_train = check_positive_int("n_train", n_train)
    washout = check_nonnegative_int("washout", washout)
    n_trials = check_positive_int("n_trials", n_trials)
    teach = check_positive_int("teach", teach)
    horizon = check_positive_int("horizon", horizon)
    n_generate = horizon if n_generate is None else check_positive_int("n_generate", n_generate)
    if n_generate < horizon:
        raise ValueError(f"n_generate ({n_generate}) must be >= horizon ({horizon})")
    trial_len = teach + n_generate
    (seed_series,) = spawn(seed, 1)
    y = tasks.mackey_glass(n_train + n_trials * trial_len, tau=tau, seed=seed_series)
    z = np.tanh(y - 1.0)
    esn.fit(None, z[:n_train], washout=washout)
    truth = np.empty((n_trials, n_generate))
    generated = np.empty((n_trials, n_generate))
    trials = range(n_trials) if progress is None else progress(range(n_trials))
    for i in trials:
        seg = z[n_train + i * trial_len:][:trial_len]
        esn.run(None, teacher=seg[:teach], initial_state=np.zeros(esn.n_units))
        out = esn.generate(n_generate)[:, 0]
        generated[i] = np.arctanh(np.clip(out, -_EDGE, _EDGE)) + 1.0
        truth[i] = np.arctanh(seg[teach:, 0]) + 1.0
    err = generated[:, horizon - 1] - truth[:, horizon - 1]
    return {"nrmse": float(np.sqrt(np.mean(err ** 2)) / np.std(y)),
            "truth": truth, "generated": generated}
