"""Protocols that define plasticity rules, reproduced (Brian2; used by simulations/).

- :func:`song_abbott_neuron`: Song, Miller & Abbott (2000, Nat Neurosci 3:919), one
  conductance-based integrate-and-fire neuron, 1000 excitatory Poisson inputs through
  additive STDP and 200 inhibitory ones.  STDP makes the weights bimodal and the
  output rate almost independent of the input rate.
- :func:`triplet_frequency_dependence`: the pairing protocol of Sjöström, Turrigiano &
  Nelson (2001, Neuron 32:1149) on the triplet rule with Pfister & Gerstner's (2006)
  visual-cortex parameters.
- :func:`izhikevich_distal_reward`: Izhikevich (2007), one synapse rewarded 1-3 s
  after its pre-post pairings grows to the maximum among thousands that stay put.
"""

from __future__ import annotations

from contextlib import contextmanager

import brian2 as b2
import numpy as np

from .._rng import as_generator, derive_seed
from .._validate import as_float_array, check_choice, check_positive, check_positive_int
from .parts import SynapsePart, join_synapse_parts
from .plasticity import measure_stdp_window, stdp_parameters, stdp_synapse
from .reward import reward_stdp_synapse


@contextmanager
def _on_target(target, directory, prefix):
    """Build the enclosed Brian2 network for ``target``; yields ``run_build()``, which
    compiles and runs a ``cpp_standalone`` project (in ``directory`` or a new temporary
    folder named ``prefix...``) and does nothing on the runtime targets.  The runtime
    device is restored afterwards."""
    if target != "cpp_standalone":
        b2.prefs.codegen.target = target
        yield lambda: None
        return
    import tempfile
    directory = directory or tempfile.mkdtemp(prefix=prefix)
    b2.set_device("cpp_standalone", build_on_run=False, directory=directory)
    b2.device.reinit()
    b2.device.activate(build_on_run=False, directory=directory)
    try:
        yield lambda: b2.device.build(directory=directory, compile=True, run=True)
    finally:
        b2.device.reinit()
        b2.set_device("runtime")

__all__ = ["SONG2000", "song_abbott_neuron", "song_learning_durations",
           "triplet_frequency_dependence", "IZHIKEVICH2007", "izhikevich_distal_reward"]

#: Song, Miller & Abbott (2000) parameters (SI; conductances relative to the leak).
SONG2000 = {"tau_m": 20e-3, "v_rest": -70e-3, "E_ex": 0.0, "E_in": -70e-3, "v_th": -54e-3,
            "v_reset": -60e-3, "tau_ex": 5e-3, "tau_in": 5e-3, "g_max": 0.015, "g_in": 0.05,
            "n_ex": 1000, "n_in": 200, "rate_in": 10.0, "A_plus": 0.005, "ratio": 1.05,
            "tau_stdp": 20e-3}


def _per_neuron(name, value, shape):
    """``value`` broadcast to ``shape``, or a ValueError naming ``name``."""
    try:
        return np.broadcast_to(value, shape)
    except ValueError:
        raise ValueError(f"{name} must be a scalar or have shape {shape}, got "
                         f"{np.shape(value)}") from None


def song_learning_durations(input_rates, spikes_per_synapse):
    """Learning time (s) per input rate that gives every synapse the same expected
    number of presynaptic spikes, ``T_k = spikes_per_synapse / input_rates[k]``.

    Additive STDP moves a weight once per pre or post spike, so at a similar output
    rate its drift per second grows with the input rate: learning "to equilibrium"
    (Song et al. 2000) at 10 Hz input takes about four times as long as at 40 Hz.
    Comparing input rates after equal input spike counts compares like with like.
    """
    rates = as_float_array("input_rates", input_rates, ndim=1)
    if np.any(rates <= 0):
        raise ValueError(f"input_rates must be > 0 Hz, got {rates.tolist()}")
    return check_positive("spikes_per_synapse", spikes_per_synapse) / rates


