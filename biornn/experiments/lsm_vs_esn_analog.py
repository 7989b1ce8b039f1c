"""The analog half of :mod:`~biornn.experiments.lsm_vs_esn`: NARMA or memory capacity,
hyperparameters chosen on a validation split.

The series is cut into segments that each model runs from rest.  The segments are
split, in order, into train, validation and test.  Each candidate setting (for the
liquid: the task step in liquid time x the input scale; for the ESN: its input
scaling) is scored by a readout trained on the train segments and evaluated on the
validation segments (:func:`choose_on_validation`, which reads no other rows); the
best one is refit on train + validation and scored once on test.

The liquid gets the signal population-coded over several input channels
(:func:`biornn.spiking.encoding.population_code`: staggered ramps in push-pull
pairs), as an injected current or as Poisson spikes, one task step per readout
sample.
"""

from __future__ import annotations

import time

import numpy as np

from .. import metrics, tasks
from ..readout import Ridge

__all__ = ["analog_data", "split_segments", "choose_on_validation", "run_analog",
           "delay_line_baseline"]


def analog_data(a, seed):
    """Input ``U`` (segments, steps, 1), targets ``Y`` (segments, steps, outputs) and the
    input's range ``(low, high)``."""
    steps = a["n_segments"] * a["segment_steps"]
    if a["name"] == "narma":
        u, y = tasks.narma(steps, a["order"], seed=seed)
        lo, hi = 0.0, 0.5
    else:
        u, y = tasks.memory_capacity_data(steps, a["max_delay"], seed=seed)
        lo, hi = -0.8, 0.8
    shape = (a["n_segments"], a["segment_steps"])
    return u.reshape(*shape, 1), y.reshape(*shape, -1), (lo, hi)


def split_segments(n_segments, n_val, n_test):
    """Segment indices ``(train, validation, test)``, in order, test last."""
    n_train = n_segments - n_val - n_test
    if n_train < 1 or n_val < 1 or n_test < 1:
        raise ValueError(f"need at least one train, validation and test segment, got "
                         f"{n_segments} segments with {n_val} validation and {n_test} test")
    idx = np.arange(n_segments)
    return idx[:n_train], idx[n_train:n_train + n_val], idx[n_train + n_val:]


def _rows(A, segments, washout):
    """Samples of ``segments`` after the washout, flattened to (samples, features)."""
    return A[np.asarray(segments), washout:].reshape(-1, A.shape[2])


def _fit(X, Y, train, washout, readout):
    r = Ridge(alpha=readout["alpha"], n_folds=readout["n_folds"])
    return r.fit(_rows(X, train, washout), _rows(Y, train, washout))


def choose_on_validation(candidates, targets, train, validation, *, washout, readout):
    """The candidate whose readout, trained on ``train``, has the lowest NRMSE on
    ``validation``.

    Parameters
    ----------
    candidates : dict
        ``{key: states}``, states ``(segments, steps, features)``.  Only the segments
        in ``train`` and ``validation`` are read: the test segments may hold anything.
    targets : array (segments, steps, outputs)
    train, validation : sequences of int
        Segment indices.
    washout : int
        Steps dropped at the start of every segment.
    readout : dict
        ``alpha`` (value or grid) and ``n_folds`` of the ridge readout.

    Returns
    -------
    best : key
    scores : dict
        Validation NRMSE of every candidate.
    """
    if set(np.asarray(train).tolist()) & set(np.asarray(validation).tolist()):
        raise ValueError("train and validation segments must not overlap")
    scores = {}
    for key, X in candidates.items():
        r = _fit(X, targets, train, washout, readout)
        pred = np.asarray(r.predict(_rows(X, validation, washout)))
        scores[key] = metrics.nrmse(_rows(targets, validation, washout),
                                    pred.reshape(-1, targets.shape[2]))
    return min(scores, key=scores.get), scores


def delay_line_baseline(spec, data):
    """The same readout on a tapped delay line ``u(t), ..., u(t-k+1)`` (``k = order``
    for NARMA, ``max_delay`` for memory capacity), within each segment: what a reservoir
    with perfect linear memory of ``k`` steps and no nonlinearity would give."""
    a = spec["analog"]
    U, Y, _ = data
    k = a["order"] if a["name"] == "narma" else a["max_delay"]
    taps = np.zeros(U.shape[:2] + (k,))
    for d in range(k):
        taps[:, d:, d] = U[:, :U.shape[1] - d, 0]
    train, val, test = split_segments(a["n_segments"], a["n_val_segments"],
                                      a["n_test_segments"])
    w = max(a["washout"], k)
    r = _fit(taps, Y, np.concatenate([train, val]), w, spec["readout"])
    y_test = _rows(Y, test, w)
    return k, _score(a["name"], y_test,
                     np.asarray(r.predict(_rows(taps, test, w))).reshape(y_test.shape))


def _score(name, y, pred):
    if name == "narma":
        return metrics.nrmse(y, pred)
    return metrics.memory_capacity(y, pred)


def _timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def run_analog(spec, n, data, build_lsm, build_esn, encode):
    """Both models on the analog task at size ``n``, settings chosen on validation.

    The liquid's candidates are ``analog.steps`` x ``analog.input_scales`` (current) or
    x ``analog.max_rates`` (Poisson), the ESN's ``analog.esn_input_scalings``.
    ``build_lsm(step)`` and ``build_esn(input_scaling)`` make the models,
    ``encode(U)`` the liquid's input channels.  Returns, per model, a dict with the
    test ``value`` (NRMSE or memory capacity), the chosen ``setting``, the validation
    ``scores``, the model ``seconds`` per task step (of the chosen setting's run), the
    test ``target`` and ``prediction``.
    """
    a, readout = spec["analog"], spec["readout"]
    U, Y, _ = data
    train, val, test = split_segments(a["n_segments"], a["n_val_segments"],
                                      a["n_test_segments"])
    w, n_steps = a["washout"], U[:, :, 0].size
    S = encode(U)
    runs = {}   # setting -> (states, seconds)
    for step in a["steps"]:
        lsm = build_lsm(step)
        for level in (a["input_scales"] if a["mode"] == "current" else a["max_rates"]):
            key = "input_scale" if a["mode"] == "current" else "max_rate"
            runs["lsm", step, level] = _timed(lsm.run_analog, S, mode=a["mode"],
                                              input_dt=step, progress=False, **{key: level})
    for scaling in a["esn_input_scalings"]:
        runs["esn", scaling] = _timed(build_esn(scaling).run, U)
    out = {}
    for model in ("lsm", "esn"):
        cands = {k: X for k, (X, _) in runs.items() if k[0] == model}
        for k, X in cands.items():
            if X.shape[1] != U.shape[1]:
                raise ValueError(f"the {model} returned {X.shape[1]} samples per segment "
                                 f"for {U.shape[1]} steps (setting {k[1:]})")
        best, scores = choose_on_validation(cands, Y, train, val, washout=w, readout=readout)
        X, secs = runs[best]
        r = _fit(X, Y, np.concatenate([train, val]), w, readout)
        y_test = _rows(Y, test, w)
        pred = np.asarray(r.predict(_rows(X, test, w))).reshape(y_test.shape)
        out[model] = {"value": _score(a["name"], y_test, pred), "setting": best[1:],
                      "scores": {k[1:]: v for k, v in scores.items()},
                      "seconds": secs / n_steps, "target": y_test, "prediction": pred}
    return out
