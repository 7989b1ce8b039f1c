"""Compiled kernels: built once into the cache, rebuilt when the cached file is damaged."""

import shutil
import subprocess
import sys

import numpy as np
import pytest

from biornn.rate import _compiled
from biornn.rate.lstm import LSTM

if shutil.which("cc") is None and shutil.which("gcc") is None:
    pytest.skip("no C compiler on this machine", allow_module_level=True)


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("BIORNN_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("BIORNN_NO_COMPILE", raising=False)
    monkeypatch.setattr(_compiled, "_loaded", {})
    monkeypatch.setattr(_compiled, "_errors", {})
    return tmp_path


def test_kernel_is_built_into_the_cache_once(fresh_cache):
    assert _compiled.load("lstm") is not None, _compiled.build_error("lstm")
    built = list(fresh_cache.glob("lstm_*.so"))
    assert len(built) == 1 and not list(fresh_cache.glob("*.tmp*"))
    stamp = built[0].stat().st_mtime_ns
    _compiled._loaded.clear()
    assert _compiled.load("lstm") is not None
    assert built[0].stat().st_mtime_ns == stamp          # reused, not rebuilt


def test_a_damaged_cached_kernel_is_rebuilt_and_gives_the_same_gradients(fresh_cache):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((2, 30, 3)), rng.standard_normal((2, 30, 1))
    assert _compiled.load("lstm") is not None
    (so,) = fresh_cache.glob("lstm_*.so")
    damaged = so.with_suffix(".part")
    damaged.write_bytes(so.read_bytes()[:100])           # a truncated library, put in
    damaged.replace(so)                                  # place as a new file
    # a fresh process (this one would reuse the library it has loaded under that name)
    code = ("from biornn.rate import _compiled; lib = _compiled.load('lstm'); "
            "print(lib is not None, _compiled.build_error('lstm'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.startswith("True"), out
    assert so.stat().st_size > 100 and list(fresh_cache.glob("lstm_*.so")) == [so]  # rebuilt
    _, g = LSTM(3, 5, 1, kernel="compiled", seed=1).bptt(x, y)
    _, ref = LSTM(3, 5, 1, kernel="numpy", seed=1).bptt(x, y)
    for k in ref:
        np.testing.assert_allclose(g[k], ref[k], rtol=1e-10, atol=1e-13)