def song_abbott_neuron(input_rates, *, duration=100.0, stdp=True, learning_scale=1.0,
                       w_init=None, measure=10.0, record_every=None, dt=0.1e-3, target="numpy",
                       directory=None, seed=None, **overrides):
    """Song et al. (2000): one neuron per condition, all in one Brian2 network.

    Neuron ``k`` receives ``n_ex`` independent Poisson inputs at ``input_rates[k]`` (Hz)
    through synapses of conductance ``w`` in ``[0, g_max]`` (``w_init``) and
    ``n_in`` inhibitory Poisson inputs at ``rate_in`` of fixed conductance ``g_in``
    (conductances in units of the leak)::

        tau_m dv/dt = v_rest - v + g_ex (E_ex - v) + g_in (E_in - v)
        v > v_th:  v <- v_reset;   a spike of input a:  g_ex += w_a  (g_in += g_in)

    Where ``stdp[k]`` its excitatory weights follow the additive all-to-all rule with
    hard bounds (:mod:`.plasticity`): ``A_minus = ratio * A_plus``, both times
    ``learning_scale[k]``; elsewhere they stay as drawn (one ``Synapses`` object,
    plasticity gated per synapse).  Each excitatory input is a renewal process with
    exponential intervals (a Poisson process, spikes on the ``dt`` grid; cheaper than
    a ``PoissonGroup``'s draw per input and step); the ``n_in`` inhibitory trains of
    a neuron are summed by one ``PoissonInput`` (their sum is one Poisson process).

    Parameters
    ----------
    input_rates : array (neurons,)
    stdp : bool or array of bool (neurons,)
    learning_scale : float or array (neurons,), > 0
        Multiplies ``A_plus`` and ``A_minus`` per neuron.  Larger steps converge
        sooner but not to the same equilibrium: the weights spread further from the
        bounds and the output rate follows the input rate more
        (``simulations/song2000_stdp.py`` prints both step sizes).
    w_init : None, float or array (neurons,) or (neurons, n_ex)
        Initial ``w / g_max``: None draws each uniformly in [0, 1]; a number sets all
        (of a neuron).
    duration, measure, dt : float
        Length of the run, of the final window where output rates are counted, and
        the time step (s).
    record_every : float, optional
        Interval (s) of weight snapshots for ``history``.
    target : {"numpy", "cython", "cpp_standalone"}
        Brian2 code generation; ``"cpp_standalone"`` compiles the network into
        ``directory`` (default a temporary folder), runs it and resets the device.
    seed : None, int or Generator
    **overrides
        Entries of :data:`SONG2000`.

    Returns
    -------
    dict
        ``weights`` (neurons, n_ex) final ``w / g_max``; ``rates`` (neurons,) output
        rate (Hz) over the last ``measure`` seconds; ``input_spikes`` (neurons,) the
        mean number of spikes per excitatory input during the run; with ``record_every``, ``times``
        (k,) and ``history``: ``near_zero``, ``near_max`` (k, neurons) fractions of the
        weights within 10% of each bound and ``rates`` (k, neurons) output rate over
        the preceding interval.
    """
    rates = as_float_array("input_rates", input_rates, ndim=1)
    n = len(rates)
    if np.any(rates <= 0):
        raise ValueError(f"input_rates must be > 0 Hz, got {rates.tolist()}")
    gates = _per_neuron("stdp", np.asarray(stdp, dtype=bool), (n,))
    scale = _per_neuron("learning_scale", as_float_array("learning_scale", learning_scale),
                        (n,))
    if np.any(scale <= 0):
        raise ValueError(f"learning_scale must be > 0, got {scale.tolist()}")
    unknown = set(overrides) - set(SONG2000)
    if unknown:
        raise ValueError(f"unknown Song et al. parameters {sorted(unknown)}; known: "
                         f"{sorted(SONG2000)}")
    p = {**SONG2000, **overrides}
    duration = check_positive("duration", duration)
    measure = min(check_positive("measure", measure), duration)
    if record_every is not None:
        record_every = check_positive("record_every", record_every)
    check_choice("target", target, ("numpy", "cython", "cpp_standalone"))
    n_ex, n_in = check_positive_int("n_ex", p["n_ex"]), int(p["n_in"])
    rng = as_generator(seed)
    if w_init is None:
        w0 = rng.uniform(0.0, 1.0, (n, n_ex))
    else:
        w0 = as_float_array("w_init", w_init, ndim=(0, 1, 2))
        w0 = _per_neuron("w_init", w0.reshape(-1, 1) if w0.ndim == 1 else w0, (n, n_ex))
        if np.any((w0 < 0) | (w0 > 1)):
            raise ValueError("w_init must be fractions of g_max in [0, 1]")
    with _on_target(target, directory, "song2000_") as run_build:
        b2.seed(derive_seed(rng))
        clock = dt * b2.second
        ns = {k: p[k] * (b2.second if k.startswith("tau") else b2.volt)
              for k in ("tau_m", "v_rest", "E_ex", "E_in", "v_th", "v_reset", "tau_ex",
                        "tau_in")}
        eqs = """dv/dt = (v_rest - v + g_ex*(E_ex - v) + g_in*(E_in - v))/tau_m : volt
                 dg_ex/dt = -g_ex/tau_ex : 1
                 dg_in/dt = -g_in/tau_in : 1"""
        neuron = b2.NeuronGroup(n, eqs, threshold="v > v_th", reset="v = v_reset",
                                method="euler", namespace=ns, dt=clock)
        neuron.v = p["v_rest"] * b2.volt
        ex = b2.NeuronGroup(n * n_ex, "rate : Hz (constant)\nt_next : second\nn_spikes : 1",
                            threshold="t >= t_next",
                            reset="t_next += -log(rand())/rate\nn_spikes += 1",
                            dt=clock, namespace={})
        ex.rate = np.repeat(rates, n_ex) * b2.Hz
        ex.t_next = rng.exponential(1.0 / np.repeat(rates, n_ex)) * b2.second
        inh = b2.PoissonInput(neuron, "g_in", n_in, p["rate_in"] * b2.Hz,
                              weight=p["g_in"]) if n_in > 0 else None
        base = SynapsePart("w : 1", "g_ex_post += w")
        part = join_synapse_parts(base, stdp_synapse(
            "additive", "w", "1", gate="plastic", A_plus=p["A_plus"],
            A_minus=p["ratio"] * p["A_plus"], tau_plus=p["tau_stdp"],
            tau_minus=p["tau_stdp"]))
        syn = b2.Synapses(ex, neuron, model=part.model, on_pre=part.on_pre,
                          on_post=part.on_post, namespace=part.namespace, dt=clock)
        syn.connect(i=np.arange(n * n_ex), j=np.repeat(np.arange(n), n_ex))
        syn.w_max = p["g_max"]
        syn.w = w0.ravel() * p["g_max"]
        syn.plastic = np.repeat(gates * scale, n_ex)
        spikes = b2.SpikeMonitor(neuron)
        objects = [neuron, ex, syn, spikes] + ([inh] if inh is not None else [])
        if record_every is not None:
            snapshots = b2.StateMonitor(syn, "w", record=True, dt=record_every * b2.second)
            objects.append(snapshots)
        net = b2.Network(*objects)
        net.run(duration * b2.second, namespace={})
        run_build()
        t, i = np.asarray(spikes.t_[:]), np.asarray(spikes.i[:])
        weights = np.asarray(syn.w[:]).reshape(n, n_ex) / p["g_max"]
        input_spikes = np.asarray(ex.n_spikes[:]).reshape(n, n_ex).mean(axis=1)
        if record_every is not None:
            times = np.append(np.asarray(snapshots.t_[:]), duration)
            snaps = np.concatenate([np.asarray(snapshots.w_[:]).T.reshape(-1, n, n_ex)
                                    / p["g_max"], weights[None]])
    out = {"weights": weights, "input_spikes": input_spikes,
           "rates": np.bincount(i[t >= duration - measure], minlength=n) / measure}
    if record_every is not None:
        edges = np.concatenate([[0.0], times[1:]])
        counts = np.stack([np.histogram(t[i == k], edges)[0] for k in range(n)], axis=1)
        out["times"] = times
        out["history"] = {"near_zero": (snaps < 0.1).mean(axis=2),
                          "near_max": (snaps > 0.9).mean(axis=2),
                          "rates": np.vstack([np.full(n, np.nan),
                                              counts / np.diff(edges)[:, None]])}
    return out


