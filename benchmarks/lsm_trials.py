"""Trials per second of the liquid state machine: naive Brian2 loop vs biornn's batching.

Part 1, the 135-neuron column of Maass et al. (2002), 0.5 s trials driven by 10
Poisson input channels (20 Hz):

(a) naive: what a Brian2 user writes first: one network of one column,
    ``restore()``, new input spikes and initial potentials, ``run()``, per trial
    (biornn's ``run(..., chunk_size=1)`` is exactly that loop);
(b) batched: all trials as independent copies of the column in one network.

for the numpy and cython targets, and the ``cpp_standalone`` device (batched; the
binary is compiled once and re-run with new input files).  Compile and build times
are reported apart from the per-trial figures.

Part 2, big liquids of 1000 neurons (10 x 10 x 10, lambda = 6) and 10,000 neurons
(25 x 20 x 20, lambda = 4.5), both with about 100 dynamic synapses per neuron (the
figure drawn is printed) and amplitudes scaled by 5/100 to keep the activity in a
normal range, one 1 s trial driven by the same 10 channels at 20 Hz: seconds per
simulated second and synaptic events per second for each target, the
``cpp_standalone`` binary also built with OpenMP (``--openmp 2``: Brian2's
``prefs.devices.cpp_standalone.openmp_threads``), and NEST (``iaf_psc_exp`` +
``tsodyks2_synapse`` on the same connectivity, initial potentials and input) with
one and two threads when installed (``pip install nest-simulator``; the script says
when it is absent), with the ratios.  The last lines say how each simulator's time
grows from the smaller to the larger liquid.  Drawing the 10,000-neuron
connectivity takes a few GB of memory for a moment (a dense n x n probability).

Figures are medians over repeats.  Usage: ``python benchmarks/lsm_trials.py [--help]``;
``--quick`` (1000 and 2000 neurons, no column part, one repeat) for a short check.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import brian2 as b2  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import biornn as bn  # noqa: E402
from biornn.spiking import LSM  # noqa: E402


def cpu_time():
    """CPU seconds of this process and its finished children (the standalone binary)."""
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + child.ru_utime + child.ru_stime


def timed(fn, repeats):
    """Median wall time, median CPU time and the last result of ``repeats`` calls.

    On a shared machine the CPU time is the steadier figure: it does not count the
    time the process waits for a core.
    """
    walls, cpus, out = [], [], None
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), cpu_time()
        out = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(cpu_time() - c0)
    return float(np.median(walls)), float(np.median(cpus)), out


def synaptic_events(lsm, inputs, spikes):
    """Recurrent + input synaptic events: each spike times its neuron's out-degree."""
    out_deg = np.zeros(lsm.n_neurons)
    for proj in lsm.recurrent.values():
        np.add.at(out_deg, proj.pre, 1)
    n_ch = max(int(c.max()) for c, _ in inputs if c.size) + 1
    in_deg = np.bincount(lsm.input_projection(n_ch).pre, minlength=n_ch)
    return (sum(out_deg[i].sum() for i, _ in spikes)
            + sum(in_deg[c].sum() for c, _ in inputs))


def column(args):
    n_trials, duration = args.trials, 0.5
    data = bn.tasks.spike_templates(n_templates=2, n_channels=10, duration=duration,
                                    rate=20.0, jitter=0.004, n_trials=n_trials, seed=0)
    seeds = list(range(n_trials))
    print(f"\n== 135-neuron column, {n_trials} trials x {duration} s, 10 input channels ==")
    rows = {}
    for target in args.targets:
        lsm = LSM.from_model("maass2002_lsm", seed=1, target=target)
        if target != "cpp_standalone":
            t0 = time.perf_counter()
            lsm.run(data.inputs[:1], seed=seeds[:1], chunk_size=1, progress=False)
            first = time.perf_counter() - t0
            n_naive = args.naive_trials
            t_naive, c_naive, _ = timed(
                lambda: lsm.run(data.inputs[:n_naive], seed=seeds[:n_naive], chunk_size=1,
                                progress=False), args.repeats)
            naive = n_naive / t_naive
            print(f"{target:15s} naive store/restore loop: {naive:7.2f} trials/s wall, "
                  f"{n_naive / c_naive:7.2f} per CPU-s "
                  f"(median of {args.repeats} x {n_naive} trials; first trial incl. "
                  f"build/compile {first:.1f} s)")
        else:
            naive = None
        t0 = time.perf_counter()
        lsm.run(data.inputs, seed=seeds, progress=False)
        first = time.perf_counter() - t0
        t_batch, c_batch, spikes = timed(
            lambda: lsm.run(data.inputs, seed=seeds, output="spikes", progress=False),
            args.repeats)
        batched = n_trials / t_batch
        events = synaptic_events(lsm, data.inputs, spikes)
        line = (f"{target:15s} batched ({n_trials} copies):  {batched:7.2f} trials/s wall, "
                f"{n_trials / c_batch:7.2f} per CPU-s, "
                f"{events / t_batch / 1e6:6.2f} M synaptic events/s (first run incl. "
                f"build/compile {first:.1f} s)")
        if naive:
            line += f"; ratio b/a = {batched / naive:.1f} (CPU: {c_naive / n_naive * n_trials / c_batch:.1f})"
        print(line)
        if target == "cpp_standalone":
            binary, binary_cpu = lsm._simulator.last_run_time, lsm._simulator.last_cpu_time
            print(f"{'':15s} binary alone: {n_trials / binary:7.1f} trials/s "
                  f"({binary:.2f} s of the {t_batch:.2f} s per run; whole binary "
                  f"{binary_cpu:.2f} CPU-s = {n_trials / binary_cpu:.1f} trials per CPU-s); rate "
                  f"{sum(len(i) for i, _ in spikes) / n_trials / 135 / duration:.1f} Hz")
        rows[target] = (naive, batched)
    return rows


