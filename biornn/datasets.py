"""Real recordings: the Free Spoken Digit Dataset (isolated spoken digits).

The Free Spoken Digit Dataset (FSDD; Jackson et al., https://github.com/Jakobovski/
free-spoken-digit-dataset, DOI 10.5281/zenodo.1342401, CC BY-SA 4.0) holds mono
8 kHz WAV files named ``{digit}_{speaker}_{index}.wav``: each speaker says each digit
50 times (index 0-49).  Its own split puts index 0-4 in the test set and 5-49 in the
training set.  Isolated spoken digits through a cochlear front end are the benchmark on
which liquids and echo state networks were compared (Verstraeten et al. 2005, 2007);
:mod:`biornn.audio` is that front end.

biornn ships no recordings: download FSDD and pass the path of its ``recordings``
folder to :func:`spoken_digits`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import numpy as np
from scipy.io import wavfile

from ._validate import check_choice

__all__ = ["SpokenDigits", "spoken_digits", "FSDD_PATTERN"]

#: File names the loader reads: ``{digit}_{speaker}_{index}.wav``.
FSDD_PATTERN = "{digit}_{speaker}_{index}.wav"
_NAME = re.compile(r"^([0-9])_(.+)_([0-9]+)\.wav$", re.IGNORECASE)


def _to_unit_range(x, path):
    """WAV samples as float64 in [-1, 1] (integer PCM divided by its full scale)."""
    if x.dtype == np.uint8:  # 8-bit WAV is unsigned, centred on 128
        return (x.astype(np.float64) - 128.0) / 128.0
    if np.issubdtype(x.dtype, np.integer):
        return x.astype(np.float64) / float(2 ** (8 * x.dtype.itemsize - 1))
    if np.issubdtype(x.dtype, np.floating):
        return x.astype(np.float64)
    raise ValueError(f"{path}: unsupported WAV sample type {x.dtype}")


@dataclass
class SpokenDigits:
    """Recordings of spoken digits with their labels (the result of :func:`spoken_digits`).

    Attributes
    ----------
    audio : list of ndarray (n_samples_i,)
        One float64 waveform per recording, in [-1, 1]; lengths differ.
    sample_rate : int
        Samples per second, shared by every recording (Hz).
    labels, speakers, indices : ndarray (n_recordings,)
        Digit (int 0-9), speaker name (str) and repetition index (int) of each recording.
    paths : list of str
    root : str
        The folder the recordings were read from.
    """

    audio: list
    sample_rate: int
    labels: np.ndarray
    speakers: np.ndarray
    indices: np.ndarray
    paths: list
    root: str = field(default="")

    def __len__(self):
        return len(self.audio)

    @property
    def durations(self) -> np.ndarray:
        """Length of each recording in seconds."""
        return np.array([a.size for a in self.audio], dtype=float) / self.sample_rate

    def subset(self, mask) -> "SpokenDigits":
        """The recordings selected by a boolean mask or an array of positions."""
        sel = np.asarray(mask)
        if sel.dtype == bool:
            if sel.shape != (len(self),):
                raise ValueError(f"mask must have shape ({len(self)},), got {sel.shape}")
            sel = np.flatnonzero(sel)
        sel = sel.astype(np.int64)
        return SpokenDigits([self.audio[i] for i in sel], self.sample_rate,
                            self.labels[sel], self.speakers[sel], self.indices[sel],
                            [self.paths[i] for i in sel], self.root)

    def split(self, kind=None, *, leave_out=None, test_indices=None):
        """Train/test splits.

        Parameters
        ----------
        kind : {"official"}, optional
            ``"official"``: FSDD's own rule, repetitions 0-4 of every speaker and digit
            in the test set, 5-49 in the training set.
        leave_out : {"speaker"}, optional
            ``"speaker"``: one split per speaker, testing on all of that speaker's
            recordings and training on the other speakers (leave-one-speaker-out).
        test_indices : sequence of int, optional
            The repetition indices that go to the test set (``split("official")`` is
            ``split(test_indices=range(5))``); e.g. ``train.split(test_indices=range(5,
            10))`` carves a validation set out of the official training set.

        Returns
        -------
        (train, test) : pair of SpokenDigits
            For ``kind`` or ``test_indices``.
        dict of str -> (train, test)
            For ``leave_out="speaker"``, keyed by the held-out speaker (sorted).
        """
        given = [kind is not None, leave_out is not None, test_indices is not None]
        if sum(given) != 1:
            raise ValueError("give exactly one of kind='official', leave_out='speaker' or "
                             "test_indices")
        if leave_out is not None:
            check_choice("leave_out", leave_out, ("speaker",))
            speakers = np.unique(self.speakers)
            if speakers.size < 2:
                raise ValueError(f"leave_out='speaker' needs at least 2 speakers, got "
                                 f"{speakers.tolist()}")
            return {str(s): (self.subset(self.speakers != s), self.subset(self.speakers == s))
                    for s in speakers}
        if kind is not None:
            check_choice("kind", kind, ("official",))
            test_indices = range(5)
        test = np.isin(self.indices, np.asarray(list(test_indices), dtype=np.int64))
        for part, mask in (("test", test), ("train", ~test)):
            if not mask.any():
                raise ValueError(f"the {part} set of this split is empty (indices present: "
                                 f"{np.unique(self.indices).tolist()})")
        return self.subset(~test), self.subset(test)


def _read_wav(path):
    try:
        rate, x = wavfile.read(path)
    except Exception as exc:  # scipy raises ValueError, OSError, struct.error, ...
        raise ValueError(f"cannot read {path} as a WAV file: {exc}") from exc
    if x.ndim != 1:
        raise ValueError(f"{path} has {x.shape[1]} channels; spoken_digits expects mono "
                         "recordings (mix the channels down first)")
    if x.size == 0:
        raise ValueError(f"{path} holds no samples")
    return int(rate), _to_unit_range(x, path)


def spoken_digits(root, speakers=None, digits=None) -> SpokenDigits:
    """Read spoken-digit recordings laid out as the Free Spoken Digit Dataset.

    Every file of ``root`` named ``{digit}_{speaker}_{index}.wav`` (mono; FSDD's are
    8 kHz 16-bit PCM) is read with :func:`scipy.io.wavfile.read` and scaled to
    [-1, 1] by its integer full scale.  Recordings are ordered by speaker, digit and
    index.  Other files in the folder are ignored.

    Parameters
    ----------
    root : str or path
        The folder holding the WAV files (FSDD's ``recordings``).
    speakers : sequence of str, optional
        Keep only these speakers (default: all).
    digits : sequence of int, optional
        Keep only these digits (default: all).

    Returns
    -------
    SpokenDigits
        With ``split("official")`` and ``split(leave_out="speaker")``.

    Raises
    ------
    FileNotFoundError
        ``root`` is not a folder.
    ValueError
        No file matches the pattern (or the filters), the recordings have different
        sample rates, a file is stereo, empty or not a readable WAV file (named).

    Examples
    --------
    >>> data = spoken_digits("free-spoken-digit-dataset/recordings")  # doctest: +SKIP
    >>> train, test = data.split("official")                          # doctest: +SKIP
    """
    root = os.fspath(root)
    if not os.path.isdir(root):
        raise FileNotFoundError(f"root {root!r} is not a folder; expected a folder of "
                                f"'{FSDD_PATTERN}' files (FSDD's 'recordings')")
    want_speakers = None if speakers is None else _names("speakers", speakers)
    want_digits = None if digits is None else _digits(digits)
    entries, seen = [], set()
    for name in os.listdir(root):
        m = _NAME.match(name)
        if m is None:
            continue
        digit, speaker, index = int(m.group(1)), m.group(2), int(m.group(3))
        seen.add(speaker)
        if want_speakers is not None and speaker not in want_speakers:
            continue
        if want_digits is not None and digit not in want_digits:
            continue
        entries.append((speaker, digit, index, os.path.join(root, name)))
    if not entries:
        if not seen:
            raise ValueError(f"no file in {root!r} matches '{FSDD_PATTERN}' (e.g. "
                             "'3_george_12.wav')")
        raise ValueError(f"no recording in {root!r} matches speakers={speakers!r}, "
                         f"digits={digits!r}; speakers present: {sorted(seen)}")
    entries.sort()
    audio, rates = [], {}
    for speaker, digit, index, path in entries:
        rate, x = _read_wav(path)
        rates.setdefault(rate, path)
        audio.append(x)
    if len(rates) > 1:
        examples = ", ".join(f"{r} Hz ({os.path.basename(p)})" for r, p in sorted(rates.items()))
        raise ValueError(f"recordings in {root!r} have different sample rates: {examples}; "
                         "resample them to one rate first")
    return SpokenDigits(audio, next(iter(rates)),
                        np.array([e[1] for e in entries], dtype=np.int64),
                        np.array([e[0] for e in entries], dtype=str),
                        np.array([e[2] for e in entries], dtype=np.int64),
                        [e[3] for e in entries], root)


def _names(name, values):
    if isinstance(values, str):
        values = [values]
    values = list(values)
    if not values or not all(isinstance(v, str) for v in values):
        raise TypeError(f"{name} must be a non-empty sequence of str, got {values!r}")
    return set(values)


def _digits(values):
    values = [values] if np.ndim(values) == 0 else list(values)
    try:
        ints = {int(v) for v in values}
    except (TypeError, ValueError):
        raise TypeError(f"digits must be a sequence of int 0-9, got {values!r}") from None
    if not values or any(v != int(v) or not 0 <= int(v) <= 9 for v in values):
        raise ValueError(f"digits must be a non-empty sequence of int 0-9, got {values!r}")
    return ints
