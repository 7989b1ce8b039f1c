"""The demonstrations of gradient-trained RNNs and FORCE, as functions returning numbers.

The scripts in ``simulations/`` print and plot what these return; a spec or the
CLI can call them directly.  Every function is seeded and returns plain dicts.
"""

from __future__ import annotations

import time

import numpy as np

from .._rng import as_generator
from ..tasks import adding_problem, last_step_targets, sinusoids
from ..rate.feedforward import MLP, delay_embed
from ..rate.force import FORCE
from ..rate.lstm import LSTM
from ..rate.optim import Adam, train
from ..rate.rnn import RNN
from ..rate.rtrl import rtrl_gradient, snap1_gradient, uoro_gradient

__all__ = ["median_time", "fit_exponent", "compare_rtrl_bptt", "gradient_cost_scaling",
           "approximation_error", "vanishing_gradients", "adding_problem_experiment",
           "force_periodic", "FORCE_TARGET", "delay_window_cost"]


def median_time(fn, repeats=5):
    """Median wall time of ``fn()`` over ``repeats`` calls, in seconds."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def fit_exponent(sizes, times):
    """Slope of ``log(time)`` against ``log(size)``: the exponent a in time ∝ size^a."""
    return float(np.polyfit(np.log(sizes), np.log(times), 1)[0])


def _random_problem(n_inputs, n_outputs, length, batch, seed):
    rng = as_generator(seed)
    return (rng.standard_normal((batch, length, n_inputs)),
            rng.standard_normal((batch, length, n_outputs)))


def compare_rtrl_bptt(n_units=16, length=50, *, n_inputs=3, n_outputs=2, batch=2, gain=1.2,
                      seed=0):
    """Largest relative difference between RTRL and BPTT gradients, per parameter."""
    net = RNN(n_inputs, n_units, n_outputs, gain=gain, seed=seed)
    x, y = _random_problem(n_inputs, n_outputs, length, batch, seed + 1)
    loss_b, gb = net.bptt(x, y)
    loss_r, gr = rtrl_gradient(net, x, y)
    diffs = {k: float(np.max(np.abs(gr[k] - gb[k])) / np.max(np.abs(gb[k]))) for k in gb}
    return {"loss_difference": abs(loss_b - loss_r), "relative_difference": diffs}


def gradient_cost_scaling(rtrl_sizes=(8, 16, 32, 64, 96, 128), bptt_sizes=(128, 256, 512, 1024),
                          *, bptt_length=1000, repeats=5, fit_from=96, seed=0):
    """Time per step of RTRL and of BPTT (batch 1) against the number of units n.

    The RTRL exponent is fitted over ``rtrl_sizes >= fit_from`` (below that,
    per-call overhead dominates and BLAS is not saturated); the BPTT exponent
    over all ``bptt_sizes``, large enough that the matrix-vector products, not
    the Python loop, set the time.  Theory: 4 for RTRL, 2 for BPTT.  RTRL runs
    ``max(5, 4·10⁶ / n³)`` steps per timing, so every size takes a similar time.
    """
    rtrl_sizes, bptt_sizes = np.asarray(rtrl_sizes), np.asarray(bptt_sizes)
    rtrl, bptt = [], []
    for n in rtrl_sizes:
        length = max(5, int(4e6 / n**3))
        net = RNN(1, int(n), 1, seed=seed)
        x, y = _random_problem(1, 1, length, 1, seed)
        rtrl.append(median_time(lambda: rtrl_gradient(net, x, y), repeats) / length)
    for n in bptt_sizes:
        net = RNN(1, int(n), 1, seed=seed)
        x, y = _random_problem(1, 1, bptt_length, 1, seed)
        bptt.append(median_time(lambda: net.bptt(x, y), repeats) / bptt_length)
    rtrl, bptt = np.array(rtrl), np.array(bptt)
    sel = rtrl_sizes >= fit_from
    if sel.sum() < 2:
        sel = np.ones_like(rtrl_sizes, dtype=bool)
    return {"rtrl_sizes": rtrl_sizes, "rtrl_per_step": rtrl,
            "bptt_sizes": bptt_sizes, "bptt_per_step": bptt,
            "rtrl_exponent": fit_exponent(rtrl_sizes[sel], rtrl[sel]),
            "bptt_exponent": fit_exponent(bptt_sizes, bptt),
            "rtrl_fit_range": (int(rtrl_sizes[sel].min()), int(rtrl_sizes[sel].max()))}


def _recurrent_vector(grads):
    return np.concatenate([grads[k].ravel() for k in ("W", "W_in", "b")])


def approximation_error(sizes=(8, 16, 32, 64), gains=(0.5, 1.0, 1.5), *, length=50,
                        n_draws=5, n_uoro=500, seed=0):
    """Bias and variance of SnAp-1 and UORO gradients against exact RTRL.

    For each (n, gain), over ``n_draws`` random networks and sequences, with
    ``g*`` the exact recurrent-layer gradient:

    * SnAp-1 (deterministic): relative error ``||g − g*|| / ||g*||`` (its bias) and
      cosine similarity;
    * UORO (random): relative standard deviation ``√(E||g − g*||²) / ||g*||`` of one
      estimate, and the relative bias ``||ḡ − g*|| / ||g*||`` of the mean ``ḡ`` of
      ``n_uoro`` independent estimates (which shrinks as ``1/√n_uoro`` if UORO is
      unbiased).  The estimates are drawn in one batched pass over copies of the
      sequence.

    Returns a list of dict rows (means over draws).
    """
    rows = []
    rng = as_generator(seed)
    for gain in gains:
        for n in sizes:
            acc = {"snap1_error": [], "snap1_cosine": [], "uoro_std": [], "uoro_bias": []}
            for _ in range(n_draws):
                s = int(rng.integers(2**31))
                net = RNN(2, int(n), 1, gain=gain, seed=s)
                x, y = _random_problem(2, 1, length, 1, s + 1)
                e = _recurrent_vector(rtrl_gradient(net, x, y)[1])
                a = _recurrent_vector(snap1_gradient(net, x, y)[1])
                acc["snap1_error"].append(np.linalg.norm(a - e) / np.linalg.norm(e))
                acc["snap1_cosine"].append(a @ e / (np.linalg.norm(a) * np.linalg.norm(e)))
                xs, ys = np.repeat(x, n_uoro, axis=0), np.repeat(y, n_uoro, axis=0)
                mean = _recurrent_vector(uoro_gradient(net, xs, ys, seed=s)[1])
                singles = [_recurrent_vector(uoro_gradient(net, x, y, seed=s + 1 + i)[1])
                           for i in range(20)]
                acc["uoro_std"].append(np.sqrt(np.mean([np.sum((u - e) ** 2) for u in singles]))
                                       / np.linalg.norm(e))
                acc["uoro_bias"].append(np.linalg.norm(mean - e) / np.linalg.norm(e))
            rows.append({"gain": gain, "n_units": int(n),
                         **{k: float(np.mean(v)) for k, v in acc.items()},
                         **{k + "_spread": float(np.std(v)) for k, v in acc.items()}})
    return rows


def vanishing_gradients(networks=None, *, length=100, n_units=32, n_sequences=20, seed=0):
    """Mean norm of ``∂L/∂h_{T−k}`` against lag ``k`` for RNNs and LSTMs.

    The loss is the adding-problem error at the last step only, so every
    gradient reaching ``h_{T−k}`` has travelled back ``k`` steps.  Also returns
    the decay rate per step, the slope of ``log ||∂L/∂h_{T−k}||`` over lags.

    Parameters
    ----------
    networks : dict of name -> RNN or LSTM (2 inputs, 1 output), optional
        Default: untrained RNNs with gain 0.9 and 1.2 and LSTMs with forget-gate
        bias 1 and 3.
    """
    if networks is None:
        networks = {"RNN, gain 0.9": RNN(2, n_units, 1, gain=0.9, seed=seed),
                    "RNN, gain 1.2": RNN(2, n_units, 1, gain=1.2, seed=seed),
                    "LSTM, forget bias 1": LSTM(2, n_units, 1, forget_bias=1.0, seed=seed),
                    "LSTM, forget bias 3": LSTM(2, n_units, 1, forget_bias=3.0, seed=seed)}
    x, y = adding_problem(n_sequences, length, seed=seed)
    ys, mask = last_step_targets(y, length)
    out = {"lag": np.arange(length), "norms": {}, "decay_per_step": {}}
    for name, net in networks.items():
        dH = net.state_gradients(x, ys, mask)                  # (B, T, n)
        norms = np.linalg.norm(dH, axis=-1).mean(axis=0)[::-1].copy()   # index = lag
        out["norms"][name] = norms
        ok = norms > 1e-300
        out["decay_per_step"][name] = float(np.exp(np.polyfit(out["lag"][ok],
                                                              np.log(norms[ok]), 1)[0]))
    return out


def adding_problem_experiment(model="lstm", *, n_units=32, length=100, n_train=10000,
                              n_test=1000, n_epochs=10, batch_size=50, learning_rate=1e-2,
                              clip=1.0, seed=0, progress=False):
    """Train an LSTM or a vanilla RNN on the adding problem; report the test MSE.

    The baseline of always answering 1.0 has MSE 1/6 ≈ 0.167.
    """
    x, y = adding_problem(n_train, length, seed=seed)
    xv, yv = adding_problem(n_test, length, seed=seed + 1)
    xt, yt = adding_problem(n_test, length, seed=seed + 2)
    ys, mask = last_step_targets(y, length)
    yvs, maskv = last_step_targets(yv, length)
    cls = {"lstm": LSTM, "rnn": RNN}[model]
    net = cls(2, n_units, 1, seed=seed)
    t0 = time.perf_counter()
    history = train(net, x, ys, mask=mask, optimizer=Adam(learning_rate), n_epochs=n_epochs,
                    batch_size=batch_size, clip=clip, validation=(xv, yvs, maskv), seed=seed,
                    progress=progress)
    seconds = time.perf_counter() - t0
    pred = net.predict(xt)[:, -1, 0]
    return {"model": model, "test_mse": float(np.mean((pred - yt[:, 0]) ** 2)),
            "baseline_mse": float(np.mean((1.0 - yt[:, 0]) ** 2)),
            "val_loss": history["val_loss"], "seconds": seconds, "net": net,
            "n_parameters": net.n_parameters}


# Sussillo & Abbott (2009) periodic target: four sinusoids, periods 1.2, 0.6, 0.4, 0.3 s
# (120, 60, 40, 30 τ), amplitudes 1.3/1.5 · (1, 1/2, 1/6, 1/3); mean |f| ≈ 0.62.
FORCE_TARGET = {"periods": (1.2, 0.6, 0.4, 0.3),
                "amplitudes": tuple(1.3 / 1.5 * np.array([1.0, 1 / 2, 1 / 6, 1 / 3]))}


def force_periodic(n_units=1000, *, train_steps=14400, test_steps=14400, seed=0, progress=False,
                   **force_options):
    """Train a FORCE network on the four-sinusoid target, then let it run freely.

    Returns the free-running mean absolute error, the target's mean ``|f|``, the
    wall time and the traces.  ``train_steps`` of 14 400 with ``learn_every=2``
    gives 7 200 RLS updates.
    """
    net = FORCE(n_units, seed=seed, **force_options)
    f = sinusoids(train_steps + test_steps, dt=net.dt, **FORCE_TARGET)
    t0 = time.perf_counter()
    z_train = net.fit(f[:train_steps], progress=progress)
    z_test = net.run(test_steps)
    seconds = time.perf_counter() - t0
    return {"test_mae": float(np.mean(np.abs(z_test - f[train_steps:]))),
            "train_mae": float(np.mean(np.abs(z_train[-test_steps // 4:]
                                              - f[train_steps - test_steps // 4:train_steps]))),
            "mean_abs_target": float(np.mean(np.abs(f))), "seconds": seconds,
            "n_updates": int(net.readout.n_updates_), "target": f,
            "output": np.concatenate([z_train, z_test]), "dt": net.dt}


def delay_window_cost(windows=(5, 10, 20, 40), *, lag=15, n_hidden=32, n_steps=3000,
                      n_epochs=30, seed=0):
    """A time-delay MLP recalling ``u_{t−lag}``: cost grows with the window, memory stops at it.

    Returns, per window ``w``, the number of parameters, the time per sample of
    one forward+backward pass and the test NMSE: the recall fails for ``w ≤ lag``
    (the input is outside the window) and costs more as ``w`` grows.
    """
    rng = as_generator(seed)
    u = rng.uniform(-1, 1, n_steps)
    rows = []
    for w in windows:
        X = delay_embed(u, w)
        t_end = np.arange(w - 1, n_steps)
        keep = t_end >= lag
        X, y = X[keep], u[t_end[keep] - lag][:, None]
        half = X.shape[0] // 2
        net = MLP(w, n_hidden, 1, seed=seed)
        train(net, X[:half], y[:half], optimizer=Adam(1e-2), n_epochs=n_epochs, batch_size=64,
              seed=seed, progress=False)
        err = net.predict(X[half:]) - y[half:]
        per_sample = median_time(lambda: net.backprop(X[:half], y[:half]), 3) / half
        rows.append({"window": int(w), "n_parameters": net.n_parameters,
                     "seconds_per_sample": per_sample,
                     "test_nmse": float(np.mean(err ** 2) / np.var(y[half:]))})
    return rows
