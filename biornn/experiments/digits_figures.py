"""Figures of the spoken-digit experiment: accuracies with 95% CIs, confusion matrices."""

from __future__ import annotations

import functools

import numpy as np

from .. import plots

__all__ = ["draw_figures"]


def _accuracy_panel(rows, group, chance, *, ax=None):
    """Bars (mean, 95% CI) per model and size, one colour per readout; baselines as
    horizontal lines in the colour of their readout, chance dotted."""
    models = [r for r in rows if r["model"] != "baseline" and r["split"] == group]
    readouts = list(dict.fromkeys(r["readout"] for r in rows))
    values, errors = {}, {}
    for r in models:
        label = f"{r['model'].upper()} {r['size']}"
        values.setdefault(label, {})[r["readout"]] = r["accuracy"]
        errors.setdefault(label, {})[r["readout"]] = (0.0 if np.isnan(r["ci95"])
                                                      else r["ci95"])
    if values:
        ax = plots.comparison_bars(values, errors=errors, ax=ax, ylabel="test accuracy")
    else:
        ax = plots.comparison_bars({"": 0.0}, ax=ax, ylabel="test accuracy")
    for r in rows:
        if r["model"] == "baseline" and r["split"] == group:
            ax.axhline(r["accuracy"], color=f"C{readouts.index(r['readout'])}", ls="--",
                       lw=1.2, label=f"baseline {r['readout']} {r['accuracy']:.3f}")
    ax.axhline(chance, color="0.5", ls=":", lw=1, label="chance")
    low = min([chance] + [r["accuracy"] - (0 if np.isnan(r["ci95"]) else r["ci95"])
                          for r in rows if r["split"] == group])
    ax.set_ylim(max(0.0, low - 0.05), 1.005)
    ax.legend(fontsize="x-small", loc="lower right")
    ax.set_title("official split (index 0-4 test)" if group == "official"
                 else "leave one speaker out (mean of folds)")
    return ax


def _confusion_panel(name, C, classes, *, ax=None):
    acc = np.trace(C) / C.sum()
    return plots.heatmap(C, classes, classes, ax=ax, xlabel="predicted digit",
                         ylabel="spoken digit", fmt="{:.0f}", cbar_label="recordings",
                         title=f"{name}: accuracy {acc:.3f} (official, seed 0)")


def draw_figures(report, rows, confusions, classes, chance):
    """Record the ``comparison`` and ``confusion`` figures of a spoken-digit run."""
    groups = list(dict.fromkeys(r["split"] for r in rows))
    report.plot("comparison", [functools.partial(_accuracy_panel, rows, g, chance)
                               for g in groups],
                suptitle="Spoken digits (FSDD): test accuracy, mean and 95% CI over "
                         "reservoir seeds; dashed: no-reservoir baselines, same readouts")
    if confusions:
        report.plot("confusion", [functools.partial(_confusion_panel, k, C, classes)
                                  for k, C in confusions.items()],
                    suptitle="Confusion matrices, official split")
