"""The gate remembers an admitted call (adgate.services.gate.memo) and never longer than it holds.

The same call made again runs only the rate limits; the memo is void after any write (the cache
tests in test_gate_cache.py cover each kind of write), at the token's expiry, and never holds a
refusal, a time-stamped proof or another proof than the one it was decided with.
"""

from __future__ import annotations

import anyio
import httpx
import pytest
from gate_world import Shop, header_json, make_shop
from helpers import error_of

from adgate.clock import SandboxClock
from adgate.policy.appsecret_proof import make_proof
from adgate.policy.tokens import PROOF_TIME_WINDOW_SECONDS
from adgate.services.gate.pipeline import PipelineGate
from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@pytest.fixture
async def shop(services: Services, client: httpx.AsyncClient, admin_headers: dict[str, str]) -> Shop:
    shop = await make_shop(services, client, admin_headers, accounts=1)
    await shop.level("standard")  # no account list to fill: nothing written by the calls
    return shop


def gate(shop: Shop) -> PipelineGate:
    gate = shop.services.gate
    assert isinstance(gate, PipelineGate)
    assert gate.memo is not None
    return gate


def subcode(response: httpx.Response) -> tuple[object, object]:
    error = error_of(response)
    return error["code"], error.get("error_subcode")


async def read(shop: Shop, token: str, **params: str) -> httpx.Response:
    return await shop.call("GET", f"act_{shop.accounts[0]}", token, **params)


async def test_the_same_call_again_is_answered_from_the_memo_and_still_counted(shop: Shop) -> None:
    token = await shop.token()
    memo = gate(shop).memo
    assert memo is not None
    first = await read(shop, token)
    assert first.status_code == 200, first.text
    hits = memo.hits
    second = await read(shop, token)
    assert second.status_code == 200
    assert memo.hits == hits + 1
    assert second.json() == first.json()
    # The rate limits ran on the remembered call too: the score moved on (1 then 2 of 9000 points).
    assert header_json(first, "x-ad-account-usage")["acc_id_util_pct"] == 0.01
    assert header_json(second, "x-ad-account-usage")["acc_id_util_pct"] == 0.02
    counted = shop.enforcer.usage.pending()
    await read(shop, token)
    assert shop.enforcer.usage.pending() == counted + 1


async def test_a_remembered_token_dies_at_its_expiry_to_the_second(shop: Shop, clock: SandboxClock) -> None:
    token = await shop.token()
    async with shop.services.core.db.read() as tx:
        stored = await tx.tokens.get(shop.services.core.keyring.digest(token))
    assert stored is not None and stored.expires_at is not None
    expires_at = stored.expires_at
    assert (await read(shop, token)).status_code == 200
    clock.set(expires_at - 1)
    assert (await read(shop, token)).status_code == 200  # remembered, and still good
    memo = gate(shop).memo
    assert memo is not None
    hits = memo.hits
    clock.set(expires_at)
    dead = await read(shop, token)
    assert dead.status_code == 400
    assert subcode(dead) == (190, 463)
    assert memo.hits == hits  # the memo did not answer past valid_until


async def test_a_wrong_proof_is_refused_after_the_right_one_was_remembered(shop: Shop) -> None:
    token = await shop.token()
    proof = make_proof(shop.cast.secret, token)
    assert (await read(shop, token, appsecret_proof=proof)).status_code == 200
    assert (await read(shop, token, appsecret_proof=proof)).status_code == 200
    wrong = await read(shop, token, appsecret_proof="0" * 64)
    assert wrong.status_code == 400
    assert error_of(wrong)["code"] == 100


async def test_a_refusal_is_never_remembered(shop: Shop) -> None:
    token = await shop.token(scopes=("public_profile",))
    memo = gate(shop).memo
    assert memo is not None
    for _ in range(3):
        response = await read(shop, token)
        assert error_of(response)["code"] in (200, 294)
    assert len(memo) == 0


async def test_a_time_stamped_proof_is_checked_on_every_call(shop: Shop, clock: SandboxClock) -> None:
    token = await shop.token()
    stamp = int(clock.now())
    proof = make_proof(shop.cast.secret, token, stamp)
    params = {"appsecret_proof": proof, "appsecret_time": str(stamp)}
    assert (await read(shop, token, **params)).status_code == 200
    assert (await read(shop, token, **params)).status_code == 200
    memo = gate(shop).memo
    assert memo is not None
    assert len(memo) == 0
    clock.advance(PROOF_TIME_WINDOW_SECONDS + 1)
    late = await read(shop, token, **params)
    assert late.status_code == 400
    assert error_of(late)["code"] == 100


async def test_another_token_of_the_same_person_is_decided_on_its_own(shop: Shop) -> None:
    good = await shop.token()
    assert (await read(shop, good)).status_code == 200
    narrow = await shop.token(scopes=("public_profile",))
    assert (await read(shop, narrow)).status_code in (400, 403)
    assert (await read(shop, good)).status_code == 200


async def test_the_memo_ages_out_with_the_generation_when_other_nodes_write(shop: Shop) -> None:
    memo = gate(shop).memo
    assert memo is not None
    token = await shop.token()
    assert (await read(shop, token)).status_code == 200
    assert len(memo) == 1
    generation = shop.services.core.db.generation
    generation.max_age = 0.0  # what the invalidation bus sets, shortened: every entry too old
    try:
        await anyio.sleep(0.01)
        hits = memo.hits
        assert (await read(shop, token)).status_code == 200
        assert memo.hits == hits
    finally:
        generation.max_age = None


def lookups(metrics: str, cache: str) -> tuple[float, float]:
    """The hits and misses ``/metrics`` reports for ``cache``."""
    counted = {}
    for result in ("hit", "miss"):
        prefix = f'adgate_cache_lookups_total{{cache="{cache}",result="{result}"}} '
        (line,) = [line for line in metrics.splitlines() if line.startswith(prefix)]
        counted[result] = float(line.removeprefix(prefix))
    return counted["hit"], counted["miss"]


async def test_metrics_report_each_caches_hits_misses_size_and_the_writes(
    shop: Shop, client: httpx.AsyncClient
) -> None:
    token = await shop.token()
    before = (await client.get("/metrics")).text
    assert (await read(shop, token)).status_code == 200
    assert (await read(shop, token)).status_code == 200
    after = (await client.get("/metrics")).text
    hits, misses = lookups(after, "admissions")
    was_hits, was_misses = lookups(before, "admissions")
    assert (hits - was_hits, misses - was_misses) == (1, 1)  # the first call decided, the second recalled
    for cache in ("reads", "active_counts"):
        assert sum(lookups(after, cache)) > sum(lookups(before, cache))
    held = 'adgate_cache_entries{cache="admissions"} '
    (entries,) = [line for line in after.splitlines() if line.startswith(held)]
    assert float(entries.removeprefix(held)) >= 1
    writes = shop.services.core.db.generation.value
    assert f"adgate_cache_writes_total {float(writes)}" in after.splitlines()
