"""The spoken-digit experiment: protocol helpers, the spec, a tiny end-to-end run."""

import os

import numpy as np
import pytest
from scipy.io import wavfile

from biornn import experiments, specs
from biornn.experiments.spoken_digits import liquid_shape, resolve_root
from biornn.experiments.utterances import (confusion_matrix, esn_states,
                                           splits_with_validation)
from biornn.rate.esn import EchoStateNetwork


def write_tone_digits(folder, speakers=("ann", "bob", "cyd"), digits=range(10),
                      indices=range(7), rate=8000, seed=0):
    """An FSDD-layout folder of synthetic 'digits': digit d is a tone pair at
    (300 + 250 d) Hz and its octave, shifted a few percent per speaker, 0.15-0.35 s."""
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    for k, s in enumerate(speakers):
        for d in digits:
            for i in indices:
                t = np.arange(int(rng.uniform(0.15, 0.35) * rate)) / rate
                f = (300.0 + 250.0 * d) * (1 + 0.03 * k)
                x = rng.uniform(0.1, 0.5) * (np.sin(2 * np.pi * f * t)
                                             + 0.5 * np.sin(4 * np.pi * f * t)) / 1.5
                x *= np.hanning(t.size)
                x += 0.002 * rng.standard_normal(t.size)
                wavfile.write(os.path.join(folder, f"{d}_{s}_{i}.wav"), rate,
                              (x * 32767).astype(np.int16))
    return folder


#: tiny settings of simulations/spoken_digits.toml (numpy target, 27-neuron liquid)
TINY = ["esn.sizes=[12]", "esn.input_scaling=[0.3]", "esn.leak_rate=[0.5, 1.0]",
        "liquid.sizes=[27]", "lsm.target=numpy", "lsm.method=euler", "study.n_seeds=2",
        "front_end.n_channels=8", "front_end.frame_rates=[50.0]", "data.max_index=7"]


class _Data:
    def __init__(self, indices, speakers):
        self.indices, self.speakers = np.asarray(indices), np.asarray(speakers)


def test_validation_is_carved_from_training_and_never_touches_test():
    idx = np.tile(np.arange(50), 3)
    spk = np.repeat(["a", "b", "c"], 50)
    S = splits_with_validation(_Data(idx, spk))
    assert sorted(S) == ["a", "b", "c", "official"]
    train, (fit, val), test = S["official"]
    assert set(idx[test]) == set(range(5)) and set(idx[val]) == set(range(5, 10))
    assert set(idx[fit]) == set(range(10, 50))
    for name, (train, (fit, val), test) in S.items():
        assert not set(fit) & set(val) and set(fit) | set(val) == set(train)
        assert not set(train) & set(test)
        if name != "official":   # leave one speaker out: a whole other speaker validates
            assert set(spk[test]) == {name} and len(set(spk[val])) == 1
            assert name not in set(spk[train])


def test_batched_esn_states_equal_each_sequence_run_alone():
    rng = np.random.default_rng(0)
    seqs = [rng.standard_normal((n, 3)) for n in (5, 17, 9, 12, 5)]
    esn = EchoStateNetwork(20, seed=1)
    got = esn_states(esn, seqs, batch_size=2)
    for s, x in zip(seqs, got):
        np.testing.assert_allclose(x, esn.run(s), atol=1e-12)


def test_confusion_matrix_counts_true_by_predicted():
    C = confusion_matrix([0, 0, 1, 2], [0, 1, 1, 0], [0, 1, 2])
    np.testing.assert_array_equal(C, [[1, 1, 0], [0, 1, 0], [1, 0, 0]])


