"""Calibration of the liquid's gap junctions, dendrites and GABA_B: the figures of lsm_features.toml.

For the Maass et al. (2002) column (``models/maass2002_lsm.toml``) with the
parameters of ``models/lsm_features.toml``, on ``--seeds`` liquids (each driven
by ``--trials`` trials of 10 Poisson channels at 20 Hz), prints:

- gap junctions: coupling coefficient of an isolated pair and of the liquid's
  coupled pairs (steady state of the junction network), the spikelet a cell at
  rest receives (mV) against its distance to threshold, and the fraction of
  inhibitory spikes with a coupled partner within 0.15 ms and the chance-corrected
  synchrony (2 ms) of coupled pairs, with and without coupling (the same pairs),
  in the column and in its ``deep_reset`` variant;
- dendrites: the soma's rest and input resistance of E cells without a dendrite,
  with an uncompensated one, and with the liquid's (``nmda``, and the ``none``
  control); the supralinear gain of clustered input at the liquid's parameters;
  firing rates;
- GABA_B: I->E synapses per E cell, and the suppression of excitatory rates
  100-300 ms after an input burst that drives the inhibitory cells (and, as
  reference, under steady input over the same window).

Rates and suppressions are means with 95% CIs over liquids x trials.

Usage: ``python simulations/liquid_calibration.py [--seeds 3] [--trials 8]``
"""

import argparse

import numpy as np

from biornn.spiking import LSM
from biornn.spiking import measures as M
from biornn.spiking.dendrites import passive_load
from biornn.spiking.features import GapJunctionFeature, liquid_features, liquid_variant
from biornn.spiking.gap_junctions import coupling_coefficient
from biornn.spiking.protocols import dendritic_input_output

N_CHANNELS, DURATION = 10, 0.6
BURST = dict(burst_start=0.2, burst_length=0.05)
WINDOW = (0.35, 0.55)       # 100-300 ms after the burst's end


def fmt(values, scale=1.0):
    m, ci = M.mean_ci(np.asarray(values, dtype=float) * scale)
    return f"{m:7.3f} +- {ci:.3f}"


def run(seed, data, features=None, **kwargs):
    lsm = LSM.from_model("maass2002_lsm", seed=seed, features=features, **kwargs)
    return lsm, lsm.run(data, output="spikes", progress=False, seed=list(range(len(data))))


def gap_junctions(seeds, data):
    gj = liquid_features(["gap_junctions"])[0]
    print("\n== Gap junctions (inhibitory cells) ==")
    R_m = LSM.from_model("maass2002_lsm", seed=0).neuron["R_m"]
    print(f"g = {gj.g * 1e9:.0f} nS; isolated pair CC = gR/(1+gR) = "
          f"{coupling_coefficient(gj.g, R_m):.4f} (measured range: a few % to ~0.1)")
    cc = np.concatenate([M.coupling_coefficients(gj.pairs(
        LSM.from_model("maass2002_lsm", seed=s)), gj.g, R_m).ravel() for s in seeds])
    print(f"liquid's coupled pairs: CC mean {cc.mean():.4f}, range {cc.min():.4f}-{cc.max():.4f}"
          f" ({len(cc) // 2} pairs over {len(seeds)} liquids)")
    lsm0 = LSM.from_model("maass2002_lsm", seed=seeds[0])
    amp, fired = M.spikelet_at_rest(lsm0, gj.g, gj.spikelet_area)
    gap = lsm0.neuron["v_th"] - lsm0.neuron["I_b"] * R_m
    print(f"spikelet at rest: {amp * 1e3:.3f} mV (rest to threshold {gap * 1e3:.2f} mV); "
          f"fires the cell at rest: {fired}")
    print(f"{'liquid':28s} {'rate E (Hz)':>17s} {'rate I (Hz)':>17s} "
          f"{'partner <0.15 ms':>17s} {'synchrony 2 ms':>17s}")
    for label, extra in (("Maass column", {}), ("deep_reset variant",
                                                 {"neuron": liquid_variant("deep_reset")["neuron"]})):
        for on in (False, True):
            rows = {"E": [], "I": [], "co": [], "sy": []}
            for s in seeds:
                lsm, sp = run(s, data, {"gap_junctions": True} if on else None, **extra)
                pairs = gj.pairs(lsm)
                rE, rI = M.firing_rates(sp, lsm.inhibitory, (0, DURATION))
                rows["E"] += list(rE)
                rows["I"] += list(rI)
                rows["co"].append(M.partner_coincidence(sp, pairs))
                rows["sy"].append(M.pair_synchrony(sp, pairs, DURATION))
            name = f"{label}, {'coupled' if on else 'uncoupled'}"
            print(f"{name:28s} {fmt(rows['E']):>17s} {fmt(rows['I']):>17s} "
                  f"{fmt(rows['co']):>17s} {fmt(rows['sy']):>17s}", flush=True)


