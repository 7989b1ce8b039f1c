"""Classifying whole sequences with a readout trained on every time step.

Verstraeten et al. (2005, "Isolated word recognition with the liquid state machine:
a case study") train the linear readout on the reservoir state of *every* time step,
each labelled with its utterance's class, and classify an utterance by the class
whose output, averaged over the utterance, is largest::

    o(t) = W x(t) + b,        class = argmax_c (1/T) sum_t o_c(t).

This is the same :class:`~biornn.readout.RidgeClassifier` every model uses (same
alpha grid), only fit on time steps; the other way to classify a sequence is a
reducer of :mod:`biornn.states` (``last``, ``mean``, ``segment_mean``) followed by
the classifier.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_sequences, check_choice, check_positive_int
from .readout import RidgeClassifier

__all__ = ["TimeStepClassifier"]


def _as_list(name, states):
    batch, _ = as_sequences(name, states)
    return list(batch)


class TimeStepClassifier:
    """A ridge classifier trained on every time step, deciding on the time-averaged output.

    Parameters
    ----------
    alpha : float or sequence of float, default 1.0
        Ridge penalty, or a grid chosen by cross-validation over time steps (see
        :class:`~biornn.readout.RidgeClassifier`).
    fit_intercept : bool, default True
    n_folds : int, default 5
    weighting : {"frame", "utterance"}, default "frame"
        ``"frame"``: every time step counts once (long sequences weigh more);
        ``"utterance"``: the time steps of sequence ``i`` weigh ``1 / T_i`` each in the
        ridge fit (``sample_weight``), so every sequence counts once, as the
        decision (one average per sequence) does.
    chunk_size : int, default 100
        Sequences whose time steps are added to the ridge statistics at once
        (:meth:`RidgeClassifier.partial_fit`), so memory stays at ``chunk_size``
        sequences of states whatever the data set's size.  With an alpha grid each
        chunk is split into ``n_folds`` contiguous folds.

    Attributes
    ----------
    classifier_ : RidgeClassifier
        The time-step readout.
    classes_ : ndarray

    Examples
    --------
    >>> clf = TimeStepClassifier(alpha=[1e-4, 1e-2, 1.0]).fit(train_states, labels)  # doctest: +SKIP
    >>> clf.predict(test_states)                                                      # doctest: +SKIP
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, n_folds=5, weighting="frame",
                 chunk_size=100):
        self.alpha = alpha
        self.weighting = weighting
        self.fit_intercept = fit_intercept
        self.n_folds = n_folds
        self.chunk_size = chunk_size

    def fit(self, states, labels):
        """Fit on states ``(time_i, features)`` per sequence and one label per sequence.

        Parameters
        ----------
        states : list of (time_i, features), or (sequences, time, features)
        labels : array (sequences,)
        """
        seqs = _as_list("states", states)
        labels = np.asarray(labels)
        if labels.ndim != 1 or labels.shape[0] != len(seqs):
            raise ValueError(f"labels must be 1-d with one label per sequence "
                             f"({len(seqs)}), got shape {labels.shape}")
        chunk = check_positive_int("chunk_size", self.chunk_size)
        per_utterance = check_choice("weighting", self.weighting,
                                     ("frame", "utterance")) == "utterance"
        clf = RidgeClassifier(self.alpha, fit_intercept=self.fit_intercept,
                              n_folds=self.n_folds)
        classes = np.unique(labels)
        # a fixed shuffle spreads every class over the chunks and the folds within them
        order = np.random.default_rng(0).permutation(len(seqs))
        for lo in range(0, len(seqs), chunk):
            part = order[lo:lo + chunk]
            X = np.concatenate([seqs[i] for i in part])
            y = np.concatenate([np.full(seqs[i].shape[0], labels[i]) for i in part])
            w = (np.concatenate([np.full(seqs[i].shape[0], 1.0 / seqs[i].shape[0])
                                 for i in part]) if per_utterance else None)
            clf.partial_fit(X, y, classes=classes, sample_weight=w)
        self.classifier_ = clf
        self.classes_ = clf.classes_
        return self

    def step_outputs(self, states):
        """The readout's output at every time step: a list of (time_i, classes)."""
        if not hasattr(self, "classifier_"):
            raise AttributeError("this TimeStepClassifier is not fitted yet; call fit first")
        return [np.atleast_1d(self.classifier_.decision_function(s).T).T
                for s in _as_list("states", states)]

    def decision_function(self, states):
        """Outputs averaged over each sequence: (sequences, classes), or (sequences,)
        for two classes (as :meth:`RidgeClassifier.decision_function`)."""
        return np.stack([o.mean(axis=0) for o in self.step_outputs(states)])

    def predict(self, states):
        """Class with the largest time-averaged output, one per sequence."""
        d = self.decision_function(states)
        if d.ndim == 1:
            return self.classes_[(d > 0).astype(int)]
        return self.classes_[np.argmax(d, axis=1)]

    def score(self, states, labels):
        """Accuracy over sequences."""
        pred = self.predict(states)
        labels = np.asarray(labels).ravel()
        if labels.shape != pred.shape:
            raise ValueError(f"states and labels must have the same length, got "
                             f"{pred.shape[0]} and {labels.shape[0]}")
        return float(np.mean(pred == labels))
