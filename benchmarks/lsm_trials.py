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

Part 2, a 1000-neuron liquid (10 x 10 x 10, lambda = 6 for ~100 synapses per
neuron, amplitudes scaled by 5/100 to keep the activity in a normal range), one
1 s trial: wall time per simulated second and synaptic events per second, for each
target, and NEST (``iaf_psc_exp`` + ``tsodyks2_synapse``, one thread) when installed.

Figures are medians over repeats.  Usage: ``python benchmarks/lsm_trials.py [--help]``.
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


def big_liquid_kwargs():
    scale = 5 / 100
    syn = {k: {"A": v} for k, v in {"EE": 30e-9 * scale, "EI": 60e-9 * scale,
                                     "IE": -19e-9 * scale, "II": -19e-9 * scale}.items()}
    return dict(shape=(10, 10, 10), length_constant=6.0, synapses=syn)


def big_liquid(args):
    duration = 1.0
    data = bn.tasks.spike_templates(n_templates=1, n_channels=10, duration=duration,
                                    rate=20.0, jitter=0.0, n_trials=1, seed=0)
    print(f"\n== 1000-neuron liquid, 1 trial x {duration} s ==")
    results = {}
    for target in args.big_targets:
        lsm = LSM.from_model("maass2002_lsm", seed=1, target=target, **big_liquid_kwargs())
        t0 = time.perf_counter()
        lsm.run(data.inputs, seed=[0], progress=False)
        first = time.perf_counter() - t0
        wall, cpu, spikes = timed(lambda: lsm.run(data.inputs, seed=[0], output="spikes",
                                                  progress=False), args.repeats)
        sim = lsm._simulator.last_run_time if target == "cpp_standalone" else wall
        if target == "cpp_standalone":
            print(f"{'':15s} whole binary {lsm._simulator.last_cpu_time:.3f} CPU-s")
        events = synaptic_events(lsm, data.inputs, spikes)
        rate = len(spikes[0][0]) / lsm.n_neurons / duration
        print(f"{target:15s} {sim:7.3f} s per simulated s (run {wall:.3f} s wall, {cpu:.3f} "
              f"CPU-s incl. start-up and state filtering; first run "
              f"{first:.1f} s), {events / sim / 1e6:6.2f} M events/s, "
              f"{lsm.n_synapses / lsm.n_neurons:.0f} syn/neuron, {rate:.1f} Hz")
        results[target] = sim
    nest_time = run_nest(data, args.repeats)
    if nest_time is not None:
        results["nest"] = nest_time
        for target, t in results.items():
            if target != "nest":
                print(f"ratio NEST / {target}: {nest_time / t:.2f} (> 1: biornn faster)")
    return results


def run_nest(data, repeats):
    try:
        import nest
    except ImportError:
        print("NEST: not installed (pip install nest-simulator) - no NEST comparison")
        return None
    lsm = LSM.from_model("maass2002_lsm", seed=1, **big_liquid_kwargs())
    nrn = lsm.neuron
    v0 = lsm.initial_potentials([np.random.default_rng(0)])[0]
    proj_in = lsm.input_projection(10)

    def build_and_run():
        nest.ResetKernel()
        nest.set_verbosity("M_ERROR") if not hasattr(nest, "VerbosityLevel") else None
        nest.SetKernelStatus({"local_num_threads": 1, "resolution": lsm.dt * 1e3,
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
    print(f"{'NEST ' + nest.__version__:15s} {t_sim[0]:7.3f} s per simulated s "
          f"({t_sim[1]:.3f} CPU-s; 1 thread, Simulate() only), "
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
    parser.add_argument("--skip-column", action="store_true")
    parser.add_argument("--skip-big", action="store_true")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, brian2 {b2.__version__}, numpy "
          f"{np.__version__}, biornn {bn.__version__}; {os.cpu_count()} CPUs, load "
          f"average {os.getloadavg()[0]:.1f} (shared machine: timings are indicative)")
    if not args.skip_column:
        column(args)
    if not args.skip_big:
        big_liquid(args)


if __name__ == "__main__":
    main()
