"""Sound -> cochleagram -> spikes: a cochlear front end shared by ESNs and liquids.

The cochleagram is the front end of the spoken-digit experiments of Verstraeten et
al. (2005, 2007), built from these stages (numpy/scipy only):

1. **Gammatone filterbank** (Patterson et al. 1992): ``n_channels`` 4th-order
   gammatone filters (:func:`scipy.signal.gammatone`, IIR, unit gain at the centre
   frequency), centre frequencies equally spaced on the ERB-rate scale of Glasberg &
   Moore (1990)::

       ERB(f) = 24.7 (4.37 f / 1000 + 1) Hz,   E(f) = 21.4 log10(4.37 f / 1000 + 1).

2. **Half-wave rectification** ``max(y, 0)`` (the inner hair cells).
3. **Smoothing and decimation**: the rectified signal averaged over each frame of
   ``1 / frame_rate`` seconds (a boxcar low-pass, then one sample per frame).
4. **Gain control** (optional): per utterance (one gain), per channel (one gain per
   channel and utterance), and/or an automatic gain control in the spirit of Lyon's
   (1982) passive ear model (:func:`automatic_gain_control`).
5. **Compression**: ``log(1 + e / reference)`` or ``e ** exponent``.

Ragged inputs stay ragged: a list of waveforms gives a list of ``(frames, channels)``
cochleagrams, each as long as its recording.  :func:`spike_encode` turns
cochleagrams into the spike input of :meth:`biornn.spiking.LSM.run` (a Poisson rate
code, Ben's Spiker Algorithm, or a send-on-delta code); an ESN takes the cochleagrams
themselves.
"""

from __future__ import annotations

import numpy as np
import scipy.signal as sps

from ._rng import as_generator
from ._validate import (as_float_array, check_bool, check_choice, check_nonnegative,
                        check_positive, check_positive_int)

__all__ = ["erb", "erb_rate", "erb_space", "gammatone_filterbank", "cochleagram",
           "automatic_gain_control", "spike_encode", "bsa_filter", "bsa_decode"]


# ---------------------------------------------------------------------------
# ERB scale (Glasberg & Moore 1990)
# ---------------------------------------------------------------------------

def erb(frequency):
    """Equivalent rectangular bandwidth (Hz) at ``frequency`` (Hz): ``24.7 (4.37 f/1000 + 1)``."""
    return 24.7 * (4.37 * np.asarray(frequency, dtype=float) / 1000.0 + 1.0)


def erb_rate(frequency):
    """ERB-rate (number of ERBs below ``frequency``): ``21.4 log10(4.37 f/1000 + 1)``."""
    return 21.4 * np.log10(4.37 * np.asarray(frequency, dtype=float) / 1000.0 + 1.0)


def erb_space(low_freq, high_freq, n_channels):
    """``n_channels`` centre frequencies (Hz) equally spaced in ERB-rate, increasing.

    The first is ``low_freq`` and the last ``high_freq`` (Glasberg & Moore 1990).
    """
    low_freq = check_positive("low_freq", low_freq)
    high_freq = check_positive("high_freq", high_freq)
    n_channels = check_positive_int("n_channels", n_channels)
    if not high_freq > low_freq:
        raise ValueError(f"high_freq ({high_freq} Hz) must exceed low_freq ({low_freq} Hz)")
    e = np.linspace(erb_rate(low_freq), erb_rate(high_freq), n_channels)
    return (10.0 ** (e / 21.4) - 1.0) * 1000.0 / 4.37


# ---------------------------------------------------------------------------
# Filterbank and cochleagram
# ---------------------------------------------------------------------------

def _waveforms(audio):
    """``audio`` as a list of 1-d float arrays and whether it was one waveform."""
    if isinstance(audio, (list, tuple)):
        if not audio:
            raise ValueError("audio must hold at least one waveform")
        waves = [as_float_array(f"audio[{i}]", a, ndim=1) for i, a in enumerate(audio)]
        single = False
    else:
        waves, single = [as_float_array("audio", audio, ndim=1)], True
    for i, w in enumerate(waves):
        if w.size == 0:
            raise ValueError(f"audio{'' if single else f'[{i}]'} holds no samples")
    return waves, single


def _filter_sections(sample_rate, centre_frequencies):
    """Second-order sections of each channel's gammatone filter."""
    return [sps.tf2sos(*sps.gammatone(f, "iir", fs=sample_rate)) for f in centre_frequencies]


