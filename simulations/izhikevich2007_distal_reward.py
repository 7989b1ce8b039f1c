"""Izhikevich (2007): solving the distal reward problem with STDP and dopamine.

Independent networks (one per seed, all in one Brian2 run; cpp_standalone by default)
of regular-spiking (80%) and fast-spiking (20%) Izhikevich neurons, 100 targets each,
the excitatory synapses plastic by reward-modulated STDP
(biornn.spiking.plasticity_protocols.izhikevich_distal_reward).  In each network one
random excitatory synapse n1 -> n2 starts at 0; every time n2 fires within 20 ms after
n1 a reward follows 1-3 s later.  The paper's result: that synapse grows to the maximum
(4 mV) while the others stay near their start (1 mV).  Prints the rewarded weight and
the others' distribution (mean, quartiles) over time, how many networks meet each
target (rewarded >= 90% of max; others' mean within 10% of the start) and the wall
time; writes figures/izhikevich2007_distal_reward.png.

Why the others drift (measured; the target is not met)
------------------------------------------------------
The weight of every synapse moves by (tonic + phasic dopamine) x its eligibility, and
rewards arrive at times unrelated to all synapses but the rewarded one, so the others
follow the sign of their mean eligibility, and the rule is additive STDP, whose
weights split towards the bounds once they spread.  With the paper's A- = 1.5 A+
(tau+ = tau- = 20 ms; the same 1.5 in the paper's published code, daspnet.m) the
window's integral is negative and the network's pairs are only weakly correlated at
~1.4 Hz, so the others are depressed: 5 networks of 200 neurons for 3600 s (this
script's default) end with the rewarded synapse at 1.00 / 1.00 / 0.99 / 0.99 / 0.96
w_max and the others' mean 0.25 -> 0.15-0.17 (-31% to -42%); at the paper's size the
protocol function (``izhikevich_distal_reward(1, seed=0, n_exc=800, n_inh=200,
ratio=R)``, what ``--seeds 1 --n-exc 800 --n-inh 200 --ratio R`` runs) moves it 0.250
-> 0.203 in 200 s at R = 1.5, 0.248 in 300 s at R = 1.2 and 0.287 in 300 s at R =
1.05.  So less LTD removes the early depression, but the balance does not hold: at R
= 1.2 the 200-neuron networks (``--ratio 1.2``, 3600 s, 2485 s wall on the loaded
2-core machine) first fall (0.22-0.25 at 540 s), then the spread weights split towards
the bounds and the mean settles at +50% to +54% from ~1800 s on (quartiles 0.06-0.07 /
0.28-0.30 / 0.66-0.67, 11-12% of the others >= 0.9 w_max, rates 2.0-2.2 Hz); the
rewarded synapse is >= 0.9 in all five at 1080 s but, competing with them, ends at
0.54 / 0.99 / 0.30 / 0.48 / 0.92 (2 of 5).  The density matters too (each neuron
reaches half of a 200-neuron network, a tenth of the paper's), so the 200-neuron
networks stand in for the paper's only roughly.  The default keeps the paper's
ratio; ``--ratio`` changes it (printed as a deviation).

Deviations from the paper (also printed)
----------------------------------------
- Network size (default): five networks of 200 neurons (160 RS + 40 FS, each with the
  paper's 100 targets, so the paper's in-degree) instead of one of 1000, to have five
  seeds within the time available on a 2-core machine; ``--n-exc 800 --n-inh 200``
  runs the paper's network (five times the cost per network).
- STDP traces add up over spikes (all-to-all pairs; the paper's code keeps the nearest
  spike only), the network is integrated with forward Euler at 0.5 ms (the paper's
  code: two 0.5 ms steps of v, one 1 ms step of u), delays are 1 ms (as the paper's
  code for Fig. 1, ``D = 1``), targets are drawn without repeats or self-connections.

Usage: ``python simulations/izhikevich2007_distal_reward.py [--seeds 5]
[--duration 3600] [--ratio RATIO] [--learning-scale 1] [--n-exc 160 --n-inh 40]
[--out figures]``
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import matplotlib                                            # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt                              # noqa: E402
import numpy as np                                           # noqa: E402

from biornn.spiking.plasticity_protocols import (IZHIKEVICH2007,  # noqa: E402
                                                 izhikevich_distal_reward)

#: A-/A+ used by default: the paper's (1.5); other values are printed as deviations.
RATIO = IZHIKEVICH2007["ratio"]
RULES = {"paper": [False], "centred": [True], "both": [False, True]}


def deviations(args):
    """Rows (what, paper, here, why) for every setting that differs from the paper."""
    rows = []
    if args.rule != "paper":
        rows.append(("dopamine seen by the synapses", "(0.002 + DA) / 10 ms",
                     f"centred: (0.002 + DA - dbar) / 10 ms, tau_mean {args.tau_mean:g} s",
                     "removes the drift E[c] E[d] of the unrewarded synapses "
                     "(rule 'centred' only; see biornn.spiking.reward)"))
    if args.ratio != IZHIKEVICH2007["ratio"]:
        rows.append(("A-/A+", "1.5", f"{args.ratio:g}", "less LTD against the paper's "
                     "ratio's depression of the others (see docstring)"))
    if (args.n_exc, args.n_inh) != (800, 200):
        rows.append(("network", "1 x (800 RS + 200 FS)",
                     f"{args.seeds} x ({args.n_exc} RS + {args.n_inh} FS)",
                     "seeds within the time available; in-degree 100 kept"))
    if args.learning_scale != 1:
        rows.append(("A+, A- scale", "1", f"{args.learning_scale:g}",
                     f"{args.duration:g} s stands for {args.duration * args.learning_scale:g} s"))
    if args.duration != 3600:
        rows.append(("duration", "3600 s", f"{args.duration:g} s", "shorter run"))
    rows += [("STDP pairs", "nearest spike (code)", "all-to-all traces", "biornn's R-STDP rule"),
             ("rewards pending", "any number (code)", "one at a time", "the closed loop in "
              "Brian2 holds one scheduled reward per network"),
             ("integration", "v: 2 x 0.5 ms, u: 1 ms", "Euler, 0.5 ms", "Brian2 state updater")]
    return rows


def report(r, rows, label, start):
    """Print the time course and the final figures of the networks ``rows``; return
    the number that meet both targets."""
    q = r["others_quartiles"]
    print(f"--- rule: {label} ({len(rows)} networks) ---")
    print("time s | rewarded w/w_max per network | others' mean [25% 50% 75%] per network "
          "(500 sampled synapses)")
    for k in range(0, len(r["times"]), max(1, len(r["times"]) // 10)):
        others = "  ".join(f"{r['others_mean'][k, j]:.3f} [{q[k, j, 0]:.2f} {q[k, j, 1]:.2f} "
                           f"{q[k, j, 2]:.2f}]" for j in rows)
        print(f"{r['times'][k]:6.0f} | " + " ".join(f"{r['rewarded'][k, j]:.2f}" for j in rows)
              + " | " + others)
    final, others = r["rewarded"][-1, rows], r["others_final"][rows]
    grown = final >= 0.9
    put = np.abs(others.mean(axis=1) - start) <= 0.1 * start
    for k, j in enumerate(rows):
        qk = np.percentile(others[k], [25, 50, 75])
        print(f"network {j}: rewards {int(r['n_rewards'][j])}, rate {r['rates'][j]:.2f} Hz, "
              f"rewarded {final[k]:.2f}, all others: mean {others[k].mean():.3f} "
              f"({100 * (others[k].mean() / start - 1):+.0f}% of the start {start:.3f}), "
              f"quartiles {qk[0]:.2f}/{qk[1]:.2f}/{qk[2]:.2f}, "
              f"fraction <= 0.01: {np.mean(others[k] <= 0.01):.4f}, "
              f">= 0.9: {np.mean(others[k] >= 0.9):.4f}")
    both = int((grown & put).sum())
    print(f"{label}: rewarded synapse >= 0.9 w_max: {grown.sum()} of {len(rows)}; others' "
          f"mean within 10% of the start: {put.sum()} of {len(rows)}; both: {both} of "
          f"{len(rows)}")
    return both


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="figures")
    ap.add_argument("--seeds", type=int, default=5, help="networks per rule")
    ap.add_argument("--rule", default="both", choices=tuple(RULES),
                    help="paper: Izhikevich's dopamine; centred: minus its running mean")
    ap.add_argument("--tau-mean", type=float, default=IZHIKEVICH2007["tau_mean"])
    ap.add_argument("--duration", type=float, default=3600.0)
    ap.add_argument("--ratio", type=float, default=RATIO, help="A-/A+ (the paper: 1.5)")
    ap.add_argument("--learning-scale", type=float, default=1.0)
    ap.add_argument("--target", default="cpp_standalone",
                    choices=("numpy", "cython", "cpp_standalone"))
    ap.add_argument("--build-dir", default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n-exc", type=int, default=800)
    ap.add_argument("--n-inh", type=int, default=200)
    args = ap.parse_args()
    centred = np.repeat(RULES[args.rule], args.seeds)
    t0, c0 = time.perf_counter(), time.process_time()
    r = izhikevich_distal_reward(len(centred), duration=args.duration,
                                 record_every=args.duration / 20, target=args.target,
                                 directory=args.build_dir, seed=args.seed,
                                 learning_scale=args.learning_scale, ratio=args.ratio,
                                 n_exc=args.n_exc, n_inh=args.n_inh, centred=centred,
                                 tau_mean=args.tau_mean)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    ch = os.times()
    cpu_children = ch.children_user + ch.children_system
    start = r["others_start"]
    n = args.n_exc + args.n_inh
    print(f"Izhikevich 2007 distal reward: {len(centred)} networks ({args.seeds} per rule) x "
          f"{n} neurons x {n * 100:,} synapses ({args.n_exc * 100:,} plastic), "
          f"{args.duration:g} s, A-/A+ {args.ratio:g}, learning scale {args.learning_scale:g}, "
          f"{args.target}: {wall:.0f} s wall, CPU {cpu:.0f} s (this process) + "
          f"{cpu_children:.0f} s (compiler and standalone binary), build included")
    print("deviations from the paper:")
    for what, paper, here, why in deviations(args):
        print(f"  {what}: paper {paper}, here {here} ({why})")
    labels = {False: "paper", True: f"centred (tau_mean {args.tau_mean:g} s)"}
    groups = {c: np.flatnonzero(centred == c) for c in RULES[args.rule]}
    for c, rows in groups.items():
        report(r, rows, labels[c], start)
    os.makedirs(args.out, exist_ok=True)
    q = r["others_quartiles"]
    fig, axes = plt.subplots(len(groups), 2, figsize=(10, 3.8 * len(groups)), squeeze=False)
    for (c, rows), (ax1, ax2) in zip(groups.items(), axes):
        lines = ax1.plot(r["times"], r["rewarded"][:, rows], "-", lw=1.5)
        for j, line in zip(rows, lines):
            ax1.plot(r["times"], r["others_mean"][:, j], ":", color=line.get_color(), lw=1)
            ax1.fill_between(r["times"], q[:, j, 0], q[:, j, 2], color=line.get_color(),
                             alpha=0.1)
        ax1.axhline(0.9, color="0.6", lw=0.5)
        ax1.set(xlabel="time (s)", ylabel="w / w_max", ylim=(0, 1.02),
                title=f"{labels[c]}: rewarded (solid), others' mean (dotted), quartiles")
        ax2.hist(r["others_final"][rows].T, bins=40, range=(0, 1), histtype="step")
        ax2.axvline(start, color="k", lw=0.5)
        ax2.set(xlabel="w / w_max", ylabel="synapses", title="other weights at the end")
    fig.tight_layout()
    path = os.path.join(args.out, "izhikevich2007_distal_reward.png")
    fig.savefig(path, dpi=120)
    print("figure:", path)


if __name__ == "__main__":
    main()
