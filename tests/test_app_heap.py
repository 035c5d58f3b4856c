"""``adgate serve`` freezes the heap once started: the collector's full passes stop scanning the
app, and no longer pause the event loop for tens of milliseconds under load."""

from __future__ import annotations

import gc

import pytest

from adgate.app import create_app
from adgate.clock import SandboxClock
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
    finally:
        gc.unfreeze()


async def test_an_app_built_for_tests_leaves_the_heap_alone(settings: Settings, clock: SandboxClock) -> None:
    application = create_app(settings, clock=clock)
    async with application.router.lifespan_context(application):
        assert gc.get_freeze_count() == 0
