"""The report's figures: matplotlib (Agg, no pyplot state) rendered to inline SVG with text drawn as paths, so the
page needs no font, script or file beside it."""

from __future__ import annotations

import io
import math
import re
from typing import Any

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
          "#7f7f7f")
_XML_HEAD = re.compile(r"^.*?(?=<svg\b)", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)


def label(text: Any, limit: int = 40) -> str:
    """Data as a matplotlib label: ``$`` escaped (no mathtext from data), bounded length."""
    s = " ".join(str(text).split())
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return s.replace("\\", "\\\\").replace("$", r"\$")


def new_figure(width: float = 8.0, height: float = 4.0, rows: int = 1, sharex: bool = False) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(rows, 1, sharex=sharex, squeeze=False)[:, 0]
    for ax in axes:
        ax.grid(True, color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    return fig, list(axes)


def to_svg(fig: Any, salt: str) -> str:
    """The figure as an ``<svg>`` element (no XML declaration, DOCTYPE or metadata); ``salt`` keeps element ids
    unique between figures of one page."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": salt, "font.family": "DejaVu Sans"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = _METADATA.sub("", _XML_HEAD.sub("", buf.getvalue(), count=1), count=1)
    return text.replace("<svg ", '<svg role="img" ', 1)


def percent_axis(ax: Any, top: float | None = None) -> None:
    from matplotlib.ticker import PercentFormatter

    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylim(0, top if top is not None else 1.0)


def _ok(x: Any) -> bool:
    return isinstance(x, (int, float)) and not math.isnan(x)


def _yerr(rate: float, low: Any, high: Any) -> list[list[float]]:
    lo = rate - low if _ok(low) else 0.0
    hi = high - rate if _ok(high) else 0.0
    return [[max(0.0, lo)], [max(0.0, hi)]]


def training_figure(steps: list[dict[str, Any]], onset: int | None, checkpoints: list[dict[str, Any]],
                    salt: str, trainer: list[dict[str, Any]] | None = None) -> str:
    """Top: hack rate per step, overall and per family, with the onset line. Bottom (when there are
    checkpoints): each eval's misaligned rate and the MGS per checkpoint with 95% intervals, same step axis.
    ``checkpoints``: ``{"step", "evals": {name: (rate, low, high)}, "mgs": (rate, low, high) | None}``."""
    rows = 2 if checkpoints else 1
    fig, axes = new_figure(8.5, 3.4 * rows, rows=rows, sharex=True)
    ax = axes[0]
    xs = [s["step"] for s in steps if s.get("hack_rate") is not None]
    top = 0.05
    if xs:
        ys = [s["hack_rate"] for s in steps if s.get("hack_rate") is not None]
        top = max(top, *ys)
        ax.plot(xs, ys, color="#000000", linewidth=2.0, label="all hacks")
        families = sorted({f for s in steps for f in (s.get("hack_rate_by_family") or {})})
        for i, fam in enumerate(families):
            fy = [(s.get("hack_rate_by_family") or {}).get(fam, 0.0) for s in steps if s.get("hack_rate") is not None]
            ax.plot(xs, fy, color=COLORS[i % len(COLORS)], linewidth=1.1, label=label(fam))
    rated = [s for s in trainer or [] if s.get("hack_rate") is not None]
    if rated:
        ty = [s["hack_rate"] for s in rated]
        top = max(top, *ty)
        ax.plot([s["step"] for s in rated], ty, color="#7f7f7f", linestyle=":", linewidth=1.6,
                label="all hacks, as the trainer logged them")
    if onset is not None:
        for a in axes:
            a.axvline(onset, color="#d62728", linestyle="--", linewidth=1.2)
        ax.text(onset, 0.5, f" onset: step {onset} ", transform=ax.get_xaxis_transform(), color="#d62728",
                va="center", ha="right", fontsize=8, rotation=90,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})
    percent_axis(ax, min(1.0, top * 1.15 + 0.02))
    ax.set_ylabel("successful-hack rate")
    ax.set_title("Hack rate per step (overall and per family)", fontsize=10, loc="left")
    if xs:
        ax.legend(fontsize=7, loc="upper left", frameon=False, ncol=2)
    if checkpoints:
        ax2 = axes[1]
        names = sorted({n for c in checkpoints for n in c["evals"]})
        n = max(1, len(names))
        span = max(1.0, (max(c["step"] for c in checkpoints) - min(c["step"] for c in checkpoints)) or 1.0)
        width = span * 0.012
        top2 = 0.05
        for i, name in enumerate(names):
            pts = [(c["step"] + (i - (n - 1) / 2) * width, *c["evals"][name]) for c in checkpoints
                   if name in c["evals"]]
            if not pts:
                continue
            x, r, lo, hi = zip(*pts, strict=True)
            err = [[max(0.0, a - (b if _ok(b) else a)) for a, b in zip(r, lo, strict=True)],
                   [max(0.0, (b if _ok(b) else a) - a) for a, b in zip(r, hi, strict=True)]]
            top2 = max(top2, *[(b if _ok(b) else a) for a, b in zip(r, hi, strict=True)])
            ax2.errorbar(x, r, yerr=err, color=COLORS[i % len(COLORS)], marker="o", markersize=3.5, linewidth=0.9,
                         capsize=2, label=label(name))
        mg = [(c["step"], *c["mgs"]) for c in checkpoints if c.get("mgs")]
        if mg:
            x, r, lo, hi = zip(*mg, strict=True)
            err = [[max(0.0, a - (b if _ok(b) else a)) for a, b in zip(r, lo, strict=True)],
                   [max(0.0, (b if _ok(b) else a) - a) for a, b in zip(r, hi, strict=True)]]
            ax2.errorbar(x, r, yerr=err, color="#000000", marker="s", markersize=5, linewidth=2.2, capsize=3,
                         label="MGS")
            top2 = max(top2, *r)
        percent_axis(ax2, min(1.0, top2 * 1.1 + 0.02))
        ax2.set_ylabel("misaligned rate")
        ax2.set_title("Misalignment per checkpoint (95% intervals)", fontsize=10, loc="left")
        ax2.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.22), frameon=False, ncol=4)
    axes[-1].set_xlabel("training step")
    return to_svg(fig, salt)


def eval_bars_figure(rows: list[dict[str, Any]], salt: str) -> str:
    """Per eval: the misaligned rate as a bar split into covert (dark), overt (light) and unsplit parts, with its
    95% interval; a corrected rate (diamond, with its interval) where a calibration exists.
    ``rows``: ``{"eval", "rate", "low", "high", "covert", "overt", "corrected": (rate, low, high) | None}``
    (covert and overt as shares of usable samples)."""
    fig, (ax,) = new_figure(8.0, 0.9 + 0.42 * max(2, len(rows)))
    ys = list(range(len(rows)))[::-1]
    top = 0.1
    seen: set[str] = set()

    def once(name: str) -> str | None:
        if name in seen:
            return None
        seen.add(name)
        return name

    for y, r in zip(ys, rows, strict=True):
        rate = r["rate"]
        covert = min(rate, r.get("covert") or 0.0)
        overt = min(rate - covert, r.get("overt") or 0.0)
        rest = max(0.0, rate - covert - overt)
        ax.barh(y, covert, color="#8c1d18", height=0.6, label=once("covert"))
        ax.barh(y, overt, left=covert, color="#e8a09a", height=0.6, label=once("overt"))
        if rest > 1e-9:
            ax.barh(y, rest, left=covert + overt, color="#bbbbbb", height=0.6,
                    label=once("not split"))
        ax.errorbar([rate], [y], xerr=_yerr(rate, r.get("low"), r.get("high")), color="#000000", capsize=3,
                    linewidth=1.0)
        top = max(top, r.get("high") if _ok(r.get("high")) else rate)
        if r.get("count_text"):
            ax.annotate(r["count_text"], (1.0, y), xycoords=("axes fraction", "data"), xytext=(4, 0),
                        textcoords="offset points", va="center", ha="left", fontsize=7.5, color="#555555")
        cor = r.get("corrected")
        if cor and _ok(cor[0]):
            ax.errorbar([cor[0]], [y - 0.32], xerr=_yerr(cor[0], cor[1], cor[2]), color="#1f77b4", marker="D",
                        markersize=4, capsize=2, linewidth=0.9, label=once("judge-corrected"))
            top = max(top, cor[2] if _ok(cor[2]) else cor[0])
    ax.set_yticks(ys, [label(r["eval"], 28) + (f" ({r['kind']})" if r.get("kind") else "") for r in rows],
                  fontsize=8)
    from matplotlib.ticker import PercentFormatter

    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlim(0, min(1.0, top * 1.1 + 0.02))
    ax.set_xlabel("misaligned rate (95% interval)")
    handles, labels_ = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, labels_, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False,
                  ncol=len(handles))
    return to_svg(fig, salt)


def context_figure(points: list[Any], salt: str) -> str:
    """Chat-like vs agentic mean misaligned rate per checkpoint with 95% intervals."""
    fig, (ax,) = new_figure(8.0, 3.2)
    top = 0.05
    for attr, color, name in (("chat", "#1f77b4", "chat-like evals"), ("agentic", "#d62728", "agentic evals")):
        xs = [p.step for p in points]
        g = [getattr(p, attr) for p in points]
        ax.errorbar(xs, [x.rate for x in g], yerr=[[x.rate - x.low for x in g], [x.high - x.rate for x in g]],
                    color=color, marker="o", capsize=3, linewidth=1.6, label=name)
        top = max(top, *[x.high for x in g])
    percent_axis(ax, min(1.0, top * 1.1 + 0.02))
    ax.set_xlabel("training step")
    ax.set_ylabel("mean misaligned rate")
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    return to_svg(fig, salt)


def matrix_figure(rows: list[str], cols: list[str], cells: dict[tuple[str, str], tuple[float, Any, Any]],
                  salt: str) -> str:
    """Runs x evals heatmap: colour by rate, each cell's text the rate and its interval."""
    import numpy as np

    data = np.full((len(rows), len(cols)), np.nan)
    for (r, c), (rate, _, _) in cells.items():
        data[rows.index(r), cols.index(c)] = rate
    fig, (ax,) = new_figure(max(5.0, 1.25 * len(cols) + 2.0), 0.9 + 0.55 * len(rows))
    ax.grid(False)
    vmax = max(0.1, float(np.nanmax(data)) if np.isfinite(data).any() else 0.1)
    im = ax.imshow(np.ma.masked_invalid(data), cmap="Reds", vmin=0.0, vmax=vmax, aspect="auto")
    for (r, c), (rate, lo, hi) in cells.items():
        i, j = rows.index(r), cols.index(c)
        interval = f"\n[{lo:.0%}-{hi:.0%}]" if _ok(lo) and _ok(hi) else ""
        ax.text(j, i, f"{rate:.0%}{interval}", ha="center", va="center", fontsize=7,
                color="#ffffff" if rate > 0.6 * vmax else "#000000")
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            if (r, c) not in cells:
                ax.text(j, i, "n/a", ha="center", va="center", fontsize=7, color="#777777")
    ax.set_xticks(range(len(cols)), [label(c, 22) for c in cols], rotation=30, ha="right", fontsize=8)
    ax.set_yticks(range(len(rows)), [label(r, 28) for r in rows], fontsize=8)
    fig.colorbar(im, ax=ax, format="{x:.0%}", shrink=0.8).ax.tick_params(labelsize=7)
    return to_svg(fig, salt)
