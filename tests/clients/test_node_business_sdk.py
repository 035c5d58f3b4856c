"""The unmodified Node.js ``facebook-nodejs-business-sdk`` against a live adgate.

``FacebookAdsApi.GRAPH`` is a static getter without a setter, so the driver
(``tests/clients/node/business_sdk.js``) redefines the property to point the SDK at the server;
the SDK sends no ``appsecret_proof``, so these apps do not require one. Each step is one ``node``
process; the world is built through the sandbox control API.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from helpers import proof
from image_files import png
from node_runner import NodeRunner

from adgate.policy.ad_review import REVIEW_SECONDS
from adgate.testing import LiveServer, Sandbox
from adgate.testing.sandbox import App, Person

SCRIPT = "business_sdk.js"


@dataclass
class World:
    server: LiveServer
    sandbox: Sandbox
    person: Person
    app: App
    accounts: list[str]

    def token(self, scopes: tuple[str, ...] = ("ads_management", "ads_read")) -> str:
        return self.sandbox.user_token(self.person, self.app, scopes)


@pytest.fixture
def world(server: LiveServer) -> Iterator[World]:
    sandbox = Sandbox(server.url, server.admin_key)
    person = sandbox.person("Ada Lovelace")
    app = sandbox.app("Ads Helper", admin=person, level="standard")
    accounts = [sandbox.ad_account(f"Account {n}", admins=[person]).node for n in range(3)]
    try:
        yield World(server, sandbox, person, app, accounts)
    finally:
        sandbox.close()


def ok(answer: dict[str, object]) -> object:
    assert "ok" in answer, answer
    return answer["ok"]


def test_me_and_a_persons_own_id(node: NodeRunner, world: World) -> None:
    token = world.token()
    me = ok(node(SCRIPT, "me", graph=world.server.url, token=token, fields=["id", "first_name", "last_name"]))
    assert me == {"id": world.person.id, "first_name": "Ada", "last_name": "Lovelace"}
    by_id = ok(node(SCRIPT, "me", graph=world.server.url, token=token, user=world.person.id, fields=["name"]))
    assert by_id == {"id": world.person.id, "name": "Ada Lovelace"}


def test_ad_accounts_across_pages_following_next(node: NodeRunner, world: World) -> None:
    listed = ok(node(SCRIPT, "adAccounts", graph=world.server.url, token=world.token(), limit=2))
    assert isinstance(listed, dict)
    pages = listed["pages"]
    assert [len(page) for page in pages] == [2, 1]
    assert sorted(a["id"] for page in pages for a in page) == sorted(world.accounts)


def test_get_by_ids_reads_each_account(node: NodeRunner, world: World) -> None:
    """``AdAccount.getByIds`` sends ``GET /?ids=a,b&fields=…`` and builds one object per key (the
    SDK passes each read object as the constructor's first argument, so it lands in ``.id``)."""
    found = ok(node(SCRIPT, "byIds", graph=world.server.url, token=world.token(), ids=world.accounts[:2]))
    assert isinstance(found, list)
    assert sorted((a["cls"], a["read"]["id"], a["read"]["name"]) for a in found) == sorted(
        [("AdAccount", world.accounts[0], "Account 0"), ("AdAccount", world.accounts[1], "Account 1")]
    )


def test_campaigns_with_the_usage_headers(node: NodeRunner, world: World) -> None:
    answer = ok(
        node(SCRIPT, "campaigns", graph=world.server.url, token=world.token(), account=world.accounts[0],
             name="Spring", headers=True)
    )  # fmt: skip
    assert isinstance(answer, dict)
    assert [c["name"] for c in answer["listed"]] == ["Spring"]
    assert answer["listed"][0]["id"] == answer["created"]
    usage = json.loads(answer["headers"]["x-ad-account-usage"])
    assert usage["ads_api_access_tier"] == "standard_access"
    assert answer["headers"]["facebook-api-version"] == "v24.0"  # the SDK's own version


def test_insights_sync_and_async(node: NodeRunner, world: World) -> None:
    token = world.token()
    rows = ok(node(SCRIPT, "insights", graph=world.server.url, token=token, account=world.accounts[0]))
    assert isinstance(rows, list)
    run = ok(node(SCRIPT, "insightsAsync", graph=world.server.url, token=token, account=world.accounts[0]))
    assert isinstance(run, dict) and run["cls"] == "AdReportRun" and run["id"]
    world.sandbox.advance(seconds=REVIEW_SECONDS)
    done = ok(node(SCRIPT, "reportRun", graph=world.server.url, token=token, run=run["id"]))
    assert isinstance(done, dict)
    assert (done["status"], done["percent"]) == ("Job Completed", 100)
    assert done["rows"] == rows == []  # no ads deliver in this world


def test_a_batch_calls_back_per_item(node: NodeRunner, world: World) -> None:
    other = world.sandbox.person("Olly Other")
    theirs = world.sandbox.ad_account("Not Ada's", admins=[other]).node
    answer = ok(
        node(SCRIPT, "batch", graph=world.server.url, token=world.token(), ids=[world.accounts[0], theirs])
    )
    assert isinstance(answer, dict)
    [first, second] = answer["results"]
    assert first == {"ok": {"name": "Account 0", "id": world.accounts[0]}}
    assert second["error"]["name"] == "FacebookRequestError"
    assert (second["error"]["code"], second["error"]["subcode"]) == (100, 33)  # not theirs to read
    assert answer["retry"] is False


def test_errors_carry_code_and_subcode(node: NodeRunner, world: World) -> None:
    token = world.token(scopes=("ads_read",))
    refused = node(
        SCRIPT, "campaigns", graph=world.server.url, token=token, account=world.accounts[0], name="X"
    )
    assert refused["error"]["name"] == "FacebookRequestError"
    assert (refused["error"]["status"], refused["error"]["code"]) == (403, 294)
    world.sandbox.change_password(world.person)
    dead = node(SCRIPT, "me", graph=world.server.url, token=token, fields=["id"])
    assert (dead["error"]["code"], dead["error"]["subcode"], dead["error"]["type"]) == (
        190,
        460,
        "OAuthException",
    )
    assert "OAuth" in dead["error"]["headers"]["www-authenticate"]


def test_get_app_id_is_a_debug_token_call(node: NodeRunner, world: World) -> None:
    data = ok(node(SCRIPT, "appId", graph=world.server.url, token=world.token()))
    assert isinstance(data, dict)
    assert (data["data"]["app_id"], data["data"]["is_valid"]) == (world.app.id, True)


def test_an_ad_image_from_base64_bytes_and_read_back_by_hash(node: NodeRunner, world: World) -> None:
    """``createAdImage`` with ``bytes`` (it posts only its params: base64 is the Node SDK's way to
    upload an image), then ``getAdImages`` with ``hashes`` (docs/graph-facts.md §12.7)."""
    image = png(16, 9)
    digest = hashlib.md5(image).hexdigest()
    answer = ok(
        node(
            SCRIPT,
            "adImages",
            graph=world.server.url,
            token=world.token(),
            account=world.accounts[0],
            bytes=base64.b64encode(image).decode(),
            name="wide.png",
            hash=digest,
        )
    )
    assert isinstance(answer, dict)
    url = answer["created"]["wide.png"]["url"]
    assert answer["created"] == {"wide.png": {"hash": digest, "url": url}}
    image_id = f"{world.accounts[0].removeprefix('act_')}:{digest}"
    listed = {"id": image_id, "hash": digest, "name": "wide.png", "width": 16, "height": 9, "url": url}
    assert answer["listed"] == [listed]
    assert httpx.get(url).content == image


def test_a_system_user_token_limited_to_one_ad_account(node: NodeRunner, world: World) -> None:
    """``Business.createSystemUserAccessToken`` posts a JSON body (``scope`` and ``asset`` as JSON
    arrays, ``fetch_only`` a JSON boolean); the SDK sends no proof, so the caller adds one."""
    sandbox = world.sandbox
    business_id = sandbox.business("Shoes Inc", admin=world.person)
    first, _second = (sandbox.ad_account(f"Owned {n}", business_id=business_id) for n in range(2))
    token = world.token()
    graph = f"{world.server.url}/v24.0"
    made_bot = httpx.post(f"{graph}/{business_id}/system_users", params={"access_token": token},
                          data={"name": "Bot", "role": "ADMIN"})  # fmt: skip
    bot = made_bot.json()
    installed = httpx.post(f"{graph}/{bot['id']}/applications", params={"access_token": token},
                           data={"business_app": world.app.id})  # fmt: skip
    assert installed.status_code == 200, installed.text
    params = {
        "system_user_id": bot["id"],
        "scope": ["ads_read", "ads_management"],
        "asset": [int(first.id)],
        "appsecret_proof": proof(world.app.secret, token),
    }
    answer = node(
        SCRIPT, "systemUserToken", graph=world.server.url, token=token, business=business_id, params=params
    )
    made = ok(answer)
    assert isinstance(made, dict)
    assert made["fetched"] == made["made"]
    listed = ok(node(SCRIPT, "adAccounts", graph=world.server.url, token=made["made"], limit=5))
    assert isinstance(listed, dict)
    assert [a["id"] for page in listed["pages"] for a in page] == [first.node]
    wrong = {**params, "scope": ["ads_reed"]}
    refused = node(
        SCRIPT, "systemUserToken", graph=world.server.url, token=token, business=business_id, params=wrong
    )
    assert refused["error"]["code"] == 3962, refused
