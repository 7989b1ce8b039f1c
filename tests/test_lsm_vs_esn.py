"""The LSM-vs-ESN comparison's parts: the population code, the validation choice, figures."""

import matplotlib
import numpy as np
import pytest

from biornn import experiments, plots
from biornn.experiments.lsm_vs_esn_analog import choose_on_validation, split_segments
from biornn.specs import SpecError
from biornn.spiking.encoding import population_code, population_decode

matplotlib.use("Agg")


def test_population_code_spreads_the_signal_over_staggered_monotone_channels():
    s = np.linspace(0.0, 0.5, 501)[:, None]
    code = population_code(s, 8, low=0.0, high=0.5)
    assert code.shape == (501, 8) and code.min() == 0.0 and code.max() == 1.0
    on, off = code[:, :4], code[:, 4:]
    assert np.all(np.diff(on, axis=0) >= 0) and np.all(np.diff(off, axis=0) <= 0)
    # each ON channel starts rising where the previous one saturates: distinct ranges
    first_active = [s[np.argmax(on[:, k] > 0), 0] for k in range(4)]
    assert np.allclose(first_active, [0.001, 0.126, 0.251, 0.376], atol=2e-3)
    # at every level exactly the channels of its part of the range are in transition
    assert np.all(((on > 0) & (on < 1)).sum(1)[1:-1] <= 1)
    # the ON sum is linear in the signal (thermometer code), the OFF sum its mirror
    assert np.allclose(on.sum(1), s[:, 0] / 0.125)
    assert np.allclose(off.sum(1), 4 - s[:, 0] / 0.125)


@pytest.mark.parametrize("overlap, push_pull, n", [(1.0, True, 8), (2.5, True, 6),
                                                   (1.0, False, 5), (3.0, False, 3)])
def test_population_decode_inverts_the_code(overlap, push_pull, n):
    rng = np.random.default_rng(0)
    s = rng.uniform(-0.8, 0.8, (3, 40, 2))
    code = population_code(s, n, low=-0.8, high=0.8, overlap=overlap, push_pull=push_pull)
    assert code.shape == (3, 40, 2 * n)
    back = population_decode(code, n, low=-0.8, high=0.8, overlap=overlap,
                             push_pull=push_pull)
    assert np.allclose(back, s, atol=1e-12)
    # outside the range the code saturates, and decodes to the nearest end
    out = population_code(np.array([[-2.0], [2.0]]), n, low=-0.8, high=0.8,
                          overlap=overlap, push_pull=push_pull)
    assert np.allclose(population_decode(out, n, low=-0.8, high=0.8, overlap=overlap,
                                         push_pull=push_pull)[:, 0], [-0.8, 0.8])


def test_population_code_refuses_bad_arguments():
    with pytest.raises(ValueError, match="n_channels must be even"):
        population_code(np.zeros((5, 1)), 5)
    with pytest.raises(ValueError, match="high > low"):
        population_code(np.zeros((5, 1)), 4, low=1.0, high=0.0)
    with pytest.raises(ValueError, match="overlap"):
        population_code(np.zeros((5, 1)), 4, overlap=0.5)
    with pytest.raises(ValueError, match="multiple of n_channels=4"):
        population_decode(np.zeros((5, 6)), 4)


def _task(rng, n_seg=10, steps=30):
    y = rng.normal(size=(n_seg, steps, 1))
    good = np.concatenate([y + 0.1 * rng.normal(size=y.shape), rng.normal(size=y.shape)], -1)
    bad = rng.normal(size=(n_seg, steps, 2))
    return y, good, bad