def triplet_frequency_dependence(frequencies, deltas=(10e-3, -10e-3), *, n_pairings=60,
                                 w_init=0.4, dt=0.1e-3, **overrides):
    """Weight change of the triplet rule after ``n_pairings`` at each frequency.

    The Sjöström et al. (2001) protocol as simulated by Pfister & Gerstner (2006):
    pairs (pre then post ``delta`` later) repeated at ``frequency``.  Returns
    ``(len(deltas), len(frequencies))`` changes ``Delta w / w_max`` (``w_max`` = 1,
    the rule's unit, so the figure is the normalised change of their Fig. 6).
    """
    freqs = as_float_array("frequencies", frequencies, ndim=1)
    deltas = as_float_array("deltas", deltas, ndim=1)
    n_pairings = check_positive_int("n_pairings", n_pairings)
    slowest = max(v for k, v in stdp_parameters("triplet", **overrides).items()
                  if k.startswith("tau"))
    out = []
    for f in freqs:
        # pairs further apart than 20 time constants do not interact (traces < e^-20):
        # one pair is simulated and its change counted n_pairings times
        alone = 1.0 / f > 20 * slowest
        dw = measure_stdp_window(deltas, "triplet", n_pairings=1 if alone else n_pairings,
                                 frequency=f, w_init=w_init, dt=dt, **overrides)
        out.append(dw * n_pairings if alone else dw)
    return np.stack(out, axis=1)


