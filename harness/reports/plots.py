"""Plots for `codeharness report` (matplotlib, Agg: no display needed)."""
from __future__ import annotations

import os
from typing import Optional

# Passed green, model failures in warm colours, infrastructure (sandbox_error) grey: a glance tells them apart.
STATUS_COLORS = {"passed": "#2ca02c", "failed": "#d62728", "syntax_error": "#ff7f0e", "runtime_error": "#e377c2",
                 "timeout": "#9467bd", "memory_exceeded": "#8c564b", "output_exceeded": "#bcbd22",
                 "sandbox_error": "#7f7f7f"}


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def plot_pass_at_k(scores, run_order: list[str], path: str) -> Optional[str]:
    """One panel per pass@k; bars grouped by benchmark (and test group), one colour per run."""
    if scores.empty:
        return None
    plt = _pyplot()
    metrics = sorted(scores["metric"].unique(), key=lambda m: (len(m), m))
    fig, axes = plt.subplots(1, len(metrics), figsize=(max(6, 5 * len(metrics)), 4.5), squeeze=False)
    width = 0.8 / max(1, len(run_order))
    for ax, metric in zip(axes[0], metrics):
        part = scores[scores["metric"] == metric]
        labels = sorted({(b, g) for b, g in zip(part["benchmark"], part["group"])}, key=lambda x: (x[0], x[1] != "all"))
        for i, run in enumerate(run_order):
            vals = []
            for bench, group in labels:
                v = part[(part["run"] == run) & (part["benchmark"] == bench) & (part["group"] == group)]["value"]
                vals.append(100 * float(v.iloc[0]) if len(v) and v.iloc[0] == v.iloc[0] else None)
            xs = [j + (i - (len(run_order) - 1) / 2) * width for j in range(len(labels))]
            # A run without this score gets no bar and "n/a", never a bar at 0 that reads as a result.
            bars = ax.bar(xs, [v or 0.0 for v in vals], width, label=run)
            ax.bar_label(bars, labels=["n/a" if v is None else f"{v:.1f}" for v in vals], fontsize=7)
        ax.set_xticks(range(len(labels)), [b if g == "all" else f"{b}\n({g})" for b, g in labels], fontsize=8)
        ax.set_ylabel(f"{metric} (%)")
        ax.set_ylim(0, 105)
        ax.set_title(metric)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return os.path.basename(path)


def plot_status(status, path: str) -> Optional[str]:
    """Horizontal stacked bars: the share of samples in each status, one bar per (benchmark, run)."""
    if status.empty:
        return None
    plt = _pyplot()
    cols = list(status.columns[2:])
    labels = [f"{b} / {r}" for b, r in zip(status["benchmark"], status["run"])]
    totals = status[cols].sum(axis=1).replace(0, 1)
    fig, ax = plt.subplots(figsize=(9, 1 + 0.5 * len(labels)))
    left = [0.0] * len(labels)
    for col in cols:
        share = (100 * status[col] / totals).tolist()
        ax.barh(labels, share, left=left, label=col, color=STATUS_COLORS.get(col))
        left = [a + b for a, b in zip(left, share)]
    ax.set_xlabel("samples (%)")
    ax.set_xlim(0, 100)
    ax.invert_yaxis()
    ax.legend(ncol=min(4, len(cols)), fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.5 / len(labels) - 0.15))
    fig.tight_layout()
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return os.path.basename(path)