def _check_frequencies(sample_rate, centre_frequencies):
    cf = as_float_array("centre_frequencies", centre_frequencies, ndim=1)
    if cf.size == 0 or np.any(cf <= 0) or np.any(cf >= sample_rate / 2):
        raise ValueError(f"centre_frequencies must lie in (0, {sample_rate / 2}) Hz (below "
                         f"the Nyquist frequency), got {cf.min() if cf.size else None} "
                         f"to {cf.max() if cf.size else None}")
    return cf


def gammatone_filterbank(audio, sample_rate, centre_frequencies):
    """Gammatone filterbank outputs (Patterson et al. 1992).

    Each channel is the 4th-order IIR gammatone filter of :func:`scipy.signal.gammatone`
    (Slaney's design, unit gain at its centre frequency, bandwidth 1.019 ERB),
    applied as second-order sections.

    Parameters
    ----------
    audio : array (samples,) or list of them
    sample_rate : float
        Hz.
    centre_frequencies : array (channels,)
        Hz, each below ``sample_rate / 2``; e.g. :func:`erb_space`.

    Returns
    -------
    ndarray (samples, channels), or a list of them for a list of waveforms.
    """
    waves, single = _waveforms(audio)
    sample_rate = check_positive("sample_rate", sample_rate)
    sections = _filter_sections(sample_rate, _check_frequencies(sample_rate,
                                                                centre_frequencies))
    out = [np.stack([sps.sosfilt(sos, w) for sos in sections], axis=1) for w in waves]
    return out[0] if single else out


def _frame_edges(n_samples, sample_rate, frame_rate):
    """Sample boundaries of the frames: frame k covers ``[round(k fs/fr), round((k+1) fs/fr))``.

    ``ceil(n_samples frame_rate / sample_rate)`` frames; the last may be shorter.
    """
    n_frames = int(np.ceil(n_samples * frame_rate / sample_rate - 1e-9))
    edges = np.round(np.arange(n_frames + 1) * sample_rate / frame_rate).astype(np.int64)
    edges[-1] = n_samples
    return edges


def _frame_means(signal, sample_rate, frame_rate):
    """Mean of ``signal`` (samples, ...) over each frame of ``1 / frame_rate`` s."""
    edges = _frame_edges(signal.shape[0], sample_rate, frame_rate)
    sums = np.add.reduceat(signal, edges[:-1], axis=0)
    return sums / np.diff(edges).reshape((-1,) + (1,) * (signal.ndim - 1))


def _spatial_smooth(s):
    """Average of each channel with its neighbours, weights (1/4, 1/2, 1/4)."""
    if s.size < 2:
        return s
    padded = np.concatenate([s[:1], s, s[-1:]])  # reflecting ends keep the mean
    return 0.25 * padded[:-2] + 0.5 * padded[1:-1] + 0.25 * padded[2:]


def automatic_gain_control(envelope, frame_rate, *, time_constants=(0.64, 0.16, 0.04, 0.01),
                           target=0.01):
    """Cascaded automatic gain control, in the spirit of Lyon's (1982) passive ear model.

    Each stage divides the signal by a gain that follows its own recent output,
    smoothed over neighbouring channels (weights 1/4, 1/2, 1/4)::

        y(t) = x(t) (1 - s(t-1)),
        s(t) = clip((1 - eps) s(t-1) + eps smooth(y(t)) / target, 0, 0.999),
        eps  = 1 - exp(-1 / (tau frame_rate)).

    A steady input ``x`` comes out of one stage as ``x / (1 + x / target)``: linear
    well below ``target``, compressed towards ``target`` above it, adapting with time
    constant ``tau``.  The stages (slowest first, as in Lyon's model) run in cascade.

    Parameters
    ----------
    envelope : array (frames, channels), non-negative
    frame_rate : float
        Hz.
    time_constants : sequence of float, default (0.64, 0.16, 0.04, 0.01)
        Seconds, one stage each (the time constants of Slaney's implementation of
        Lyon's model, Auditory Toolbox 1998).
    target : float, default 0.01
        Output level the gain control tends to, in envelope units.

    Returns
    -------
    ndarray (frames, channels)
    """
    x = as_float_array("envelope", envelope, ndim=2)
    frame_rate = check_positive("frame_rate", frame_rate)
    target = check_positive("target", target)
    taus = as_float_array("time_constants", time_constants, ndim=1)
    if taus.size == 0 or np.any(taus <= 0):
        raise ValueError(f"time_constants must be positive seconds, got {taus.tolist()}")
    if np.any(x < 0):
        raise ValueError("envelope must be non-negative (rectified)")
    y = x.copy()
    for tau in taus:
        eps = 1.0 - np.exp(-1.0 / (tau * frame_rate))
        s = np.zeros(y.shape[1])
        for t in range(y.shape[0]):
            y[t] *= 1.0 - s
            s = np.clip((1.0 - eps) * s + eps * _spatial_smooth(y[t]) / target, 0.0, 0.999)
    return y


