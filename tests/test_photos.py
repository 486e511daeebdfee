"""Evidence photos (ảnh minh chứng): an image sent while the meeting form is open, or in the half
hour after a meeting report was saved, is kept with that meeting, on Zalo (the fake Zalo Bot API
on loopback serving photo_url) and on Telegram (real Updates, getFile and the file download
answered by the fake Bot API); anything else gets a Vietnamese answer and nothing is kept. Shown
in /baocao, counted in the digest, listed in the export."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from telegram import Update

from domain.conversation import Incoming, Photo, PhotoTooLarge
from domain.digests import text, xlsx
from handlers.photos import MAX_BYTES, MAX_PHOTOS, image_suffix, photo_file, photos_dir
from messages_vi import t
from tests.support import Chat, joined, make_invite
from tests.support.fake_zalo import FakeZalo
from tests.support.telegram_fake import FakeBotApi, next_update_id, person
from tests.test_digests import digest, meet
from tests.test_export import rows_of
from tests.test_telegram import Person, secretary, settings_for, started
from tests.test_zalo_channel import LAN, NAM, handed_out, meetings_of, report_a_meeting, running, say, settled

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WAITING_1 = t("photo.waiting", count=1, most=MAX_PHOTOS)


def kept_files(services) -> list[bytes]:
    """The contents of every photo file kept, in name order."""
    folder = photos_dir(services)
    return [p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()] if folder.exists() else []


async def photos_of(services, meeting_id: int) -> list:
    return await services.storage.photos.of_meeting(meeting_id)


async def nothing_kept(services) -> bool:
    """No photo row of any meeting or form, and no file."""
    unit = await services.storage.units.by_code("P")
    meetings = await services.storage.photos.meetings_under(unit.id, date(2000, 1, 1), date(2100, 1, 1))
    return kept_files(services) == [] and all(m.photos == 0 for m in meetings)


# --- Zalo ------------------------------------------------------------------------------------------

@pytest.fixture
async def zalo():
    async with FakeZalo(poll_cap=0.2) as fake:
        yield fake


async def send_image(channel, fake: FakeZalo, user: str, name: str, content: bytes, *, times: int = 1) -> str:
    """`user` sends an image that the fake serves; returns everything the bot sent back, joined."""
    before, sent = handed_out(channel), len(fake.texts(user))
    fake.push_image(user, fake.photo_url_for(name, content), caption="Biên bản", times=times)
    await settled(channel, fake, before, pushed=times)
    return "\n".join(fake.texts(user)[sent:])


async def test_zalo_images_sent_during_the_meeting_form_go_with_the_report_it_saves(services, zalo):
    code = await make_invite(services, "B1")
    async with running(services, zalo) as channel:
        await say(channel, zalo, LAN, f"/start {code}")
        await say(channel, zalo, LAN, "1")                                     # Báo cáo sinh hoạt
        await say(channel, zalo, LAN, "hom qua")
        answer = await send_image(channel, zalo, LAN, "bien-ban.jpg", JPEG)
        # told, and asked the same question again: the form goes on where it was
        assert answer.startswith(WAITING_1) and t("meeting.q.kind") in answer and "1. " in answer
        assert await meetings_of(services) == []                               # nothing saved yet
        await say(channel, zalo, LAN, "hop bch")
        answer = await send_image(channel, zalo, LAN, "hien-truong.png", PNG)   # at the count question
        assert t("photo.waiting", count=2, most=MAX_PHOTOS) in answer
        assert "Số tham dự: 12" in await say(channel, zalo, LAN, "12")          # "12" still the count
        saved = await say(channel, zalo, LAN, "luu")
        assert "Đã lưu Báo cáo sinh hoạt" in saved and t("photo.saved_with", count=2) in saved
        listing = await say(channel, zalo, LAN, "bao cao")
    [meeting] = await meetings_of(services)
    photos = await photos_of(services, meeting.id)
    assert [(p.size, p.path.rsplit(".", 1)[1]) for p in photos] == [(len(JPEG), "jpg"), (len(PNG), "png")]
    assert [photo_file(services, p.path).read_bytes() for p in photos] == [JPEG, PNG]
    assert all(p.received_at == services.clock() and p.session_id is None for p in photos)
    assert photos[0].path.startswith(f"{meeting.unit_id}/")
    assert zalo.downloads == ["bien-ban.jpg", "hien-truong.png"]
    assert t("reports.photos_mark", count=2) in listing


async def test_a_zalo_image_right_after_a_save_goes_to_that_report_but_not_half_an_hour_later(services, zalo, clock):
    code = await make_invite(services, "B1")
    async with running(services, zalo) as channel:
        await say(channel, zalo, LAN, f"/start {code}")
        await report_a_meeting(channel, zalo, LAN)
        [meeting] = await meetings_of(services)
        clock.advance(minutes=29)
        answer = await send_image(channel, zalo, LAN, "a.jpg", JPEG)
        assert answer.startswith(t("photo.added", count=1, most=MAX_PHOTOS, meeting="Họp BCH")[:30])
        assert "Họp BCH ngày 22/11/2026" in answer
        clock.advance(minutes=2)                                              # 31 minutes after the save
        late = await send_image(channel, zalo, LAN, "b.jpg", JPEG + b"late")
    assert late.startswith(t("other_no_form")) and t("photo.no_report", minutes=30) in late
    assert [p.size for p in await photos_of(services, meeting.id)] == [len(JPEG)]
    assert zalo.downloads == ["a.jpg"] and kept_files(services) == [JPEG]     # the late one never fetched


async def test_a_zalo_image_with_no_report_open_is_answered_and_nothing_is_fetched(services, zalo):
    code = await make_invite(services, "B1")
    async with running(services, zalo) as channel:
        await say(channel, zalo, LAN, f"/start {code}")
        answer = await send_image(channel, zalo, LAN, "a.jpg", JPEG)
        assert answer.startswith(t("other_no_form") + " " + t("photo.no_report", minutes=30))
        assert "1. " in answer                                                 # the home menu with it
        assert "1. Hôm nay" in await say(channel, zalo, LAN, "1")               # and it works
    assert zalo.downloads == [] and await nothing_kept(services)


async def test_a_strangers_zalo_image_gets_the_stranger_answer_and_is_stored_nowhere(services, zalo):
    async with running(services, zalo) as channel:
        assert await send_image(channel, zalo, NAM, "a.jpg", JPEG) == t("stranger")
    assert zalo.downloads == [] and await nothing_kept(services) and not photos_dir(services).exists()


async def test_a_zalo_image_over_ten_megabytes_is_refused_in_vietnamese_and_the_form_goes_on(services, zalo):
    code = await make_invite(services, "B1")
    async with running(services, zalo) as channel:
        await say(channel, zalo, LAN, f"/start {code}")
        await say(channel, zalo, LAN, "1")
        answer = await send_image(channel, zalo, LAN, "big.jpg", JPEG + b"\x00" * (MAX_BYTES - len(JPEG) + 1))
        assert answer.startswith(t("photo.too_large", most=10)) and "nặng hơn 10 MB" in answer
        assert t("meeting.q.held_on") in answer                                # the form's question again
        answer = await send_image(channel, zalo, LAN, "ok.jpg", JPEG)          # exactly the limit is fine
        assert answer.startswith(WAITING_1)
        for typed in ("hom qua", "hop bch", "12", "luu"):
            await say(channel, zalo, LAN, typed)
    [meeting] = await meetings_of(services)
    assert [p.size for p in await photos_of(services, meeting.id)] == [len(JPEG)]
    assert kept_files(services) == [JPEG]


async def test_what_is_not_an_image_or_cannot_be_fetched_is_not_kept(services, zalo):
    code = await make_invite(services, "B1")
    async with running(services, zalo) as channel:
        await say(channel, zalo, LAN, f"/start {code}")
        await say(channel, zalo, LAN, "1")
        page = await send_image(channel, zalo, LAN, "error.html", b"<html><body>502 Bad Gateway</body></html>")
        assert page.startswith(t("photo.not_image"))
        before, sent = handed_out(channel), len(zalo.texts(LAN))
        zalo.push_image(LAN, f"{zalo.base_url}/files/missing.jpg")            # 404
        await settled(channel, zalo, before)
        [missing] = zalo.texts(LAN)[sent:]
        assert missing.startswith(t("photo.fetch_failed")) and t("meeting.q.held_on") in missing
        assert channel.stats["failed"] == 0
    assert await nothing_kept(services)


async def test_a_redelivered_zalo_image_is_kept_once(services, zalo):
    code = await make_invite(services, "B1")
    async with running(services, zalo) as channel:
        await say(channel, zalo, LAN, f"/start {code}")
        await report_a_meeting(channel, zalo, LAN)
        await send_image(channel, zalo, LAN, "a.jpg", JPEG, times=2)
    [meeting] = await meetings_of(services)
    assert len(await photos_of(services, meeting.id)) == 1 and kept_files(services) == [JPEG]


# --- Telegram --------------------------------------------------------------------------------------

@pytest.fixture
def api() -> FakeBotApi:
    return FakeBotApi()


@pytest.fixture
async def app(services, api, tmp_path):
    application = await started(settings_for(tmp_path), services, api)
    yield application
    await application.shutdown()


def photo_update(bot, user: dict, *sizes: tuple[str, int | None], document: dict | None = None) -> Update:
    """A photo message as Telegram sends it: the sizes it made of the image, smallest first (or an
    image sent as a file)."""
    content = {"document": document} if document else {"photo": [
        {"file_id": file_id, "file_unique_id": "u" + file_id, "width": 320 * (i + 1), "height": 240 * (i + 1),
         **({"file_size": size} if size is not None else {})} for i, (file_id, size) in enumerate(sizes)]}
    message = {"message_id": 1, "date": 1_790_000_000, "from": user,
               "chat": {"id": user["id"], "type": "private", "first_name": user["first_name"]},
               "caption": "Biên bản", **content}
    return Update.de_json({"update_id": next_update_id(), "message": message}, bot)


async def send_photo(who: Person, *sizes, document: dict | None = None) -> str:
    before = len(who.texts())
    await who.app.process_update(photo_update(who.app.bot, who.user, *sizes, document=document))
    await who.app.bot_data["channel"].settle()
    return "\n".join(who.texts()[before:])


def fetched(api: FakeBotApi) -> list[str]:
    """The files asked for with getFile, and the downloads made, in order."""
    return [c.params["file_id"] for c in api.called("getFile")] + [c.url.rsplit("/", 1)[1] for c in api.called("GET")]


async def test_a_telegram_photo_during_the_form_goes_with_the_report_the_largest_size_fetched(app, api, services):
    api.downloads["documents/big.bin"] = JPEG
    api.downloads["documents/small.bin"] = b"\xff\xd8\xff small"
    lan = await secretary(app, api, services)
    await lan.say("/sinhhoat")
    await lan.tap("Hôm nay")
    await lan.tap("Sinh hoạt chi đoàn")
    await lan.say("12")
    api.forget()
    answer = await send_photo(lan, ("small", 900), ("big", len(JPEG)))
    assert answer.startswith(WAITING_1) and t("form.button.save") in str(api.sent(lan.chat_id)[-1]["reply_markup"])
    assert fetched(api) == ["big", "big.bin"]
    await lan.tap("Lưu")
    assert lan.texts()[-1] == t("meeting.saved", title=t("meeting.title"), unit="Chi đoàn ấp Một") + "\n" + \
        t("photo.saved_with", count=1)
    [meeting] = await meetings_of(services)
    assert [(p.size, photo_file(services, p.path).read_bytes()) for p in await photos_of(services, meeting.id)] == [
        (len(JPEG), JPEG)]
    await lan.say("/baocao")
    assert t("reports.photos_mark", count=1) in lan.texts()[-1]


async def test_a_telegram_photo_after_a_save_and_with_nothing_open(app, api, services, clock):
    lan = await secretary(app, api, services)
    api.forget()
    answer = await send_photo(lan, ("p1", 500))
    assert answer.startswith(t("other_no_form") + " " + t("photo.no_report", minutes=30))
    assert fetched(api) == [] and await nothing_kept(services)
    await lan.say("/sinhhoat")
    await lan.tap("Hôm nay")
    await lan.tap("Sinh hoạt chi đoàn")
    await lan.say("12")
    await lan.tap("Lưu")
    api.downloads["documents/p2.bin"] = PNG
    clock.advance(minutes=5)
    answer = await send_photo(lan, ("p2", None))                    # no size announced: fetched and checked
    assert answer.startswith("📷 Đã gắn ảnh minh chứng (1/10)")
    # an image sent as a file counts as a photo too
    api.downloads["documents/doc.bin"] = JPEG
    answer = await send_photo(lan, document={"file_id": "doc", "file_unique_id": "udoc", "file_name": "anh.jpg",
                                             "mime_type": "image/jpeg", "file_size": len(JPEG)})
    assert answer.startswith("📷 Đã gắn ảnh minh chứng (2/10)")
    [meeting] = await meetings_of(services)
    assert [photo_file(services, p.path).read_bytes() for p in await photos_of(services, meeting.id)] == [PNG, JPEG]


async def test_a_telegram_photo_too_large_is_refused_before_it_is_downloaded(app, api, services):
    lan = await secretary(app, api, services)
    await lan.say("/sinhhoat")
    api.forget()
    answer = await send_photo(lan, ("huge", MAX_BYTES + 1))           # announced too large: not even asked for
    assert answer.startswith(t("photo.too_large", most=10)) and t("meeting.q.held_on") in answer
    assert fetched(api) == []
    api.downloads["documents/quiet.bin"] = b"\xff\xd8\xff" + b"\x00" * MAX_BYTES     # getFile tells its size
    answer = await send_photo(lan, ("quiet", None))
    assert answer.startswith(t("photo.too_large", most=10))
    assert fetched(api) == ["quiet"]                                   # asked about, never downloaded
    assert await nothing_kept(services)


async def test_a_strangers_telegram_photo_is_stored_nowhere(app, api, services):
    stranger = Person(app, api, person(5005))
    api.forget()
    assert await send_photo(stranger, ("p", 100)) == t("stranger")
    assert fetched(api) == [] and await nothing_kept(services) and not photos_dir(services).exists()


# --- the rules, through the handlers ----------------------------------------------------------------

class Fetches:
    """A Photo whose fetches are counted."""

    def __init__(self, content: bytes = JPEG, error: Exception | None = None, size: int | None = None):
        self.content, self.error, self.size, self.limits = content, error, size, []

    async def fetch(self, limit: int) -> bytes:
        self.limits.append(limit)
        if self.error is not None:
            raise self.error
        return self.content

    def incoming(self, chat: Chat) -> Incoming:
        return Incoming(chat.channel, chat.user_id, chat.user_id, chat.name, other="photo",
                        photo=Photo(self.fetch, self.size))


async def open_meeting_form(chat: Chat) -> None:
    await chat.say("/sinhhoat")
    await chat.tap("Hôm nay")
    await chat.tap("Sinh hoạt chi đoàn")
    await chat.say("12")


async def test_at_most_ten_photos_a_meeting(services):
    lan = await joined(services, "s1", "B1")
    await open_meeting_form(lan)
    for n in range(1, MAX_PHOTOS + 1):
        [reply] = await lan.send(Fetches(JPEG + bytes([n])).incoming(lan))
        assert reply.text.startswith(t("photo.waiting", count=n, most=MAX_PHOTOS))
    eleventh = Fetches()
    [reply] = await lan.send(eleventh.incoming(lan))
    assert reply.text.startswith(t("photo.full", most=MAX_PHOTOS)) and eleventh.limits == []    # not fetched
    await lan.tap("Lưu")
    [meeting] = await meetings_of(services)
    assert len(await photos_of(services, meeting.id)) == MAX_PHOTOS == len(kept_files(services))
    [reply] = await lan.send(Fetches().incoming(lan))                     # right after the save: still full
    assert reply.text == t("photo.full", most=MAX_PHOTOS)


async def test_a_cancelled_form_leaves_no_photo_behind(services):
    lan = await joined(services, "s1", "B1")
    await open_meeting_form(lan)
    await lan.send(Fetches().incoming(lan))
    assert len(kept_files(services)) == 1
    await lan.tap("Hủy")
    assert t("form.cancelled", title=t("meeting.title")) in lan.text
    assert await nothing_kept(services)
    # a form ended by /huy (no turn of its own): its photo goes when the next one comes
    await open_meeting_form(lan)
    await lan.send(Fetches().incoming(lan))
    await lan.say("/huy")
    [reply] = await lan.send(Fetches().incoming(lan))
    assert t("photo.no_report", minutes=30) in reply.text and await nothing_kept(services)


async def test_photos_sent_while_correcting_a_report_go_to_that_report(services):
    lan = await joined(services, "s1", "B1")
    await open_meeting_form(lan)
    await lan.send(Fetches(PNG).incoming(lan))
    await lan.tap("Lưu")
    [meeting] = await meetings_of(services)
    await lan.tap_data(f"r:m:{meeting.id}:e")                               # Sửa, from /baocao
    [reply] = await lan.send(Fetches(JPEG).incoming(lan))
    assert reply.text.startswith(t("photo.waiting", count=2, most=MAX_PHOTOS))     # with the one it has
    await lan.say("15")                                                      # "which line is this for?"
    await lan.tap("Số tham dự")
    await lan.tap("Lưu")
    [corrected] = await meetings_of(services)
    assert (corrected.id, corrected.attended) == (meeting.id, 15)
    assert [p.size for p in await photos_of(services, meeting.id)] == [len(PNG), len(JPEG)]


async def test_a_fetch_that_fails_or_is_too_large_keeps_nothing(services):
    lan = await joined(services, "s1", "B1")
    await lan.say("/sinhhoat")
    [reply] = await lan.send(Fetches(error=PhotoTooLarge()).incoming(lan))
    assert reply.text.startswith(t("photo.too_large", most=10))
    [reply] = await lan.send(Fetches(error=OSError("network down")).incoming(lan))
    assert reply.text.startswith(t("photo.fetch_failed"))
    announced = Fetches(size=MAX_BYTES + 1)
    [reply] = await lan.send(announced.incoming(lan))
    assert reply.text.startswith(t("photo.too_large", most=10)) and announced.limits == []
    assert await nothing_kept(services)


async def test_an_officers_photo_is_answered_and_not_kept(services):
    officer = await joined(services, "o1", "D1", role="officer")
    [reply] = await officer.send(Fetches().incoming(officer))
    assert t("photo.no_report", minutes=30) in reply.text and await nothing_kept(services)


def test_images_are_told_by_their_first_bytes():
    assert [image_suffix(d) for d in (JPEG, PNG, b"GIF89a...", b"RIFF\x00\x00\x00\x00WEBPVP8 ",
                                      b"\x00\x00\x00\x18ftypheic", b"<html>", b"")] == [
        ".jpg", ".png", ".gif", ".webp", ".heic", None, None]


# --- the digest and the export -----------------------------------------------------------------------

async def test_the_digest_counts_meetings_with_evidence_and_the_export_lists_them(services, tmp_path):
    await joined(services, "s1", "B1")
    lan = (await services.storage.people.identify("terminal", "s1")).person.id
    b1 = await meet(services, "B1", date(2026, 8, 5), 18)
    await meet(services, "B1", date(2026, 8, 6), 5, kind="committee")
    b5 = await meet(services, "B5", date(2026, 9, 10), 13)
    unit = (await services.storage.units.by_code("B1")).id
    for n, meeting in enumerate((b1, b1, b5)):
        await services.storage.photos.add(unit, lan, f"{unit}/{n}.jpg", 100, services.clock(), meeting_id=meeting)
    result = await digest(services, "D1", "2026-Q3")
    assert (result.totals.meetings_held, result.totals.meetings_with_photos, result.totals.photos) == (3, 2, 3)
    b1_line = next(b for b in result.branches if b.unit.code == "B1")
    assert (b1_line.meetings_held, b1_line.meetings_with_photos, b1_line.photos) == (2, 1, 2)
    assert t("digest.evidence", with_photos=2, meetings=3, photos=3) in text.render(result)
    own = await digest(services, "B1", "2026-Q3")
    assert t("digest.evidence", with_photos=1, meetings=2, photos=2) in text.render(own)

    book = load_workbook(xlsx.write_xlsx(result, tmp_path / "d1.xlsx"))
    assert book.sheetnames[-1] == "Ảnh minh chứng"
    per_branch = {r["Mã"]: (r["Buổi có ảnh minh chứng"], r["Số ảnh minh chứng"])
                  for r in rows_of(book["Sinh hoạt"])}
    assert per_branch == {"B1": (1, 2), "B2": (0, 0), "B5": (1, 1)}
    listed = [(r["Mã"], r["Ngày sinh hoạt"].date(), r["Loại buổi"], r["Hình thức"], r["Lượt tham dự"],
               r["Số ảnh minh chứng"]) for r in rows_of(book["Ảnh minh chứng"])]
    assert listed == [("B1", date(2026, 8, 5), "Sinh hoạt chi đoàn", "Trực tiếp", 18, 2),
                      ("B1", date(2026, 8, 6), "Họp BCH", "Trực tiếp", 5, 0),
                      ("B5", date(2026, 9, 10), "Sinh hoạt chi đoàn", "Trực tiếp", 13, 1)]
    csv_names = [p.name for p in xlsx.write_csv(result, tmp_path / "d1")]
    assert csv_names[-1] == "d1-anh-minh-chung.csv"


async def test_without_any_photo_the_digest_and_export_say_nothing_of_photos_but_the_counts(services, tmp_path):
    await meet(services, "B1", date(2026, 8, 5), 18)
    result = await digest(services, "D1", "2026-Q3")
    assert t("digest.evidence", with_photos=0, meetings=1, photos=0) in text.render(result)
    assert "Ảnh minh chứng" not in load_workbook(xlsx.write_xlsx(result, tmp_path / "d1.xlsx")).sheetnames
    empty = await digest(services, "D2", "2026-Q3")
    assert "📷" not in text.render(empty)
