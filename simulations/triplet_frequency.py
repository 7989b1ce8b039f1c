"""Triplet STDP's frequency dependence (Pfister & Gerstner 2006 vs Sjöström et al. 2001).

The pairing protocol of Sjöström, Turrigiano & Nelson (2001, Neuron 32:1149; layer-5
visual cortex): pre-post pairs at +10 ms or -10 ms repeated 60 times at 0.1-50 Hz, on
the all-to-all triplet rule with the parameters Pfister & Gerstner (2006, J Neurosci
26:9673) fitted to that visual-cortex data set (their Table 4, visual cortex,
all-to-all, full model: tau_x 101 ms, tau_y 125 ms, A2+ 5e-10, A3+ 6.2e-3, A2- 7e-3,
A3- 2.3e-4; tau_+ 16.8 ms and tau_- 33.7 ms from Bi & Poo 1998; the values of
``biornn.spiking.plasticity.STDP_RULES["triplet"]``, printed below and checked
against the table).  Their
Fig. 6 shows the data: at both timings, depression at low frequency and potentiation
at high frequency, with post-pre (-10 ms) pairs turning to potentiation only above
~20 Hz.  Prints the normalised weight change per frequency and whether the rule shows
those three features; writes figures/triplet_frequency.png.

Usage: ``python simulations/triplet_frequency.py [--out figures]``
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import matplotlib                                            # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt                              # noqa: E402
import numpy as np                                           # noqa: E402

from biornn.spiking.plasticity import STDP_RULES             # noqa: E402
from biornn.spiking.plasticity_protocols import triplet_frequency_dependence  # noqa: E402

FREQS = [0.1, 10.0, 20.0, 40.0, 50.0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="figures")
    args = ap.parse_args()
    print("triplet parameters (Pfister & Gerstner 2006, Table 4, visual cortex, all-to-all):")
    print("  " + ", ".join(f"{k}={v:g}" for k, v in STDP_RULES["triplet"].items()))
    dw = triplet_frequency_dependence(FREQS, (10e-3, -10e-3), n_pairings=60)
    print("pairing Hz | dw (+10 ms) | dw (-10 ms)   [normalised weight change, 60 pairs]")
    for k, f in enumerate(FREQS):
        print(f"{f:10.1f} | {dw[0, k]:+11.3f} | {dw[1, k]:+11.3f}")
    low, high = 0, len(FREQS) - 1
    print("post-pre depresses at 0.1 Hz:", bool(dw[1, low] < 0))
    print("pre-post potentiation grows with frequency:", bool(np.all(np.diff(dw[0]) > 0)))
    print("both orders potentiate at 50 Hz:", bool(np.all(dw[:, high] > 0)))
    os.makedirs(args.out, exist_ok=True)
    fig, ax = plt.subplots(figsize=(4.5, 3.5))
    ax.plot(FREQS, dw[0], "o-", label="+10 ms (pre-post)")
    ax.plot(FREQS, dw[1], "s-", label="-10 ms (post-pre)")
    ax.axhline(0, color="k", lw=0.5)
    ax.set(xlabel="pairing frequency (Hz)", ylabel="normalised weight change",
           title="triplet rule, Sjöström protocol")
    ax.legend()
    fig.tight_layout()
    path = os.path.join(args.out, "triplet_frequency.png")
    fig.savefig(path, dpi=120)
    print("figure:", path)


if __name__ == "__main__":
    main()
