"""Dendritic integration: clustered synchronous input on an NMDA dendrite sums supralinearly.

At the parameters the liquid uses (``models/lsm_features.toml``, the defaults of
:mod:`biornn.spiking.dendrites`), peak somatic and dendritic depolarisation of a
two-compartment cell against the
number of excitatory inputs on its dendrite: synchronous with the NMDA nonlinearity,
with a sigmoidal one, without a nonlinearity, and the same inputs spread 50 ms apart;
the dashed line is the arithmetic sum of single responses.

Usage: ``python simulations/dendritic_integration.py [--out figures]``
"""

import argparse
import os

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from biornn.spiking.protocols import dendritic_input_output  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="figures")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    n = np.arange(1, 21)
    cases = {"NMDA, synchronous": {}, "sigmoid, synchronous": {"nonlinearity": "sigmoid"},
             "no nonlinearity, synchronous": {"nonlinearity": "none"},
             "NMDA, spread 50 ms": {"spread": 0.05}}
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    print("n   " + "  ".join(f"{c[:22]:>22}" for c in cases) + "   (peak soma mV / linear sum)")
    table = []
    for label, kw in cases.items():
        soma, dend = dendritic_input_output(n, **kw)
        axes[0].plot(n, soma * 1e3, "o-", ms=3, label=label)
        axes[1].plot(n, dend * 1e3, "o-", ms=3, label=label)
        table.append(soma / (n * soma[0]))
        if label == "NMDA, synchronous":
            axes[0].plot(n, n * soma[0] * 1e3, "k--", lw=1, label="linear sum")
    for k in range(len(n)):
        print(f"{n[k]:2d}  " + "  ".join(f"{t[k]:22.2f}" for t in table))
    axes[0].set_ylabel("peak somatic depolarisation (mV)")
    axes[1].set_ylabel("peak dendritic depolarisation (mV)")
    for ax in axes:
        ax.set_xlabel("number of inputs")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(args.out, "dendritic_integration.png")
    fig.savefig(path, dpi=120)
    print("wrote", path)


if __name__ == "__main__":
    main()