#: Izhikevich (2007) distal-reward network (SI; weights are jumps of v in volts).
#: ``centred`` / ``tau_mean``: the centred dopamine of :mod:`.reward` (not the paper's).
IZHIKEVICH2007 = {"n_exc": 800, "n_inh": 200, "n_out": 100, "w_init": 1e-3, "w_max": 4e-3,
                  "w_inh": -1e-3, "delay": 1e-3, "noise": 13e-3, "interval": 20e-3,
                  "reward_delay": (1.0, 3.0), "reward": 0.5, "tau_d": 0.2, "tonic": 0.002,
                  "learning_scale": 1.0, "ratio": 1.5, "centred": False, "tau_mean": 10.0}


def _izhikevich_targets(rng, m, n, n_exc, n_out):
    """(pre, post) of the excitatory and of the inhibitory synapses of ``m`` networks:
    ``n_out`` targets per neuron without replacement or autapses, inhibitory neurons
    projecting to excitatory ones only; excitatory synapses of network ``k`` come in
    order at ``k * n_exc * n_out``."""
    pre, post = [[], []], [[], []]
    for k in range(m):
        for i in range(n):
            pool = np.arange(n_exc if i >= n_exc else n)
            pool = pool[pool != i]
            pre[i >= n_exc].append(np.full(n_out, i + k * n))
            post[i >= n_exc].append(rng.choice(pool, n_out, replace=False) + k * n)
    return [(np.concatenate(a), np.concatenate(b)) for a, b in zip(pre, post)]


