"""Every batch layout of the ESN (dense rows, sparse columns, float32) computes what
running the sequences one at a time computes, to rounding."""

import numpy as np
import pytest

import biornn as bn


from biornn.rate import reservoir_loop

COMPILED = reservoir_loop._kernel() is not None


@pytest.mark.parametrize("dtype, rtol, atol", [("float64", 1e-12, 1e-13),
                                               ("float32", 2e-5, 2e-5)])
@pytest.mark.parametrize("sparse, density", [(False, 0.1), (False, 0.5), (True, 0.1),
                                             (True, 0.5)])
@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("leak_rate", [1.0, 0.3])
def test_batch_layouts_equal_the_sequential_run(sparse, density, dtype, rtol, atol, leak_rate,
                                                compiled):
    if compiled and not COMPILED:
        pytest.skip("the compiled loop did not build here")
    rng = np.random.default_rng(0)
    U = rng.uniform(-0.5, 0.5, (5, 300, 2))          # 300 steps: more than one chunk
    X0 = rng.uniform(-0.5, 0.5, (5, 120))
    esn = bn.ESN(120, density=density, leak_rate=leak_rate, input_scaling=0.5,
                 bias_scaling=0.2, sparse=sparse, dtype=dtype, seed=1)
    esn._compiled_loop = compiled
    # compiled: the product follows the density whatever the storage; numpy: the storage
    expect = ("columns" if density <= esn._DENSE_ABOVE else "rows") if compiled else \
        ("columns" if sparse else "rows")
    assert esn._layout(5) == expect and esn._layout(1) == "vector"
    X = esn.run(U, initial_state=X0)
    assert X.dtype == np.dtype(dtype) and X.shape == (5, 300, 120)
    for i in range(5):
        np.testing.assert_allclose(X[i], esn.run(U[i], initial_state=X0[i]),
                                   rtol=rtol, atol=atol)


