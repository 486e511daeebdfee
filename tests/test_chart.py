"""The digest's chart: a PNG is written, of a size a phone shows whole, for few or many units,
the units furthest behind drawn first."""

from __future__ import annotations

import struct

from domain.digests import chart
from storage.units import UnitRow
from tests.test_digests import digest, fill_quarter, meet


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
    bars = chart._bars(result)
    assert len(bars) == chart.BARS_SHOWN + 1
    shares = [totals.compliant / totals.judged for _, totals in bars[:-1]]
    assert shares == sorted(shares) and shares[0] == 0        # the units furthest behind come first
    assert bars[-1][0] == "12 đơn vị khác"
    assert sum(totals.judged for _, totals in bars) == result.totals.judged
    assert sum(totals.compliant for _, totals in bars) == result.totals.compliant == 10
    width, height = png_size(chart.render(result, tmp_path / "d2.png"))
    assert height <= 2200
