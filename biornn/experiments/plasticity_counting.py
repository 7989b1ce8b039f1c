"""The counting task of Lazar, Pipa & Triesch (2009) on spike templates.

SORN (Lazar et al. 2009, Front. Comput. Neurosci. 3:23) was trained on a stream of
two words ``a b^n c`` and ``d e^n f`` in random order and read out to predict the
next symbol; predicting the end of a word needs the count of its repeated middle
symbol.  Here each of the six symbols is a spike template ``segment`` seconds long
(Poisson trains of ``rate`` Hz on ``n_channels`` channels) and each occurrence a
jittered instance of it (:func:`biornn.tasks.spike_templates`).  A trial is a piece
of the stream ``n_symbols`` long that starts at a random symbol of a word (so the
time since the trial's start does not tell the position in a word).  From the
filtered liquid state at the end of each symbol (after the first ``n_repeats + 2``
symbols, a warm-up) a ridge readout reads

- ``prediction``: the next symbol, wherever it is determined (not after ``c`` or
  ``f``, where the next word is random).  A readout that knows only the current
  symbol gets ``n / (n + 1)`` right (it predicts ``b`` after every ``b``); its
  score on the same test positions is reported as ``prediction_baseline``;
- ``counting``: which repeat (1 to n) a ``b`` or ``e`` is; chance ``1 / n``.

Both need the liquid to hold the last ``n`` symbols: the task is about memory of a
sequence's structure, which is what Lazar et al. report SORN's plasticity improves.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SYMBOLS", "WORDS", "counting_trials", "counting_scores"]

#: ridge penalties the readouts choose from by cross-validation
ALPHAS = [1e-2, 1e-1, 1.0, 10.0, 100.0, 1e3, 1e4]
#: the six symbols
SYMBOLS = ("a", "b", "c", "d", "e", "f")
#: the two words as symbol indices: a b^n c -> (0, 1, 2), d e^n f -> (3, 4, 5)
WORDS = ((0, 1, 2), (3, 4, 5))


def _symbol_sequence(rng, n_symbols, n_repeats, start=None):
    """Symbols, next symbols (-1: not determined) and counts (0 outside repeats) of
    a piece of the word stream starting at symbol ``start`` of a word (random)."""
    length = n_repeats + 2
    n_words = n_symbols // length + 2
    symbols, counts = [], []
    for w in rng.integers(0, 2, n_words):
        first, middle, last = WORDS[w]
        symbols += [first] + [middle] * n_repeats + [last]
        counts += [0] + list(range(1, n_repeats + 1)) + [0]
    start = int(rng.integers(0, length)) if start is None else start
    symbols = np.array(symbols[start:start + n_symbols + 1])
    counts = np.array(counts[start:start + n_symbols])
    nxt = symbols[1:].copy()
    nxt[np.isin(symbols[:-1], (2, 5))] = -1          # after c or f: a random word
    return symbols[:-1], nxt, counts


def _play(rows, pool, seg, n_channels):
    """Trials playing each row of symbols with fresh jittered instances from ``pool``."""
    from ..tasks import SpikeTrials

    instances = {k: list(np.flatnonzero(pool.labels == k)) for k in range(len(SYMBOLS))}
    trials = SpikeTrials(n_channels=n_channels, duration=len(rows[0]) * seg)
    for row in rows:
        parts = [pool.inputs[instances[k].pop()] for k in row]
        trials.append((np.concatenate([c for c, _ in parts]).astype(int),
                       np.concatenate([t + j * seg for j, (_, t) in enumerate(parts)])))
    return trials


def counting_trials(n_trials, stim, n_symbols, n_repeats, seed, n_learn=0):
    """Test trials of the word stream, their per-symbol labels, and a learning stream.

    Parameters
    ----------
    n_trials, n_symbols, n_repeats : int
        Test trials, symbols per trial, repeats of a word's middle symbol.
    stim : dict
        ``n_channels``, ``segment`` (s, one symbol), ``rate`` (Hz), ``jitter`` (s).
    seed : int
        The six templates are those of ``spike_templates(6, ..., seed=seed)`` (the
        symbols of :func:`~biornn.experiments.plasticity_study.two_segment_trials`
        with the same seed); sequences and instances follow from it too.
    n_learn : int
        Symbols of the learning stream (one trial starting at a word's start; its
        instances are not reused by the test trials); 0 for none.

    Returns
    -------
    learn : SpikeTrials or None
        One trial ``n_learn * segment`` long.
    trials : SpikeTrials
        Each ``n_symbols * segment`` long.
    labels : dict of (n_trials, n_symbols) int arrays
        ``symbol``, ``next`` (-1 where not determined), ``count`` (0 outside repeats).
    """
    from ..tasks import spike_templates

    rng = np.random.default_rng([seed, 7])
    seqs = [_symbol_sequence(rng, n_symbols, n_repeats) for _ in range(n_trials)]
    symbols = np.array([s for s, _, _ in seqs]).reshape(n_trials, n_symbols)
    stream = _symbol_sequence(rng, n_learn, n_repeats, start=0)[0] if n_learn else []
    counts = np.bincount(np.concatenate([symbols.ravel(), stream]).astype(int),
                         minlength=len(SYMBOLS))
    pool = spike_templates(len(SYMBOLS), stim["n_channels"], stim["segment"], stim["rate"],
                           stim["jitter"], len(SYMBOLS) * max(counts.max(), 1), seed=seed)
    seg, n_ch = stim["segment"], stim["n_channels"]
    learn = _play([stream], pool, seg, n_ch) if n_learn else None
    trials = _play(symbols, pool, seg, n_ch)
    labels = {"symbol": symbols, "next": np.array([n for _, n, _ in seqs]),
              "count": np.array([c for _, _, c in seqs])}
    return learn, trials, labels


def counting_scores(X, labels, segment, sample_interval, n_repeats):
    """Prediction, its current-symbol baseline, and counting (see module docstring).

    ``X``: (trials, samples, neurons) filtered states sampled every
    ``sample_interval`` s; the readout trains on the first half of the trials and
    is scored on the second half.
    """
    from ..readout import RidgeClassifier

    n_trials, n_symbols = labels["symbol"].shape
    ends = np.round(np.arange(1, n_symbols + 1) * segment / sample_interval).astype(int) - 1
    keep = np.arange(n_symbols) >= n_repeats + 2                 # warm-up dropped
    states = X[:, ends[keep]]
    lab = {k: v[:, keep] for k, v in labels.items()}
    half = n_trials // 2
    train, test = slice(0, half), slice(half, n_trials)
    out = {}
    for name, target, valid in (("prediction", lab["next"], lab["next"] >= 0),
                                ("counting", lab["count"], lab["count"] > 0)):
        clf = RidgeClassifier(alpha=ALPHAS, n_folds=3)
        clf.fit(states[train][valid[train]], target[train][valid[train]])
        out[name] = clf.score(states[test][valid[test]], target[test][valid[test]])
    # the best readout of the current symbol alone: its most frequent next symbol
    cur, nxt = lab["symbol"], lab["next"]
    ok = nxt >= 0
    guess = {s: np.bincount(nxt[train][ok[train] & (cur[train] == s)]).argmax()
             for s in np.unique(cur[train][ok[train]])}
    test_cur, test_next = cur[test][ok[test]], nxt[test][ok[test]]
    out["prediction_baseline"] = float(np.mean([guess.get(s, -2) == n
                                                for s, n in zip(test_cur, test_next)]))
    return out
