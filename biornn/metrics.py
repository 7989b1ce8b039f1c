"""Metrics shared by every model: regression errors, memory capacity, accuracy, separation,
delayed recall."""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_choice, check_in_range, check_positive_int, \
    to_seconds

# ---------------------------------------------------------------------------
# Regression and classification
# ---------------------------------------------------------------------------

def _pair(y_true, y_pred):
    yt = as_float_array("y_true", y_true, ndim=(1, 2))
    yp = as_float_array("y_pred", y_pred, ndim=(1, 2))
    if yt.ndim == 1:
        yt = yt[:, None]
    if yp.ndim == 1:
        yp = yp[:, None]
    if yt.shape != yp.shape:
        raise ValueError(f"y_true and y_pred must have the same shape, got {yt.shape} "
                         f"and {yp.shape}")
    if yt.shape[0] < 2:
        raise ValueError(f"at least 2 samples are needed, got {yt.shape[0]}")
    return yt, yp


def rmse(y_true, y_pred):
    """Root-mean-square error, averaged over outputs: ``sqrt(mean((y - ŷ)²))``."""
    yt, yp = _pair(y_true, y_pred)
    return float(np.mean(np.sqrt(np.mean((yt - yp) ** 2, axis=0))))


def nmse(y_true, y_pred):
    """Normalised mean-square error: ``mean((y - ŷ)²) / var(y)`` per output, averaged.

    The variance is the population variance of the target (``ddof = 0``).
    A predictor that always outputs the target's mean scores 1.
    """
    yt, yp = _pair(y_true, y_pred)
    var = np.var(yt, axis=0)
    if np.any(var == 0):
        raise ValueError("y_true is constant: its variance is 0, so NMSE is undefined")
    return float(np.mean(np.mean((yt - yp) ** 2, axis=0) / var))


def nrmse(y_true, y_pred):
    """Normalised root-mean-square error: ``RMSE / std(y_true)``, per output, averaged.

    Normalised by the target's standard deviation (not by its range, as some
    libraries do); the square root of :func:`nmse`.  Always answering the
    target's mean scores 1.
    """
    yt, yp = _pair(y_true, y_pred)
    std = np.std(yt, axis=0)
    if np.any(std == 0):
        raise ValueError("y_true is constant: its standard deviation is 0, so NRMSE is undefined")
    return float(np.mean(np.sqrt(np.mean((yt - yp) ** 2, axis=0)) / std))


def accuracy(y_true, y_pred):
    """Fraction of labels predicted exactly."""
    yt, yp = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    if yt.shape != yp.shape or yt.size == 0:
        raise ValueError(f"y_true and y_pred must be non-empty and of equal length, got "
                         f"{yt.size} and {yp.size}")
    return float(np.mean(yt == yp))




# ---------------------------------------------------------------------------
# Reservoir properties (memory capacity, separation, kernel rank)
# ---------------------------------------------------------------------------

def memory_capacity(targets, predictions, *, per_delay=False):
    """Short-term memory capacity (Jaeger 2001).

    ``MC = Σ_k r²(u(t-k), ŷ_k(t))``: the squared Pearson correlation between
    each delayed input and its linear reconstruction, summed over delays.
    Rows with any NaN target (before the delayed input exists) are ignored.

    Parameters
    ----------
    targets, predictions : ndarray (samples, n_delays)
        Column ``k-1`` holds ``u(t-k)`` and its reconstruction.
    per_delay : bool
        Also return the array of r² per delay (the forgetting curve).
    """
    yt = as_float_array("targets", targets, ndim=2, allow_nan=True)
    yp = as_float_array("predictions", predictions, ndim=2, shape=yt.shape, allow_nan=True)
    keep = np.all(np.isfinite(yt), axis=1) & np.all(np.isfinite(yp), axis=1)
    if keep.sum() < 3:
        raise ValueError("fewer than 3 rows with finite targets and predictions")
    a = yt[keep] - yt[keep].mean(axis=0)
    b = yp[keep] - yp[keep].mean(axis=0)
    den = np.sqrt(np.sum(a * a, axis=0) * np.sum(b * b, axis=0))
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(den > 0, (np.sum(a * b, axis=0) / den) ** 2, 0.0)
    return (float(r2.sum()), r2) if per_delay else float(r2.sum())


