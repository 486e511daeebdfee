"""The digest's chart: a PNG is written, of a size a phone shows whole, for few or many units, in
the text's order of units; its fonts ship with the package."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

from domain.digests import chart, text
from storage.units import UnitRow
from tests.test_digests import digest, fill_quarter, meet

ROOT = Path(__file__).resolve().parent.parent


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


async def test_chart_of_a_district(services, tmp_path):
    await fill_quarter(services)
    path = chart.render(await digest(services, "D1", "2026-Q3"), tmp_path / "d1.png")
    assert path.stat().st_size > 10_000
    width, height = png_size(path)
    assert 700 <= width <= 1280 and height <= 2000
    assert not list(tmp_path.glob("*.part"))


async def test_chart_of_many_units_sums_the_rest(services, tmp_path):
    rows = [UnitRow(f"GX{i}", f"Đoàn xã số {i}", "grassroots", "D2", False, 0) for i in range(20)]
    rows += [UnitRow(f"BX{i}", f"Chi đoàn số {i}", "branch", f"GX{i}", False, 10) for i in range(20)]
    await services.storage.units.import_rows(rows, services.clock())
    for i in range(0, 20, 2):
        await meet(services, f"BX{i}", services.clock().date(), 8)
    result = await digest(services, "D2", "2026-11")
    assert len(result.groups) == 22
    bars = chart.bars(result)
    assert len(bars) == chart.BARS_SHOWN + 1
    shares = {name: totals.compliant / totals.judged for name, totals in bars[:-1]}
    assert sorted(shares.values()) == [0] * 10       # the units furthest behind are the ones drawn
    names = [chart.label(result, g) for g in result.groups]
    assert list(shares) == [name for name in names if name in shares]               # in the text's order
    assert "Chi đoàn trực thuộc Huyện đoàn Hai" in names                          # B3, directly under D2
    assert bars[-1][0] == "12 đơn vị khác"
    assert sum(totals.judged for _, totals in bars) == result.totals.judged
    assert sum(totals.compliant for _, totals in bars) == result.totals.compliant == 10
    width, height = png_size(chart.render(result, tmp_path / "d2.png"))
    assert height <= 2200


def in_text_order(names: list[str], message: str) -> bool:
    places = [message.index(f"• {name}: ") for name in names]
    return places == sorted(places)


async def test_chart_draws_units_in_the_order_of_the_text(services):
    await fill_quarter(services)
    result = await digest(services, "D1", "2026-Q3")
    labels = [name for name, _ in chart.bars(result)]
    # Đoàn phường Giữa (0%) is further behind, yet drawn second, as the text lists it
    assert labels == ["Đoàn xã Biên Giới", "Đoàn phường Giữa"]
    assert in_text_order(labels, text.render(result))
    province = await digest(services, "P", "2026-Q3")
    labels = [name for name, _ in chart.bars(province)]
    assert labels == ["Huyện đoàn Một", "Huyện đoàn Hai"] and in_text_order(labels, text.render(province))


def test_fonts_ship_with_the_package_without_matplotlib():
    fonts = Path(str(chart.FONTS))
    assert fonts == ROOT / "domain" / "digests" / "fonts"
    assert (fonts / "LICENSE_DEJAVU").read_text().startswith("Fonts are (c) Bitstream")
    assert chart._font(20).getname() == ("DejaVu Sans", "Book")
    assert chart._font(20, bold=True).getname() == ("DejaVu Sans", "Bold")
    # with matplotlib unimportable, the chart still finds its fonts
    script = ("import sys; sys.modules['matplotlib'] = None\n"
              "from domain.digests import chart\n"
              "assert chart._font(20).getlength('Đoàn xã Biên Giới') > 0")
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True)
