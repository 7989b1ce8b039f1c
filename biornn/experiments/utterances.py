"""Protocol helpers for classifying utterances (spoken digits) with a reservoir.

* :func:`splits_with_validation`: the test splits of a :class:`~biornn.datasets.
  SpokenDigits` set (the official split, leave-one-speaker-out) each with a validation
  split carved out of its training part, on which hyperparameters are chosen (never on
  the test set);
* :func:`esn_states`: echo state network states of ragged sequences, batched by length;
* :func:`pooled_accuracy` and :func:`step_accuracy`: the two readouts of
  Verstraeten et al. (2005), the same :class:`~biornn.readout.RidgeClassifier` and alpha
  grid for every model: states averaged over equal time segments, standardised on the
  training set; or a classifier trained on every time step whose outputs are averaged
  over the utterance (:class:`~biornn.sequence_readout.TimeStepClassifier`);
* :func:`confusion_matrix` and :func:`summarise` (mean and Student-t 95% CI over seeds).
"""

from __future__ import annotations

import numpy as np

from .. import metrics
from ..readout import RidgeClassifier
from ..sequence_readout import TimeStepClassifier

__all__ = ["splits_with_validation", "esn_states", "pooled_accuracy", "step_accuracy",
           "readout_accuracy", "confusion_matrix", "summarise"]


def splits_with_validation(data, kinds=("official", "loso")):
    """Test splits, each with a validation carve of its training part.

    ``official``: repetitions 0-4 test, 5-49 train (the dataset's own rule); the first
    ninth of the training repetitions (5-9 of 5-49) validates.  ``loso``: one fold per
    speaker, trained on the others; the next speaker (alphabetically, cyclically)
    validates, so speaker-independence is what the choice rewards.

    Returns
    -------
    dict
        ``name -> (train, (fit, validation), test)`` of index arrays; names are
        ``"official"`` and the speakers.
    """
    idx, spk = np.asarray(data.indices), np.asarray(data.speakers)
    out = {}
    if "official" in kinds:
        reps = np.unique(idx[idx >= 5])
        if reps.size < 2:
            raise ValueError("the official split needs at least two training repetitions "
                             f"(index >= 5), got {reps.tolist()}")
        val = reps[:max(1, reps.size // 9)]
        train = np.flatnonzero(idx >= 5)
        out["official"] = (train, (train[~np.isin(idx[train], val)],
                                   train[np.isin(idx[train], val)]), np.flatnonzero(idx < 5))
    if "loso" in kinds:
        speakers = sorted(set(spk.tolist()))
        if len(speakers) < 3:
            raise ValueError("leaving one speaker out with a validation speaker needs at "
                             f"least 3 speakers, got {speakers}")
        for k, s in enumerate(speakers):
            v = speakers[(k + 1) % len(speakers)]
            out[s] = (np.flatnonzero(spk != s),
                      (np.flatnonzero((spk != s) & (spk != v)), np.flatnonzero(spk == v)),
                      np.flatnonzero(spk == s))
    return out


def esn_states(esn, sequences, batch_size=100):
    """States of an ESN driven by each of ``sequences`` (a list of ``(T_i, D)`` arrays).

    Sequences of similar length are run together in batches of ``batch_size``, padded
    at their end with zeros (later steps never change earlier states), and each state
    sequence is cut back to its own length; the result is in the order given.
    """
    lengths = np.array([s.shape[0] for s in sequences])
    order = np.argsort(lengths, kind="stable")
    out = [None] * len(sequences)
    for batch in np.array_split(order, max(1, -(-len(order) // batch_size))):
        U = np.zeros((batch.size, int(lengths[batch].max()), sequences[0].shape[1]))
        for k, i in enumerate(batch):
            U[k, :lengths[i]] = sequences[i]
        X = esn.run(U)
        for k, i in enumerate(batch):
            out[i] = X[k, :lengths[i]]
    return out


def _standardiser(rows):
    mu, sd = rows.mean(axis=0), rows.std(axis=0)
    return lambda x: (x - mu) / np.where(sd > 0, sd, 1.0)


def _row_space(train_rows):
    """Map onto the span of the centred training rows, when it is smaller than F.

    Ridge with an intercept, ``min ||Y - X W - b||^2 + alpha ||W||^2``, has its
    solution in the span of the centred training rows (and so do its fits on any
    subset of them, centred about their own mean, as cross-validation makes): with
    ``X_c = U S V^T`` (thin SVD), the features ``(x - mean) V`` give the same
    predictions for every alpha, from an ``r x r`` problem (``r <= samples``)
    instead of ``F x F``.  For 1000 liquid neurons pooled over 4 segments
    (F = 4000) and ~2000 training recordings this is what keeps the readout cheap.
    """
    n, f = train_rows.shape
    if f <= n:
        return lambda x: x
    mean = train_rows.mean(axis=0)
    _, sv, Vt = np.linalg.svd(train_rows - mean, full_matrices=False)
    V = Vt[sv > sv[0] * max(n, f) * np.finfo(float).eps].T
    return lambda x: (x - mean) @ V


def pooled_accuracy(features, labels, train, test, alpha):
    """Accuracy and predictions of a ridge classifier on pooled features.

    ``features`` (recordings, F) are standardised with the mean and SD of the
    training rows; ``alpha`` (a value or a grid chosen by cross-validation on the
    training rows) is the penalty of :class:`~biornn.readout.RidgeClassifier`.
    With more features than training rows the classifier runs on their row space
    (:func:`_row_space`: the same predictions, less work).
    """
    z = _standardiser(features[train])
    p = _row_space(z(features[train]))
    clf = RidgeClassifier(alpha=alpha).fit(p(z(features[train])), labels[train])
    pred = clf.predict(p(z(features[test])))
    return metrics.accuracy(labels[test], pred), pred


def step_accuracy(sequences, labels, train, test, alpha, chunk_size=500,
                  weighting="utterance"):
    """Accuracy and predictions of the per-time-step readout (outputs averaged over
    each utterance before the argmax; Verstraeten et al. 2005); ``weighting``
    ("utterance": each utterance's frames weigh 1/T in the fit; or "frame") as in
    :class:`~biornn.sequence_readout.TimeStepClassifier`."""
    clf = TimeStepClassifier(alpha=alpha, chunk_size=chunk_size, weighting=weighting).fit(
        [sequences[i] for i in train], labels[train])
    pred = clf.predict([sequences[i] for i in test])
    return metrics.accuracy(labels[test], pred), pred


def readout_accuracy(readout, sequences, pooled, labels, train, test, alpha,
                     weighting="utterance"):
    """``pooled_accuracy`` (``readout="pooled"``) or ``step_accuracy`` (``"step"``,
    frames weighted by ``weighting``)."""
    if readout == "pooled":
        return pooled_accuracy(pooled, labels, train, test, alpha)
    return step_accuracy(sequences, labels, train, test, alpha, weighting=weighting)


def confusion_matrix(y_true, y_pred, classes):
    """Counts ``C[i, j]`` of recordings of class ``classes[i]`` predicted as ``classes[j]``."""
    pos = {c: k for k, c in enumerate(classes)}
    C = np.zeros((len(classes), len(classes)), dtype=int)
    for t, p in zip(y_true, y_pred):
        C[pos[t], pos[p]] += 1
    return C


def summarise(values):
    """``(mean, 95% CI half-width)`` over seeds (:func:`biornn.metrics.confidence_interval`)."""
    return metrics.confidence_interval(values)
