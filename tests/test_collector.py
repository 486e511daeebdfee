"""The collector's pause: overlapping holders in two threads, and a collector already off."""

import gc
import threading

from domain import collector


def test_overlapping_pauses_end_with_the_last_one():
    assert gc.isenabled()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()

    def first():
        with collector.paused():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    worker = threading.Thread(target=first)
    worker.start()
    first_in.wait(5)
    with collector.paused():
        second_in.set()
        first_out.wait(5)
        assert not gc.isenabled()            # the first one ended; this one still holds it
    worker.join(5)
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off():
    gc.disable()
    try:
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
