"""Spoken-digit loader: FSDD file layout, splits, and a clear error for each bad input."""

import os

import numpy as np
import pytest
from scipy.io import wavfile

import biornn as bn
from biornn.datasets import SpokenDigits

# five speakers of FSDD beside the repository (../shared/data/fsdd), or where
# BIORNN_FSDD points; the test that reads them is skipped when they are absent
FSDD = os.environ.get("BIORNN_FSDD") or os.path.join(
    os.path.dirname(__file__), "..", "..", "shared", "data", "fsdd", "recordings")


def write_set(folder, speakers=("alice", "bob"), digits=(0, 1, 2), indices=range(7),
              rate=8000, seed=0):
    """Synthetic recordings: int16 noise bursts, one file per (digit, speaker, index)."""
    rng = np.random.default_rng(seed)
    for s in speakers:
        for d in digits:
            for i in indices:
                n = int(rng.integers(400, 1200))
                x = (rng.uniform(-0.5, 0.5, n) * 32767).astype(np.int16)
                wavfile.write(os.path.join(folder, f"{d}_{s}_{i}.wav"), rate, x)


def test_loader_reads_labels_speakers_indices_from_file_names(tmp_path):
    write_set(tmp_path)
    (tmp_path / "README.md").write_text("not a recording")
    data = bn.tasks.spoken_digits(tmp_path)
    assert isinstance(data, SpokenDigits) and len(data) == 2 * 3 * 7
    assert data.sample_rate == 8000
    for path, d, s, i, a in zip(data.paths, data.labels, data.speakers, data.indices,
                                data.audio):
        assert os.path.basename(path) == f"{d}_{s}_{i}.wav"
        _, raw = wavfile.read(path)
        np.testing.assert_allclose(a, raw / 32768.0)   # int16 full scale -> [-1, 1)
        assert np.abs(a).max() <= 1.0
    assert sorted(set(data.speakers)) == ["alice", "bob"]
    assert data.durations == pytest.approx([a.size / 8000 for a in data.audio])


def test_filters_keep_only_the_requested_speakers_and_digits(tmp_path):
    write_set(tmp_path)
    data = bn.tasks.spoken_digits(tmp_path, speakers=["bob"], digits=[2, 0])
    assert set(data.speakers) == {"bob"} and set(data.labels) == {0, 2}
    assert len(data) == 2 * 7


def test_official_split_puts_indices_0_to_4_in_test(tmp_path):
    write_set(tmp_path)
    train, test = bn.tasks.spoken_digits(tmp_path).split("official")
    assert set(test.indices) == {0, 1, 2, 3, 4} and set(train.indices) == {5, 6}
    assert len(train) + len(test) == 42
    # each recording keeps its own label and waveform
    for part in (train, test):
        for path, d, a in zip(part.paths, part.labels, part.audio):
            assert os.path.basename(path).startswith(f"{d}_")
            assert a.size == wavfile.read(path)[1].size


def test_leave_one_speaker_out_tests_on_all_of_one_speaker(tmp_path):
    write_set(tmp_path, speakers=("alice", "bob", "carol"))
    folds = bn.tasks.spoken_digits(tmp_path).split(leave_out="speaker")
    assert list(folds) == ["alice", "bob", "carol"]
    for speaker, (train, test) in folds.items():
        assert set(test.speakers) == {speaker} and len(test) == 3 * 7
        assert speaker not in set(train.speakers) and len(train) == 2 * 3 * 7


def test_validation_split_carved_from_training_indices(tmp_path):
    write_set(tmp_path)
    train, _ = bn.tasks.spoken_digits(tmp_path).split("official")
    fit, val = train.split(test_indices=[5])
    assert set(val.indices) == {5} and set(fit.indices) == {6}


def test_missing_folder_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere.*digit.*speaker.*index"):
        bn.tasks.spoken_digits(tmp_path / "nowhere")


def test_folder_without_matching_files_names_the_pattern(tmp_path):
    (tmp_path / "notes.wav").write_bytes(b"")
    with pytest.raises(ValueError, match=r"\{digit\}_\{speaker\}_\{index\}\.wav"):
        bn.tasks.spoken_digits(tmp_path)


def test_filters_that_match_nothing_list_the_speakers_present(tmp_path):
    write_set(tmp_path)
    with pytest.raises(ValueError, match="alice"):
        bn.tasks.spoken_digits(tmp_path, speakers=["zoe"])
    with pytest.raises(ValueError, match="digits"):
        bn.tasks.spoken_digits(tmp_path, digits=[12])


def test_mixed_sample_rates_are_refused(tmp_path):
    write_set(tmp_path, speakers=("alice",), digits=(0,), indices=[0])
    wavfile.write(tmp_path / "1_alice_0.wav", 16000, np.zeros(100, np.int16))
    with pytest.raises(ValueError, match="8000 Hz.*16000 Hz"):
        bn.tasks.spoken_digits(tmp_path)


def test_stereo_file_is_refused_and_named(tmp_path):
    wavfile.write(tmp_path / "3_bob_1.wav", 8000, np.zeros((100, 2), np.int16))
    with pytest.raises(ValueError, match="3_bob_1.wav has 2 channels.*mono"):
        bn.tasks.spoken_digits(tmp_path)


def test_unreadable_file_is_named(tmp_path):
    write_set(tmp_path, speakers=("alice",), digits=(0,), indices=[0])
    (tmp_path / "4_alice_2.wav").write_bytes(b"RIFF garbage, not a wave file")
    with pytest.raises(ValueError, match="4_alice_2.wav"):
        bn.tasks.spoken_digits(tmp_path)


def test_split_arguments_are_checked(tmp_path):
    write_set(tmp_path)
    data = bn.tasks.spoken_digits(tmp_path)
    with pytest.raises(ValueError, match="exactly one"):
        data.split()
    with pytest.raises(ValueError, match="kind"):
        data.split("random")
    with pytest.raises(ValueError, match="leave_out"):
        data.split(leave_out="digit")
    with pytest.raises(ValueError, match="test set.*empty"):
        data.split(test_indices=[40])


@pytest.mark.skipif(not os.path.isdir(FSDD), reason="FSDD recordings not present")
def test_real_fsdd_recordings_load_and_split_like_the_dataset():
    data = bn.tasks.spoken_digits(FSDD, digits=[7])
    assert data.sample_rate == 8000
    speakers = sorted(set(data.speakers))
    assert len(data) == 50 * len(speakers)
    train, test = data.split("official")
    assert len(test) == 5 * len(speakers) and len(train) == 45 * len(speakers)
    assert all(np.abs(a).max() <= 1.0 and a.size > 0.1 * 8000 for a in data.audio)