# grid and lambda per size: about 100 recurrent synapses per neuron (the script prints
# the drawn figure); amplitudes scaled by 5/100 as for the 1000-neuron liquid
LIQUIDS = {1000: ((10, 10, 10), 6.0), 2000: ((20, 10, 10), 5.2), 10000: ((25, 20, 20), 4.5)}


def big_liquid_kwargs(n_neurons=1000):
    shape, length_constant = LIQUIDS[n_neurons]
    scale = 5 / 100
    syn = {k: {"A": v} for k, v in {"EE": 30e-9 * scale, "EI": 60e-9 * scale,
                                     "IE": -19e-9 * scale, "II": -19e-9 * scale}.items()}
    return dict(shape=shape, length_constant=length_constant, synapses=syn)


def big_liquid(args, n_neurons):
    """Seconds per simulated second of one 1 s trial, per target and NEST thread count."""
    duration = 1.0
    data = bn.tasks.spike_templates(n_templates=1, n_channels=10, duration=duration,
                                    rate=20.0, jitter=0.0, n_trials=1, seed=0)
    print(f"\n== {n_neurons}-neuron liquid, 1 trial x {duration} s ==")
    results = {}
    runs = [(t, 0) for t in args.big_targets] + \
        [("cpp_standalone", k) for k in args.openmp if "cpp_standalone" in args.big_targets]
    for target, threads in runs:
        name = target + (f" OpenMP x{threads}" if threads else "")
        b2.prefs.devices.cpp_standalone.openmp_threads = threads
        t0 = time.perf_counter()
        lsm = LSM.from_model("maass2002_lsm", seed=1, target=target,
                             **big_liquid_kwargs(n_neurons))
        drawn = time.perf_counter() - t0
        t0 = time.perf_counter()
        lsm.run(data.inputs, seed=[0], progress=False)
        first = time.perf_counter() - t0
        wall, cpu, spikes = timed(lambda: lsm.run(data.inputs, seed=[0], output="spikes",
                                                  progress=False), args.repeats)
        sim = lsm._simulator.last_run_time if target == "cpp_standalone" else wall
        b2.prefs.devices.cpp_standalone.openmp_threads = 0
        if target == "cpp_standalone":
            print(f"{'':22s} whole binary {lsm._simulator.last_cpu_time:.3f} CPU-s")
        events = synaptic_events(lsm, data.inputs, spikes)
        rate = len(spikes[0][0]) / lsm.n_neurons / duration
        print(f"{name:22s} {sim:7.3f} s per simulated s (run {wall:.3f} s wall, {cpu:.3f} "
              f"CPU-s incl. start-up and state filtering; connectivity drawn in "
              f"{drawn:.1f} s, first run {first:.1f} s), {events / sim / 1e6:6.2f} M events/s, "
              f"{lsm.n_synapses / lsm.n_neurons:.0f} syn/neuron, {rate:.1f} Hz")
        results[name] = sim
    nest_times = {}
    for k in args.nest_threads:
        nest_times[k] = run_nest(data, args.repeats, n_neurons, k)
        if nest_times[k] is None:   # not installed: said once
            return results
    for k, t_nest in nest_times.items():
        results[f"NEST x{k}"] = t_nest
        for name, t in results.items():
            if not name.startswith("NEST"):
                print(f"ratio NEST {k} thread(s) / {name}: {t_nest / t:.2f} "
                      "(> 1: biornn faster)")
    return results


