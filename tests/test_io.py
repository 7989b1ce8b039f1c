"""Saving never loses data; loading never unpickles and never trusts the file."""

import json
import os
import pickle
import subprocess
import sys
import zipfile
from io import BytesIO
from pathlib import Path

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
    with pytest.raises(ValueError, match="not a biornn file: .*cut.npz"):
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


# ---------------------------------------------------------------------- helpers
def _rewrite(path, out, *, params=None, arrays=None, meta=None):
    """Copy a saved file to ``out`` with some metadata, parameters or arrays replaced."""
    with np.load(path, allow_pickle=False) as data:
        content = {k: data[k] for k in data.files}
    m = json.loads(bytes(content.pop("__biornn_meta__")).decode())
    m["params"].update(params or {})
    m.update(meta or {})
    content.update(arrays or {})
    np.savez(out, __biornn_meta__=np.frombuffer(json.dumps(m).encode(), dtype=np.uint8),
             **content)
    return out


def _fitted_esn(**kw):
    rng = np.random.default_rng(1)
    u = rng.uniform(-1, 1, (200, 1))
    return bn.ESN(20, seed=0, **kw).fit(u[:-1], u[1:], washout=10)


# ---------------------------------------------------------------------- item 11: checks
@pytest.mark.parametrize("field, value, expected", [
    ("alpha", "abc", "field 'alpha': alpha must be a real number"),
    ("alpha", -1.0, "field 'alpha': alpha must be >= 0"),
    ("n_folds", 2.5, "field 'n_folds'"),
    ("y_ndim", 7, "field 'y_ndim'"),
])
def test_a_ridge_with_wrong_parameters_is_refused_naming_file_and_field(tmp_path, field,
                                                                        value, expected):
    r, _ = _fitted_ridge()
    bad = _rewrite(bn.save(r, tmp_path / "m"), tmp_path / "bad.npz", params={field: value})
    with pytest.raises(ValueError, match=f"bad.npz: corrupt biornn file, {expected}"):
        bn.load(bad)


@pytest.mark.parametrize("change, expected", [
    ({"arrays": {"W": np.eye(5)}}, "field 'W': shape \\(5, 5\\)"),
    ({"params": {"n_units": 1e12}}, "field 'n_units': n_units must be a positive integer"),
    ({"params": {"n_units": 10**12}}, "field 'W': shape"),
    ({"params": {"n_units": "20"}}, "field 'n_units'"),
    ({"arrays": {"b": np.zeros(20, dtype=np.int64)}}, "field 'b': dtype int64"),
    ({"arrays": {"readout.coef_": np.zeros((2, 3, 4))}}, "field 'readout.coef_'"),
    ({"params": {"readout": {"class": "Ridge", "params": {"alpha": "abc"}}}},
     "field 'readout.alpha'"),
    ({"params": {"readout": {"class": "Popen", "params": {}}}},
     "field 'readout': unknown class 'Popen'"),
])
def test_an_esn_of_wrong_types_or_shapes_is_refused_naming_file_and_field(tmp_path, change,
                                                                         expected):
    path = bn.save(_fitted_esn(sparse=False), tmp_path / "esn")
    bad = _rewrite(path, tmp_path / "bad.npz", **change)
    with pytest.raises(ValueError, match=f"bad.npz: corrupt biornn file, {expected}"):
        bn.load(bad)


def test_a_sparse_reservoir_with_indices_out_of_range_is_refused(tmp_path):
    esn = _fitted_esn(sparse=True)
    path = bn.save(esn, tmp_path / "esn")
    with np.load(path) as data:
        indices, indptr = data["W_indices"].copy(), data["W_indptr"].copy()
    indices[0] = 20                                   # the reservoir has units 0..19
    with pytest.raises(ValueError, match="field 'W_indices': values outside \\[0, 20\\)"):
        bn.load(_rewrite(path, tmp_path / "bad.npz", arrays={"W_indices": indices}))
    indptr[3] = indices.size + 5
    with pytest.raises(ValueError, match="field 'W_indptr'"):
        bn.load(_rewrite(path, tmp_path / "bad2.npz", arrays={"W_indptr": indptr}))
    u = np.random.default_rng(2).uniform(-1, 1, (30, 1))
    np.testing.assert_array_equal(bn.load(path).predict(u), esn.predict(u))


