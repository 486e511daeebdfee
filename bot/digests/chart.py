"""The digest as a picture for a phone: branches meeting the rule per unit, and the 1+1 totals.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no display, safe in a worker
thread), in DejaVu Sans, which matplotlib ships and which has the Vietnamese letters.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from bot.digests.compute import Digest, Group, ONEPLUSONE_FIELDS, Totals
from bot.digests.text import key_label, period_label
from messages_vi import t
from messages_vi.formatting import number, percent

BARS_SHOWN = 14              # units drawn one by one; the rest are summed into one bar
STACK = (("met", "#2e7d32"), ("met_online", "#0288d1"), ("not_met", "#c62828"), ("pending", "#f9a825"))
ONEPLUSONE_COLOR = "#6a1b9a"
STYLE = {"font.family": "DejaVu Sans", "font.size": 13, "axes.titlesize": 15, "axes.titleweight": "bold"}


def _bars(digest: Digest) -> list[tuple[str, Totals]]:
    groups: list[Group] = sorted(digest.groups, key=lambda g: -g.totals.branches)
    shown = [(g.name, g.totals) for g in groups[:BARS_SHOWN]]
    rest = groups[BARS_SHOWN:]
    if rest:
        merged = Totals()
        for group in rest:
            for line in group.branches:
                merged.add(line)
        shown.append((t("chart.others", count=len(rest)), merged))
    return shown


def _short(name: str, limit: int = 28) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def render(digest: Digest, path: Path) -> Path:
    """Draw the chart to a PNG (written beside, then moved into place); returns its path."""
    bars = _bars(digest)
    # Heights in inches, top to bottom; the axes are placed by hand because matplotlib's
    # automatic layout costs more than the drawing itself.
    head, bars_height, gap, second, foot = 1.3, 0.3 + 0.55 * len(bars), 1.5, 2.6, 0.8
    total = head + bars_height + gap + second + foot
    left = min(0.45, 0.1 + 0.0105 * max(len(_short(name)) for name, _ in bars))
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(8, total), dpi=100)
        top = figure.add_axes((left, (foot + second + gap) / total, 0.96 - left, bars_height / total))
        bottom = figure.add_axes((0.1, foot / total, 0.86, second / total))
        _compliance(figure, top, digest, bars, total)
        _oneplusone(bottom, digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        figure.savefig(partial, format="png")
    os.replace(partial, path)     # a reader never sees half a picture
    return path


def _compliance(figure, axes, digest: Digest, bars: list[tuple[str, Totals]], total: float) -> None:
    names = [_short(name) for name, _ in bars][::-1]
    left = [0] * len(bars)
    for status, color in STACK:
        values = [totals.statuses[status] for _, totals in bars][::-1]
        drawn = axes.barh(names, values, left=left, color=color, label=t(f"chart.label.{status}"))
        axes.bar_label(drawn, labels=[number(v) if v else "" for v in values], label_type="center",
                       color="white", fontsize=12, fontweight="bold")
        left = [a + b for a, b in zip(left, values)]
    totals = digest.totals
    figure.suptitle(t("chart.compliance_title", period=period_label(digest.period),
                      rate=percent(totals.compliant, totals.judged)),
                    y=1 - 0.15 / total, fontsize=15, fontweight="bold")
    figure.legend(*axes.get_legend_handles_labels(), loc="upper center", bbox_to_anchor=(0.5, 1 - 0.5 / total),
                  ncols=2, frameon=False)
    axes.set_xlabel(t("chart.branches"))
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)


def _oneplusone(axes, digest: Digest) -> None:
    figures = digest.totals.oneplusone
    values = [getattr(figures, f) for f in ONEPLUSONE_FIELDS]
    drawn = axes.bar([t(f"chart.label.{f}") for f in ONEPLUSONE_FIELDS], values, color=ONEPLUSONE_COLOR)
    axes.bar_label(drawn, labels=[number(v) for v in values], padding=3, fontsize=13, fontweight="bold")
    axes.set_title(t("chart.oneplusone_title", period=key_label(digest.oneplusone_keys[0])))
    axes.set_ylim(0, max(values + [1]) * 1.2)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)