def separation(states_u, states_v, *, metric="euclidean"):
    """Separation property: mean distance between the states driven by two inputs.

    ``sep(t) = mean_pairs || x_u(t) - x_v(t) ||`` (Euclidean norm over neurons), the
    quantity on the y-axis of Maass, Natschläger & Markram (2002), Figure 2; plot it
    for input pairs at several input distances ``d(u, v)``
    (:func:`spike_train_distance`).

    Parameters
    ----------
    states_u, states_v : array_like, shape (pairs, samples, neurons) or (samples, neurons)
        States for the inputs ``u`` and ``v`` of each pair (same shapes).
    metric : {"euclidean", "mean_squared"}, default "euclidean"
        ``"mean_squared"`` gives ``mean_neurons (x_u - x_v)^2`` instead of the norm:
        the scale on which Brian2's example of this figure matches the paper's
        numbers (its y-axis runs from 0 to 2.5).

    Returns
    -------
    numpy.ndarray, shape (samples,)
        Mean over pairs of the state distance at each sample.
    """
    check_choice("metric", metric, ("euclidean", "mean_squared"))
    a = as_float_array("states_u", states_u, ndim=(2, 3))
    b = as_float_array("states_v", states_v, ndim=(2, 3))
    if a.shape != b.shape:
        raise ValueError(f"states_u and states_v must have the same shape, got {a.shape} "
                         f"and {b.shape}")
    if a.ndim == 2:
        a, b = a[None], b[None]
    if metric == "mean_squared":
        return ((a - b) ** 2).mean(axis=-1).mean(axis=0)
    return np.linalg.norm(a - b, axis=-1).mean(axis=0)


def spike_train_distance(times_u, times_v, duration, *, tau=0.005, squared=False):
    """Distance between two spike trains after Gaussian low-pass filtering.

    ``d(u, v) = sqrt( (1/T) int ((u * k)(t) - (v * k)(t))^2 dt )`` with the kernel
    ``k(t) = exp(-(t / tau)^2)``, ``tau = 5 ms``: the input distance of Maass,
    Natschläger & Markram (2002), Figure 2.  The integral runs over the whole time
    axis, in closed form: ``int k(t - a) k(t - b) dt = tau sqrt(pi/2)
    exp(-(a - b)^2 / (2 tau^2))``.  Normalising by the duration ``T`` is our reading
    of the paper; two independent 20 Hz trains of 0.5 s then lie about 0.5 apart.

    Parameters
    ----------
    times_u, times_v : array_like of float
        Spike times (s) of the two trains (one channel each).
    duration : float
        ``T`` in seconds.
    tau : float, default 0.005
    squared : bool, default False
        Return ``d^2`` (no square root): the scale on which Brian2's example of
        Figure 2 matches the paper's values 0.1, 0.2, 0.4.

    Returns
    -------
    float
    """
    duration = to_seconds("duration", duration)
    tau = to_seconds("tau", tau)
    u = as_float_array("times_u", times_u, ndim=1)
    v = as_float_array("times_v", times_v, ndim=1)

    def overlap(a, b):
        return np.exp(-((a[:, None] - b[None, :]) ** 2) / (2 * tau ** 2)).sum()

    d2 = (overlap(u, u) + overlap(v, v) - 2 * overlap(u, v)) * tau * np.sqrt(np.pi / 2)
    d2 = max(float(d2), 0.0) / duration
    return d2 if squared else float(np.sqrt(d2))