def run_nest(data, repeats, n_neurons=1000, threads=1):
    try:
        import nest
    except ImportError:
        print("NEST: not installed (pip install nest-simulator) - no NEST comparison")
        return None
    lsm = LSM.from_model("maass2002_lsm", seed=1, **big_liquid_kwargs(n_neurons))
    nrn = lsm.neuron
    v0 = lsm.initial_potentials([np.random.default_rng(0)])[0]
    proj_in = lsm.input_projection(10)

    def build_and_run():
        nest.ResetKernel()
        if hasattr(nest, "VerbosityLevel"):   # NEST >= 3.9
            nest.verbosity = nest.VerbosityLevel.ERROR
        else:
            nest.set_verbosity("M_ERROR")
        nest.SetKernelStatus({"local_num_threads": threads, "resolution": lsm.dt * 1e3,
                              "print_time": False})
        pop = nest.Create("iaf_psc_exp", lsm.n_neurons, params={
            "C_m": nrn["tau_m"] / nrn["R_m"] * 1e12, "tau_m": nrn["tau_m"] * 1e3,
            "E_L": 0.0, "V_th": nrn["v_th"] * 1e3, "V_reset": nrn["v_reset"] * 1e3,
            "I_e": nrn["I_b"] * 1e12, "tau_syn_ex": nrn["tau_syn_e"] * 1e3,
            "tau_syn_in": nrn["tau_syn_i"] * 1e3})
        pop.set({"V_m": v0 * 1e3,
                 "t_ref": np.where(lsm.inhibitory, nrn["tau_ref_I"], nrn["tau_ref_E"]) * 1e3})
        ids = np.asarray(pop.tolist())
        for proj in lsm.recurrent.values():
            p = proj.params
            nest.Connect(ids[proj.pre], ids[proj.post], "one_to_one",
                         {"synapse_model": "tsodyks2_synapse", "weight": p["A"] * 1e12,
                          "delay": p["delay"] * 1e3, "U": p["U"], "u": 0.0, "x": 1.0,
                          "tau_rec": p["D"] * 1e3, "tau_fac": p["F"] * 1e3})
        channels, times = data.inputs[0]
        gens = nest.Create("spike_generator", 10)
        for c in range(10):
            ts = np.unique(np.round(times[channels == c] * 1e4) / 10) + 0.1
            gens[c].set({"spike_times": ts})
        nest.Connect(np.asarray(gens.tolist())[proj_in.pre], ids[proj_in.post],
                     "one_to_one", {"weight": proj_in.params["A"] * 1e12,
                                    "delay": np.full(proj_in.n_synapses, lsm.input["delay"] * 1e3)})
        rec = nest.Create("spike_recorder")
        nest.Connect(pop, rec)
        t0, c0 = time.perf_counter(), time.process_time()
        nest.Simulate(1000.0)
        return time.perf_counter() - t0, time.process_time() - c0, rec.get("n_events")

    t_sim = sorted(build_and_run() for _ in range(repeats))[repeats // 2]
    print(f"{f'NEST {nest.__version__} x{threads}':22s} {t_sim[0]:7.3f} s per simulated s "
          f"({t_sim[1]:.3f} CPU-s; {threads} thread(s), Simulate() only), "
          f"{t_sim[2] / lsm.n_neurons:.1f} Hz")
    return t_sim[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--naive-trials", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--targets", nargs="*", default=["numpy", "cython", "cpp_standalone"])
    parser.add_argument("--big-targets", nargs="*",
                        default=["numpy", "cython", "cpp_standalone"])
    parser.add_argument("--sizes", nargs="*", type=int, default=[1000, 10000],
                        choices=sorted(LIQUIDS), help="neurons of the big liquids")
    parser.add_argument("--openmp", nargs="*", type=int, default=[2],
                        help="OpenMP thread counts of extra cpp_standalone builds")
    parser.add_argument("--nest-threads", nargs="*", type=int, default=[1, 2])
    parser.add_argument("--skip-column", action="store_true")
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--quick", action="store_true",
                        help="a smaller check: no column part, 1000 and 2000 neurons, "
                             "one repeat")
    args = parser.parse_args()
    if args.quick:
        args.skip_column, args.sizes, args.repeats = True, [1000, 2000], 1
    print(f"python {platform.python_version()}, brian2 {b2.__version__}, numpy "
          f"{np.__version__}, biornn {bn.__version__}; {os.cpu_count()} CPUs, load "
          f"average {os.getloadavg()[0]:.1f} (shared machine: timings are indicative)")
    if not args.skip_column:
        column(args)
    if not args.skip_big:
        by_size = {n: big_liquid(args, n) for n in args.sizes}
        scaling(by_size)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


def scaling(by_size):
    """How each simulator's time grows from the smallest to the largest liquid."""
    if len(by_size) < 2:
        return
    small, big = min(by_size), max(by_size)
    print(f"\n== scaling from {small} to {big} neurons ({big / small:g}x neurons and "
          "synapses) ==")
    for name, t_big in by_size[big].items():
        if name in by_size[small]:
            print(f"{name:22s} {by_size[small][name]:7.3f} -> {t_big:7.3f} s per simulated s: "
                  f"x{t_big / by_size[small][name]:.1f}")


if __name__ == "__main__":
    main()
