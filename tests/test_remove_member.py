"""Removing someone from a unit: only a branch's secretary or deputy, only by an officer of a unit
above the branch, never oneself; checked when the removal runs, so a forged payload is refused."""

from __future__ import annotations

from tests.support import joined


async def _role_id(services, user_id: str) -> int:
    return (await services.storage.people.identify("terminal", user_id)).role_id


async def _role(services, user_id: str) -> str | None:
    return (await services.storage.people.identify("terminal", user_id)).role


async def test_an_officer_above_removes_a_secretary_with_the_card_buttons(services):
    await joined(services, "s", "B1", name="Bí Thư Một")
    officer = await joined(services, "o", "D1", role="officer")
    branch = await services.storage.units.by_code("B1")
    await officer.tap_data(f"u:{branch.id}")
    await officer.tap("Gỡ Bí Thư Một")
    assert "Gỡ Bí Thư Một khỏi vai trò" in officer.text
    await officer.tap("Gỡ")
    assert "Đã gỡ Bí Thư Một" in officer.text
    assert await _role(services, "s") is None


async def test_an_officer_of_any_unit_above_the_branch_may_remove_its_deputy(services):
    await joined(services, "s", "B1")
    await joined(services, "d", "B1", name="Phó Một")                 # the second secretary is a deputy
    officer = await joined(services, "g", "G1", role="officer")       # the grassroots unit right above
    await officer.tap_data(f"c:rmy:{await _role_id(services, 'd')}")
    assert "Đã gỡ Phó Một" in officer.text
    assert await _role(services, "d") is None and await _role(services, "s") == "secretary"


async def test_a_forged_payload_cannot_remove_a_fellow_officer_of_the_same_unit(services):
    officer = await joined(services, "o1", "D1", role="officer")
    await joined(services, "o2", "D1", role="officer", name="Cán Bộ Hai")
    target = await _role_id(services, "o2")
    for data in (f"c:rm:{target}", f"c:rmy:{target}"):
        await officer.tap_data(data)
        assert "chỉ cán bộ của đơn vị cấp trên" in officer.text and "Cán Bộ Hai" in officer.text
        assert "Đã gỡ" not in officer.text and not officer.buttons()
    assert await _role(services, "o2") == "officer"


async def test_a_forged_payload_cannot_remove_an_officer_below(services):
    province = await joined(services, "p", "P", role="officer")
    await joined(services, "o", "D1", role="officer")
    await province.tap_data(f"c:rmy:{await _role_id(services, 'o')}")
    assert "chỉ cán bộ của đơn vị cấp trên" in province.text
    assert await _role(services, "o") == "officer"


async def test_an_officer_cannot_remove_themselves(services):
    officer = await joined(services, "o", "D1", role="officer")
    own = await _role_id(services, "o")
    for data in (f"c:rm:{own}", f"c:rmy:{own}"):
        await officer.tap_data(data)
        assert "không thể tự gỡ chính mình" in officer.text and "Đã gỡ" not in officer.text
    assert await _role(services, "o") == "officer"


async def test_an_officer_of_the_branch_itself_is_not_above_it(services):
    await joined(services, "s", "B1", name="Bí Thư Một")
    same = await joined(services, "ob", "B1", role="officer")
    await same.tap_data(f"c:rmy:{await _role_id(services, 's')}")
    assert "chỉ cán bộ của đơn vị cấp trên" in same.text
    assert await _role(services, "s") == "secretary"


async def test_branch_staff_cannot_remove_each_other_or_themselves(services):
    secretary = await joined(services, "s", "B1")
    deputy = await joined(services, "d", "B1")
    await secretary.tap_data(f"c:rmy:{await _role_id(services, 'd')}")
    await deputy.tap_data(f"c:rmy:{await _role_id(services, 'd')}")
    await deputy.tap_data(f"c:rmy:{await _role_id(services, 's')}")
    assert await _role(services, "s") == "secretary" and await _role(services, "d") == "deputy"
    assert "Mục này không dành cho vai trò của bạn" in deputy.text
