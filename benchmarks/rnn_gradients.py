"""Loss + gradient time of biornn's explicit-numpy BPTT (vanilla RNN and LSTM), and RTRL per step.

Parts (``--parts`` picks a subset):
  bptt   loss and all gradients, T = 1000, n = 32, 128, 512 hidden units, batch 1 and 32,
         float64 and float32, 8 inputs, 8 outputs, MSE at every step; beside it the
         same computation through PyTorch autograd on CPU (``nn.RNN``/``nn.LSTM`` + a
         linear readout, forward + backward) and the ratio torch / biornn (above 1:
         biornn is faster), if torch is installed (``pip install torch==2.13.0``).
         The LSTM runs its compiled time loops (``kernel="auto"``); ``--lstm-numpy``
         adds a row for the numpy-only path.
  rtrl   RTRL seconds per time step for n = 8 ... 128 (batch 1, 1 input, 1 output)

Reference figures the issue quotes (an independent numpy BPTT and PyTorch CPU
float64, 1 thread, T = 1000): n = 128, batch 32: 279 ms numpy vs 379 ms torch;
n = 32, batch 1: 8 ms vs 46 ms; a plain numpy RTRL at n = 64: 2.5 ms per step.

Usage: ``python benchmarks/rnn_gradients.py [--quick] [--parts bptt,rtrl] [--models RNN,LSTM]
[--repeats 3] [--lstm-numpy]``.
BLAS (and torch) are pinned to one thread; timings are medians of ``--repeats`` runs, biornn's
and torch's calls alternating (after one warm-up call each) so that both see the same load.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import biornn  # noqa: E402
from biornn.experiments.demonstrations import median_time  # noqa: E402
from biornn.rate.lstm import LSTM, compiled_kernel_available  # noqa: E402
from biornn.rate.rnn import RNN  # noqa: E402
from biornn.rate.rtrl import rtrl_gradient  # noqa: E402

try:
    import torch
except ImportError:  # the peer is optional
    torch = None

D_IN, D_OUT, T = 8, 8, 1000


def torch_step(kind, n, x, y, dtype):
    """A closure running forward + MSE + backward through torch autograd on CPU."""
    tdtype = {"float64": torch.float64, "float32": torch.float32}[dtype]
    core = (torch.nn.RNN if kind == "RNN" else torch.nn.LSTM)(D_IN, n, batch_first=True)
    head = torch.nn.Linear(n, D_OUT)
    core, head = core.to(tdtype), head.to(tdtype)
    xt, yt = torch.tensor(x, dtype=tdtype), torch.tensor(y, dtype=tdtype)

    def run():
        for p in list(core.parameters()) + list(head.parameters()):
            p.grad = None
        h, _ = core(xt)
        loss = 0.5 * ((head(h) - yt) ** 2).sum() / xt.shape[0]
        loss.backward()
    return run


def paired_medians(fns, repeats):
    """Median seconds of each function, timed in alternation after one warm-up call each.

    Alternating the peers' calls exposes them to the same load on a shared machine, so
    their ratio is steadier than that of two back-to-back series.
    """
    for fn in fns:
        fn()
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, out in zip(fns, times):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    return [float(np.median(t)) for t in times]


def bench_bptt(models, sizes, batches, dtypes, repeats, lstm_numpy=False):
    print(f"\nBPTT loss + gradients, T = {T}, {D_IN} inputs, {D_OUT} outputs (ms, median of "
          f"{repeats})")
    head = f"  {'model':11s} {'n':>4s} {'batch':>5s} {'dtype':>8s} {'biornn':>10s}"
    print(head + (f" {'torch':>10s} {'torch/biornn':>12s}" if torch else "   (torch absent)"))
    rng = np.random.default_rng(0)
    variants = []
    if "RNN" in models:
        variants.append(("RNN", RNN, {}))
    if "LSTM" in models:
        variants.append(("LSTM", LSTM, {}))
        if lstm_numpy:
            variants.append(("LSTM(numpy)", LSTM, {"kernel": "numpy"}))
    for name, cls, options in variants:
        for n in sizes:
            for B in batches:
                x = rng.standard_normal((B, T, D_IN))
                y = rng.standard_normal((B, T, D_OUT))
                for dtype in dtypes:
                    net = cls(D_IN, n, D_OUT, dtype=dtype, seed=0, **options)
                    xs, ys = x.astype(dtype), y.astype(dtype)
                    fns = [lambda: net.bptt(xs, ys)]
                    if torch is not None:
                        fns.append(torch_step(cls.__name__, n, x, y, dtype))
                    t_b, *t_t = paired_medians(fns, repeats)
                    line = f"  {name:11s} {n:4d} {B:5d} {dtype:>8s} {1e3 * t_b:10.1f}"
                    if t_t:
                        line += f" {1e3 * t_t[0]:10.1f} {t_t[0] / t_b:12.2f}"
                    print(line, flush=True)


def bench_rtrl(sizes, repeats):
    print("\nRTRL seconds per time step (batch 1, exact sensitivities, O(n^4))")
    rng = np.random.default_rng(1)
    for n in sizes:
        length = max(3, int(200 * (16 / n) ** 3))
        x, y = rng.standard_normal((length, 1)), rng.standard_normal((length, 1))
        net = RNN(1, n, 1, seed=0)
        t = median_time(lambda: rtrl_gradient(net, x, y), repeats) / length
        print(f"  n = {n:4d}: {1e3 * t:9.4f} ms per step", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="n = 32, 128 only")
    ap.add_argument("--parts", default="bptt,rtrl")
    ap.add_argument("--models", default="RNN,LSTM", help="BPTT models: RNN, LSTM or both")
    ap.add_argument("--lstm-numpy", action="store_true",
                    help="also time the LSTM's numpy-only path")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    print(f"biornn {biornn.__version__}, numpy {np.__version__}, python {platform.python_version()}"
          f", {platform.machine()}; BLAS pinned to 1 thread (OPENBLAS_NUM_THREADS=1)")
    if torch is None:
        print("PyTorch is not installed: the torch autograd comparison is skipped")
    else:
        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
        print(f"torch {torch.__version__} (CPU, 1 thread)")
    ok, why = compiled_kernel_available()
    print("LSTM time loops: " + ("compiled kernel (C, scipy's BLAS)" if ok else
                                 f"numpy (the compiled kernel did not build: {why})"))
    print(f"{os.cpu_count()} CPU cores; load average {os.getloadavg()[0]:.1f} at start "
          "(timings on a shared machine are noisy)")
    if "bptt" in parts:
        bench_bptt(set(args.models.split(",")), (32, 128) if args.quick else (32, 128, 512),
                   (1, 32), ("float64", "float32"), args.repeats, args.lstm_numpy)
    if "rtrl" in parts:
        bench_rtrl((8, 16, 32, 64) if args.quick else (8, 16, 32, 64, 96, 128), args.repeats)


if __name__ == "__main__":
    main()
