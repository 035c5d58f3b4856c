"""Ad images through the unmodified official ``facebook-business`` SDK (docs/graph-facts.md §12.7).

``AdImage.remote_create`` uploads a file as the SDK does on its own (two multipart parts,
``filename`` and ``source0``, with the image's bytes); ``AdAccount.get_ad_images`` reads it back by
hash, ``api_get`` by its id; the batch sends files as parts of the batch's body, named by each
item's ``attached_files``.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.adimage import AdImage
from facebook_business.api import FacebookResponse
from facebook_business.exceptions import FacebookRequestError
from image_files import gif, png

from adgate.testing import LiveServer, Sandbox
from adgate.testing.sandbox import App, Person


class World:
    def __init__(self, server: LiveServer) -> None:
        self.sandbox = Sandbox(server.url, server.admin_key)
        self.person: Person = self.sandbox.person("Ada")
        self.app: App = self.sandbox.app(
            "Ads Helper", admin=self.person, level="standard", require_app_secret=True
        )
        self.account = self.sandbox.ad_account("Shoes", admins=[self.person]).node

    def token(self, scopes: tuple[str, ...] = ("ads_management", "ads_read")) -> str:
        return self.sandbox.user_token(self.person, self.app, scopes, long_lived=True)


@pytest.fixture
def world(server: LiveServer) -> Iterator[World]:
    made = World(server)
    try:
        yield made
    finally:
        made.sandbox.close()


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def test_an_image_file_is_created_and_read_back_by_its_hash(world: World, tmp_path: Path) -> None:
    data = png(64, 48)
    path = tmp_path / "shoes.png"
    path.write_bytes(data)
    with world.sandbox.sdk(world.app, world.token()):
        image = AdImage(parent_id=world.account)
        image[AdImage.Field.filename] = str(path)
        image.remote_create()
        assert image.get_hash() == md5(data)
        url = image[AdImage.Field.url]
        found = AdAccount(world.account).get_ad_images(
            fields=[AdImage.Field.hash, AdImage.Field.name, AdImage.Field.width, AdImage.Field.height],
            params={"hashes": [md5(data)]},
        )
        rows = [dict(row) for row in found]
        node = AdImage(fbid=f"{world.account[4:]}:{md5(data)}").api_get(fields=[AdImage.Field.width])
        again = AdImage(fbid=f"{world.account[4:]}:{md5(data)}", parent_id=world.account)
        again.remote_read(fields=[AdImage.Field.url, AdImage.Field.status])
    assert rows == [
        {
            "id": f"{world.account[4:]}:{md5(data)}",
            "hash": md5(data),
            "name": "shoes.png",
            "width": 64,
            "height": 48,
        }
    ]
    assert node[AdImage.Field.width] == 64
    assert (again[AdImage.Field.status], again[AdImage.Field.url]) == ("ACTIVE", url)
    assert httpx.get(url).content == data


def test_a_batch_uploads_the_files_each_item_attaches(world: World, tmp_path: Path) -> None:
    first, second = png(10, 10, shade=1), gif(20, 10)
    paths = {"first.png": first, "second.gif": second}
    for name, data in paths.items():
        (tmp_path / name).write_bytes(data)
    succeeded: list[FacebookResponse] = []
    failed: list[FacebookResponse] = []
    with world.sandbox.sdk(world.app, world.token()) as api:
        batch = api.new_batch()
        with (tmp_path / "first.png").open("rb") as one, (tmp_path / "second.gif").open("rb") as two:
            for files in ({"first": one}, {"second": two}):
                batch.add(
                    "POST",
                    f"{world.account}/adimages",
                    files=files,
                    success=succeeded.append,
                    failure=failed.append,
                )
            assert batch.execute() is None
    assert failed == []
    assert [response.json()["images"] for response in succeeded] == [
        {"first": {"hash": md5(first), "url": succeeded[0].json()["images"]["first"]["url"]}},
        {"second": {"hash": md5(second), "url": succeeded[1].json()["images"]["second"]["url"]}},
    ]
    assert httpx.get(succeeded[1].json()["images"]["second"]["url"]).content == second


def test_an_adimage_added_to_a_batch_fails_as_the_sdk_sends_its_path_not_its_bytes(
    world: World, tmp_path: Path
) -> None:
    """``AdImage.remote_create(batch=…)`` keeps the file's *path* for the batch, and the batch sends
    that text as the file (facebook-business 26.0.3): Graph can only refuse it, and so does adgate,
    with code 100 to the item's failure callback. ``create_ad_image`` with ``bytes`` in the same
    batch works."""
    data = png(12, 12)
    path = tmp_path / "shoes.png"
    path.write_bytes(data)
    failed: list[FacebookResponse] = []
    succeeded: list[FacebookResponse] = []
    with world.sandbox.sdk(world.app, world.token()) as api:
        batch = api.new_batch()
        image = AdImage(parent_id=world.account)
        image[AdImage.Field.filename] = str(path)
        image.remote_create(batch=batch, failure=failed.append)
        sent: dict[str, Any] = batch._batch[0]
        assert sent["attached_files"] == "filename,source0"
        AdAccount(world.account).create_ad_image(
            params={AdImage.Field.bytes: base64.b64encode(data).decode(), "name": "shoes.png"},
            batch=batch,
            success=succeeded.append,
            failure=failed.append,
        )
        assert batch.execute() is None
    assert len(failed) == 1
    error = failed[0].error()
    assert isinstance(error, FacebookRequestError)
    assert error.api_error_code() == 100
    assert "not an image" in error.api_error_message()
    assert AdImage.Field.hash not in image
    assert [response.json()["images"]["shoes.png"]["hash"] for response in succeeded] == [md5(data)]
