"""Retrying a start-up step: what the person running the bot reads while it waits, and at the end."""

from __future__ import annotations

import pytest

from bot.startup import GaveUp, with_retries


class Flaky:
    """A network call that fails `failures` times with `error`, then answers."""

    def __init__(self, failures: int, error: BaseException = ConnectionError("Không có mạng")):
        self.failures, self.error, self.calls = failures, error, 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "chidoan_bot"


def retrying(what, said: list[str], slept: list[float], **overrides):
    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    options = dict(attempts=4, first_delay=1.5, say=said.append, retry_on=(ConnectionError, TimeoutError),
                   sleep=sleep)
    return with_retries(what, **{**options, **overrides})


async def test_it_waits_longer_each_time_says_so_and_returns_the_answer():
    said, slept = [], []
    call = Flaky(failures=2)
    assert await retrying(call, said, slept) == "chidoan_bot"
    assert call.calls == 3 and slept == [1.5, 3.0]
    assert said == [
        "Chưa kết nối được (Không có mạng). Thử lại sau 1,5 giây (lần 2/4)…",
        "Chưa kết nối được (Không có mạng). Thử lại sau 3 giây (lần 3/4)…",
    ]


async def test_after_the_last_attempt_it_stops_with_one_clean_line():
    said, slept = [], []
    call = Flaky(failures=10, error=TimeoutError())
    with pytest.raises(GaveUp) as gave_up:
        await retrying(call, said, slept, attempts=3)
    assert str(gave_up.value) == "Không kết nối được sau 3 lần thử (TimeoutError). Kiểm tra mạng rồi chạy lại."
    assert isinstance(gave_up.value.__cause__, TimeoutError)
    assert call.calls == 3 and len(said) == 2 and slept == [1.5, 3.0]


async def test_the_wait_is_capped():
    said, slept = [], []
    await retrying(Flaky(failures=5), said, slept, attempts=6, first_delay=10, max_delay=25)
    assert slept == [10, 20, 25, 25, 25]


async def test_an_error_not_listed_is_not_retried():
    said, slept = [], []
    call = Flaky(failures=1, error=PermissionError("token bị từ chối"))
    with pytest.raises(PermissionError):
        await retrying(call, said, slept)
    assert call.calls == 1 and said == [] and slept == []


async def test_one_attempt_means_no_wait():
    said, slept = [], []
    with pytest.raises(GaveUp):
        await retrying(Flaky(failures=1), said, slept, attempts=1)
    assert said == [] and slept == []
