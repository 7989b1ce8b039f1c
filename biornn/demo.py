"""The main demo: an echo state network on NARMA-10 and Mackey-Glass.

Run with ``python -m biornn.demo [--out biornn_demo.png] [--seed 0]``.  It prints
the test NRMSE on NARMA-10 (ridge alpha chosen by cross-validation) and the
84-step closed-loop NRMSE on Mackey-Glass (Jaeger & Haas 2004 protocol, fewer
trials), and writes a figure of both.
"""

from __future__ import annotations

import argparse
import time


from . import metrics, tasks
from .rate.closed_loop import mackey_glass_closed_loop
from .rate.esn import ESN
from .readout import Ridge

ALPHAS = [10.0 ** k for k in range(-12, 1)]


def narma_demo(n_units=500, seed=0):
    """Train on NARMA-10 (washout 200, train 2000, test 2000); return (nrmse, y, y_hat)."""
    u, y = tasks.narma(4200, order=10, seed=seed)
    esn = ESN(n_units, spectral_radius=0.9, input_scaling=0.1, density=0.1, bias_scaling=0.1,
              seed=seed, readout=Ridge(alpha=ALPHAS))
    esn.fit(u[:2200], y[:2200], washout=200)
    y_hat = esn.predict(u[2200:], initial_state=esn.state_)
    return metrics.nrmse(y[2200:], y_hat), y[2200:], y_hat


def mackey_glass_demo(n_units=500, n_trials=10, seed=0):
    """Closed-loop Mackey-Glass (tau = 17): NRMSE of the 84th free-running step.

    The protocol of Jaeger & Haas (2004), with fewer test trials; see
    :func:`biornn.rate.closed_loop.mackey_glass_closed_loop`.  Returns
    (nrmse84, one trial's true and generated continuation).
    """
    esn = ESN(n_units, spectral_radius=0.9, feedback_scaling=0.8, bias_scaling=0.2,
              noise=1e-9, density=10 / n_units, seed=seed, readout=Ridge(alpha=1e-11))
    result = mackey_glass_closed_loop(esn, n_trials=n_trials, seed=seed)
    return result["nrmse"], result["truth"][0], result["generated"][0]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m biornn.demo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="biornn_demo.png", help="figure to write (PNG)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-units", type=int, default=500)
    args = parser.parse_args(argv)

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t0 = time.perf_counter()
    narma_err, y, y_hat = narma_demo(args.n_units, args.seed)
    print(f"NARMA-10, ESN with {args.n_units} units: test NRMSE = {narma_err:.3f}")
    mg_err, truth, gen = mackey_glass_demo(args.n_units, seed=args.seed)
    print(f"Mackey-Glass, 84-step closed loop: NRMSE84 = {mg_err:.2e}")

    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 6))
    ax1.plot(y[:200], label="target")
    ax1.plot(y_hat[:200], "--", label="ESN")
    ax1.set(title=f"NARMA-10 (test NRMSE {narma_err:.3f})", xlabel="time step")
    ax1.legend()
    ax2.plot(truth, label="Mackey-Glass")
    ax2.plot(gen, "--", label="ESN, closed loop")
    ax2.set(title=f"Mackey-Glass, 84 steps free running (NRMSE84 {mg_err:.1e})",
            xlabel="steps after teacher forcing")
    ax2.legend()
    fig.tight_layout()
    fig.savefig(args.out, dpi=100)
    print(f"wrote {args.out} ({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