def dendrites(seeds, data):
    dend = liquid_features(["dendrites"])[0]
    print("\n== Dendrites (excitatory cells) ==")
    print(f"kappa = {dend.params['kappa']:g} S/C; passive load g_c/(1+g_c R_d) = "
          f"{passive_load(**dend.params) * 1e6:.3f} uS")
    cases = [("no dendrite", None), ("uncompensated", {"dendrites": {"compensate_load": False}}),
             ("nmda (liquid)", {"dendrites": True}),
             ("none (control)", {"dendrites": {"nonlinearity": "none"}})]
    print(f"{'':16s} {'rest E (mV)':>12s} {'R_in E (Mohm)':>14s} {'rate E (Hz)':>17s} "
          f"{'rate I (Hz)':>17s}")
    for label, feats in cases:
        lsm = LSM.from_model("maass2002_lsm", seed=seeds[0], features=feats)
        p = M.soma_rest_and_input_resistance(lsm)
        rE, rI = [], []
        for s in seeds:
            lsm, sp = run(s, data, feats)
            e, i = M.firing_rates(sp, lsm.inhibitory, (0, DURATION))
            rE += list(e)
            rI += list(i)
        print(f"{label:16s} {p['rest_E'] * 1e3:12.3f} {p['R_in_E'] / 1e6:14.4f} "
              f"{fmt(rE):>17s} {fmt(rI):>17s}", flush=True)
    n = np.arange(1, 13)
    for nl in ("nmda", "none"):
        params = dict(dend.params)
        soma = dendritic_input_output(n, nonlinearity=nl, **params)[0]
        gain = soma / (n * soma[0])
        print(f"supralinear gain ({nl}): peak soma / (n x single), n = 1..12: "
              + " ".join(f"{x:.2f}" for x in gain) + f"; max {gain.max():.2f}")


def gabab(seeds, n_trials):
    print("\n== GABA_B (I->E) ==")
    per_cell = [LSM.from_model("maass2002_lsm", seed=s) for s in seeds]
    per_cell = [np.count_nonzero(~lsm.inhibitory[lsm.recurrent["I"].post]) / (~lsm.inhibitory).sum()
                for lsm in per_cell]
    print(f"I->E synapses per excitatory cell: {np.mean(per_cell):.2f} (mean over liquids)")
    print(f"window {WINDOW[0]:.2f}-{WINDOW[1]:.2f} s, the burst (200 Hz on every channel) "
          f"ends at {BURST['burst_start'] + BURST['burst_length']:.2f} s")
    for label, burst_rate in (("after a burst", 200.0), ("steady input", 0.0)):
        data = M.burst_inputs(N_CHANNELS, DURATION, background_rate=20.0, burst_rate=burst_rate,
                              n_trials=n_trials, seed=1, **BURST)
        rates, supp = {}, []
        for s in seeds:
            for on in (False, True):
                lsm, sp = run(s, data, {"gabab": True} if on else None)
                rates.setdefault(on, []).append(M.firing_rates(sp, lsm.inhibitory, WINDOW)[0])
            supp.append(M.suppression(rates[True][-1], rates[False][-1]))
        print(f"{label:14s}: rate E {fmt(np.concatenate(rates[False]))} Hz without, "
              f"{fmt(np.concatenate(rates[True]))} Hz with GABA_B; suppression {fmt(supp)}",
              flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3, help="liquids (connectivity seeds)")
    ap.add_argument("--trials", type=int, default=8, help="input trials per liquid")
    args = ap.parse_args(argv)
    seeds = list(range(1, args.seeds + 1))
    data = M.burst_inputs(N_CHANNELS, DURATION, background_rate=20.0, burst_rate=0.0,
                          n_trials=args.trials, seed=0, **BURST)
    gap_junctions(seeds, data)
    dendrites(seeds, data)
    gabab(seeds, args.trials)


if __name__ == "__main__":
    main()