_COMPRESSIONS = ("log", "power", "none")
_NORMALIZE = (None, "utterance", "channel")


def cochleagram(audio, sample_rate, n_channels=32, frame_rate=200.0, *, low_freq=100.0,
                high_freq=None, compression="log", reference=1e-3, exponent=0.3,
                normalize=None, level=0.01, agc=False, agc_time_constants=(0.64, 0.16, 0.04,
                                                                           0.01)):
    """Cochleagram: gammatone filterbank, rectification, smoothing, gain control, compression.

    For each channel ``c`` with centre frequency ``f_c`` (ERB-spaced, see
    :func:`erb_space`) and each frame ``k`` (``1 / frame_rate`` seconds)::

        e[k, c] = mean over frame k of max(g_c * x, 0)        (g_c: gammatone filter)
        e      <- gain control (normalize, agc)               (optional)
        C[k, c] = log(1 + e[k, c] / reference)                 (compression="log")
                  e[k, c] ** exponent                          (compression="power")

    Silence gives a cochleagram of zeros.  A recording of ``n`` samples gives
    ``ceil(n frame_rate / sample_rate)`` frames (the last may cover fewer samples).

    Parameters
    ----------
    audio : array (samples,) or list of them
        Waveforms, nominally in [-1, 1] (as :func:`biornn.tasks.spoken_digits` gives).
    sample_rate : float
        Hz.
    n_channels : int, default 32
    frame_rate : float, default 200.0
        Frames per second (Hz), at most ``sample_rate``.
    low_freq, high_freq : float, default 100 Hz and 0.45 sample_rate
        Centre frequencies of the first and last channel.
    compression : {"log", "power", "none"}, default "log"
    reference : float, default 1e-3
        Envelope level (full-scale units) at which the log compression turns from
        linear to logarithmic.
    exponent : float, default 0.3
        For ``compression="power"``.
    normalize : {None, "utterance", "channel"}, default None
        Speaker normalisation by gain: ``"utterance"`` scales each recording's
        envelope so its mean over frames and channels is ``level``; ``"channel"``
        scales each channel of each recording so its mean over frames is ``level``.
        All-zero recordings or channels are left at zero.
    level : float, default 0.01
        Mean envelope after ``normalize`` (full-scale units; a convention, chosen of
        the order of the raw envelope of speech recorded near a tenth of full scale).
    agc : bool, default False
        Apply :func:`automatic_gain_control` (after ``normalize``) with ``target=level``.
    agc_time_constants : sequence of float
        Seconds, one AGC stage each.

    Returns
    -------
    ndarray (frames, channels), or a list of them (one per waveform) for a list.

    Examples
    --------
    >>> x = np.sin(2 * np.pi * 1000 * np.arange(4000) / 8000)
    >>> cochleagram(x, 8000, n_channels=16, frame_rate=100.0).shape
    (50, 16)
    """
    waves, single = _waveforms(audio)
    sample_rate = check_positive("sample_rate", sample_rate)
    n_channels = check_positive_int("n_channels", n_channels)
    frame_rate = check_positive("frame_rate", frame_rate)
    if frame_rate > sample_rate:
        raise ValueError(f"frame_rate ({frame_rate} Hz) must not exceed sample_rate "
                         f"({sample_rate} Hz)")
    low_freq = check_positive("low_freq", low_freq)
    high_freq = 0.45 * sample_rate if high_freq is None else check_positive("high_freq",
                                                                             high_freq)
    check_choice("compression", compression, _COMPRESSIONS)
    reference = check_positive("reference", reference)
    exponent = check_positive("exponent", exponent)
    check_choice("normalize", normalize, _NORMALIZE)
    level = check_positive("level", level)
    agc = check_bool("agc", agc)
    centres = _check_frequencies(sample_rate, erb_space(low_freq, high_freq, n_channels))
    sections = _filter_sections(sample_rate, centres)
    out = []
    for w in waves:
        env = np.empty((len(_frame_edges(w.size, sample_rate, frame_rate)) - 1, n_channels))
        for c, sos in enumerate(sections):
            env[:, c] = _frame_means(np.maximum(sps.sosfilt(sos, w), 0.0), sample_rate,
                                    frame_rate)
        if normalize is not None:
            mean = env.mean(axis=0 if normalize == "channel" else None)
            env = env * np.divide(level, mean, out=np.zeros_like(np.asarray(mean, float)),
                                  where=mean > 0)
        if agc:
            env = automatic_gain_control(env, frame_rate, time_constants=agc_time_constants,
                                         target=level)
        if compression == "log":
            env = np.log1p(env / reference)
        elif compression == "power":
            env = env ** exponent
        out.append(env)
    return out[0] if single else out