def test_the_validation_choice_reads_no_test_segment():
    rng = np.random.default_rng(1)
    y, good, bad = _task(rng)
    train, val, test = split_segments(10, 2, 3)
    assert list(train) == list(range(5)) and list(val) == [5, 6] and list(test) == [7, 8, 9]
    readout = {"alpha": [1e-6, 1e-4, 1e-2, 1.0, 1e2], "n_folds": 3}
    best, scores = choose_on_validation({"good": good, "bad": bad}, y, train, val,
                                        washout=2, readout=readout)
    assert best == "good" and scores["good"] < 0.3 < 0.9 < scores["bad"]
    # test segments made NaN, or the "bad" candidate made perfect on test only:
    # nothing changes, since the choice never reads them
    for fill in (np.nan, None):
        g, b, yy = good.copy(), bad.copy(), y.copy()
        if fill is None:
            b[test] = np.concatenate([y[test], y[test]], -1)
        else:
            g[test] = b[test] = yy[test] = fill
        best2, scores2 = choose_on_validation({"good": g, "bad": b}, yy, train, val,
                                              washout=2, readout=readout)
        assert best2 == best and scores2 == scores
    with pytest.raises(ValueError, match="overlap"):
        choose_on_validation({"good": good}, y, [0, 1, 2], [2, 3], washout=0,
                             readout=readout)


def test_split_segments_needs_every_part():
    with pytest.raises(ValueError, match="at least one train"):
        split_segments(4, 2, 2)


def test_the_spec_refuses_an_odd_push_pull_code_and_poisson_rates_too_high():
    with pytest.raises(SpecError, match="n_channels .* must be even"):
        experiments.load_spec("lsm_vs_esn", ["analog.n_channels=5"])
    with pytest.raises(SpecError, match="max_rates x analog.steps"):
        experiments.load_spec("lsm_vs_esn", ["analog.mode=poisson",
                                             "analog.max_rates=[\"2000 Hz\"]"])
    spec = experiments.load_spec("lsm_vs_esn", ["analog.steps=[\"0.5 ms\"]"])
    assert spec["analog"]["steps"] == [pytest.approx(5e-4)]


def test_size_comparison_draws_error_bars_references_and_ticks_at_the_sizes():
    ax = plots.size_comparison([45, 90, 135], {"ESN": [0.5, 0.4, 0.3], "LSM": [0.8, 0.7, 0.6]},
                               errors={"ESN": [0.1, np.nan, 0.1], "LSM": [0.05] * 3},
                               references={"mean predictor": 1.0})
    assert [t.get_text() for t in ax.get_xticklabels()] == ["45", "90", "135"]
    labels = ax.get_legend_handles_labels()[1]
    assert sorted(labels) == ["ESN", "LSM", "mean predictor"]
    assert any(np.allclose(line.get_ydata(), 1.0) for line in ax.get_lines())


def test_target_and_prediction_get_distinct_colours_and_the_raster_separates_e_i_input():
    ax = plots.target_prediction(np.sin(np.arange(50)), np.cos(np.arange(50)), title="NRMSE 0.5")
    c = [line.get_color() for line in ax.get_lines()]
    assert len(c) == 2 and c[0] != c[1] and ax.get_title() == "NRMSE 0.5"
    inhib = np.array([False, True, False, True])
    ax = plots.input_liquid_raster([0, 1], [0.01, 0.02], 2, [0, 1, 2, 3], [0.0, 0.1, 0.2, 0.3],
                                   inhib)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert list(lines["excitatory"].get_ydata()) == [0, 1]   # E rows first
    assert list(lines["inhibitory"].get_ydata()) == [2, 3]
    assert min(lines["input"].get_ydata()) > 3                # input above the liquid
    assert lines["excitatory"].get_color() != lines["inhibitory"].get_color()


def test_the_delay_line_baseline_needs_its_taps():
    """NARMA-10 from its last 10 inputs beats NARMA-10 from its last 2 (order 10 memory)."""
    from biornn.experiments.lsm_vs_esn_analog import analog_data, delay_line_baseline

    spec = experiments.load_spec("lsm_vs_esn", ["analog.n_segments=20",
                                                "analog.segment_steps=100"])
    data = analog_data(spec["analog"], 0)
    k, ten = delay_line_baseline(spec, data)
    spec["analog"]["order"] = 2          # only the taps change: the data stay NARMA-10
    _, two = delay_line_baseline(spec, data)
    assert k == 10 and ten < two - 0.1 and two > 0.7
