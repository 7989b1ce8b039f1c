"""Model seconds per spoken digit for the liquid, on every Brian2 target.

Each recording of a random subsample of the Free Spoken Digit Dataset is simulated
for its own duration (:func:`biornn.spiking.ragged.run_ragged`: duration buckets,
many recordings as independent copies of the column in one network) by a Maass
(2002) liquid of 135 (15 x 3 x 3) and 1000 (10 x 10 x 10) neurons at dt = 1 ms,
fed the front end's cochleagram (32 channels, 100 frames/s, per-channel gain) as
Ben's Spiker Algorithm spikes (the input every target runs; ``--input current``
times the injected current on numpy/cython).

Printed per size and target: model seconds per recording (wall clock, and CPU
time of this process and its children, which the load of a shared machine
disturbs less), the liquid's mean firing rate, the CPU seconds per recording of
forming the readout states from the spikes (the state filter, outside the
simulation) and, for ``cpp_standalone``, the
one-time build (the binary is shared by every liquid seed and every duration, so
a whole study compiles it once per size).  Timings are medians of ``--repeats``
runs after a first (warm-up/compile) run.  Then the full spoken-digit study's
liquid cost is estimated: 2,500 recordings once per seed (both splits read the
same states), ``--seeds`` seeds, plus ``--grid`` validation settings on all
recordings, for both sizes.

Usage: ``python benchmarks/liquid_spoken_digits.py [--recordings 40]
[--targets numpy,cython,cpp_standalone] [--sizes 135,1000]``.  The data (CC BY-SA
4.0, Jackson et al., FSDD) are read in place.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import biornn as bn  # noqa: E402
from biornn import audio  # noqa: E402
from biornn.experiments.spoken_digits import liquid_shape, resolve_root  # noqa: E402
from biornn.spiking import LSM, ragged  # noqa: E402

FRAME_RATE, FULL_SCALE = 100.0, 5.0


def cpu_seconds():
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def filter_cost(spikes, durations, n):
    """CPU seconds per recording to turn a run's spikes into readout states (the
    30 ms exponential filter sampled once per frame), the part outside the simulation."""
    c0 = time.process_time()
    for (i, t), d in zip(spikes, durations):
        bn.states.exponential_filter(i, t, n, bn.states.sample_times(d, 1 / FRAME_RATE), 0.03)
    return (time.process_time() - c0) / len(spikes)


def simulate(lsm, inputs, durations, args):
    t0, c0 = time.perf_counter(), cpu_seconds()
    if args.input == "current":
        out = ragged.run_analog_ragged(lsm, inputs, input_dt=1 / FRAME_RATE,
                                       input_scale=args.input_scale, seed=1,
                                       n_buckets=args.buckets, output="spikes")
    else:
        out = ragged.run_ragged(lsm, inputs, durations, seed=1, n_buckets=args.buckets,
                                output="spikes")
    return time.perf_counter() - t0, cpu_seconds() - c0, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default="", help="FSDD recordings; '' looks where the "
                    "spoken_digits spec does ($BIORNN_FSDD, ../shared/data/fsdd/recordings)")
    ap.add_argument("--recordings", type=int, default=40)
    ap.add_argument("--numpy-recordings", type=int, default=8,
                    help="numpy is slow: fewer recordings there")
    ap.add_argument("--sizes", default="135,1000")
    ap.add_argument("--targets", default="numpy,cython,cpp_standalone")
    ap.add_argument("--input", default="bsa", choices=("bsa", "poisson", "current"))
    ap.add_argument("--max-rate", type=float, default=200.0, help="Hz at full scale")
    ap.add_argument("--input-scale", type=float, default=3e-10, help="A (input=current)")
    ap.add_argument("--buckets", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--grid", type=int, default=1,
                    help="validation simulations per size (input levels; the state-filter "
                    "grid shares one)")
    ap.add_argument("--study-recordings", type=int, default=2500)
    args = ap.parse_args()

    import brian2
    data = bn.tasks.spoken_digits(resolve_root(args.root))
    pick = np.random.default_rng(0).choice(len(data), args.recordings, replace=False)
    coch = audio.cochleagram([data.audio[i] for i in pick], data.sample_rate,
                             n_channels=32, frame_rate=FRAME_RATE, normalize="channel")
    durations = np.array([c.shape[0] / FRAME_RATE for c in coch])
    all_durations = np.array([a.size / data.sample_rate for a in data.audio])
    spikes = (coch if args.input == "current" else
              audio.spike_encode([c / FULL_SCALE for c in coch], args.input,
                                 frame_rate=FRAME_RATE, max_rate=args.max_rate, seed=0))
    print(f"biornn liquid, Brian2 {brian2.__version__}, numpy {np.__version__}; "
          f"{args.recordings} random FSDD recordings (mean {durations.mean():.3f} s; all "
          f"{len(data)}: mean {all_durations.mean():.3f} s, max {all_durations.max():.2f} s), "
          f"input {args.input}, dt 1 ms, {args.buckets} duration buckets; machine load "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (timings are noisy under load)")
    print(f"{'neurons':>7} {'target':>15} {'recs':>4} {'wall s/rec':>10} {'cpu s/rec':>9} "
          f"{'rate Hz':>7} {'first run s':>11} {'filter cpu s/rec':>16}")
    cost = {}
    for n in (int(s) for s in args.sizes.split(",")):
        for target in args.targets.split(","):
            k = args.numpy_recordings if target == "numpy" else args.recordings
            lsm = LSM.from_model("maass2002_lsm", shape=liquid_shape(n), n_inputs=32,
                                 sample_interval=1 / FRAME_RATE, dt="1 ms", target=target,
                                 seed=2)
            if target == "cpp_standalone" and args.input == "current":
                print(f"{n:>7} {target:>15}  (analog current runs on numpy/cython only)")
                continue
            first, _, out = simulate(lsm, spikes[:k], durations[:k], args)
            runs = [simulate(lsm, spikes[:k], durations[:k], args)[:2]
                    for _ in range(args.repeats)]
            wall, cpu = (float(np.median(v)) / k for v in zip(*runs))
            rate = sum(i.size for i, _ in out) / n / durations[:k].sum()
            cost[(n, target)] = wall, cpu
            print(f"{n:>7} {target:>15} {k:>4} {wall:>10.4f} {cpu:>9.4f} {rate:>7.1f} "
                  f"{first:>11.1f} {filter_cost(out, durations[:k], n):>16.5f}", flush=True)
    runs_per_size = args.study_recordings * (args.seeds + args.grid)
    print(f"\nfull study, liquid part: {args.study_recordings} recordings x ({args.seeds} "
          f"seeds + {args.grid} validation settings) per size")
    for target in args.targets.split(","):
        sizes = [n for (n, t) in cost if t == target]
        if sizes:
            wall = sum(cost[(n, target)][0] for n in sizes) * runs_per_size
            cpu = sum(cost[(n, target)][1] for n in sizes) * runs_per_size
            print(f"  {target:>15} sizes {sizes}: {wall / 60:.1f} min wall, "
                  f"{cpu / 60:.1f} min CPU (at the median cost above)")


if __name__ == "__main__":
    main()