def test_deeply_nested_metadata_is_a_value_error_not_a_recursion_error(tmp_path):
    r, _ = _fitted_ridge()
    path = bn.save(r, tmp_path / "m")
    for depth in (40, 200_000):
        nested = "[" * depth + "]" * depth
        with np.load(path) as data:
            content = {k: data[k] for k in data.files if k != "__biornn_meta__"}
        text = json.dumps({"format": "biornn", "format_version": 1, "class": "Ridge",
                           "params": {"alpha": "NESTED"}}).replace('"NESTED"', nested)
        bad = tmp_path / f"deep{depth}.npz"
        np.savez(bad, __biornn_meta__=np.frombuffer(text.encode(), dtype=np.uint8), **content)
        with pytest.raises(ValueError, match="nested deeper than"):
            bn.load(bad)


def _foreign_files(tmp_path):
    files = {"random.npz": np.random.default_rng(0).bytes(4096),
             "model.toml": b'[esn]\nn_units = 100\n',
             "pickle.npz": pickle.dumps({"W": [1.0, 2.0]}),
             "empty.npz": b""}
    paths = []
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
        paths.append(tmp_path / name)
    objects = tmp_path / "objects.npz"         # a zip whose member is a pickled array
    np.savez(objects, __biornn_meta__=np.frombuffer(b"{}", dtype=np.uint8),
             W=np.array([{"a": 1}], dtype=object), allow_pickle=True)
    paths.append(objects)
    r, _ = _fitted_ridge()                     # a biornn file whose array header claims
    good = bn.save(r, tmp_path / "good")       # 10^12 elements: refused, not allocated
    header = np.lib.format.header_data_from_array_1_0(r.coef_)
    header["shape"] = (10**12,)
    member = BytesIO()
    np.lib.format.write_array_header_1_0(member, header)
    member.write(r.coef_.tobytes())
    liar = tmp_path / "liar.npz"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(liar, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, member.getvalue() if info.filename == "coef_.npy"
                         else src.read(info))
    return paths + [liar]


def test_any_file_biornn_did_not_write_is_not_a_biornn_file(tmp_path):
    for path in _foreign_files(tmp_path):
        with pytest.raises(ValueError) as err:
            bn.load(path)
        assert str(err.value).startswith(f"not a biornn file: {path}"), path
        assert "allow_pickle" not in str(err.value)


# ---------------------------------------------------------------------- item 12: classes
def _one_of_each(tmp_path):
    from biornn.spiking import LSM
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    objects = [bn.Ridge().fit(X, X[:, 0]), bn.RidgeClassifier().fit(X, X[:, 0] > 0),
               bn.RLS().fit(X, X[:, 0]), _fitted_esn(),
               bn.Hopfield(8).store(np.sign(rng.normal(size=(2, 8)))),
               bn.ContinuousHopfield(8), bn.DenseAssociativeMemory(),
               bn.MLP(3, 4, 1, seed=0), bn.RNN(3, 4, 1, seed=0), bn.LSTM(3, 4, 1, seed=0),
               LSM((3, 3, 2), n_inputs=2, seed=0)]
    return {type(o).__name__: bn.save(o, tmp_path / type(o).__name__) for o in objects}


def test_every_saveable_class_loads_in_a_fresh_process(tmp_path):
    from biornn import io
    saved = _one_of_each(tmp_path)
    assert set(saved) == set(io._REGISTRY)       # one of each registered class
    old = _rewrite(saved["LiquidStateMachine"], tmp_path / "old.npz", meta={"module": None})
    code = ("import sys, biornn as bn\n"
            "assert 'biornn.spiking' not in sys.modules\n"
            "for p in sys.argv[1:]: print(type(bn.load(p)).__name__)\n")
    paths = [str(p) for p in saved.values()] + [str(old)]
    out = subprocess.run([sys.executable, "-c", code, *paths], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(Path(bn.__file__).parents[1])})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == list(saved) + ["LiquidStateMachine"]


