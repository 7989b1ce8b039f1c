"""Gap junctions: coupling coefficient of a passive pair, and spike synchrony against g.

Left: steady-state coupling coefficient v2/v1 of two passive LIF cells (R = 1 Mohm)
against the junction conductance, simulated and analytic gR/(1+gR).  Right: spike
synchrony (coincidences within 2 ms, chance-corrected) of noisy LIF pairs against g,
with and without the spikelet a spike sends through the junction (the liquid's
spikelet area); the dotted line marks the conductance the liquid uses
(``models/lsm_features.toml``).

Usage: ``python simulations/gap_junction_synchrony.py [--out figures] [--quick]``
"""

import argparse
import os

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from biornn.spiking.features import liquid_features  # noqa: E402
from biornn.spiking.gap_junctions import coupling_coefficient  # noqa: E402
from biornn.spiking.protocols import coupled_pair_steady_state, gap_junction_synchrony  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="figures")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    g = np.r_[0, np.geomspace(0.03e-6, 10e-6, 8 if args.quick else 15)]
    cc_sim = [np.divide(*coupled_pair_steady_state(gk)[::-1]) for gk in g]
    duration = 2.0 if args.quick else 10.0
    liquid = liquid_features(["gap_junctions"])[0]
    sync_spk, rate_spk = gap_junction_synchrony(g, duration=duration, seed=args.seed,
                                                spikelet_area=liquid.spikelet_area)
    sync_sub, rate_sub = gap_junction_synchrony(g, duration=duration, seed=args.seed,
                                                spikelet_area=0.0)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    gg = np.geomspace(g[1], g[-1], 200)
    axes[0].semilogx(gg * 1e6, [coupling_coefficient(x, 1e6) for x in gg], "k-",
                     label="gR/(1+gR)")
    axes[0].semilogx(g[1:] * 1e6, cc_sim[1:], "o", label="simulated")
    axes[0].set_xlabel("g (uS)")
    axes[0].set_ylabel("coupling coefficient")
    axes[0].legend()
    axes[1].semilogx(g[1:] * 1e6, sync_spk[1:], "o-", label="with spikelets")
    axes[1].semilogx(g[1:] * 1e6, sync_sub[1:], "s-", label="subthreshold coupling only")
    axes[1].axhline(sync_spk[0], color="grey", ls="--", label="g = 0")
    for ax in axes:
        ax.axvline(liquid.g * 1e6, color="k", ls=":", lw=1)
    axes[1].set_xlabel("g (uS)")
    axes[1].set_ylabel("spike synchrony (2 ms)")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(args.out, "gap_junction_synchrony.png")
    fig.savefig(path, dpi=120)
    print("g (uS)      CC sim  CC theory  sync(spikelets)  sync(subthreshold)  rate (Hz)")
    for k in range(len(g)):
        print(f"{g[k] * 1e6:9.3f}  {cc_sim[k]:7.4f}  {coupling_coefficient(g[k], 1e6):9.4f}"
              f"  {sync_spk[k]:15.3f}  {sync_sub[k]:18.3f}  {rate_spk[k]:6.1f}")
    print(f"liquid: g = {liquid.g * 1e6:g} uS, CC = {coupling_coefficient(liquid.g, 1e6):.4f}")
    print("wrote", path)


if __name__ == "__main__":
    main()
