"""Song, Miller & Abbott (2000): STDP makes weights bimodal and the output rate stable.

One conductance-based integrate-and-fire neuron per condition, 1000 excitatory Poisson
inputs through additive STDP (A_plus = 0.005, A_minus/A_plus = 1.05, tau = 20 ms,
hard bounds 0 and g_max = 0.015) and 200 inhibitory ones at 10 Hz
(biornn.spiking.plasticity_protocols.song_abbott_neuron, parameters SONG2000).

As in the paper, the weights learn to equilibrium separately at each input rate
(10, 20, 40 Hz).  Additive STDP changes a weight once per pre or post spike, so
every input rate gets the same number of input spikes per synapse
(``--spikes-per-synapse``; learning time = that / input rate, e.g. 80,000 spikes:
2000 s at 40 Hz, 8000 s at 10 Hz).  One cpp_standalone network per input rate holds
a neuron for each step size (``--scales``: A_plus times 1, the paper's, and 0.5),
all from the same uniform weights; at 10 Hz each step size also has a neuron that
starts with every weight at g_max.  At 10 Hz the uniform start drives the neuron at
about 1 Hz, so its weights move slowly at first (every STDP update needs a
postsynaptic spike); from g_max it fires fast and comes down: the two bracket the
10 Hz equilibrium from below and from above.  The networks run in the order 40 Hz,
10 Hz, 20 Hz, each printing its rows as it ends.

Without STDP (one more, short network, run after the 40 Hz one): the drawn uniform
weights at each rate, and the weights learned at 40 Hz (paper step) frozen and driven
at 10, 20 and 40 Hz.
Prints the fraction of weights within 10% of each bound, the output rates (mean +- SD
over the last five of twenty recording intervals), their 40 Hz / 10 Hz ratios, the
convergence history and the wall/CPU time per network; writes
``<out>/song2000_stdp.png``.

Usage: ``python simulations/song2000_stdp.py [--spikes-per-synapse 80000]
[--scales 1,0.5] [--dt 1e-4] [--seed 0] [--out figures] [--target cpp_standalone]
[--build-dir DIR]``
"""

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import matplotlib                                            # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt                              # noqa: E402

from biornn.spiking.plasticity_protocols import (SONG2000,   # noqa: E402
                                                 song_abbott_neuron,
                                                 song_learning_durations)

RATES = [10.0, 20.0, 40.0]
ORDER = [40.0, 10.0, 20.0]          # the networks' run order: the rate ratio's two first
N_RECORD = 20          # recording intervals over each learning run
N_LAST = 5             # intervals the reported output rate is averaged over


def near_bounds(w):
    """Fractions of w / g_max within 10% of 0, of g_max, and of either."""
    low, high = (w < 0.1).mean(axis=-1), (w > 0.9).mean(axis=-1)
    return low, high, low + high


def last_rate(out, k, n_last=N_LAST):
    """Output rate of neuron k: mean and SD over the last n_last recording intervals."""
    r = out["history"]["rates"][-n_last:, k]
    return r.mean(), r.std(ddof=1)


def timed(fn, **kwargs):
    """fn(**kwargs), its wall time and the CPU time of it and its child processes."""
    t0, c0 = time.perf_counter(), os.times()
    out = fn(**kwargs)
    c1 = os.times()
    cpu = sum(c1[i] - c0[i] for i in range(4))
    return out, time.perf_counter() - t0, cpu


