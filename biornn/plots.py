"""Figures for biornn experiments (matplotlib).

Every function takes plain arrays (never a model object), draws on ``ax``
(a new figure's axes when ``ax`` is None) and returns the axes, so panels
compose freely::

    fig, (a, b) = plt.subplots(1, 2)
    traces(y_test, y_pred, ax=a); capacity_curve(delays, r2, ax=b)

On a machine with no display, importing this module selects matplotlib's
non-interactive ``Agg`` backend (unless ``MPLBACKEND`` says otherwise or
pyplot is already in use), so figures can always be saved.
"""

from __future__ import annotations

import os
import sys

import matplotlib

if (not os.environ.get("MPLBACKEND") and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY") and sys.platform.startswith("linux")
        and "matplotlib.pyplot" not in sys.modules):
    matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

__all__ = ["traces", "comparison_bars", "capacity_curve", "raster", "weight_histogram",
           "energy", "stdp_window", "heatmap", "curves", "size_comparison",
           "target_prediction", "input_liquid_raster"]


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.6))
    return ax


def traces(y_true, y_pred, *, t=None, ax=None, max_outputs=3, title=None,
           xlabel="time step", ylabel="output"):
    """Readout output against its target over time.

    Parameters
    ----------
    y_true, y_pred : array (time,) or (time, outputs)
        Target and prediction; at most ``max_outputs`` outputs are drawn.
    t : array (time,), optional
        Time axis (default: step index).
    """
    ax = _axes(ax)
    yt = np.asarray(y_true, dtype=float).reshape(len(y_true), -1)
    yp = np.asarray(y_pred, dtype=float).reshape(len(y_pred), -1)
    if yt.shape != yp.shape:
        raise ValueError(f"y_true and y_pred must have the same shape, got {yt.shape} and "
                         f"{yp.shape}")
    t = np.arange(len(yt)) if t is None else np.asarray(t, dtype=float)
    for j in range(min(yt.shape[1], max_outputs)):
        suffix = f" {j}" if yt.shape[1] > 1 else ""
        line, = ax.plot(t, yt[:, j], lw=1.5, label=f"target{suffix}")
        ax.plot(t, yp[:, j], lw=1.0, ls="--", color=line.get_color(), alpha=0.9,
                label=f"readout{suffix}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize="small")
    return ax


def comparison_bars(values, *, errors=None, ax=None, ylabel="", title=None, log=False):
    """Bars comparing models (and groups of conditions).

    Parameters
    ----------
    values : dict
        ``{label: value}`` for one bar per label, or ``{group: {label: value}}``
        for grouped bars (groups on the x axis, one colour per label).
    errors : dict, optional
        Same shape as ``values``: half-widths of error bars (e.g. std over seeds).
    log : bool
        Logarithmic y axis (for costs in seconds).
    """
    ax = _axes(ax)
    grouped = any(isinstance(v, dict) for v in values.values())
    if not grouped:
        labels = list(values)
        e = None if errors is None else [errors.get(k, 0.0) for k in labels]
        ax.bar(np.arange(len(labels)), [values[k] for k in labels], 0.6, yerr=e, capsize=3,
               color=[f"C{i % 10}" for i in range(len(labels))])
        ax.set_xticks(np.arange(len(labels)), [str(k) for k in labels])
    else:
        groups = list(values)
        labels = list(dict.fromkeys(k for g in groups for k in values[g]))
        width = 0.8 / max(len(labels), 1)
        x = np.arange(len(groups))
        for i, label in enumerate(labels):
            h = [values[g].get(label, np.nan) for g in groups]
            e = None if errors is None else [errors.get(g, {}).get(label, 0.0) for g in groups]
            ax.bar(x + (i - (len(labels) - 1) / 2) * width, h, width, yerr=e, capsize=3,
                   label=str(label))
        ax.set_xticks(x, [str(g) for g in groups])
        ax.legend(fontsize="small")
    if log:
        ax.set_yscale("log")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


def curves(x, ys, *, errors=None, ax=None, xlabel="", ylabel="", title=None, logx=False,
           logy=False, marker="o"):
    """Several labelled curves over a shared x, with optional error bands.

    ``ys`` is ``{label: y}`` (each y shaped like ``x``); ``errors`` the same
    with half-widths drawn as shaded bands.
    """
    ax = _axes(ax)
    x = np.asarray(x, dtype=float)
    for label, y in ys.items():
        y = np.asarray(y, dtype=float)
        line, = ax.plot(x, y, marker=marker, ms=3, label=str(label))
        if errors is not None and label in errors:
            e = np.asarray(errors[label], dtype=float)
            ax.fill_between(x, y - e, y + e, color=line.get_color(), alpha=0.2, lw=0)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if len(ys) > 1 or any(str(k) for k in ys):
        ax.legend(fontsize="small")
    return ax


def capacity_curve(x, y, *, errors=None, ax=None, label=None, xlabel="delay k",
                   ylabel="r²", title=None, total=None):
    """A capacity curve: the forgetting curve ``r²(k)`` of memory capacity, or a
    Hopfield network's recall quality against the load ``P/N``.

    ``total`` (e.g. the memory capacity ``Σ_k r²``) is written in the legend.
    """
    lbl = label or ""
    if total is not None:
        lbl = f"{lbl} (total {total:.2f})".strip()
    ax = curves(x, {lbl: y}, errors=None if errors is None else {lbl: errors}, ax=ax,
                xlabel=xlabel, ylabel=ylabel, title=title)
    ax.set_ylim(bottom=min(0.0, ax.get_ylim()[0]))
    return ax


def raster(spike_indices, spike_times, *, ax=None, time_unit="ms", n_neurons=None,
           markersize=2.0, color="k", title=None):
    """Spike raster from spike indices and times (in seconds), as a SpikeMonitor gives them."""
    ax = _axes(ax)
    i = np.asarray(spike_indices).ravel()
    t = np.asarray(spike_times, dtype=float).ravel()
    if i.shape != t.shape:
        raise ValueError(f"spike_indices and spike_times must have the same length, got "
                         f"{i.size} and {t.size}")
    scale = {"s": 1.0, "ms": 1e3}[time_unit]
    ax.plot(t * scale, i, ls="none", marker="|", ms=markersize * 2, color=color, mew=0.8)
    ax.set_xlabel(f"time ({time_unit})")
    ax.set_ylabel("neuron")
    if n_neurons is not None:
        ax.set_ylim(-0.5, n_neurons - 0.5)
    if title:
        ax.set_title(title)
    return ax


def weight_histogram(weights, *, before=None, bins=50, ax=None, xlabel="weight", title=None):
    """Histogram of synaptic weights (optionally against an earlier distribution)."""
    ax = _axes(ax)
    w = np.asarray(weights, dtype=float).ravel()
    edges = np.histogram_bin_edges(w if before is None else
                                   np.concatenate([w, np.asarray(before, float).ravel()]),
                                   bins=bins)
    if before is not None:
        ax.hist(np.asarray(before, float).ravel(), bins=edges, alpha=0.5, label="before")
    ax.hist(w, bins=edges, alpha=0.7, label="after" if before is not None else None)
    if before is not None:
        ax.legend(fontsize="small")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("count")
    if title:
        ax.set_title(title)
    return ax


def energy(trajectories, *, ax=None, xlabel="update", ylabel="energy E", title=None):
    """Energy against update step: one trajectory (1-d) or several (2-d rows or a list)."""
    ax = _axes(ax)
    if len(trajectories) and np.ndim(trajectories[0]) == 0:   # a single trajectory
        trajs = [np.asarray(trajectories, float)]
    else:
        trajs = [np.asarray(e, float) for e in trajectories]
    for e in trajs:
        ax.plot(np.arange(len(e)), e, lw=1.0, alpha=0.8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


def stdp_window(delta_t, delta_w, *, theory=None, ax=None, time_unit="ms", title=None):
    """Weight change against spike-timing difference ``Δt = t_post - t_pre`` (seconds).

    ``theory`` is an optional ``(delta_t, delta_w)`` pair drawn as a line
    beside the measured points.
    """
    ax = _axes(ax)
    scale = {"s": 1.0, "ms": 1e3}[time_unit]
    ax.axhline(0.0, color="0.7", lw=0.8)
    ax.axvline(0.0, color="0.7", lw=0.8)
    if theory is not None:
        ax.plot(np.asarray(theory[0], float) * scale, theory[1], color="C1", lw=1.2,
                label="theory")
    ax.plot(np.asarray(delta_t, float) * scale, delta_w, "o", ms=3, color="C0",
            label="measured")
    ax.set_xlabel(f"Δt = t_post − t_pre ({time_unit})")
    ax.set_ylabel("Δw")
    ax.legend(fontsize="small")
    if title:
        ax.set_title(title)
    return ax


def heatmap(values, x_labels, y_labels, *, ax=None, xlabel="", ylabel="", title=None,
            cbar_label="", fmt="{:.3g}"):
    """A value per (row, column) cell, annotated; rows are ``y_labels``."""
    ax = _axes(ax)
    v = np.asarray(values, dtype=float)
    im = ax.imshow(v, origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(np.arange(len(x_labels)), [str(x) for x in x_labels])
    ax.set_yticks(np.arange(len(y_labels)), [str(y) for y in y_labels])
    for (r, c), val in np.ndenumerate(v):
        ax.text(c, r, fmt.format(val), ha="center", va="center", color="w", fontsize="small")
    ax.figure.colorbar(im, ax=ax, label=cbar_label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


def size_comparison(sizes, means, *, errors=None, references=None, ax=None,
                    xlabel="neurons / units", ylabel="", title=None, logy=False):
    """Models compared across sizes: means with error bars, x ticks at the sizes.

    Parameters
    ----------
    sizes : array (k,)
    means : dict
        ``{model: values (k,)}``.
    errors : dict, optional
        ``{model: half-widths (k,)}`` (e.g. 95% confidence intervals over seeds);
        NaN half-widths (a single seed) draw no bar.
    references : dict, optional
        ``{label: value}`` drawn as horizontal lines (chance level, the mean
        predictor's NRMSE = 1, ...).
    """
    ax = _axes(ax)
    x = np.asarray(sizes, dtype=float)
    for label, y in means.items():
        e = None
        if errors is not None and label in errors:
            e = np.nan_to_num(np.asarray(errors[label], dtype=float), nan=0.0)
        ax.errorbar(x, np.asarray(y, dtype=float), yerr=e, marker="o", ms=4, capsize=3,
                    label=str(label))
    for i, (label, value) in enumerate((references or {}).items()):
        ax.axhline(value, color="0.45", ls=(":", "--", "-.")[i % 3], lw=1, label=str(label))
    if logy:
        ax.set_yscale("log")
    ax.set_xticks(x, [f"{v:g}" for v in x])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(fontsize="small")
    return ax


def target_prediction(y_true, y_pred, *, t=None, ax=None, title=None, xlabel="time step",
                      ylabel="output"):
    """A target (black) and a readout's prediction (orange) of one output over time."""
    ax = _axes(ax)
    yt = np.asarray(y_true, dtype=float).ravel()
    yp = np.asarray(y_pred, dtype=float).ravel()
    if yt.shape != yp.shape:
        raise ValueError(f"y_true and y_pred must have the same length, got {yt.size} and "
                         f"{yp.size}")
    t = np.arange(yt.size) if t is None else np.asarray(t, dtype=float)
    ax.plot(t, yt, color="k", lw=1.4, label="target")
    ax.plot(t, yp, color="C1", lw=1.1, label="prediction")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize="medium")
    ax.legend(loc="best", fontsize="small")
    return ax


def input_liquid_raster(input_channels, input_times, n_inputs, neuron_indices, neuron_times,
                        inhibitory, *, ax=None, time_unit="ms", title=None):
    """Input spikes above the liquid's raster, excitatory and inhibitory cells apart.

    The liquid's excitatory neurons take rows ``0 ..`` (red), its inhibitory ones the
    rows above them (blue), and the input channels the top rows (black, above a line).

    Parameters
    ----------
    input_channels, input_times : arrays
        The input spikes (channel, seconds).
    n_inputs : int
    neuron_indices, neuron_times : arrays
        The liquid's spikes (neuron, seconds).
    inhibitory : array of bool (n_neurons,)
    """
    ax = _axes(ax)
    inhibitory = np.asarray(inhibitory, dtype=bool)
    n = inhibitory.size
    order = np.argsort(inhibitory, kind="stable")        # E first, then I
    row = np.empty(n, dtype=int)
    row[order] = np.arange(n)
    idx = np.asarray(neuron_indices, dtype=int).ravel()
    t = np.asarray(neuron_times, dtype=float).ravel()
    scale = {"s": 1.0, "ms": 1e3}[time_unit]
    for mask, colour, label in ((~inhibitory[idx], "C3", "excitatory"),
                                (inhibitory[idx], "C0", "inhibitory")):
        ax.plot(t[mask] * scale, row[idx[mask]], ls="none", marker="|", ms=3, mew=0.7,
                color=colour, label=label)
    top = n + 1
    ch = np.asarray(input_channels, dtype=int).ravel()
    ax.plot(np.asarray(input_times, dtype=float).ravel() * scale, top + ch, ls="none",
            marker="|", ms=4, mew=0.9, color="k", label="input")
    ax.axhline(n + 0.25, color="0.6", lw=0.8)
    ax.set_ylim(-0.5, top + n_inputs - 0.5)
    ax.set_yticks([(~inhibitory).sum() / 2, n - inhibitory.sum() / 2, top + (n_inputs - 1) / 2],
                  ["E", "I", "input"])
    ax.set_xlabel(f"time ({time_unit})")
    if title:
        ax.set_title(title)
    ax.legend(loc="upper right", fontsize="x-small", markerscale=2)
    return ax
