"""Figures: each function draws the data it is given on the axes it returns."""

import os
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

from biornn import plots


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_traces_draw_target_and_readout():
    y = np.sin(np.linspace(0, 6, 50))[:, None]
    ax = plots.traces(y, 0.9 * y)
    lines = ax.get_lines()
    assert len(lines) == 2
    np.testing.assert_allclose(lines[0].get_ydata(), y[:, 0])
    np.testing.assert_allclose(lines[1].get_ydata(), 0.9 * y[:, 0])
    with pytest.raises(ValueError, match="same shape"):
        plots.traces(y, y[:10])


def test_given_axes_are_used_and_returned():
    fig, axes = plt.subplots(1, 3)
    assert plots.energy([3.0, 2.0, 1.0], ax=axes[0]) is axes[0]
    assert plots.capacity_curve([1, 2, 3], [1.0, 0.8, 0.1], total=1.9, ax=axes[1]) is axes[1]
    assert plots.weight_histogram(np.ones(5), ax=axes[2]) is axes[2]
    assert "1.90" in axes[1].get_legend().get_texts()[0].get_text()


def test_comparison_bars_heights_and_groups():
    ax = plots.comparison_bars({"ESN": 0.3, "LSM": 0.5}, errors={"ESN": 0.1, "LSM": 0.1})
    assert [p.get_height() for p in ax.patches] == pytest.approx([0.3, 0.5])
    ax = plots.comparison_bars({"N=50": {"ESN": 1.0, "LSM": 2.0}, "N=100": {"ESN": 3.0}})
    heights = sorted(p.get_height() for p in ax.patches if np.isfinite(p.get_height()))
    assert heights == pytest.approx([1.0, 2.0, 3.0])


def test_raster_plots_every_spike():
    i = np.array([0, 1, 1, 4])
    t = np.array([0.001, 0.002, 0.010, 0.020])
    ax = plots.raster(i, t, n_neurons=5)
    line = ax.get_lines()[0]
    np.testing.assert_allclose(line.get_xdata(), t * 1e3)   # milliseconds
    np.testing.assert_array_equal(line.get_ydata(), i)
    with pytest.raises(ValueError, match="same length"):
        plots.raster(i, t[:2])


def test_weight_histogram_counts_all_weights():
    w = np.random.default_rng(0).normal(size=1000)
    ax = plots.weight_histogram(w, before=w + 1, bins=20)
    counts = [p.get_height() for p in ax.patches]
    assert sum(counts) == pytest.approx(2000)


def test_energy_trajectories_and_stdp_window():
    ax = plots.energy(np.array([[3.0, 2.0, 1.0], [5.0, 4.0, 4.0]]))
    assert len(ax.get_lines()) == 2
    dt = np.linspace(-0.05, 0.05, 11)
    dw = np.sign(dt) * np.exp(-np.abs(dt) / 0.02)
    ax = plots.stdp_window(dt, dw, theory=(dt, dw))
    measured = [ln for ln in ax.get_lines() if ln.get_label() == "measured"][0]
    np.testing.assert_allclose(measured.get_xdata(), dt * 1e3)


def test_heatmap_annotates_cells():
    ax = plots.heatmap([[1.0, 2.0], [3.0, 4.0]], ["a", "b"], ["x", "y"])
    assert sorted(t.get_text() for t in ax.texts) == ["1", "2", "3", "4"]


def test_headless_import_selects_agg():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND",
                                                             "WAYLAND_DISPLAY")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    code = "import biornn.plots, matplotlib; print(matplotlib.get_backend())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=60)
    assert out.stdout.strip().lower() == "agg", out.stderr
