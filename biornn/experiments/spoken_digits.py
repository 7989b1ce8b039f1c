"""Spoken digits (FSDD) through a cochlear front end: echo state network vs liquid.

The isolated-digit benchmark on which liquids and echo state networks were compared
(Verstraeten et al. 2005, 2007), on real recordings (the Free Spoken Digit Dataset,
CC BY-SA 4.0, read in place from ``data.root``):

* one front end, :func:`biornn.audio.cochleagram` (gammatone filterbank, gain
  normalisation, log compression, ``frame_rate`` frames per second); the ESN may
  normalise the gain its own way (``esn.normalize``) and append deltas (``esn.deltas``);
* the ESN gets the analog cochleagram; the liquid (:class:`~biornn.spiking.LSM`) gets it
  as injected current (``liquid.input="current"``) or as spikes
  (:func:`biornn.audio.spike_encode` of the cochleagram divided by ``full_scale``),
  every recording simulated for its own duration (:mod:`biornn.spiking.ragged`);
* two readouts, the same :class:`~biornn.readout.RidgeClassifier` and alpha grid for
  every model: states averaged over ``n_segments`` equal time segments ("pooled"), or a
  classifier on every time step whose outputs are averaged over the utterance ("step";
  each utterance's frames weigh 1/T in its fit, ``readout.step_weighting``);
* two baselines with the same readouts and no reservoir: the cochleagram pooled over
  the segments, and the cochleagram frames fed straight to the per-time-step readout;
* hyperparameters (frame rate, spectral radius, input scaling, leak rate; the liquid's
  input scale or rate) chosen per test split on a validation split carved out of its
  training part (:func:`~biornn.experiments.utterances.splits_with_validation`), with a
  reservoir seed used by no test run; then ``n_seeds`` reservoirs per model and size
  are scored on the test sets: mean and 95% CI over seeds, per speaker too.

Costs are wall-clock seconds of the model alone (not the front end, not the readout)
per recording.
"""

from __future__ import annotations

import functools
import itertools
import os
import resource
import time

import numpy as np

from .. import audio, audio_features, datasets, states
from .._rng import spawn
from ..schema import Field, ModelParams
from .registry import experiment
from .utterances import (confusion_matrix, esn_states, splits_with_validation, summarise,
                         readout_accuracy as _readout_accuracy)
from .digits_figures import draw_figures

#: where ``data.root = ""`` looks, in order (the environment variable first)
DEFAULT_ROOTS = ("$BIORNN_FSDD", "free-spoken-digit-dataset/recordings",
                 "../shared/data/fsdd/recordings")

LIQUID_PARAMS = ModelParams("biornn.spiking.lsm:LiquidStateMachine",
                            fixed=("shape", "n_inputs", "seed", "extensions",
                                   "sample_interval", "tau_filter"),
                            help="liquid parameters (shape from liquid.sizes, sampling "
                                 "interval = one cochleagram frame, state filter from "
                                 "liquid.tau_filter)")

