"""Plasticity experiments: the STDP window of pair and triplet rules."""

from __future__ import annotations

import functools

import numpy as np

from .. import plots
from .registry import experiment
from ..schema import Field

PAIR_RULES = ("additive", "multiplicative")


def _check(spec):
    if len(spec["liquid"]["shape"]) != 3:
        raise ValueError(f"liquid.shape must have 3 entries, got {spec['liquid']['shape']}")


@experiment("stdp_study", figures=("stdp_window", "liquid_weights"), check=_check,
          requires=("biornn.spiking.plasticity",), schema={
    "protocol": {
        "delta_t": Field("list[quantity]", ["-100 ms", "100 ms"],
                         help="range [min, max] of t_post - t_pre"),
        "spacing": Field("quantity", "5 ms", help="spacing of the measured delta_t", positive=True),
        "n_pairings": Field("int", 60, low=1),
        "frequency": Field("quantity", "1 Hz", help="pairing frequency of the pair rules", positive=True),
        "dt": Field("quantity", "0.5 ms", help="simulation time step", positive=True),
    },
    "rules": {
        "pair": Field("list[str]", list(PAIR_RULES), choices=PAIR_RULES),
        "triplet_frequencies": Field("list[quantity]", ["1 Hz", "20 Hz"],
                                     help="pairing frequencies for the triplet rule "
                                          "(empty: skip it)", positive=True),
    },
    "liquid": {
        "enabled": Field("bool", True, help="also run STDP on the E->E synapses of a liquid"),
        "rule": Field("str", "additive", choices=PAIR_RULES + ("triplet",)),
        "shape": Field("list[int]", [15, 3, 3], low=1),
        "n_channels": Field("int", 4, low=1),
        "rate": Field("quantity", "20 Hz", help="Poisson rate of each input channel", positive=True),
        "duration": Field("quantity", "2 s", positive=True),
        "method": Field("str", "exact", choices=("exact", "euler"),
                        help="Brian2 integration of the neuron equations"),
    },
})
def stdp_study(spec, seed, report):
    """STDP window from a pairing protocol against the analytic pair rule (Song et al. 2000);
    frequency dependence of the triplet rule (Pfister & Gerstner 2006)."""
    from ..spiking.plasticity import measure_stdp_window, stdp_window

    p, r = spec["protocol"], spec["rules"]
    lo, hi = p["delta_t"][0], p["delta_t"][-1]
    grid = np.arange(lo, hi + p["spacing"] / 2, p["spacing"])
    deltas = grid[np.abs(grid) > p["spacing"] / 4]          # no simultaneous pairs
    fine = np.linspace(lo, hi, 801)
    n = p["n_pairings"]
    panels = []
    for rule in report.progress(r["pair"], desc="pair rules"):
        measured = measure_stdp_window(deltas, rule, n_pairings=n, frequency=p["frequency"],
                                       dt=p["dt"]) / n
        theory = stdp_window(deltas, rule)
        scale = np.max(np.abs(theory))
        report.metric(f"{rule}_max_potentiation_per_pairing", measured.max())
        report.metric(f"{rule}_max_depression_per_pairing", measured.min())
        report.metric(f"{rule}_relative_rms_deviation_from_theory",
                      np.sqrt(np.mean((measured - theory) ** 2)) / scale)
        panels.append(functools.partial(plots.stdp_window, deltas, measured,
                                        theory=(fine, stdp_window(fine, rule)),
                                        title=f"{rule} rule, {n} pairings"))
    for freq in report.progress(r["triplet_frequencies"], desc="triplet"):
        keep = deltas[np.abs(deltas) < 0.5 / freq]
        measured = measure_stdp_window(keep, "triplet", n_pairings=n, frequency=freq,
                                       dt=p["dt"]) / n
        k = int(np.argmin(np.abs(keep - 0.01)))
        report.metric(f"triplet_dw_plus10ms_at_{freq:g}Hz", measured[k])
        panels.append(functools.partial(plots.stdp_window, keep, measured,
                                        title=f"triplet rule, pairing at {freq:g} Hz"))
    report.note("Weight changes are per pairing, in units of w_max; the pair rules' analytic "
                "window is drawn as a line (w = 0.5 for the multiplicative rule).")
    report.plot("stdp_window", panels)
    if spec["liquid"]["enabled"]:
        _liquid_weights(spec["liquid"], seed, report)


def _liquid_weights(liq, seed, report):
    """Learn with STDP on a liquid's E->E synapses; compare weights before and after."""
    from .. import tasks
    from ..spiking.features import STDPFeature
    from ..spiking.learning import synapse_bounds
    from ..spiking.lsm import LiquidStateMachine

    lsm = LiquidStateMachine(tuple(liq["shape"]), n_inputs=liq["n_channels"],
                             features={"stdp": {"rule": liq["rule"]}}, method=liq["method"],
                             seed=seed)
    data = tasks.spike_templates(1, liq["n_channels"], liq["duration"], liq["rate"], 0.0, 1,
                                 seed=seed)
    E = lsm.recurrent["E"]
    before = E.params["A"].copy()
    lsm.learn(data.inputs, duration=liq["duration"], progress=False, seed=seed)
    stdp = next(e for e in lsm.extensions if isinstance(e, STDPFeature))
    bound = synapse_bounds(lsm, stdp.A_max)
    plastic = ~lsm.inhibitory[E.post]
    after, before, bound = E.params["A"][plastic], before[plastic], bound[plastic]
    report.metric("liquid_mean_weight_change_relative", (after.mean() - before.mean())
                  / before.mean())
    report.metric("liquid_fraction_at_upper_bound", np.mean(after >= bound * (1 - 1e-9)))
    report.metric("liquid_fraction_at_zero", np.mean(after <= 0.0))
    report.plot("liquid_weights", plots.weight_histogram, after * 1e9, before=before * 1e9,
                xlabel="E→E amplitude A (nA)",
                title=f"{liq['rule']} STDP in a {'x'.join(map(str, liq['shape']))} liquid, "
                      f"{liq['duration']:g} s of {liq['rate']:g} Hz input (LSM.learn)")
