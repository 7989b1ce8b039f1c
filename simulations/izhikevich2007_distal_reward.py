"""Izhikevich (2007): solving the distal reward problem with STDP and dopamine.

Independent networks (one per seed, all in one Brian2 run; cpp_standalone by default)
of the paper's size, 800 regular-spiking and 200 fast-spiking Izhikevich neurons with
100 targets each (100,000 synapses, the 80,000 excitatory ones plastic by
reward-modulated STDP; biornn.spiking.plasticity_protocols.izhikevich_distal_reward).
In each network one random excitatory synapse n1 -> n2 starts at 0; every time n2
fires within 20 ms after n1 a reward follows 1-3 s later.  The paper's result: that
synapse grows to the maximum (4 mV); the issue's target adds that the others' mean
stays within 10% of its start (1 mV).  Two rules (``--rule both``, the default, runs
five networks of each): ``paper``, the synapses see ``(0.002 + DA) / 10 ms``, and
``centred``, a departure: ``(0.002 + DA - dbar) / 10 ms`` with ``dbar`` the running
mean of ``0.002 + DA`` (``--tau-mean``, 10 s), which removes the drift ``E[c] E[d]``
that moves every synapse by the sign of its mean tag (biornn.spiking.reward).  Prints
per network the rewarded weight and the others' mean and quartiles over time, the
final figures, and per rule how many networks meet each target; writes
<out>/izhikevich2007_distal_reward.png.

Measured (``--duration 1200``: 1200 of the paper's 3600 s, what fitted the session;
1204 s wall, 427 s CPU (user + system, /usr/bin/time; the build directory reused), of
which the simulation 420 s: 0.035 CPU s per network and model second, so the paper's
hour x 10 networks is ~21 CPU minutes; the 2-core machine was shared, wall time noisy)
------------------------------------------------------------------------------------
- paper: the rewarded synapse at 1200 s 0.84 / 1.00 / 0.78 / 1.00 / 1.00 w_max (>= 0.9:
  3 of 5; 4 of 5 at 1080 s), 53-68 rewards; the others' mean 0.250 -> 0.157-0.165
  (-34% to -37%), quartiles 0.01-0.02 / 0.09 / 0.24: depressed, as the sign of
  their mean tag predicts (A- = 1.5 A+, tau+ = tau- = 20 ms, weakly correlated spikes
  at 1.27 Hz).  Both targets: 0 of 5.
- centred: the rewarded synapse 0.96 / 0.78 / 0.47 / 0.87 / 0.34 (1 of 5; slower,
  likely because its own positive mean tag no longer helps), 34-70 rewards; the
  others' median stays at the start (0.26-0.28) but the mean rises to 0.278-0.325
  (+11% to +30%).  Our reading: with the bias gone the weights still diffuse (each reward moves
  every tagged synapse by its tag times the reward's dopamine, of either sign), the
  quartiles spread to 0.12-0.13 / 0.40-0.48, and the bound at 0, a quarter of the
  range below the start, turns the symmetric spread into a rising mean.  Both
  targets: 0 of 5.
- centred, longer (``--rule centred --duration 2400``, five other networks, 983 s wall,
  410 s CPU): the rewarded synapse 1.00 / 0.99 / 0.96 / 0.84 / 0.98 (4 of 5), 125-258
  rewards, but the others keep rising, now the median too: mean 0.344-0.436 (+38% to
  +74%), quartiles 0.09-0.18 / 0.26-0.40 / 0.56-0.67, 6-9% >= 0.9 w_max, rates
  1.5-1.9 Hz.  With E[d] = 0 what is left is Cov(c, d); a likely reading (not
  measured): stronger weights raise the rate and the number of rewards, and many
  synapses are tagged in the same bursts that make n2 fire after n1, so the
  covariance is positive for more than the rewarded synapse.  Both targets: 0 of 5.
- paper, longer (``--rule paper --duration 2400``, the same five networks as the
  line above: same seed, same draws; 735 s wall, 354 s CPU): the rewarded synapse
  1.00 / 1.00 / 1.00 / 0.83 / 0.99 (4 of 5), 104-151 rewards; the others' mean
  settled from ~1200 s at 0.155-0.173 (-31% to -38%), quartiles 0.01 / 0.08-0.09 /
  0.21-0.24, 23-25% at <= 0.01 w_max, 1.5-2.3% >= 0.9, rates 1.25-1.27 Hz.  Both
  targets: 0 of 5.
So the paper's rule fails the "others stay put" target by depressing them; centring
the dopamine removes that depression but not the slower rise that follows; in neither
do most of the five networks meet both targets.  Earlier figures
(commit 9db6044, smaller networks ``--n-exc 160 --n-inh 40``, 3600 s): paper rule
rewarded 0.96-1.00 in 5 of 5, others' mean -31% to -42%; ``--ratio 1.2`` rewarded
>= 0.9 in all five at 1080 s, then the others split to the bounds (+50% to +54%) and
the rewarded ended 0.30-0.99 (2 of 5).

What the paper's published code does (daspnet.m, read for comparison) and what differs
------------------------------------------------------------------------------------
The same here: weights move every 10 ms by ``(0.002 + DA) sd`` and are clipped to
[0, 4] mV; the tag decays ``sd <- 0.99 sd`` per 10 ms (tau ~ 1 s); ``DA`` decays by
0.995 per ms (tau 0.2 s) and a reward adds 0.5; STDP amplitudes 0.1 mV (LTP) and
0.15 mV (LTD, 1.5 x) with 20 ms traces; 1 mV start, 1 ms delays, noise 13 (rand -
0.5) per ms.  Different (also printed): the code's STDP traces keep the nearest spike
(reset to 0.1), here they add over spikes; the code schedules one reward per
coincidence (any number pending), here one at a time; the code draws targets with
repeats and autapses, here without; the code integrates v in two 0.5 ms steps and u
in one 1 ms step, here Euler at 0.5 ms.  What the paper's own Fig. 1 shows for the
other synapses could not be looked up in this session; the code plots their
histogram without a statistic.

Usage: ``python simulations/izhikevich2007_distal_reward.py [--rule both|paper|centred]
[--seeds 5] [--duration 3600] [--tau-mean 10] [--ratio 1.5] [--learning-scale 1]
[--n-exc 800 --n-inh 200] [--build-dir DIR] [--out figures]``
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
             ("targets", "with repeats and autapses (code)", "without", "one synapse per pair"),
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