# ---------------------------------------------------------------------------
# Spike encodings
# ---------------------------------------------------------------------------

def bsa_filter(length, *, max_rate=200.0, dt=1e-3):
    """The FIR filter of Ben's Spiker Algorithm: a Hann window of ``length`` taps.

    Scaled so that its taps sum to ``1 / (max_rate dt)``: a signal held at 1 is then
    represented by ``max_rate`` spikes per second, the full scale of the Poisson code.
    """
    length = check_positive_int("filter_length", length)
    h = np.hanning(length + 2)[1:-1]
    return h / h.sum() / (max_rate * dt)


def bsa_decode(spikes, h):
    """Reconstruct a BSA-coded signal: the spike trains ``(steps, channels)`` of 0/1
    convolved with the filter ``h``, ``s(t) = sum_k spikes(t - k) h(k)``."""
    spikes = np.asarray(spikes, dtype=float)
    out = np.zeros(spikes.shape)
    for k, hk in enumerate(h):
        out[k:] += hk * spikes[:spikes.shape[0] - k]
    return out


def _bsa(signal, h, threshold):
    """Ben's Spiker Algorithm (Schrauwen & Van Campenhout 2003) on (steps, channels)."""
    s = np.array(signal, dtype=float)
    n, L = s.shape[0], h.size
    spikes = np.zeros(s.shape, dtype=bool)
    for t in range(n):
        m = min(L, n - t)
        win, hh = s[t:t + m], h[:m, None]
        err_spike = np.abs(win - hh).sum(axis=0)
        err_none = np.abs(win).sum(axis=0)
        fire = err_spike <= err_none - threshold
        if fire.any():
            spikes[t] = fire
            win[:, fire] -= hh
    return spikes


def _send_on_delta(x, frame_rate, delta, polarity):
    """Send-on-delta code: a spike each time x moves by delta from the last sent level."""
    n, C = x.shape
    ref = np.zeros(C)  # the level last sent; silence is 0
    prev = np.zeros(C)
    chans, times = [], []
    for k in range(n):
        cur = x[k]
        for sign in ((1.0, -1.0) if polarity == "both" else (1.0,)):
            count = np.floor(sign * (cur - ref) / delta + 1e-12).astype(np.int64)
            count = np.maximum(count, 0)
            for c in np.flatnonzero(count):
                levels = ref[c] + sign * delta * np.arange(1, count[c] + 1)
                step = cur[c] - prev[c]
                frac = (np.clip((levels - prev[c]) / step, 0.0, 1.0) if step != 0
                        else np.ones(levels.size))
                # frame k holds the value at time k / frame_rate; crossings between
                # frames k-1 and k are interpolated (frame 0 fires at t = 0)
                t = (k - 1 + frac) / frame_rate if k else np.zeros(levels.size)
                times.append(t)
                chans.append(np.full(levels.size, c if sign > 0 else C + c))
            ref = ref + sign * delta * count
        prev = cur
    if not times:
        return np.zeros(0, np.int64), np.zeros(0)
    return np.concatenate(chans).astype(np.int64), np.concatenate(times)


def _sorted_pair(chans, times, duration):
    keep = times < duration
    chans, times = chans[keep], times[keep]
    order = np.lexsort((chans, times))
    return chans[order].astype(np.int64), times[order].astype(np.float64)


