"""Cochleagram post-processing: per-utterance channel normalisation, deltas, channel shifts.

Stages applied to compressed cochleagrams (:func:`biornn.audio.cochleagram`), each a
function of a ``(frames, channels)`` array or a list of them (ragged lists stay ragged):

* :func:`channel_standardize`: per-utterance mean (and variance) normalisation of
  each channel, the cepstral mean and variance normalisation of speech recognition
  (CMVN; Viikki & Laurila 1998) applied to log band energies: it removes a fixed
  spectral tilt (microphone, vocal tract) and, with ``variance=True``, a channel's
  dynamic range;
* :func:`deltas`: regression estimates of each channel's time derivative (Furui 1986);
* :func:`channel_concat`: several cochleagrams of the same recordings side by side
  (e.g. one per gain normalisation: the per-utterance gain keeps the spectral tilt,
  the per-channel gain removes it; an ESN fed both generalises across speakers
  better than with either, ``benchmarks/spoken_digits_frontend.py``);
* :func:`channel_shift`: moves the spectrum by whole channels along the ERB-rate axis,
  a data augmentation in the spirit of vocal tract length perturbation (Jaitly &
  Hinton 2013): where the ERB-rate is close to logarithmic in frequency, scaling all
  frequencies by ``a`` shifts the pattern by ``21.4 log10(a)`` ERBs (Glasberg & Moore
  1990), so one step of ``(E(f_high) - E(f_low)) / (channels - 1)`` ERBs stands for a
  warp factor ``10 ** (step / 21.4)``.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_bool, check_positive_int

__all__ = ["channel_standardize", "deltas", "channel_concat", "channel_shift"]


def _items(name, cochleagrams):
    """``cochleagrams`` as a list of 2-d float arrays and whether it was one array."""
    if isinstance(cochleagrams, (list, tuple)):
        if not cochleagrams:
            raise ValueError(f"{name} must hold at least one (frames, channels) array")
        return [as_float_array(f"{name}[{i}]", c, ndim=2)
                for i, c in enumerate(cochleagrams)], False
    return [as_float_array(name, cochleagrams, ndim=2)], True


def _apply(name, cochleagrams, fn):
    items, single = _items(name, cochleagrams)
    out = [fn(c) for c in items]
    return out[0] if single else out


def channel_standardize(cochleagrams, *, variance=True):
    """Per-utterance channel mean (and variance) normalisation (CMVN).

    For each utterance and channel ``c`` over its ``T`` frames (Viikki & Laurila 1998,
    "Cepstral domain segmental feature vector normalization for noise robust speech
    recognition", Speech Communication 25, 133-147)::

        y[t, c] = (x[t, c] - mean_t x[., c]) / std_t x[., c]     (variance=True)
        y[t, c] =  x[t, c] - mean_t x[., c]                      (variance=False)

    On log band energies, subtracting the mean divides out any gain that is constant
    over the utterance in that band (a microphone's or a speaker's spectral tilt).
    A channel constant over the utterance (``std = 0``) comes out as zeros.

    Parameters
    ----------
    cochleagrams : array (frames, channels) or list of them
    variance : bool, default True
        Also divide by each channel's standard deviation.

    Returns
    -------
    ndarray or list of ndarray, shaped as given.
    """
    variance = check_bool("variance", variance)

    def one(x):
        y = x - x.mean(axis=0)
        if variance:
            sd = y.std(axis=0)
            y = y / np.where(sd > 0, sd, 1.0)
        return y
    return _apply("cochleagrams", cochleagrams, one)


def deltas(cochleagrams, *, width=2, append=False):
    """Regression deltas of each channel over ``±width`` frames (Furui 1986).

    ``d[t] = sum_{n=1}^{N} n (x[t + n] - x[t - n]) / (2 sum_{n=1}^{N} n^2)``, ``N =
    width``, with the first and last frame repeated beyond the ends (S. Furui 1986,
    "Speaker-independent isolated word recognition using dynamic features of speech
    spectrum", IEEE Trans. ASSP 34, 52-59).  The least-squares slope per frame: a
    linear ramp ``x[t] = a t`` gives ``d = a`` away from the ends.

    Parameters
    ----------
    cochleagrams : array (frames, channels) or list of them
    width : int, default 2
    append : bool, default False
        Return each cochleagram with its deltas appended along the channel axis
        (frames, 2 channels) instead of the deltas alone.

    Returns
    -------
    ndarray or list of ndarray, shaped as given (the deltas alone unless ``append``).
    """
    width = check_positive_int("width", width)
    append = check_bool("append", append)
    n = np.arange(1, width + 1)
    norm = 2.0 * np.sum(n ** 2)

    def one(x):
        T = x.shape[0]
        padded = np.concatenate([np.repeat(x[:1], width, 0), x, np.repeat(x[-1:], width, 0)])
        d = np.zeros_like(x)
        for k in n:
            d += k * (padded[width + k:width + k + T] - padded[width - k:width - k + T])
        d /= norm
        return np.hstack([x, d]) if append else d
    return _apply("cochleagrams", cochleagrams, one)


def channel_concat(*cochleagrams):
    """Cochleagrams of the same recordings joined along the channel axis.

    ``y[t] = [x_1[t], x_2[t], ...]``: with ``x_k`` of ``C_k`` channels the result has
    ``sum_k C_k`` channels and the frames of each input (which must agree).

    Parameters
    ----------
    *cochleagrams : arrays (frames, channels), or lists of them of equal length
        Each argument one version of the same recording(s) (e.g. :func:`biornn.audio.
        cochleagram` with ``normalize="utterance"`` and with ``normalize="channel"``).

    Returns
    -------
    ndarray (frames, sum of channels), or a list of them for lists.
    """
    if not cochleagrams:
        raise ValueError("channel_concat needs at least one cochleagram (or list of them)")
    parts = [_items(f"cochleagrams[{k}]", c) for k, c in enumerate(cochleagrams)]
    if len({single for _, single in parts}) > 1:
        raise TypeError("cochleagrams must all be single arrays or all be lists")
    if len({len(items) for items, _ in parts}) > 1:
        raise ValueError("cochleagrams must be lists of the same length (one entry per "
                         f"recording), got lengths {[len(items) for items, _ in parts]}")
    out = []
    for i, versions in enumerate(zip(*(items for items, _ in parts))):
        if len({v.shape[0] for v in versions}) > 1:
            raise ValueError(f"recording {i}: the cochleagrams have different frame counts "
                             f"{[v.shape[0] for v in versions]}; expected the same")
        out.append(np.hstack(versions))
    return out[0] if parts[0][1] else out


def channel_shift(cochleagrams, shift):
    """The cochleagram moved up by ``shift`` channels (down for a negative shift).

    ``y[t, c] = x[t, clip(c - shift, 0, channels - 1)]``: the energy of channel ``c``
    appears in channel ``c + shift``, and the channels uncovered at the edge repeat the
    edge channel.  With ERB-spaced channels this approximates a vocal tract length
    perturbation (Jaitly & Hinton 2013, "Vocal tract length perturbation (VTLP)
    improves speech recognition", ICML workshop on deep learning for audio, speech and
    language): a warp of all frequencies by the factor ``10 ** (shift * step / 21.4)``,
    ``step`` being the channel spacing in ERBs (:func:`biornn.audio.erb_space`).  Use it
    on training recordings only, to make the readout tolerant to speakers' formant
    positions.

    Parameters
    ----------
    cochleagrams : array (frames, channels) or list of them
    shift : int
        Channels; ``|shift|`` below the number of channels.

    Returns
    -------
    ndarray or list of ndarray, shaped as given.
    """
    if isinstance(shift, (bool, np.bool_)) or not isinstance(shift, (int, np.integer)):
        raise TypeError(f"shift must be an integer number of channels, got {shift!r}")
    shift = int(shift)

    def one(x):
        C = x.shape[1]
        if abs(shift) >= C:
            raise ValueError(f"shift ({shift}) must be smaller in magnitude than the "
                             f"number of channels ({C})")
        return x[:, np.clip(np.arange(C) - shift, 0, C - 1)]
    return _apply("cochleagrams", cochleagrams, one)