def a_plus(scale):
    return SONG2000["A_plus"] * scale


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="figures")
    ap.add_argument("--spikes-per-synapse", type=float, default=80_000.0,
                    help="input spikes per synapse during learning, at every input rate")
    ap.add_argument("--scales", default="1,0.5",
                    help="comma-separated multiples of the paper's A_plus")
    ap.add_argument("--fixed-duration", type=float, default=50.0,
                    help="run time (s) of the neurons with fixed weights")
    ap.add_argument("--target", default="cpp_standalone",
                    choices=("numpy", "cython", "cpp_standalone"))
    ap.add_argument("--build-dir", default=None,
                    help="cpp_standalone build folder (one subfolder per network; reused)")
    ap.add_argument("--dt", type=float, default=0.1e-3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    scales = [float(x) for x in args.scales.split(",")]
    spikes = args.spikes_per_synapse
    rng = np.random.default_rng(args.seed)
    build = (lambda name: os.path.join(args.build_dir, name)) if args.build_dir else \
        (lambda name: None)
    w_uniform = rng.uniform(0, 1, SONG2000["n_ex"])
    durations = song_learning_durations(RATES, spikes)
    plan = ", ".join(f"{d:g} s at {r:g} Hz" for r, d in zip(RATES, durations))
    print(f"Song, Miller & Abbott 2000: {spikes:,.0f} input spikes per synapse of learning "
          f"at every input rate ({plan}), dt = {args.dt * 1e3:g} ms, seed {args.seed}, "
          f"{args.target}")
    print(f"output rate = mean +- SD over the last {N_LAST} of {N_RECORD} recording "
          "intervals (the last quarter of each learning run)\n")
    header = (f"{'input Hz':>8} | {'A+':>7} | {'start':>7} | {'learn s':>7} | "
              f"{'spikes/syn':>10} | {'out Hz':>12} | near 0 | near g_max | near a bound | "
              "near a bound at 1/2, 3/4 of the run")
    runs = {}          # rate: (neurons, out) per learning network
    total_wall = total_cpu = 0.0
    fixed = None
    for rate in ORDER:
        duration = durations[RATES.index(rate)]
        neurons = [(s, "uniform") for s in scales] + \
            ([(s, "g_max") for s in scales] if rate == RATES[0] else [])
        out, wall, cpu = timed(
            song_abbott_neuron, input_rates=[rate] * len(neurons), stdp=True,
            learning_scale=[s for s, _ in neurons],
            w_init=np.stack([w_uniform if start == "uniform" else np.ones_like(w_uniform)
                             for _, start in neurons]),
            duration=duration, record_every=duration / N_RECORD, dt=args.dt,
            target=args.target, directory=build(f"learning_{rate:g}Hz"),
            seed=np.random.default_rng([args.seed, int(rate)]))
        total_wall, total_cpu = total_wall + wall, total_cpu + cpu
        runs[rate] = (neurons, out)
        print(header)
        low, high, near = near_bounds(out["weights"])
        h = out["history"]
        for k, (s, start) in enumerate(neurons):
            m, sd = last_rate(out, k)
            conv = [h["near_zero"][j, k] + h["near_max"][j, k]
                    for j in (N_RECORD // 2, 3 * N_RECORD // 4)]
            print(f"{rate:8g} | {a_plus(s):7.5f} | {start:>7} | {duration:7g} | "
                  f"{out['input_spikes'][k]:10,.0f} | {m:5.1f} +- {sd:4.1f} | "
                  f"{low[k]:6.2f} | {high[k]:10.2f} | {near[k]:12.2f} | "
                  f"{conv[0]:.2f}, {conv[1]:.2f}")
        print(f"{'':8}   ({len(neurons)} neurons for {duration:g} s: {wall:.0f} s wall, "
              f"{cpu:.0f} s CPU, compilation included)", flush=True)
        if fixed is None:
            w_learned = out["weights"][0]
            fixed, wall, cpu = timed(
                song_abbott_neuron, input_rates=RATES * 2, stdp=False,
                w_init=np.stack([w_uniform] * 3 + [w_learned] * 3),
                duration=args.fixed_duration, record_every=args.fixed_duration / 10,
                dt=args.dt, target=args.target, directory=build("fixed"),
                seed=np.random.default_rng([args.seed, 1]))
            total_wall, total_cpu = total_wall + wall, total_cpu + cpu
            print(f"\nwithout STDP (fixed weights; output Hz, mean +- SD over the last 5 x "
                  f"{args.fixed_duration / 10:g} s; {wall:.0f} s wall, {cpu:.0f} s CPU):")
            print(f"{'input Hz':>8} | {'drawn uniform':>13} | learned at {rate:g} Hz "
                  f"(A+ = {a_plus(scales[0]):g}), frozen")
            for k, r in enumerate(RATES):
                (m0, s0), (m1, s1) = last_rate(fixed, k, 5), last_rate(fixed, k + 3, 5)
                print(f"{r:8.0f} | {m0:6.1f} +- {s0:4.1f} | {m1:6.1f} +- {s1:4.1f}")
            print(flush=True)

    def ratio(a, b):
        return a / b if b > 0 else float("inf")

    n_s = len(scales)
    print("\noutput rate at 40 Hz / at 10 Hz input (input ratio 4; target < 1.5 with STDP):")
    stdp_ratio = {}
    for k, s in enumerate(scales):
        r40 = last_rate(runs[40.0][1], k)[0]
        r10, r10g = (last_rate(runs[10.0][1], j)[0] for j in (k, n_s + k))
        stdp_ratio[s] = (ratio(r40, r10), ratio(r40, r10g))
        print(f"  STDP, A+ = {a_plus(s):g}: {r40:.1f} / {r10:.1f} = {stdp_ratio[s][0]:.2f} "
              f"(10 Hz from uniform weights); {r40:.1f} / {r10g:.1f} = "
              f"{stdp_ratio[s][1]:.2f} (10 Hz from g_max)")
    for name, k in (("uniform weights", 0), ("weights learned at 40 Hz", 3)):
        print(f"  no STDP, {name}: "
              f"{ratio(last_rate(fixed, k + 2, 5)[0], last_rate(fixed, k, 5)[0]):.2f}")
    print("\ntargets (>= 0.80 of the weights within 10% of a bound at 10, 20, 40 Hz; "
          "output ratio < 1.5):")
    for k, s in enumerate(scales):
        near = [near_bounds(runs[r][1]["weights"][j])[2]
                for r, j in ((10.0, k), (10.0, n_s + k), (20.0, k), (40.0, k))]
        ok = min(near) >= 0.8 and max(stdp_ratio[s]) < 1.5
        print(f"  A+ = {a_plus(s):g}: near a bound {near[0]:.2f} (10 Hz from uniform), "
              f"{near[1]:.2f} (10 Hz from g_max), {near[2]:.2f} (20 Hz), {near[3]:.2f} "
              f"(40 Hz); ratio {stdp_ratio[s][0]:.2f} / {stdp_ratio[s][1]:.2f}: "
              f"{'met' if ok else 'not met'}")
    print(f"\ntotal {total_wall:.0f} s wall, {total_cpu:.0f} s CPU (compilation included)")

    print("\nconvergence: fraction within 10% of a bound and output rate (Hz) per "
          "recording interval, against input spikes per synapse")
    for rate in RATES:
        neurons, out = runs[rate]
        h = out["history"]
        cols = " | ".join(f"A+ {a_plus(s):<6g} {start:>7}" for s, start in neurons)
        print(f"{rate:4g} Hz {'spikes':>8} | {cols}")
        for j in range(2, N_RECORD + 1, 2):
            print(f"{'':7} {out['times'][j] * rate:8,.0f} | " + " | ".join(
                f"{h['near_zero'][j, k] + h['near_max'][j, k]:7.2f} {h['rates'][j, k]:6.1f}"
                for k in range(len(neurons))))

    os.makedirs(args.out, exist_ok=True)
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(14, 3.8))
    for rate in RATES:
        neurons, out = runs[rate]
        h = out["history"]
        for k, (s, start) in enumerate(neurons):
            label = f"{rate:g} Hz, A+ {a_plus(s):g}" + (", from g_max" if start == "g_max"
                                                       else "")
            style = ("-" if k % n_s == 0 else "--") + ("" if start == "uniform" else "")
            lines = ax3.plot(out["times"] * rate / 1e3,
                             h["near_zero"][:, k] + h["near_max"][:, k],
                             style, lw=1 if start == "uniform" else 2.5, alpha=0.8,
                             label=label)
            ax1.hist(out["weights"][k], bins=40, range=(0, 1), histtype="step", ls=style,
                     color=lines[0].get_color(), label=label)
    ax1.set(xlabel="w / g_max", ylabel="synapses", yscale="log",
            title=f"weights after {spikes:,.0f} input spikes per synapse")
    ax1.legend(fontsize=6)
    for k, label, mark in ((0, "no STDP, uniform weights", "o--"),
                           (3, "no STDP, learned at 40 Hz, frozen", "^--")):
        ax2.errorbar(RATES, [last_rate(fixed, k + i, 5)[0] for i in range(3)],
                     [last_rate(fixed, k + i, 5)[1] for i in range(3)], fmt=mark,
                     label=label)
    for k, s in enumerate(scales):
        for j, start in ((k, "uniform"), (n_s + k, "g_max")):
            # from g_max: only the 10 Hz point differs (the other rates start uniform)
            rows = [(runs[r][1], j if r == 10.0 else k) for r in RATES]
            ax2.errorbar(RATES, [last_rate(o, i)[0] for o, i in rows],
                         [last_rate(o, i)[1] for o, i in rows],
                         fmt="s-" if start == "uniform" else "s:",
                         label=f"STDP, A+ = {a_plus(s):g}, 10 Hz from {start}")
    ax2.set(xlabel="input rate (Hz)", ylabel="output rate (Hz)", yscale="symlog")
    ax2.legend(fontsize=6)
    ax3.axhline(0.8, color="k", lw=0.5)
    ax3.set(xlabel="input spikes per synapse (thousands)",
            ylabel="fraction within 10% of a bound")
    ax3.legend(fontsize=6)
    fig.tight_layout()
    path = os.path.join(args.out, "song2000_stdp.png")
    fig.savefig(path, dpi=120)
    print("figure:", path)


if __name__ == "__main__":
    main()