SCHEMA = {
    "data": {
        "root": Field("str", "", help="FSDD recordings folder; '' tries $BIORNN_FSDD, "
                      "./free-spoken-digit-dataset/recordings, ../shared/data/fsdd/recordings"),
        "speakers": Field("list[str]", [], help="speakers to use ([] = all)"),
        "max_index": Field("int", 50, help="use repetitions 0 .. max_index-1 of each digit",
                           low=7, high=50),
        "splits": Field("list[str]", ["official", "loso"], choices=("official", "loso"),
                        help="official split (index 0-4 test) and leave-one-speaker-out"),
    },
    "front_end": {
        "n_channels": Field("int", 32, help="gammatone channels", low=1),
        "frame_rates": Field("list[float]", [100.0], positive=True,
                             help="frames per second (Hz); a list is chosen on validation"),
        "normalize": Field("str", "channel", choices=("none", "utterance", "channel"),
                           help="speaker normalisation: gain per utterance or per channel"),
        "agc": Field("bool", False, help="Lyon-style automatic gain control"),
        "standardize": Field("str", "none", choices=("none", "mean", "mean_variance"),
                             help="per-utterance channel mean (and variance) normalisation "
                                  "after compression (CMVN)"),
        "n_segments": Field("int", 4, low=1, help="time segments of the pooled readout"),
    },
    "esn": {
        "sizes": Field("list[int]", [135], low=1, help="reservoir units"),
        "spectral_radius": Field("list[float]", [0.9], positive=True, help="grid"),
        "input_scaling": Field("list[float]", [0.1, 0.3], positive=True, help="grid"),
        "leak_rate": Field("list[float]", [0.3, 1.0], low=0, high=1, help="grid"),
        "bias_scaling": Field("float", 0.2, low=0),
        "density": Field("float", 0.1, low=0, high=1),
        "deltas": Field("bool", False, help="append the cochleagram's regression deltas "
                        "to the ESN's input (audio_features.deltas; baselines and liquid "
                        "get the cochleagram alone)"),
        "normalize": Field("list[str]", ["front_end"], choices=("front_end", "none",
                                                                "utterance", "channel"),
                           help="the ESN's own gain normalisation of the cochleagram "
                                "(front_end: front_end.normalize, as the liquid and the "
                                "baselines get it); several: their cochleagrams side by "
                                "side (audio_features.channel_concat)"),
    },
    "liquid": {
        "sizes": Field("list[int]", [135], low=9, help="neurons: a cube n = c^3 gives "
                       "(c, c, c), else (n/9, 3, 3)"),
        "input": Field("str", "current", choices=("current", "poisson", "bsa", "threshold"),
                       help="analog current (run_analog) or a spike code (spike_encode)"),
        "input_scale": Field("list[quantity]", ["1 nA"], positive=True,
                             help="current per cochleagram unit (input=current); grid"),
        "max_rate": Field("list[quantity]", ["200 Hz"], positive=True,
                          help="rate at full scale (poisson, bsa); grid"),
        "full_scale": Field("float", 5.0, positive=True,
                            help="cochleagram value coded as full scale by the spike codes"),
        "tau_filter": Field("list[quantity]", ["30 ms"], positive=True,
                            help="time constant of the exponentially filtered spike trains "
                                 "(the liquid state); a grid, chosen on validation from "
                                 "one simulation"),
        "n_buckets": Field("int", 4, low=1, help="duration buckets (spiking.ragged)"),
    },
    "lsm": LIQUID_PARAMS,
    "readout": {
        "alpha": Field("list[float]", [1e-2, 1.0, 100.0], positive=True,
                       help="ridge grid (cross-validated on the training part), every model"),
        "kinds": Field("list[str]", ["pooled", "step"], choices=("pooled", "step"),
                       help="segment-pooled states and/or the per-time-step readout"),
        "step_weighting": Field("str", "utterance", choices=("utterance", "frame"),
                                help="per-time-step readout: each utterance's frames weigh "
                                     "1/T in the ridge fit, or every frame counts once"),
    },
    "study": {
        "n_seeds": Field("int", 5, low=2, help="reservoirs per model and size (CI over them)"),
    },
}


