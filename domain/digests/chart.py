"""The digest as a picture for a phone: the share of branches meeting the rule per unit, and the
1+1 totals (or, when no branch reported its 1+1 yet, a line saying so, as the text does: four
zeros would read as a count).

Drawn with Pillow on a 1080-pixel-wide canvas, in DejaVu Sans (it has the Vietnamese letters),
whose two faces ship in this package under fonts/ with their licence (Bitstream Vera and DejaVu:
free to redistribute). A chart this plain needs no plotting library: matplotlib took 180 ms for
a district's picture, most of it laying out text, where Pillow takes about 40 ms.
"""

from __future__ import annotations

import io
import os
from functools import cache
from importlib import resources
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from domain.digests.compute import Digest, Group, ONEPLUSONE_FIELDS, Totals
from domain.digests.text import key_label, period_label
from messages_vi import t
from messages_vi.formatting import number, percent

BARS_SHOWN = 10              # units drawn one by one (the furthest behind); the rest summed into one bar
STACK = (("met", "#2e7d32"), ("met_online", "#0288d1"), ("not_met", "#c62828"), ("pending", "#f9a825"))
ONEPLUSONE_COLOR = "#6a1b9a"
INK, WHITE = "#212121", "#ffffff"
WIDTH, MARGIN = 1080, 40     # a phone shows 1080 pixels across without scaling the picture down
LABELS_RIGHT = 420           # unit names end here; their bars run from BARS_LEFT to the margin
BARS_LEFT = 440
ROW, BAR = 68, 48            # pixels per unit, and the height of its bar
TEXT, TITLE = 27, 32         # font sizes in pixels
COLUMNS_HEIGHT = 300         # the tallest 1+1 column
# zlib level 1: a district's picture encodes in 21 ms instead of 32 ms at Pillow's default (6),
# for 121 KB instead of 108 KB
PNG_COMPRESSION = 1
ELLIPSIS = "\u2026"
FONTS = resources.files("domain.digests") / "fonts"