def test_saveable_classes_live_in_the_allow_listed_modules():
    import biornn.spiking  # noqa: F401  (registers the liquid)
    from biornn import io
    assert {cls.__module__ for cls in io._REGISTRY.values()} <= set(io._MODULES)


def test_a_class_from_a_module_outside_biornn_is_never_imported(tmp_path):
    r, _ = _fitted_ridge()
    path = bn.save(r, tmp_path / "m")
    bad = _rewrite(path, tmp_path / "bad.npz", meta={"module": "http.server",
                                                     "class": "HTTPServer"})
    code = ("import sys, biornn as bn\n"
            "try: bn.load(sys.argv[1])\n"
            "except ValueError as e: print(e)\n"
            "print('http.server' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code, str(bad)], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(Path(bn.__file__).parents[1])})
    said = out.stdout.splitlines()
    assert "is not a biornn module" in said[0] and said[1] == "False"


# ---------------------------------------------------------------------- item 13: umask
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_saved_files_follow_the_umask(tmp_path, umask, mode):
    r, _ = _fitted_ridge()
    old = os.umask(umask)
    try:
        path = bn.save(r, tmp_path / "m")
        again = bn.save(r, path, overwrite=True)
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == mode
    assert again.stat().st_mode & 0o777 == mode


def test_every_saveable_class_declares_what_its_file_must_hold():
    import biornn.spiking  # noqa: F401  (registers the liquid)
    from biornn import io
    assert [n for n, cls in io._REGISTRY.items() if not getattr(cls, "_SAVED", None)] == []


@pytest.mark.parametrize("name, field, bad, expected", [
    ("Hopfield", "weights", np.eye(5), "field 'weights': shape \\(5, 5\\)"),
    ("Hopfield", "thresholds", np.zeros(7), "field 'thresholds': shape \\(7,\\)"),
    ("ContinuousHopfield", "bias", np.zeros((8, 1)), "field 'bias': shape \\(8, 1\\)"),
    ("DenseAssociativeMemory", "patterns", np.zeros(4), "field 'patterns': shape \\(4,\\)"),
    ("MLP", "V", np.zeros((1, 5)), "field 'V': shape \\(1, 5\\)"),
    ("RNN", "W", np.zeros((4, 3)), "field 'W': shape \\(4, 3\\)"),
    ("LSTM", "W_h", np.zeros((4, 4)), "field 'W_h': shape \\(4, 4\\)"),
    ("LSTM", "b", np.zeros(16, dtype=np.int64), "field 'b': dtype int64"),
])
def test_a_rate_model_with_a_wrong_array_is_refused_naming_file_and_field(tmp_path, name,
                                                                         field, bad, expected):
    rng = np.random.default_rng(0)
    obj = {"Hopfield": lambda: bn.Hopfield(8).store(np.sign(rng.normal(size=(2, 8)))),
           "ContinuousHopfield": lambda: bn.ContinuousHopfield(8),
           "DenseAssociativeMemory": lambda: bn.DenseAssociativeMemory().store(
               rng.normal(size=(3, 6))),
           "MLP": lambda: bn.MLP(3, 4, 1, seed=0), "RNN": lambda: bn.RNN(3, 4, 1, seed=0),
           "LSTM": lambda: bn.LSTM(3, 4, 1, seed=0)}[name]()
    path = bn.save(obj, tmp_path / name)
    type(bn.load(path))                                   # the untouched file loads
    bad_path = _rewrite(path, tmp_path / "bad.npz", arrays={field: bad})
    with pytest.raises(ValueError, match=f"bad.npz: corrupt biornn file, {expected}"):
        bn.load(bad_path)