@pytest.mark.skipif(not COMPILED, reason="the compiled loop did not build here")
@pytest.mark.parametrize("density", [0.1, 0.5])
@pytest.mark.parametrize("B", [1, 3, 40])       # 40: full tiles of 16 columns and a rest
def test_compiled_loop_equals_the_numpy_loop(density, B):
    rng = np.random.default_rng(5)
    U = rng.uniform(-0.5, 0.5, (B, 700, 1))          # several chunks
    esn = bn.ESN(90, density=density, leak_rate=0.6, bias_scaling=0.3, seed=2)
    X = esn.run(U)
    assert np.abs(X[:, 1:] - X[:, :-1]).max() > 1e-3   # a moving state, not a stuck one
    esn._compiled_loop = False
    np.testing.assert_allclose(X, esn.run(U), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("sparse", [False, True])
def test_float32_batch_stays_within_single_precision_of_float64(sparse):
    U = np.random.default_rng(1).uniform(-0.5, 0.5, (4, 200, 1))
    X64 = bn.ESN(150, density=0.1, input_scaling=0.3, sparse=sparse, seed=2).run(U)
    X32 = bn.ESN(150, density=0.1, input_scaling=0.3, sparse=sparse, dtype="float32",
                 seed=2).run(U)
    assert X32.dtype == np.float32
    # contracting dynamics (spectral radius 0.9) keep rounding errors from growing
    np.testing.assert_allclose(X32, X64, atol=1e-5)


@pytest.mark.parametrize("sparse", [False, True])
def test_teacher_forced_batch_equals_the_sequential_run(sparse):
    t = np.arange(260)
    Y = np.stack([0.4 * np.sin(t / (5.0 + k))[:, None] for k in range(3)])
    esn = bn.ESN(80, feedback_scaling=0.6, leak_rate=0.5, sparse=sparse, seed=3)
    X = esn.run(None, teacher=Y)
    for i in range(3):
        np.testing.assert_allclose(X[i], esn.run(None, teacher=Y[i]), rtol=1e-12, atol=1e-13)


def test_in_place_update_follows_the_pure_step():
    rng = np.random.default_rng(4)
    W, x, drive = rng.normal(size=(6, 6)), rng.normal(size=6), rng.normal(size=6)
    out = np.empty(6)
    bn.rate.reservoir_loop.update_into(W @ x, drive, x, 0.35, out)
    np.testing.assert_allclose(out, bn.rate.esn.step(x, drive, W, 0.35), rtol=1e-14)


@pytest.mark.skipif(not COMPILED, reason="the compiled loop did not build here")
def test_teacher_forced_noisy_fit_is_the_same_with_either_loop():
    t = np.arange(600)
    u = np.sin(t / 7.0)[:, None]
    y = 0.5 * np.sin(t / 7.0 + 0.4)[:, None]
    coefs = []
    for compiled in (True, False):
        esn = bn.ESN(70, feedback_scaling=0.4, noise=1e-3, leak_rate=0.7, seed=6)
        esn._compiled_loop = compiled
        coefs.append(esn.fit(u, y, washout=50).readout_.coef_)
    np.testing.assert_allclose(coefs[0], coefs[1], rtol=1e-6, atol=1e-9)


@pytest.mark.skipif(not COMPILED, reason="the compiled loop did not build here")
@pytest.mark.parametrize("dtype, ulps", [("float64", 3), ("float32", 3)])
def test_kernel_tanh_is_within_a_few_ulps_everywhere(dtype, ulps):
    lib = reservoir_loop._kernel()
    tanh = getattr(lib, "esn_tanh_f64" if dtype == "float64" else "esn_tanh_f32")
    mags = np.logspace(-12, 2, 200_001)
    x = np.concatenate([mags, -mags, [0.0, 19.0, 20.0, 25.0, 700.0]]).astype(dtype)
    y = x.copy()
    tanh(y.size, y.ctypes.data)
    exact = np.tanh(x.astype(np.longdouble))         # extended precision reference
    ulp = np.spacing(np.abs(exact).astype(dtype))
    err = np.abs((y - exact) / ulp).astype(float)
    assert err.max() <= ulps
    assert (y[x > 0] > 0).all() and (np.sign(y) == np.sign(x)).all()
    assert np.all(np.abs(y) <= 1)
    big = np.finfo(dtype).max
    special = np.array([np.inf, -np.inf, np.nan, -0.0, big, -big], dtype)
    tanh(special.size, special.ctypes.data)
    np.testing.assert_array_equal(special[[0, 1, 4, 5]], [1, -1, 1, -1])
    assert np.isnan(special[2]) and special[3] == 0 and np.signbit(special[3])


@pytest.mark.skipif(not COMPILED, reason="the compiled loop did not build here")
@pytest.mark.parametrize("dtype, rtol, atol", [("float64", 1e-12, 1e-13),
                                               ("float32", 2e-5, 2e-5)])
@pytest.mark.parametrize("B", [3, 8, 37])   # under a vector, one vector, tiles and a rest
def test_column_blocks_equal_the_sequential_run(dtype, rtol, atol, B):
    # blocks of W's columns small enough that a 150-unit W is cut into several
    rng = np.random.default_rng(7)
    U = rng.uniform(-0.5, 0.5, (B, 120, 2))
    esn = bn.ESN(150, density=0.1, leak_rate=0.5, input_scaling=0.5, bias_scaling=0.2,
                 dtype=dtype, seed=3)
    esn._BLOCK_STATES = 16 * B * np.dtype(dtype).itemsize     # 16 columns a block
    X = esn.run(U)
    assert esn._BLOCKS[2][0].shape[0] == 10                # 150 columns, 10 blocks
    assert np.abs(X[:, 1:] - X[:, :-1]).max() > 1e-3       # a moving state
    for i in range(B):
        np.testing.assert_allclose(X[i], esn.run(U[i]), rtol=rtol, atol=atol)


@pytest.mark.skipif(not COMPILED, reason="the compiled loop did not build here")
@pytest.mark.parametrize("L1", [2**15, 8 * 5 * 8])       # one block; blocks of 8 columns
def test_batch_kernel_projects_inputs_feedback_and_noise_as_the_numpy_loop(L1):
    # the batched CSR kernel projects inputs and fed-back outputs itself and adds the
    # noise the numpy loop draws: the same states to rounding
    rng = np.random.default_rng(8)
    U = rng.uniform(-0.5, 0.5, (5, 400, 3))
    Y = rng.uniform(-0.5, 0.5, (5, 400, 2))
    runs, nets = [], []
    for compiled in (True, False):
        esn = bn.ESN(60, density=0.1, feedback_scaling=0.5, noise=1e-2, leak_rate=0.8,
                     bias_scaling=0.3, seed=4)
        esn._compiled_loop, esn._BLOCK_STATES = compiled, L1
        runs.append(esn.run(U, teacher=Y, _noise=True))
        nets.append(esn)
    assert nets[0]._layout(5) == "columns"
    assert nets[0]._BLOCKS[2][0].shape[0] == (1 if L1 == 2**15 else 8)
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-12, atol=1e-13)
