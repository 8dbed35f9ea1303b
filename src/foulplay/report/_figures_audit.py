"""Figures of the audit sections: the probe's technique x verdict grid and the detectors' operating points
(ROC curves when the bench report has curve points, else TPR at the two FPR budgets with intervals)."""

from __future__ import annotations

from typing import Any

from foulplay.report._figures import COLORS, label, new_figure, to_svg

VERDICTS = ("FOOLED", "RESISTED", "ERROR", "UNVERIFIED", "NOT-APPLICABLE")
VERDICT_COLORS = {"FOOLED": "#c92a2a", "RESISTED": "#2b8a3e", "ERROR": "#e67700", "UNVERIFIED": "#7048e8",
                  "NOT-APPLICABLE": "#adb5bd"}


def verdict_grid_figure(rows: list[tuple[str, str, str]], salt: str) -> str:
    """Techniques (rows, grouped by family, family named at the right) x verdicts (columns); each row's verdict
    cell is filled in its colour. ``rows``: ``(technique, family, verdict)`` in display order."""
    from matplotlib.patches import Rectangle

    fig, (ax,) = new_figure(7.5, 1.3 + 0.2 * max(3, len(rows)))
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    n = len(rows)
    for i, (_, _, verdict) in enumerate(rows):
        for j, col in enumerate(VERDICTS):
            filled = verdict == col
            ax.add_patch(Rectangle((j - 0.45, i - 0.4), 0.9, 0.8, linewidth=0.4, edgecolor="#dddddd",
                                   facecolor=VERDICT_COLORS[col] if filled else "#ffffff"))
    previous = None
    for i, (_, family, _) in enumerate(rows):
        if family != previous:
            if previous is not None:
                ax.axhline(i - 0.5, color="#555555", linewidth=0.6)
            ax.text(len(VERDICTS) - 0.35, i, label(family, 24), va="center", ha="left", fontsize=7, color="#333333")
            previous = family
    ax.set_xlim(-0.6, len(VERDICTS) + 1.6)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xticks(range(len(VERDICTS)), list(VERDICTS), fontsize=7.5)
    ax.xaxis.tick_top()
    ax.set_yticks(range(n), [label(t, 34) for t, _, _ in rows], fontsize=7)
    ax.tick_params(length=0)
    return to_svg(fig, salt)


def _interval(fig: dict[str, Any]) -> tuple[float, float] | None:
    ci = fig.get("ci95")
    if isinstance(ci, list) and len(ci) == 2 and all(isinstance(x, (int, float)) for x in ci):
        return float(ci[0]), float(ci[1])
    return None


def tpr_dots_figure(rows: list[tuple[str, dict[str, dict[str, Any]]]], salt: str) -> str:
    """One line per (data set, detector): the TPR at each FPR budget (``"1%"``, ``"5%"``) with its 95% interval.
    ``rows``: ``(label, tpr_at_fpr)`` where ``tpr_at_fpr`` is the bench report's table."""
    from matplotlib.ticker import PercentFormatter

    fig, (ax,) = new_figure(7.5, 1.0 + 0.42 * max(2, len(rows)))
    budgets = sorted({b for _, table in rows for b in table}, key=lambda b: float(b.rstrip("%") or 0))
    ys = list(range(len(rows)))[::-1]
    for k, budget in enumerate(budgets):
        color, offset = COLORS[k % len(COLORS)], (k - (len(budgets) - 1) / 2) * 0.22
        first = True
        for y, (_, table) in zip(ys, rows, strict=True):
            point = table.get(budget) or {}
            value = point.get("value")
            if not isinstance(value, (int, float)):
                continue
            ci = _interval(point)
            err = [[max(0.0, value - ci[0])], [max(0.0, ci[1] - value)]] if ci else None
            ax.errorbar([value], [y + offset], xerr=err, color=color, marker="os"[k % 2], markersize=5, capsize=3,
                        linewidth=1.0, label=f"TPR at {budget} FPR" if first else None)
            first = False
    ax.set_yticks(ys, [label(name, 36) for name, _ in rows], fontsize=8)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlim(0, 1.02)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlabel("true-positive rate (95% interval)")
    if budgets:
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    return to_svg(fig, salt)


def roc_figure(curves: list[tuple[str, list[list[float]], float | None]], salt: str) -> str:
    """ROC curves: ``(label, points [fpr, tpr, ...], auroc)`` each, with the chance diagonal."""
    fig, (ax,) = new_figure(5.5, 4.6)
    ax.plot([0, 1], [0, 1], color="#aaaaaa", linestyle=":", linewidth=1.0)
    for k, (name, points, auroc) in enumerate(curves):
        xs = [float(p[0]) for p in points]
        ys = [float(p[1]) for p in points]
        text = label(name, 30) + (f" (AUROC {auroc:.3f})" if isinstance(auroc, (int, float)) else "")
        ax.plot(xs, ys, color=COLORS[k % len(COLORS)], marker=".", markersize=3, linewidth=1.3, label=text)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("false-positive rate")
    ax.set_ylabel("true-positive rate")
    ax.legend(fontsize=7, loc="lower right", frameon=False)
    return to_svg(fig, salt)