def delayed_recall(states, labels, n_train, *, alpha=1.0, n_folds=5):
    """Test accuracy of a linear readout naming each trial's class from one state sample.

    For every sample ``s`` a :class:`~biornn.readout.RidgeClassifier` is trained on
    ``states[:n_train, s]`` and tested on ``states[n_train:, s]``: with samples taken
    ``d`` after a template's end (:func:`biornn.spiking.measures.delayed_recall_inputs`) this is the recall of
    the template at delay ``d``, the liquid's fading memory.

    Parameters
    ----------
    states : ndarray (trials, samples, neurons)
    labels : ndarray (trials,)
    n_train : int
        The first ``n_train`` trials train, the rest test.
    alpha, n_folds
        Of the readout (``alpha`` may be a grid, chosen by cross-validation).

    Returns
    -------
    ndarray (samples,)
    """
    from .readout import RidgeClassifier

    X = as_float_array("states", states, ndim=3)
    y = np.asarray(labels)
    if y.shape != (X.shape[0],):
        raise ValueError(f"labels must have one entry per trial ({X.shape[0]}), got shape "
                         f"{y.shape}")
    n_train = check_positive_int("n_train", n_train)
    if n_train >= X.shape[0]:
        raise ValueError(f"n_train ({n_train}) must leave test trials out of {X.shape[0]}")
    out = np.empty(X.shape[1])
    for s in range(X.shape[1]):
        clf = RidgeClassifier(alpha=alpha, n_folds=n_folds).fit(X[:n_train, s], y[:n_train])
        out[s] = accuracy(y[n_train:], clf.predict(X[n_train:, s]))
    return out


def memory_time(accuracies, delays, chance):
    """Area (s) under the recall curve above chance: ``int r(d) dd`` over the delays.

    ``r(d) = clip((a(d) - c) / (1 - c), 0, 1)`` is the accuracy ``a`` at delay ``d``
    rescaled so that chance ``c`` is 0 and perfect recall 1 (trapezoid rule over
    ``delays``).  A liquid that recalls perfectly over the whole range scores its
    length, one that never beats chance scores 0: a time-valued counterpart of
    memory capacity (Jaeger 2001), which sums ``r^2`` over delays.
    """
    a = as_float_array("accuracies", accuracies, ndim=1)
    d = as_float_array("delays", delays, ndim=1, shape=a.shape)
    if np.any(np.diff(d) <= 0):
        raise ValueError("delays must be increasing")
    chance = check_in_range("chance", chance, 0, 1, high_open=True)
    r = np.clip((a - chance) / (1 - chance), 0.0, 1.0)
    return float(np.sum((r[1:] + r[:-1]) / 2 * np.diff(d)))


def class_separation(states, labels):
    """Mean state distance between trials of different classes and of the same class.

    ``between = mean ||x_u - x_v||`` over pairs of trials with different labels
    (:func:`separation`, the separation of Maass, Natschläger &
    Markram 2002), ``within`` the same over pairs with equal labels: what noise
    alone (jitter, initial potentials) separates, the baseline ``between`` must
    exceed.

    Parameters
    ----------
    states : ndarray (trials, neurons)
    labels : ndarray (trials,)

    Returns
    -------
    between, within : float
    """
    X = as_float_array("states", states, ndim=2)
    y = np.asarray(labels)
    if y.shape != (X.shape[0],):
        raise ValueError(f"labels must have one entry per trial ({X.shape[0]}), got shape "
                         f"{y.shape}")
    a, b = np.triu_indices(len(y), k=1)
    same = y[a] == y[b]
    if same.all() or not same.any():
        raise ValueError("labels need at least two classes and a class with two trials")
    return tuple(float(separation(X[a[m]][:, None], X[b[m]][:, None])[0])
                 for m in (~same, same))




def confidence_interval(values, level=0.95):
    """Mean and Student-t confidence interval of the mean of independent repeats.

    For ``n`` values with sample standard deviation ``s`` the half-width is
    ``t_{(1+level)/2, n-1} * s / sqrt(n)``: the spread a result over seeds carries.

    Parameters
    ----------
    values : array_like (n,)
        One number per repeat (seed); NaNs are not allowed.
    level : float, default 0.95

    Returns
    -------
    mean, half_width : float
        ``half_width`` is ``nan`` for a single value (no spread can be estimated).

    Examples
    --------
    >>> m, h = confidence_interval([0.9, 0.92, 0.94])
    >>> round(m, 3), round(h, 3)
    (0.92, 0.05)
    """
    from scipy import stats

    x = np.asarray(values, dtype=float).ravel()
    if x.size == 0:
        raise ValueError("values is empty: expected at least one repeat")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"values must be finite, got {x}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    if x.size == 1:
        return float(x[0]), float("nan")
    half = stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
    return float(x.mean()), float(half)
