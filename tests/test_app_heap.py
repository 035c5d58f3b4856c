"""``adgate serve`` keeps what lives long out of the collector's full passes (adgate.heap): they
walk only what is new, and every so often everything once, which frees the cycles that died
while frozen; they no longer pause the event loop for up to half a second under load."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import httpx
import pytest

from adgate.app import create_app
from adgate.clock import SandboxClock
from adgate.heap import Heap
from adgate.settings import Settings

pytestmark = pytest.mark.anyio


async def test_a_served_app_freezes_what_it_holds_once_started(
    settings: Settings, clock: SandboxClock
) -> None:
    assert gc.get_freeze_count() == 0
    application = create_app(settings, clock=clock, freeze_heap=True)
    try:
        async with application.router.lifespan_context(application):
            assert gc.get_freeze_count() > 0
        assert gc.get_freeze_count() == 0  # handed back when it stops
    finally:
        gc.unfreeze()


async def test_a_served_app_reports_its_collections_and_their_seconds(
    settings: Settings, clock: SandboxClock
) -> None:
    application = create_app(settings, clock=clock, freeze_heap=True)
    try:
        async with application.router.lifespan_context(application):
            gc.collect(0)
            gc.collect()
            transport = httpx.ASGITransport(app=application)
            async with httpx.AsyncClient(transport=transport, base_url="http://adgate") as client:
                text = (await client.get("/metrics")).text
    finally:
        gc.unfreeze()
    counted = {}
    for line in text.splitlines():
        if line.startswith(("adgate_gc_collections_total{", "adgate_gc_seconds_total{")):
            name, value = line.rsplit(" ", 1)
            counted[name] = float(value)
    assert counted['adgate_gc_collections_total{generation="0"}'] >= 1
    assert counted['adgate_gc_collections_total{generation="2"}'] >= 1
    assert counted['adgate_gc_seconds_total{generation="2"}'] > 0


async def test_an_app_built_for_tests_leaves_the_heap_alone(settings: Settings, clock: SandboxClock) -> None:
    application = create_app(settings, clock=clock)
    async with application.router.lifespan_context(application):
        assert gc.get_freeze_count() == 0
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://adgate") as client:
            assert "adgate_gc_" not in (await client.get("/metrics")).text  # no policy, nothing to say


class Node:
    """A container the collector tracks; two of them make a reference cycle."""

    def __init__(self) -> None:
        self.other: Node | None = None


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def heap() -> Iterator[tuple[Heap, Clock]]:
    clock = Clock()
    keeper = Heap(thaw_every=60.0, monotonic=clock)
    keeper.start()
    try:
        yield keeper, clock
    finally:
        keeper.stop()


def frozen(obj: object) -> bool:
    """Tracked, but in no generation a collection walks."""
    return gc.is_tracked(obj) and not any(obj is o for o in gc.get_objects(2))


def test_what_lives_through_a_full_collection_is_frozen_and_a_thaw_frees_the_cycles_that_died(
    heap: tuple[Heap, Clock],
) -> None:
    keeper, clock = heap
    assert gc.get_freeze_count() > 0  # everything alive at start
    a, b = Node(), Node()
    a.other, b.other = b, a
    gone = weakref.ref(a)
    gc.collect()
    assert keeper.collections == 1 and frozen(a) and frozen(b)

    del a, b  # a cycle: its reference counts never reach zero
    gc.collect()
    assert gone() is not None  # frozen: no collection walks it

    clock.now += 61
    gc.collect()  # its end hands the frozen objects back
    assert keeper.thaws == 1 and gc.get_freeze_count() == 0
    gc.collect()  # walks everything once, then freezes what survived again
    assert gone() is None
    assert gc.get_freeze_count() > 0 and keeper.thaws == 1


def test_a_frozen_object_freed_by_its_reference_count_goes_at_once(heap: tuple[Heap, Clock]) -> None:
    node = Node()
    gc.collect()
    assert frozen(node)
    gone = weakref.ref(node)
    del node
    assert gone() is None


def test_stop_hands_everything_back_and_collections_no_longer_freeze() -> None:
    keeper = Heap()
    keeper.start()
    keeper.stop()
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert gc.get_freeze_count() == 0 and keeper.collections == 0