def spike_encode(cochleagrams, method="poisson", *, frame_rate=200.0, max_rate=200.0,
                 dt=1e-3, filter_length=40, threshold=0.9, delta=0.05, polarity="both",
                 seed=None):
    """Spike trains from cochleagrams, in the input format of :meth:`biornn.spiking.LSM.run`.

    The cochleagram should be scaled to [0, 1] first (e.g. divided by its maximum over
    the training set): 1 is full scale, ``max_rate`` spikes per second.

    ``method="poisson"``
        Rate code: in frame ``k`` channel ``c`` fires ``Poisson(max_rate clip(x[k, c],
        0, 1) / frame_rate)`` spikes at uniformly random times within the frame.
    ``method="bsa"``
        Ben's Spiker Algorithm (Schrauwen & Van Campenhout 2003): the cochleagram,
        linearly interpolated to steps of ``dt``, is coded by the spike trains whose
        convolution with the FIR filter ``h`` (:func:`bsa_filter`) reconstructs it.
        A spike fires at step ``t`` when ``sum_k |s(t+k) - h(k)| <= sum_k |s(t+k)| -
        threshold sum_k h(k)`` (then ``h`` is subtracted from the signal ahead).
        Greedy and one spike per step, the code has a dead zone: with the defaults a
        constant 0.05 of full scale fires no spike at all.
        :func:`bsa_decode` inverts the code.
    ``method="threshold"``
        Send-on-delta (level-crossing with hysteresis; Miskowicz 2006): starting from
        level 0, channel ``c`` fires each time the signal rises ``delta`` above the last
        sent level (which then moves up by ``delta``); with ``polarity="both"``
        channel ``n_channels + c`` fires when it falls ``delta`` below it.  Crossing
        times are interpolated linearly between frames.

    Parameters
    ----------
    cochleagrams : array (frames, channels) or list of them
    method : {"poisson", "bsa", "threshold"}
    frame_rate : float, default 200.0
        Frames per second of the cochleagrams (Hz); a trial lasts ``frames /
        frame_rate`` seconds and every spike falls in ``[0, frames / frame_rate)``.
    max_rate : float, default 200.0
        Full-scale rate (Hz) of the Poisson and BSA codes.
    dt : float, default 1e-3
        BSA time step (s); one spike per channel and step at most.
    filter_length : int, default 40
        BSA filter taps (``filter_length * dt`` seconds).
    threshold : float, default 0.9
        BSA error threshold as a fraction of the filter's sum (the paper's absolute
        threshold divided by ``sum(h)``); larger fires fewer spikes.  With the
        defaults a smooth input (0.5 + 0.3 sin(2 pi 3 t)) is reconstructed to an RMS
        error below 0.1 of full scale (asserted in ``tests/test_audio.py``).
    delta : float, default 0.05
        Send-on-delta step (signal units).
    polarity : {"both", "up"}, default "both"
        Send-on-delta: up and down channels (``2 n_channels`` inputs) or up only.
    seed : None, int or numpy.random.Generator
        Poisson code only.

    Returns
    -------
    (channel_indices, spike_times) : pair of int64 and float64 arrays (s), sorted by time
        For one cochleagram; a list of such pairs (one per trial, each trial as long
        as its own cochleagram) for a list.  Inputs number ``channels``
        (``2 channels`` for ``method="threshold", polarity="both"``): give that as
        ``LSM(n_inputs=...)``, since a channel that never fires cannot be inferred.
    """
    if isinstance(cochleagrams, (list, tuple)):
        if not cochleagrams:
            raise ValueError("cochleagrams must hold at least one cochleagram")
        items = [as_float_array(f"cochleagrams[{i}]", c, ndim=2)
                 for i, c in enumerate(cochleagrams)]
        single = False
    else:
        items, single = [as_float_array("cochleagrams", cochleagrams, ndim=2)], True
    if any(c.shape[1] != items[0].shape[1] for c in items):
        raise ValueError("cochleagrams must all have the same number of channels, got "
                         f"{sorted({c.shape[1] for c in items})}")
    check_choice("method", method, ("poisson", "bsa", "threshold"))
    frame_rate = check_positive("frame_rate", frame_rate)
    max_rate = check_positive("max_rate", max_rate)
    dt = check_positive("dt", dt)
    threshold = check_nonnegative("threshold", threshold)
    delta = check_positive("delta", delta)
    check_choice("polarity", polarity, ("both", "up"))
    rng = as_generator(seed)
    h = bsa_filter(filter_length, max_rate=max_rate, dt=dt) if method == "bsa" else None
    out = []
    for x in items:
        n, C = x.shape
        duration = n / frame_rate
        if method == "poisson":
            counts = rng.poisson(max_rate * np.clip(x, 0.0, 1.0) / frame_rate)
            frames, chans = np.nonzero(counts)
            reps = counts[frames, chans]
            frames, chans = np.repeat(frames, reps), np.repeat(chans, reps)
            times = (frames + rng.random(frames.size)) / frame_rate
        elif method == "bsa":
            grid = np.arange(int(np.ceil(duration / dt - 1e-9))) * dt
            frame_t = np.arange(n) / frame_rate
            s = np.stack([np.interp(grid, frame_t, x[:, c]) for c in range(C)], axis=1)
            steps, chans = np.nonzero(_bsa(s, h, threshold * h.sum()))
            times = steps * dt
        else:
            chans, times = _send_on_delta(x, frame_rate, delta, polarity)
        out.append(_sorted_pair(chans, times, duration))
    return out[0] if single else out
