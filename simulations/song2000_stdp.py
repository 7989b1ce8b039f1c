"""Song, Miller & Abbott (2000): STDP makes weights bimodal and the output rate stable.

One conductance-based integrate-and-fire neuron per condition, 1000 excitatory Poisson
inputs through additive STDP (A_plus = 0.005, A_minus/A_plus = 1.05, tau = 20 ms,
hard bounds 0 and g_max = 0.015) and 200 inhibitory ones at 10 Hz
(biornn.spiking.plasticity_protocols.song_abbott_neuron, parameters SONG2000).
As in the paper, the weights converge separately at each input rate (10, 20, 40 Hz),
each neuron learning on its own inputs for ``--duration`` seconds; all learning
neurons share one cpp_standalone network:

- the paper's step size A_plus = 0.005 at 10, 20 and 40 Hz (weights drawn uniformly);
- 10 Hz again from all weights at g_max (the equilibrium is reached from both sides);
- 40 Hz with A_plus 2x the paper's (a larger step is no free speed-up: the weights
  spread further from the bounds and the output rate rises).

Without STDP (a second, short network): the drawn uniform weights at each rate, and
the weights learned at 20 Hz frozen and driven at 10, 20 and 40 Hz.  Prints the
fraction of weights within 10% of each bound, the output rates (mean +- SD over the
last five recording intervals), their 40 Hz / 10 Hz ratios, the convergence history,
and the wall time; writes figures/song2000_stdp.png.

``--step-check 0.5,1`` runs only 40 Hz neurons with A_plus times each scale (the
step size moves the equilibrium; measured figures in the README's reproduction table).

Usage: ``python simulations/song2000_stdp.py [--duration 3000] [--dt 1e-4]
[--seed 0] [--out figures] [--target cpp_standalone] [--build-dir DIR]
[--step-check SCALES]``
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
                                                 song_abbott_neuron)

RATES = [10.0, 20.0, 40.0]
#: learning neurons: (label, input rate Hz, learning_scale, w_init as w / g_max)
LEARNING = [("10 Hz", 10.0, 1.0, None), ("20 Hz", 20.0, 1.0, None),
            ("40 Hz", 40.0, 1.0, None), ("10 Hz from g_max", 10.0, 1.0, 1.0),
            ("40 Hz, A+ x2", 40.0, 2.0, None)]
N_RECORD = 20          # recording intervals over the learning run
N_LAST = 5             # intervals the reported output rate is averaged over


def near_bounds(w):
    """Fractions of w / g_max within 10% of 0, of g_max, and of either."""
    low, high = (w < 0.1).mean(axis=-1), (w > 0.9).mean(axis=-1)
    return low, high, low + high


def step_check(scales, args):
    """The equilibrium at 40 Hz input for several step sizes (A_plus x scale)."""
    t0 = time.perf_counter()
    out = song_abbott_neuron([40.0] * len(scales), stdp=True, learning_scale=scales,
                             duration=args.duration, record_every=args.duration / N_RECORD,
                             dt=args.dt, target=args.target, directory=args.build_dir,
                             seed=args.seed)
    print(f"step-size check: 40 Hz input, {args.duration:g} s, dt = {args.dt * 1e3:g} ms, "
          f"seed {args.seed}, {args.target}: {time.perf_counter() - t0:.0f} s wall")
    print("   A_plus | out Hz (last 5 of 20 intervals) | near a bound | near 0 | near g_max"
          " | near a bound at 1/2 of the run")
    low, high, near = near_bounds(out["weights"])
    h = out["history"]
    for k, s in enumerate(scales):
        r = h["rates"][-N_LAST:, k]
        half = h["near_zero"][N_RECORD // 2, k] + h["near_max"][N_RECORD // 2, k]
        print(f"{SONG2000['A_plus'] * s:9.5f} | {r.mean():21.1f} +- {r.std(ddof=1):3.1f} | "
              f"{near[k]:12.2f} | {low[k]:6.2f} | {high[k]:10.2f} | {half:.2f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="figures")
    ap.add_argument("--duration", type=float, default=3000.0,
                    help="learning time (s) at every input rate")
    ap.add_argument("--fixed-duration", type=float, default=50.0,
                    help="run time (s) of the neurons with fixed weights")
    ap.add_argument("--target", default="cpp_standalone",
                    choices=("numpy", "cython", "cpp_standalone"))
    ap.add_argument("--build-dir", default=None,
                    help="cpp_standalone build folder (two subfolders; reused)")
    ap.add_argument("--dt", type=float, default=0.1e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--step-check", default=None, metavar="SCALES",
                    help="only the step-size check: 40 Hz neurons learning with A_plus "
                         "times each of these comma-separated scales, e.g. 0.5,1")
    args = ap.parse_args()
    if args.step_check:
        return step_check([float(x) for x in args.step_check.split(",")], args)
    rng = np.random.default_rng(args.seed)
    build = (lambda name: os.path.join(args.build_dir, name)) if args.build_dir else \
        (lambda name: None)
    t0 = time.perf_counter()
    learned = song_abbott_neuron(
        [c[1] for c in LEARNING], stdp=True, learning_scale=[c[2] for c in LEARNING],
        w_init=np.stack([rng.uniform(0, 1, SONG2000["n_ex"]) if c[3] is None
                         else np.full(SONG2000["n_ex"], c[3]) for c in LEARNING]),
        duration=args.duration, record_every=args.duration / N_RECORD, dt=args.dt,
        target=args.target, directory=build("learning"), seed=rng)
    t1 = time.perf_counter()
    w20 = learned["weights"][1]
    fixed = song_abbott_neuron(
        RATES * 2, stdp=False, w_init=np.stack([rng.uniform(0, 1, w20.size)] * 3 + [w20] * 3),
        duration=args.fixed_duration, record_every=args.fixed_duration / 10, dt=args.dt,
        target=args.target, directory=build("fixed"), seed=rng)
    wall = time.perf_counter() - t0

    def ratio(a, b):
        return a / b if b > 0 else float("inf")

    def rate(out, k, n_last):
        r = out["history"]["rates"][-n_last:, k]
        return r.mean(), r.std(ddof=1)

    print(f"Song, Miller & Abbott 2000: {args.duration:g} s of learning per neuron, "
          f"dt = {args.dt * 1e3:g} ms, seed {args.seed}, {args.target}: {wall:.0f} s wall "
          f"(learning network {t1 - t0:.0f} s, fixed-weight network {wall - t1 + t0:.0f} s; "
          "compilation included)")
    print(f"output rate = mean +- SD over the last {N_LAST} of {N_RECORD} intervals "
          f"({args.duration / N_RECORD * N_LAST:g} s) with STDP, over 5 x "
          f"{args.fixed_duration / 10:g} s with fixed weights")
    print("\nwith STDP (A+ = 0.005 unless noted):")
    print(f"{'neuron':>18} | {'out Hz':>12} | near a bound | near 0 | near g_max")
    low, high, near = near_bounds(learned["weights"])
    for k, (label, *_rest) in enumerate(LEARNING):
        m, s = rate(learned, k, N_LAST)
        print(f"{label:>18} | {m:6.1f} +- {s:3.1f} | {near[k]:12.2f} | {low[k]:6.2f} | "
              f"{high[k]:10.2f}")
    print("\nwithout STDP (fixed weights):")
    print(f"{'input Hz':>8} | {'drawn uniform':>13} | learned at 20 Hz, frozen")
    for k, r in enumerate(RATES):
        (m0, s0), (m1, s1) = rate(fixed, k, 5), rate(fixed, k + 3, 5)
        print(f"{r:8.0f} | {m0:6.1f} +- {s0:4.1f} | {m1:6.1f} +- {s1:4.1f}")
    stdp_rates = [rate(learned, k, N_LAST)[0] for k in range(3)]
    ratios = {"STDP": ratio(stdp_rates[2], stdp_rates[0]),
              "STDP, 10 Hz from g_max": ratio(stdp_rates[2], rate(learned, 3, N_LAST)[0]),
              "no STDP, uniform weights": ratio(rate(fixed, 2, 5)[0], rate(fixed, 0, 5)[0]),
              "no STDP, weights learned at 20 Hz": ratio(rate(fixed, 5, 5)[0],
                                                         rate(fixed, 3, 5)[0])}
    print("\noutput rate at 40 Hz / at 10 Hz input (input ratio 4):")
    for name, ratio in ratios.items():
        print(f"  {name}: {ratio:.2f}")
    paper = near[:3]
    print(f"\ntargets: >= 80% of weights within 10% of a bound (A+ = 0.005, 10/20/40 Hz): "
          f"{', '.join(f'{x:.2f}' for x in paper)} "
          f"({'met' if paper.min() >= 0.8 else 'not met'}); STDP output ratio < 1.5: "
          f"{ratios['STDP']:.2f} ({'met' if ratios['STDP'] < 1.5 else 'not met'})")
    h, times = learned["history"], learned["times"]
    print("\nconvergence (fraction within 10% of a bound / output rate Hz per interval):")
    print(f"{'t (s)':>7} | " + " | ".join(f"{c[0]:>17}" for c in LEARNING))
    for j in range(1, len(times), max(1, (len(times) - 1) // 10)):
        print(f"{times[j]:7.1f} | " + " | ".join(
            f"{h['near_zero'][j, k] + h['near_max'][j, k]:8.2f} {h['rates'][j, k]:8.1f}"
            for k in range(len(LEARNING))))

    os.makedirs(args.out, exist_ok=True)
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(13, 3.6))
    for k, (label, *_rest) in enumerate(LEARNING):
        ax1.hist(learned["weights"][k], bins=40, range=(0, 1), histtype="step", label=label)
        ax3.plot(times, h["near_zero"][:, k] + h["near_max"][:, k], label=label)
    ax1.set(xlabel="w / g_max", ylabel="synapses", yscale="log",
            title=f"weights after {args.duration:g} s of STDP")
    ax1.legend(fontsize=7)
    for k, label, mark in ((0, "no STDP, uniform weights", "o--"),
                           (3, "no STDP, learned at 20 Hz", "^--")):
        ax2.errorbar(RATES, [rate(fixed, k + i, 5)[0] for i in range(3)],
                     [rate(fixed, k + i, 5)[1] for i in range(3)], fmt=mark, label=label)
    ax2.errorbar(RATES, stdp_rates, [rate(learned, k, N_LAST)[1] for k in range(3)],
                 fmt="s-", label="STDP (learned at each rate)")
    ax2.set(xlabel="input rate (Hz)", ylabel="output rate (Hz)", yscale="log")
    ax2.legend(fontsize=7)
    ax3.axhline(0.8, color="k", lw=0.5)
    ax3.set(xlabel="time (s)", ylabel="fraction within 10% of a bound")
    fig.tight_layout()
    path = os.path.join(args.out, "song2000_stdp.png")
    fig.savefig(path, dpi=120)
    print("figure:", path)


if __name__ == "__main__":
    main()