def izhikevich_distal_reward(n_networks=1, *, duration=3600.0, dt=0.5e-3, target="numpy",
                             directory=None, record_every=10.0, n_sample=500, seed=None,
                             **overrides):
    """Izhikevich (2007, Cereb Cortex 17:2443), Fig. 1: reward one synapse, 1-3 s late.

    ``n_networks`` independent networks (one per seed, all in one Brian2 run) of
    ``n_exc`` regular-spiking and ``n_inh`` fast-spiking Izhikevich neurons::

        dv/dt = (0.04 v^2/mV + 5 v + 140 mV - u + I) / ms,   du/dt = a (b v - u) / ms
        v > 30 mV:  v <- c,  u <- u + d

    each with ``n_out`` random targets (inhibitory cells project to excitatory ones
    only); a spike moves the target's ``v`` by the weight after ``delay``; ``I`` is
    uniform noise in ``+-noise/2``, redrawn every ms.  Excitatory synapses learn by
    reward-modulated STDP (:mod:`.reward`, eligibility ``tau_c`` = 1 s); inhibitory
    ones are fixed (a separate, rule-free ``Synapses`` object).  One excitatory synapse
    ``n1 -> n2`` per network starts at 0; whenever ``n2`` fires within ``interval``
    after ``n1``, a reward is scheduled ``U(reward_delay)`` seconds later (one pending
    at a time), adding ``reward`` to the network's dopamine ``DA`` (decay ``tau_d``; a
    copy in every neuron, raised by the spike of the network's dopamine cell at the
    reward time); the synapses see ``d = (tonic + DA) / 10 ms``.  The closed loop runs
    inside the network, so ``cpp_standalone`` can run it.

    ``centred`` (a bool, or one per network) switches on the centred dopamine of
    :mod:`.reward`, a departure from the paper: the synapses see ``d = (tonic + DA -
    dbar) / 10 ms`` with ``tau_mean dbar/dt = tonic + DA - dbar`` (``dbar(0) =
    tonic``), which removes the drift ``E[c] E[d]`` of the unrewarded synapses.
    ``learning_scale`` multiplies the eligibility increments (``A_plus``,
    ``A_minus``): learning ``k`` times faster lets ``duration / k`` stand for the
    paper's hour (each reward's step is ``k`` times larger).  ``ratio`` is
    ``A_minus / A_plus`` (the paper: 1.5).

    Returns
    -------
    dict
        ``times`` (k,), ``rewarded`` (k, n_networks) weight of the rewarded synapse /
        ``w_max``, ``others_mean`` (k, n_networks) mean of ``n_sample`` other plastic
        weights per network / ``w_max``, ``others_quartiles`` (k, n_networks, 3) their
        25/50/75% points, ``others_final`` (n_networks, n_plastic - 1), ``n_rewards``
        (n_networks,), ``rates`` (n_networks,) mean rate (Hz), ``centred``
        (n_networks,) bool.
    """
    p = {**IZHIKEVICH2007, **overrides}
    unknown = set(overrides) - set(IZHIKEVICH2007)
    if unknown:
        raise ValueError(f"unknown Izhikevich (2007) parameters {sorted(unknown)}; known: "
                         f"{sorted(IZHIKEVICH2007)}")
    m = check_positive_int("n_networks", n_networks)
    duration = check_positive("duration", duration)
    record_every = check_positive("record_every", record_every)
    check_choice("target", target, ("numpy", "cython", "cpp_standalone"))
    n_exc, n_inh, n_out = (check_positive_int(k, p[k]) for k in ("n_exc", "n_inh", "n_out"))
    centred = _per_neuron("centred", np.asarray(p["centred"], dtype=bool), (m,))
    tau_mean = check_positive("tau_mean", p["tau_mean"])
    n = n_exc + n_inh
    rng = as_generator(seed)
    (pre, post), (pre_inh, post_inh) = _izhikevich_targets(rng, m, n, n_exc, n_out)
    per_net = n_exc * n_out                                # plastic synapses per network
    chosen = np.array([k * per_net + rng.integers(per_net) for k in range(m)])
    n1, n2 = pre[chosen], post[chosen]
    ms, mV = b2.ms, b2.mV
    with _on_target(target, directory, "izhikevich2007_") as run_build:
        b2.seed(derive_seed(rng))
        clock = dt * b2.second
        neurons = b2.NeuronGroup(
            m * n, """dv/dt = (0.04*v**2/mV + 5*v + 140*mV - u + I)/ms : volt
                      du/dt = a*(b*v - u)/ms : volt
                      I : volt
                      a : 1 (constant)
                      d_u : volt (constant)
                      centred : 1 (constant)
                      dDA/dt = -DA/tau_d : 1
                      dDAbar/dt = (tonic + DA - DAbar)/tau_mean : 1""",
            threshold="v > 30*mV", reset="v = -65*mV; u += d_u", method="euler",
            namespace={"mV": mV, "ms": ms, "b": 0.2, "tau_d": p["tau_d"] * b2.second,
                       "tonic": p["tonic"], "tau_mean": tau_mean * b2.second},
            dt=clock, name="izhikevich")
        is_exc = (np.arange(m * n) % n) < n_exc
        neurons.a = np.where(is_exc, 0.02, 0.1)
        neurons.d_u = np.where(is_exc, 8.0, 2.0) * mV
        neurons.v = -65 * mV
        neurons.u = 0.2 * -65 * mV
        neurons.centred = np.repeat(centred, n).astype(float)
        neurons.DAbar = p["tonic"]
        neurons.namespace["noise"] = p["noise"] * b2.volt
        neurons.run_regularly("I = noise*(rand() - 0.5)", dt=1 * ms)
        # one dopamine cell per network fires at each reward; its spike raises DA
        # (decaying with tau_d) in every neuron of its network, where synapses read it
        dopa = b2.NeuronGroup(m, "t_reward : second\nt_n1 : second\nn_rewards : 1",
                              threshold="t >= t_reward",
                              reset="t_reward = 1e9*second; n_rewards += 1", dt=clock,
                              name="dopamine_cells", namespace={})
        dopa.t_reward = 1e9 * b2.second
        dopa.t_n1 = -1e9 * b2.second
        release = b2.Synapses(dopa, neurons, on_pre="DA_post += reward", dt=clock,
                              namespace={"reward": p["reward"]}, name="dopamine_release")
        release.connect(i=np.arange(m * n) // n, j=np.arange(m * n))
        scale = float(p["learning_scale"])
        rule, update = reward_stdp_synapse(
            "(tonic + DA_post - centred_post*DAbar_post)/(10*ms)", "w", "volt",
            A_plus=0.025 * scale, A_minus=float(p["ratio"]) / 40 * scale)  # ratio x 0.025
        rule.namespace.update({"tonic": p["tonic"], "ms": ms})
        part = join_synapse_parts(SynapsePart("w : volt", "v_post += w"), rule)
        syn = b2.Synapses(neurons, neurons, model=part.model, on_pre=part.on_pre,
                          on_post=part.on_post, namespace=part.namespace, dt=clock,
                          delay=p["delay"] * b2.second, name="izhikevich_synapses")
        syn.connect(i=pre, j=post)
        w0 = np.full(len(pre), p["w_init"])
        w0[chosen] = 0.0
        syn.w = w0 * b2.volt
        syn.w_max = p["w_max"] * b2.volt
        syn.run_regularly(update[0], dt=update[1], name="izhikevich_reward_update")
        inhibitory = b2.Synapses(neurons, neurons, "w : volt (constant)", on_pre="v_post += w",
                                 dt=clock, delay=p["delay"] * b2.second,
                                 name="izhikevich_inhibitory", namespace={})
        inhibitory.connect(i=pre_inh, j=post_inh)
        inhibitory.w = p["w_inh"] * b2.volt
        # the closed loop: n1's spikes stamp t_n1, n2's spike schedules the reward
        from_n1 = b2.Synapses(neurons, dopa, on_pre="t_n1_post = t", dt=clock,
                              name="reward_from_n1")
        from_n1.connect(i=n1, j=np.arange(m))
        lo, hi = p["reward_delay"]
        from_n2 = b2.Synapses(
            neurons, dopa, on_pre="t_reward_post += int(t - t_n1_post < interval)*"
            "int(t_reward_post > 1e8*second)*(t + lo + (hi - lo)*rand() - t_reward_post)",
            dt=clock, name="reward_from_n2",
            namespace={"interval": p["interval"] * b2.second, "lo": lo * b2.second,
                       "hi": hi * b2.second})
        from_n2.connect(i=n2, j=np.arange(m))
        net_of = np.arange(len(pre)) // per_net
        sample = np.concatenate([np.sort(rng.choice(np.setdiff1d(
            np.arange(k * per_net, (k + 1) * per_net), chosen), n_sample, replace=False))
            for k in range(m)])
        record = b2.StateMonitor(syn, "w", record=np.concatenate([chosen, sample]),
                                 dt=record_every * b2.second, name="recorded_weights")
        counter = b2.SpikeMonitor(neurons, record=False, name="izhikevich_counts")
        net = b2.Network(neurons, dopa, release, syn, inhibitory, from_n1, from_n2, record,
                         counter)
        net.run(duration * b2.second, namespace={})
        run_build()
        w_end = np.asarray(syn.w_[:])
        times = np.asarray(record.t_[:])
        recorded = np.asarray(record.w_[:]).T / p["w_max"]
        n_rewards = np.asarray(dopa.n_rewards[:])
        counts = np.asarray(counter.count[:], dtype=float)
    others_final = [np.delete(w_end[net_of == k], chosen[k] - k * per_net) / p["w_max"]
                    for k in range(m)]
    recorded = np.vstack([recorded, w_end[np.concatenate([chosen, sample])] / p["w_max"]])
    others = recorded[:, m:].reshape(len(recorded), m, -1)
    return {"times": np.append(times, duration), "rewarded": recorded[:, :m],
            "others_mean": others.mean(axis=2),
            "others_quartiles": np.moveaxis(np.percentile(others, [25, 50, 75], axis=2), 0, -1),
            "others_final": np.stack(others_final), "n_rewards": n_rewards,
            "others_start": p["w_init"] / p["w_max"], "centred": centred,
            "rates": counts.reshape(m, n).mean(axis=1) / duration}
