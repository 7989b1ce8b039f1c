"""STDP weight-change window from a pairing protocol (Song et al. 2000; Pfister & Gerstner 2006).

Pairs at dt = t_post - t_pre from -100 to +100 ms, 60 pairings at 1 Hz, one synapse
per dt (all in one Brian2 run); the weight change per pairing is plotted with the
analytic window of the pair rules.  The triplet rule is also run at 20 Hz pairing,
where its triplet term turns pre-before-post pairs into potentiation.

Usage: ``python simulations/stdp_window.py [--out figures] [--quick]``
"""

import argparse
import os

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from biornn.spiking.plasticity import measure_stdp_window, stdp_parameters, stdp_window  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="figures")
    ap.add_argument("--quick", action="store_true", help="10 pairings instead of 60")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    n = 10 if args.quick else 60
    deltas = np.r_[-100:0:5, 5:105:5] * 1e-3
    fine = np.linspace(-0.1, 0.1, 801)
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for ax, rule in zip(axes[:2], ["additive", "multiplicative"]):
        dw = measure_stdp_window(deltas, rule, n_pairings=n, frequency=1.0, dt=0.5e-3) / n
        ax.plot(fine * 1e3, stdp_window(fine, rule), "k-", lw=1, label="analytic (w = 0.5)")
        ax.plot(deltas * 1e3, dw, "o", ms=4, label=f"{n} pairings at 1 Hz")
        p = stdp_parameters(rule)
        ax.set_title(f"{rule}: A+={p['A_plus']}, A-={p['A_minus']}, "
                     f"tau={p['tau_plus'] * 1e3:.0f} ms", fontsize=9)
        print(f"{rule}: max potentiation per pairing {dw.max():.5f} (A+ w_max = "
              f"{p['A_plus']}), max depression {dw.min():.5f}")
    ax = axes[2]
    for freq, marker in [(1.0, "o"), (20.0, "s")]:
        dw = measure_stdp_window(deltas[np.abs(deltas) < 0.5 / freq], "triplet", n_pairings=n,
                                 frequency=freq, dt=0.5e-3) / n
        ax.plot(deltas[np.abs(deltas) < 0.5 / freq] * 1e3, dw, marker + "-", ms=4,
                label=f"{freq:g} Hz pairing")
        print(f"triplet at {freq:g} Hz: dw(+10 ms) per pairing = "
              f"{dw[np.argmin(np.abs(deltas[np.abs(deltas) < 0.5 / freq] - 0.01))]:.5f}")
    ax.set_title("triplet (Pfister & Gerstner 2006, visual cortex)", fontsize=9)
    for ax in axes:
        ax.axhline(0, color="grey", lw=0.5)
        ax.axvline(0, color="grey", lw=0.5)
        ax.set_xlabel("t_post - t_pre (ms)")
        ax.legend(fontsize=8)
    axes[0].set_ylabel("weight change per pairing (w_max)")
    fig.tight_layout()
    path = os.path.join(args.out, "stdp_window.png")
    fig.savefig(path, dpi=120)
    print("wrote", path)


if __name__ == "__main__":
    main()
