"""Saving never loses data; loading never unpickles."""

import numpy as np
import pytest

import biornn as bn


def _fitted_ridge():
    X = np.random.default_rng(0).normal(size=(50, 3))
    return bn.Ridge(alpha=[0.1, 1.0]).fit(X, X @ [1.0, 2.0, 3.0]), X


def test_round_trip_is_exact_for_readouts(tmp_path):
    r, X = _fitted_ridge()
    loaded = bn.load(bn.save(r, tmp_path / "ridge.npz"))
    np.testing.assert_array_equal(loaded.predict(X), r.predict(X))
    assert loaded.alpha_ == r.alpha_
    labels = (X[:, 0] > 0).astype(int)
    clf = bn.RidgeClassifier().fit(X, labels)
    np.testing.assert_array_equal(bn.load(bn.save(clf, tmp_path / "clf")).predict(X),
                                  clf.predict(X))
    rls = bn.RLS().fit(X, X[:, 0])
    np.testing.assert_array_equal(bn.load(bn.save(rls, tmp_path / "rls")).predict(X),
                                  rls.predict(X))


def test_save_never_overwrites_unless_asked(tmp_path):
    r, _ = _fitted_ridge()
    path = bn.save(r, tmp_path / "m")
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        bn.save(bn.Ridge(alpha=5.0).fit(np.eye(3), [1.0, 2.0, 3.0]), path)
    assert path.read_bytes() == before
    other = bn.Ridge(alpha=5.0).fit(np.eye(3), [1.0, 2.0, 3.0])
    bn.save(other, path, overwrite=True)
    assert bn.load(path).alpha_ == 5.0


def test_save_leaves_no_temporary_files_and_spares_neighbours(tmp_path):
    r, _ = _fitted_ridge()
    neighbour = tmp_path / "m.npz.tmp"
    neighbour.write_text("user data")
    bn.save(r, tmp_path / "m")
    assert neighbour.read_text() == "user data"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz", "m.npz.tmp"]


def test_npy_files_and_corrupt_metadata_give_clear_errors(tmp_path):
    npy = tmp_path / "a.npy"
    np.save(npy, np.arange(3))
    with pytest.raises(ValueError, match="not a biornn file"):
        bn.load(npy)
    import json
    bad = tmp_path / "bad.npz"
    meta = {"format": "biornn", "format_version": 1, "class": "Ridge", "params": {}}
    np.savez(bad, __biornn_meta__=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
    with pytest.raises(ValueError, match="corrupt biornn file"):
        bn.load(bad)


def test_truncated_and_foreign_files_give_clear_errors(tmp_path):
    r, _ = _fitted_ridge()
    path = bn.save(r, tmp_path / "m")
    cut = tmp_path / "cut.npz"
    cut.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ValueError, match="not a readable biornn file"):
        bn.load(cut)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, a=np.arange(3))
    with pytest.raises(ValueError, match="not a biornn file"):
        bn.load(foreign)
    with pytest.raises(FileNotFoundError):
        bn.load(tmp_path / "missing.npz")


def test_object_arrays_are_never_unpickled(tmp_path):
    evil = tmp_path / "evil.npz"
    np.savez(evil, __biornn_meta__=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ValueError):
        bn.load(evil)


def test_only_biornn_objects_can_be_saved(tmp_path):
    with pytest.raises(TypeError, match="saveable"):
        bn.save({"a": 1}, tmp_path / "x")
