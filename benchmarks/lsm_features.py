"""Cost of the biophysical features in the liquid: run time with each feature on, and all.

For the 135-neuron column of Maass et al. (2002) (``--trials`` trials of 0.5 s,
batched as copies in one network, 10 Poisson channels at 20 Hz) and the 1000-neuron
liquid of ``benchmarks/lsm_trials.py`` (one 1 s trial), the script prints the run
time with no feature, with each of STDP (E->E), gap junctions (I-I), NMDA dendrites
(E cells) and GABA_B (I->E), and with all four, and the ratio to no feature.  The
network is built (and compiled) by a first run that is not timed; figures are
medians of ``--repeats`` runs of this process's CPU time for numpy/cython (robust
on a shared machine; the runs are single-threaded) and the binary's own reported
simulation time for ``cpp_standalone``.

Targets: each feature's ratio <= 2, all four <= 4 (the script prints whether each
row meets its target).  Features run at the parameters of ``models/lsm_features.toml``.

Usage: ``python benchmarks/lsm_features.py [--target numpy] [--sizes 135 1000]``.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import brian2 as b2  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import biornn as bn  # noqa: E402
from biornn.spiking import LSM  # noqa: E402
from lsm_trials import big_liquid_kwargs  # noqa: E402

ALL = ("stdp", "gap_junctions", "dendrites", "gabab")
CONFIGS = [("none", ())] + [(name, (name,)) for name in ALL] + [("all four", ALL)]


def features_for(names, size):
    """Feature dict.  The 1000-neuron liquid scales its amplitudes by 5/100 (about 20x
    more synapses per neuron); the STDP bound (3 x the mean E->E amplitude) and the
    GABA_B receptors per synapse are scaled alike."""
    scale = 5 / 100 if size == 1000 else 1.0
    special = {"stdp": {"A_max": 3 * 30e-9 * scale}, "gabab": {"weight": scale}}
    return {name: special.get(name, True) for name in names}


def measure(size, names, target, trials, repeats, method="exact"):
    kwargs = big_liquid_kwargs() if size == 1000 else {}
    duration = 1.0 if size == 1000 else 0.5
    n_trials = 1 if size == 1000 else trials
    data = bn.tasks.spike_templates(n_templates=2, n_channels=10, duration=duration,
                                    rate=20.0, jitter=0.004, n_trials=n_trials, seed=0)
    seeds = list(range(n_trials))
    lsm = LSM.from_model("maass2002_lsm", seed=1, target=target,
                         features=features_for(names, size), method=method, **kwargs)
    lsm.run(data.inputs, seed=seeds, progress=False)            # build / compile
    times, spikes = [], None
    for _ in range(repeats):
        t0 = time.process_time()
        spikes = lsm.run(data.inputs, seed=seeds, output="spikes", progress=False)
        cpu = time.process_time() - t0
        times.append(lsm._simulator.last_run_time if target == "cpp_standalone" else cpu)
    rate = sum(len(i) for i, _ in spikes) / n_trials / lsm.n_neurons / duration
    return float(np.median(times)), rate


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--target", default="numpy", choices=["numpy", "cython", "cpp_standalone"])
    ap.add_argument("--sizes", nargs="*", type=int, default=[135, 1000])
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--only", nargs="*", default=None,
                    help="feature rows to run besides 'none' (e.g. dendrites 'all four')")
    args = ap.parse_args()
    print(f"python {platform.python_version()}, brian2 {b2.__version__}, numpy "
          f"{np.__version__}, biornn {bn.__version__}, target {args.target}; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} "
          "(shared machine: timings are indicative)")
    for size in args.sizes:
        what = f"{args.trials} trials x 0.5 s" if size == 135 else "1 trial x 1 s"
        print(f"\n== {size}-neuron liquid, {what} ==")
        print(f"{'features':15s} {'time (s)':>9s} {'ratio':>6s} {'rate (Hz)':>9s}"
              "   (time: CPU s, or the binary's run time for cpp_standalone)")
        base = None
        for label, names in CONFIGS:
            if args.only is not None and label != "none" and label not in args.only:
                continue
            t, rate = measure(size, names, args.target, args.trials, args.repeats)
            base = t if base is None else base
            target = None if label == "none" else (4.0 if label == "all four" else 2.0)
            verdict = "" if target is None else \
                f"   target <= x{target:g}: {'met' if t / base <= target else 'MISSED'}"
            print(f"{label:15s} {t:9.3f} {t / base:6.2f} {rate:9.1f}{verdict}", flush=True)
        # the dendrites and GABA_B make the equations nonlinear: the liquid then
        # integrates with "euler" instead of "exact"; this row separates that effect
        t, rate = measure(size, (), args.target, args.trials, args.repeats, method="euler")
        print(f"{'none (euler)':15s} {t:9.3f} {t / base:6.2f} {rate:9.1f}", flush=True)


if __name__ == "__main__":
    main()
