"""GABA_B cooperativity (Destexhe & Sejnowski 1995) and the slow mGluR-like current.

Voltage-clamped cell (at rest, -70 mV) receiving bursts of 1..10 spikes at 100 Hz on
one synapse: GABA_B current traces, peak current against burst size (log scale, the
n = 4 cooperativity), and the mGluR-like slow excitatory current for the same bursts.

Usage: ``python simulations/gaba_b_cooperativity.py [--out figures]``
"""

import argparse
import os

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from biornn.spiking.protocols import gprotein_response  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="figures")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    sizes = [1, 2, 3, 5, 7, 10]
    trains = [0.05 + np.arange(k) * 0.01 for k in sizes]
    gabab = gprotein_response(trains, 1.5, "gabab", g_max=1e-6)
    mglur = gprotein_response(trains, 3.0, "mglur", g_max=0.05e-6)
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    print("spikes  GABA_B peak (pA)  t_peak (ms)  half-decay (ms)   mGluR peak (pA)  t_peak (ms)")
    peaks = []
    for k, size in enumerate(sizes):
        axes[0].plot(gabab["t"] * 1e3, gabab["I"][k] * 1e12, label=f"{size} spikes")
        axes[2].plot(mglur["t"] * 1e3, mglur["I"][k] * 1e12, label=f"{size} spikes")
        cur = -gabab["I"][k]
        i = int(np.argmax(cur))
        below = np.nonzero(cur[i:] < cur[i] / 2)[0]
        half = (gabab["t"][i + below[0]] - gabab["t"][i]) * 1e3 if below.size else np.nan
        j = int(np.argmax(mglur["I"][k]))
        peaks.append(cur[i])
        print(f"{size:6d}  {cur[i] * 1e12:16.3f}  {(gabab['t'][i] - 0.05) * 1e3:11.0f}"
              f"  {half:15.0f}  {mglur['I'][k][j] * 1e12:16.1f}  "
              f"{(mglur['t'][j] - 0.05) * 1e3:11.0f}")
    axes[1].semilogy(sizes, np.asarray(peaks) * 1e12, "o-")
    axes[1].set_xlabel("spikes in the burst (100 Hz)")
    axes[1].set_ylabel("peak GABA_B current (pA)")
    axes[0].set_title("GABA_B (g_max 1 uS, clamp at -70 mV)", fontsize=9)
    axes[2].set_title("mGluR-like slow current", fontsize=9)
    for ax in (axes[0], axes[2]):
        ax.set_xlabel("time (ms)")
        ax.set_ylabel("current (pA)")
        ax.legend(fontsize=7)
    fig.tight_layout()
    path = os.path.join(args.out, "gaba_b_cooperativity.png")
    fig.savefig(path, dpi=120)
    print("wrote", path)


if __name__ == "__main__":
    main()
