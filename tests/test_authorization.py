"""Who may do what: every command and button, asked by each kind of person."""

from __future__ import annotations

import pytest

from handlers.router import COMMANDS
from tests.support import Chat, joined

BRANCH_ONLY = {"sinhhoat", "motcongmot", "baocao", "capnhat"}


@pytest.fixture
async def people(services):
    return {
        "secretary": await joined(services, "s", "B1"),
        "deputy": await joined(services, "d", "B1"),
        "officer": await joined(services, "o", "D1", role="officer"),
        "stranger": Chat(services, "x"),
    }


@pytest.mark.parametrize("who", ["secretary", "deputy", "officer", "stranger"])
async def test_every_command_for_every_kind_of_person(services, people, who):
    chat = people[who]
    for name in sorted(set(COMMANDS) - {"huy"}):
        await chat.say(f"/{name}")
        text = chat.text
        if who == "stranger":
            assert len(chat.replies) == 1 and "liên kết mời" in text, name
        elif who == "officer" and name in BRANCH_ONLY:
            assert "không dành cho vai trò" in text, name
        else:
            assert "không dành cho vai trò" not in text and "Xin lỗi" not in text, name
        await chat.say("/huy")


async def test_officer_sees_only_units_under_them(services, people):
    officer = people["officer"]
    inside = await services.storage.units.by_code("B1")
    outside = await services.storage.units.by_code("B3")          # district D2
    province = await services.storage.units.by_code("P")
    await officer.tap_data(f"u:{inside.id}")
    assert "Chi đoàn ấp Một" in officer.text
    for unit in (outside, province):
        await officer.tap_data(f"u:{unit.id}")
        assert "chỉ xem được đơn vị của mình" in officer.text and unit.name not in officer.text
        await officer.tap_data(f"c:h:{unit.id}")
        assert unit.name not in officer.text


async def test_officer_cannot_remove_people_outside_their_district(services, people):
    other_branch = await joined(services, "far", "B3", name="Người Xa")
    identity = await services.storage.people.identify("terminal", "far")
    officer = people["officer"]
    await officer.tap_data(f"c:rmy:{identity.role_id}")
    assert "Người Xa" not in officer.text
    assert (await services.storage.people.identify("terminal", "far")).role == "secretary"
    assert other_branch


async def test_secretary_cannot_browse_or_remove(services, people):
    secretary = people["secretary"]
    deputy = await services.storage.people.identify("terminal", "d")
    other = await services.storage.units.by_code("B5")
    await secretary.tap_data(f"u:{other.id}")
    assert other.name not in secretary.text
    await secretary.tap_data(f"c:rmy:{deputy.role_id}")
    assert (await services.storage.people.identify("terminal", "d")).role == "deputy"


async def test_crafted_buttons_never_crash(services, people):
    for chat in people.values():
        for data in ("u:", "u:abc", "u:99999", "c:rm:", "c:h:x", "r:m:1:zz", "r::", "o:1:nope", "f:1:0:o9",
                     "cmd:nope", "zzz", "f:x:y:z", "o:", "cmd:"):
            await chat.tap_data(data)
            assert chat.replies and "Xin lỗi" not in chat.text, data
