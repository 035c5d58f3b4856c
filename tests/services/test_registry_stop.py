"""A graceful shutdown runs every stop hook, even after one fails."""

from __future__ import annotations

import pytest

from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


async def test_a_failing_stop_hook_does_not_skip_the_others(services: Services) -> None:
    ran: list[str] = []

    async def flush() -> None:  # registered first, so it runs last
        ran.append("flush")

    async def broken() -> None:
        ran.append("broken")
        raise RuntimeError("the bus would not close")

    before = list(services.stop_hooks)
    services.stop_hooks[:] = [flush, broken]
    try:
        with pytest.raises(RuntimeError, match="would not close"):
            await services.stop()
    finally:
        services.stop_hooks[:] = before
    assert ran == ["broken", "flush"]