@cache
def _font_file(name: str) -> bytes:
    # read once: importlib.resources gives no file path when the package is installed zipped
    return (FONTS / name).read_bytes()


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    # a face per use (about 20 microseconds), not cached: charts are drawn in worker threads, and a
    # FreeType face must not be used by two threads at once
    return ImageFont.truetype(io.BytesIO(_font_file("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size)


def bars(digest: Digest) -> list[tuple[str, Totals]]:
    """The bars drawn, top to bottom, in the digest text's order of units (digest.groups).

    Past BARS_SHOWN units, those furthest from the target are drawn and the others summed into a
    last bar."""
    behind = sorted(digest.groups, key=lambda g: (_share(g.totals), -g.totals.judged))
    drawn = {g.id for g in behind[:BARS_SHOWN]}
    shown = [(label(digest, g), g.totals) for g in digest.groups if g.id in drawn]
    rest: list[Group] = [g for g in digest.groups if g.id not in drawn]
    if rest:
        merged = Totals()
        for group in rest:
            merged.merge(group.totals)
        shown.append((t("chart.others", count=number(len(rest))), merged))
    return shown


def label(digest: Digest, group: Group) -> str:
    """A unit's bar's name; the root's own branches, beside its units, said to be its own."""
    if group.id == digest.root.id and len(digest.groups) > 1:
        return t("chart.own", unit=group.name)
    return group.name


def _share(totals: Totals) -> float:
    return totals.compliant / totals.judged if totals.judged else 1.0


def render(digest: Digest, path: Path) -> Path:
    """Draw the chart to a PNG (written beside, then moved into place); returns its path."""
    drawn = bars(digest)
    legend_rows = (len(STACK) + 1) // 2
    bars_top = 30 + TITLE + 30 + legend_rows * 44 + 20
    oneplusone_top = bars_top + ROW * len(drawn) + 50
    reported = digest.totals.oneplusone_reported
    height = oneplusone_top + TITLE + 40 + (COLUMNS_HEIGHT + 2 * TEXT if reported else TEXT) + 40
    image = Image.new("RGB", (WIDTH, height), WHITE)
    draw = ImageDraw.Draw(image)
    totals = digest.totals
    _centered(draw, 30, t("chart.compliance_title", period=period_label(digest.period),
                          rate=percent(totals.compliant, totals.judged)))
    _legend(draw, 30 + TITLE + 30)
    for index, (name, group) in enumerate(drawn):
        _bar(draw, bars_top + index * ROW, name, group)
    _centered(draw, oneplusone_top, t("chart.oneplusone_title", period=key_label(digest.oneplusone_keys[0])))
    if reported:
        _columns(draw, oneplusone_top + TITLE + 40, totals)
    else:
        draw.text((WIDTH / 2, oneplusone_top + TITLE + 40), t("chart.oneplusone_none"), font=_font(TEXT),
                  fill=INK, anchor="mt")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    image.save(partial, format="png", compress_level=PNG_COMPRESSION)
    os.replace(partial, path)     # a reader never sees half a picture
    return path


def _fit(text: str, font: ImageFont.FreeTypeFont, room: float) -> str:
    """The text, cut short with an ellipsis to fit `room` pixels."""
    if font.getlength(text) <= room:
        return text
    while text and font.getlength(text + ELLIPSIS) > room:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def _centered(draw: ImageDraw.ImageDraw, top: int, text: str) -> None:
    font = _font(TITLE, bold=True)
    draw.text((WIDTH / 2, top), _fit(text, font, WIDTH - 2 * MARGIN), font=font, fill=INK, anchor="mt")


def _legend(draw: ImageDraw.ImageDraw, top: int) -> None:
    font, column = _font(TEXT), (WIDTH - 2 * MARGIN) / 2
    for index, (status, color) in enumerate(STACK):
        x, y = MARGIN + 60 + (index % 2) * column, top + (index // 2) * 44
        draw.rectangle((x, y + 6, x + 34, y + 28), fill=color)
        draw.text((x + 46, y + 17), _fit(t(f"chart.label.{status}"), font, column - 110), font=font, fill=INK,
                  anchor="lm")


def _bar(draw: ImageDraw.ImageDraw, top: int, name: str, totals: Totals) -> None:
    """One unit: its name and how many of its branches met the rule, then its branches by status."""
    middle = top + ROW / 2
    font, bold = _font(TEXT), _font(TEXT, bold=True)
    count = f"{number(totals.compliant)}/{number(totals.judged)}"
    room = LABELS_RIGHT - MARGIN - font.getlength(count) - 14
    draw.text((LABELS_RIGHT, middle), f"{_fit(name, font, room)}  {count}", font=font, fill=INK, anchor="rm")
    if not totals.judged:
        return
    left, span = float(BARS_LEFT), WIDTH - MARGIN - BARS_LEFT
    for status, color in STACK:
        value = totals.statuses[status]
        if not value:
            continue
        right = left + span * value / totals.judged
        draw.rectangle((round(left), middle - BAR / 2, round(right) - 1, middle + BAR / 2), fill=color)
        label = number(value)
        if bold.getlength(label) + 10 <= right - left:
            draw.text(((left + right) / 2, middle), label, font=bold, fill=WHITE, anchor="mm")
        left = right


def _columns(draw: ImageDraw.ImageDraw, top: int, totals: Totals) -> None:
    """The four 1+1 totals as columns, each with its number above and its name below."""
    values = [getattr(totals.oneplusone, f) for f in ONEPLUSONE_FIELDS]
    font, bold = _font(TEXT), _font(TEXT + 2, bold=True)
    slot, highest = (WIDTH - 2 * MARGIN) / len(values), max(values + [1])
    base = top + COLUMNS_HEIGHT
    for index, (field, value) in enumerate(zip(ONEPLUSONE_FIELDS, values)):
        center = MARGIN + slot * (index + 0.5)
        column_top = base - round((COLUMNS_HEIGHT - TEXT - 16) * value / highest)
        if value:
            draw.rectangle((center - slot * 0.35, column_top, center + slot * 0.35, base), fill=ONEPLUSONE_COLOR)
        draw.text((center, column_top - 8), number(value), font=bold, fill=INK, anchor="md")
        draw.multiline_text((center, base + 10), t(f"chart.label.{field}"), font=font, fill=INK, anchor="ma",
                            align="center", spacing=4)