def liquid_shape(n):
    """Grid of an ``n``-neuron liquid: ``(c, c, c)`` for a cube, else ``(n/9, 3, 3)``."""
    c = round(n ** (1 / 3))
    if c ** 3 == n:
        return (c, c, c)
    if n % 9 == 0:
        return (n // 9, 3, 3)
    raise ValueError(f"liquid.sizes must be cubes or multiples of 9, got {n}")


def _check(spec):
    for n in spec["liquid"]["sizes"]:
        liquid_shape(n)


def resolve_root(root):
    """The recordings folder: ``root``, or the first of :data:`DEFAULT_ROOTS` that exists."""
    if root:
        return root
    tried = []
    for cand in DEFAULT_ROOTS:
        path = os.environ.get(cand[1:], "") if cand.startswith("$") else cand
        if path and os.path.isdir(path):
            return path
        tried.append(f"{cand} ({path or 'unset'})" if cand.startswith("$") else cand)
    raise ValueError("data.root is empty and no FSDD recordings were found at "
                     f"{', '.join(tried)}: get them with `git clone https://github.com/"
                     "Jakobovski/free-spoken-digit-dataset` and set data.root (or "
                     "$BIORNN_FSDD) to its recordings folder")


def _load(spec):
    d = spec["data"]
    data = datasets.spoken_digits(resolve_root(d["root"]), speakers=d["speakers"] or None)
    return data.subset(np.asarray(data.indices) < d["max_index"])


def _front_end(data, fe, frame_rate):
    coch = audio.cochleagram(data.audio, data.sample_rate, n_channels=fe["n_channels"],
                             frame_rate=frame_rate, agc=fe["agc"],
                             normalize=None if fe["normalize"] == "none" else fe["normalize"])
    if fe["standardize"] != "none":
        coch = audio_features.channel_standardize(
            coch, variance=fe["standardize"] == "mean_variance")
    return coch


def _esn_front_end(data, fe, e, cochs):
    """The ESN's cochleagrams per frame rate: one per ``esn.normalize`` (the front end's
    own where they agree), joined along the channel axis."""
    norms = [fe["normalize"] if k == "front_end" else k for k in e["normalize"]]
    if norms == [fe["normalize"]] or not e["sizes"]:
        return cochs
    return {fr: audio_features.channel_concat(*(
        cochs[fr] if k == fe["normalize"] else _front_end(data, {**fe, "normalize": k}, fr)
        for k in norms)) for fr in cochs}


def _esn_runner(spec, n):
    e = spec["esn"]
    grid = list(itertools.product(e["spectral_radius"], e["input_scaling"], e["leak_rate"]))
    names = ("spectral_radius", "input_scaling", "leak_rate")

    def run(coch, frame_rate, hyper, seed):
        from ..rate.esn import EchoStateNetwork
        esn = EchoStateNetwork(n, **dict(zip(names, hyper)), bias_scaling=e["bias_scaling"],
                               density=e["density"], seed=seed)
        if e["deltas"]:
            coch = audio_features.deltas(coch, append=True)
        return esn_states(esn, coch)
    return grid, names, run


def _cpu_seconds():
    """CPU seconds of this process and of its waited-for children (the compiled
    liquid's binary); Dask workers are not counted."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


def _liquid_runner(spec, n):
    """Grid (input level, state filter) and a runner; the filter constants of one
    input level share one simulation (its spikes are cached per frame rate, level
    and seed), and ``run.seconds`` is that simulation's cost per recording."""
    from ..spiking import ragged
    q = spec["liquid"]
    current = q["input"] == "current"
    levels = q["input_scale"] if current else q["max_rate"]
    grid = list(itertools.product(levels, q["tau_filter"]))
    names = ("input_scale" if current else "max_rate", "tau_filter")
    cache = {}

    def simulate(coch, frame_rate, level, seed):
        g_lsm, g_in, g_trials = spawn(seed, 3)
        n_in = coch[0].shape[1] * (2 if q["input"] == "threshold" else 1)
        lsm = LIQUID_PARAMS.build(spec["lsm"], shape=liquid_shape(n), n_inputs=n_in,
                                  sample_interval=1.0 / frame_rate, seed=g_lsm)
        t0, c0 = time.perf_counter(), _cpu_seconds()
        if current:
            spikes = ragged.run_analog_ragged(lsm, coch, input_dt=1.0 / frame_rate,
                                              input_scale=level, n_buckets=q["n_buckets"],
                                              seed=g_trials, output="spikes")
        else:
            spikes = audio.spike_encode([c / q["full_scale"] for c in coch], q["input"],
                                        frame_rate=frame_rate, max_rate=level, seed=g_in)
            durations = np.array([c.shape[0] / frame_rate for c in coch])
            spikes = ragged.run_ragged(lsm, spikes, durations, n_buckets=q["n_buckets"],
                                       seed=g_trials, output="spikes")
        return spikes, ((time.perf_counter() - t0) / len(coch),
                        (_cpu_seconds() - c0) / len(coch))

    def run(coch, frame_rate, hyper, seed):
        key = (id(coch), frame_rate, hyper[0], seed)
        if key not in cache:
            cache.clear()          # one simulation's spikes at a time
            cache[key] = simulate(coch, frame_rate, hyper[0], seed)
        spikes, (run.seconds, run.cpu_seconds) = cache[key]
        return [states.exponential_filter(i, t, n, states.sample_times(c.shape[0] / frame_rate,
                                                                       1.0 / frame_rate),
                                          hyper[1]) for (i, t), c in zip(spikes, coch)]
    return grid, names, run


def _pool(seqs, n_segments):
    return states.segment_mean(seqs, n_segments)


@experiment("spoken_digits", schema=SCHEMA, figures=("comparison", "confusion"),
            check=_check)
def spoken_digits(spec, seed, report):
    """Spoken digits (FSDD): ESN vs liquid, same readouts, baselines, 95% CI over seeds."""
    fe, ro = spec["front_end"], spec["readout"]
    data = _load(spec)
    labels = np.asarray(data.labels)
    classes = np.unique(labels)
    S = splits_with_validation(data, spec["data"]["splits"])
    loso = [s for s in S if s != "official"]
    alpha, k_seg = ro["alpha"], fe["n_segments"]
    readout_accuracy = functools.partial(_readout_accuracy, weighting=ro["step_weighting"])
    cochs = {fr: _front_end(data, fe, fr) for fr in fe["frame_rates"]}
    esn_cochs = _esn_front_end(data, fe, spec["esn"], cochs)
    report.note(f"{len(data)} recordings of speakers {sorted(set(data.speakers.tolist()))}, "
                f"repetitions 0-{spec['data']['max_index'] - 1}; chance accuracy "
                f"{1 / classes.size:.2f}.")
    rows, per_speaker, confusions = [], [], {}
    val_seed, *model_seeds = (int(g.integers(2**31)) for g in
                              spawn(seed, 1 + spec["study"]["n_seeds"]))

    def record(model, n, kind, acc, preds, secs=None, cpu=None):
        """acc[split] = list over seeds; one row per split group."""
        groups = {}
        if "official" in S:
            groups["official"] = acc["official"]
        if loso:
            groups["loso"] = list(np.mean([acc[s] for s in loso], axis=0))
        for group, values in groups.items():
            m, h = summarise(values) if len(values) > 1 else (values[0], float("nan"))
            label = f"{model}{n or ''}_{kind}_{group}"
            report.metric(f"accuracy_{label}", m)
            if len(values) > 1:
                report.metric(f"accuracy_{label}_ci95", h)
            rows.append({"model": model, "size": n, "readout": kind, "split": group,
                         "accuracy": m, "ci95": h, "n_seeds": len(values),
                         "s_per_recording": secs, "cpu_s_per_recording": cpu})
        for s in loso:
            per_speaker.append({"model": model, "size": n, "readout": kind, "speaker": s,
                                "accuracy": float(np.mean(acc[s]))})
        if "official" in S:
            confusions[f"{model}{n or ''} {kind}"] = confusion_matrix(
                labels[S["official"][2]], preds, classes)

    # ---- baselines: no reservoir, frame rate chosen on validation -------------------
    for kind in ro["kinds"]:
        val = {fr: {s: readout_accuracy(kind, cochs[fr], _pool(cochs[fr], k_seg), labels,
                                        *v, alpha)[0] for s, (_, v, _) in S.items()}
               for fr in cochs}
        acc, preds = {}, None
        for s, (tr, _, te) in S.items():
            fr = max(val, key=lambda f: val[f][s])
            report.choice(f"baseline_{kind}_{s}_frame_rate", fr)
            acc[s], p = readout_accuracy(kind, cochs[fr], _pool(cochs[fr], k_seg), labels,
                                         tr, te, alpha)
            acc[s] = [acc[s]]
            preds = p if s == "official" else preds
        record("baseline", None, kind, acc, preds)

    # ---- reservoirs -------------------------------------------------------------------
    models = [("esn", n, _esn_runner) for n in spec["esn"]["sizes"]]
    models += [("liquid", n, _liquid_runner) for n in spec["liquid"]["sizes"]]
    for model, n, make in report.progress(models, desc="models"):
        grid, names, run = make(spec, n)
        inputs = esn_cochs if model == "esn" else cochs
        val = {}   # (frame_rate, hyper) -> {(split, readout): validation accuracy}
        for fr, hyper in itertools.product(inputs, grid):
            X = run(inputs[fr], fr, hyper, val_seed)
            F = _pool(X, k_seg)
            val[(fr, hyper)] = {(s, kind): readout_accuracy(kind, X, F, labels, *v, alpha)[0]
                                for s, (_, v, _) in S.items() for kind in ro["kinds"]}
        choice = {(s, kind): max(val, key=lambda c: val[c][(s, kind)])
                  for s in S for kind in ro["kinds"]}
        for (s, kind), (fr, hyper) in choice.items():
            report.choice(f"{model}{n}_{kind}_{s}", {"frame_rate": fr,
                                                     **dict(zip(names, hyper))})
        acc = {kind: {s: [] for s in S} for kind in ro["kinds"]}
        preds, secs, cpu = {}, [], []
        for k, m_seed in enumerate(model_seeds):
            for c in sorted(dict.fromkeys(choice.values())):   # each setting once
                t0, c0 = time.perf_counter(), _cpu_seconds()
                X = run(inputs[c[0]], c[0], c[1], m_seed)
                secs.append(getattr(run, "seconds", (time.perf_counter() - t0) / len(X)))
                cpu.append(getattr(run, "cpu_seconds", (_cpu_seconds() - c0) / len(X)))
                F = _pool(X, k_seg)
                for (s, kind), cs in choice.items():
                    if cs != c:
                        continue
                    a, p = readout_accuracy(kind, X, F, labels, S[s][0], S[s][2], alpha)
                    acc[kind][s].append(a)
                    if s == "official" and k == 0:
                        preds[kind] = p
        cost = float(np.median(secs))
        report.timing(f"{model}{n}_seconds_per_recording", cost)
        cpu_cost = float(np.median(cpu))
        report.timing(f"{model}{n}_cpu_seconds_per_recording", cpu_cost)
        for kind in ro["kinds"]:
            record(model, n, kind, acc[kind], preds.get(kind), cost, cpu_cost)
    report.table("accuracy", rows)
    if per_speaker:
        report.table("per_speaker", per_speaker)
    report.note("accuracy: mean over seeds (reservoirs) with the Student-t 95% CI "
                "half-width (ci95); loso rows average the leave-one-speaker-out folds per "
                "seed first. Baselines have no reservoir, hence one value. Hyperparameters "
                "were chosen on validation splits carved from each training part "
                "(results.json 'choices'); s_per_recording: median model seconds per "
                "recording over the runs, wall clock (cpu_s_per_recording: CPU seconds of "
                "this process and the compiled liquid it waits for; Dask workers not counted).")
    draw_figures(report, rows, confusions, classes, 1 / classes.size)