def test_liquid_shapes_and_data_root(monkeypatch, tmp_path):
    assert liquid_shape(1000) == (10, 10, 10) and liquid_shape(135) == (15, 3, 3)
    with pytest.raises(ValueError, match="cubes or multiples of 9"):
        liquid_shape(100)
    monkeypatch.setenv("BIORNN_FSDD", str(tmp_path))
    assert resolve_root("") == str(tmp_path) and resolve_root("x") == "x"
    monkeypatch.setenv("BIORNN_FSDD", str(tmp_path / "absent"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="git clone"):
        resolve_root("")


def test_spec_validates_and_refuses_bad_sizes():
    spec = experiments.load_spec("spoken_digits")
    assert spec["study"]["n_seeds"] >= 5 and spec["liquid"]["input_scale"] == [1e-9]
    with pytest.raises(specs.SpecError, match="cubes or multiples of 9"):
        experiments.load_spec("spoken_digits", ["liquid.sizes=[100]"])
    with pytest.raises(specs.SpecError, match="data.splits"):
        experiments.load_spec("spoken_digits", ['data.splits=["random"]'])
    with pytest.raises(specs.SpecError, match="esn.normalize"):
        experiments.load_spec("spoken_digits", ['esn.normalize=["speaker"]'])


def test_tiny_study_runs_end_to_end_and_beats_chance(tmp_path):
    root = write_tone_digits(tmp_path / "fsdd")
    spec = experiments.load_spec("spoken_digits", TINY + [f"data.root={root}"])
    report = experiments.run(spec, progress=False)
    rows = report.tables["accuracy"]
    models = {(r["model"], r["readout"], r["split"]) for r in rows}
    for m in ("baseline", "esn", "liquid"):
        for kind in ("pooled", "step"):
            assert {(m, kind, "official"), (m, kind, "loso")} <= models
    for r in rows:   # tones: every model and baseline well above chance (0.1)
        assert r["accuracy"] > 0.3, r
        if r["model"] != "baseline":
            assert r["n_seeds"] == 2 and r["ci95"] >= 0 and r["s_per_recording"] > 0
            assert r["cpu_s_per_recording"] > 0
    assert {r["speaker"] for r in report.tables["per_speaker"]} == {"ann", "bob", "cyd"}
    assert any(k.startswith("liquid27_pooled_") for k in report.choices)
    assert set(report.figure_names) == {"comparison", "confusion"}


def test_esn_front_end_joins_one_cochleagram_per_gain_normalisation(tmp_path):
    from biornn import audio, datasets
    from biornn.experiments.spoken_digits import _esn_front_end, _front_end

    data = datasets.spoken_digits(write_tone_digits(tmp_path / "fsdd", digits=range(2),
                                                    indices=range(2)))
    spec = experiments.load_spec("spoken_digits", ["front_end.n_channels=8",
                                                   'esn.normalize=["utterance", "channel"]'])
    fe = spec["front_end"]
    cochs = {100.0: _front_end(data, fe, 100.0)}          # the liquid's: per channel
    got = _esn_front_end(data, fe, spec["esn"], cochs)[100.0]
    utt = audio.cochleagram(data.audio, data.sample_rate, n_channels=8, frame_rate=100.0,
                            normalize="utterance")
    for g, u, c in zip(got, utt, cochs[100.0]):
        assert g.shape == (u.shape[0], 16)
        np.testing.assert_allclose(g[:, :8], u)
        np.testing.assert_allclose(g[:, 8:], c)
    same = experiments.load_spec("spoken_digits", ["esn.normalize=[\"front_end\"]"])
    assert _esn_front_end(data, fe, same["esn"], cochs) is cochs


def test_row_space_readout_predicts_as_the_full_ridge():
    # more features than training rows: ridge on the row space is the same model
    from biornn.experiments.utterances import _row_space
    from biornn.readout import RidgeClassifier
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(50, 120)), rng.integers(0, 4, size=50)
    Xt = rng.normal(size=(30, 120))
    p = _row_space(X[:40])
    assert p(X[:40]).shape[1] <= 40
    for alpha in (0.5, [0.1, 1.0, 10.0]):
        full = RidgeClassifier(alpha=alpha).fit(X[:40], y[:40])
        proj = RidgeClassifier(alpha=alpha).fit(p(X[:40]), y[:40])
        np.testing.assert_allclose(proj.decision_function(p(Xt)), full.decision_function(Xt),
                                   rtol=1e-8, atol=1e-10)
        assert proj.alpha_ == full.alpha_
    narrow = X[:, :30]          # fewer features than rows: left as they are
    assert _row_space(narrow)(narrow) is narrow
