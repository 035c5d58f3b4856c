"""Ad images over HTTP: uploads (multipart or base64), the list, deletes, the served URL, bad input."""

from __future__ import annotations

import base64
import hashlib
import json

import httpx
import pytest
from ads_world import Advertiser, error_of, make_advertiser
from image_files import gif, png

from adgate.services.marketing.images import MAX_IMAGE_BYTES
from adgate.services.registry import Services
from adgate.web.metrics import area_of

pytestmark = pytest.mark.anyio


@pytest.fixture
async def adv(services: Services, client: httpx.AsyncClient) -> Advertiser:
    return await make_advertiser(services, client)


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


async def upload(adv: Advertiser, files: dict[str, tuple[str, bytes]], **fields: str) -> httpx.Response:
    return await adv.client.post(
        f"/v26.0/{adv.act}/adimages",
        params={"access_token": adv.token},
        files={field: (name, data, "application/octet-stream") for field, (name, data) in files.items()},
        data=fields,
    )


async def test_a_multipart_upload_answers_hash_and_url_and_the_url_serves_the_bytes(adv: Advertiser) -> None:
    image = png(120, 80)
    response = await upload(adv, {"filename": ("/tmp/x/shoes.png", image)})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert list(answer) == ["images"]
    assert answer["images"]["filename"]["hash"] == md5(image)
    usage = json.loads(response.headers["x-business-use-case-usage"])
    assert [entry["type"] for entry in usage[adv.account_id]] == ["ads_management"]
    url = answer["images"]["filename"]["url"]
    assert url == f"http://adgate.test/_adimages/{adv.account_id}/{md5(image)}.png"
    served = await adv.client.get(url)
    assert served.status_code == 200
    assert served.content == image
    assert served.headers["content-type"] == "image/png"

    fields = "hash,url,name,width,height,status,account_id"
    listed = (await adv.get(f"{adv.act}/adimages", fields=fields)).json()
    assert listed["data"] == [
        {
            "id": f"{adv.account_id}:{md5(image)}",
            "hash": md5(image),
            "url": url,
            "name": "shoes.png",
            "width": 120,
            "height": 80,
            "status": "ACTIVE",
            "account_id": adv.account_id,
        }
    ]


async def test_several_files_and_base64_bytes_are_keyed_by_field_and_name(adv: Advertiser) -> None:
    one, two = png(10, 10, shade=1), gif(30, 20)
    response = await upload(adv, {"a.png": ("a.png", one), "source1": ("b.gif", two)})
    assert response.status_code == 200, response.text
    images = response.json()["images"]
    assert {key: value["hash"] for key, value in images.items()} == {"a.png": md5(one), "source1": md5(two)}

    three = png(5, 6, shade=3)
    encoded = base64.b64encode(three).decode()
    plain = (await adv.post(f"{adv.act}/adimages", bytes=encoded)).json()
    assert plain["images"]["bytes"]["hash"] == md5(three)
    named = (await adv.post(f"{adv.act}/adimages", bytes=encoded, name="banner.png")).json()
    assert named["images"]["banner.png"]["hash"] == md5(three)  # the same bytes: the same image

    listed = (await adv.get(f"{adv.act}/adimages", fields="name,width,height")).json()["data"]
    assert sorted((i["name"], i["width"], i["height"]) for i in listed) == [
        ("a.png", 10, 10),
        ("b.gif", 30, 20),
        ("bytes", 5, 6),
    ]


async def test_the_list_filters_by_hash_pages_and_shows_hash_and_id_by_default(adv: Advertiser) -> None:
    made = [png(4, 4, shade=n) for n in range(3)]
    for n, image in enumerate(made):
        assert (await upload(adv, {"filename": (f"{n}.png", image)})).status_code == 200
    hashes = [md5(image) for image in made]
    some = (await adv.get(f"{adv.act}/adimages", hashes=[hashes[0], hashes[2].upper()])).json()["data"]
    assert sorted(some, key=lambda i: i["hash"]) == sorted(
        [{"hash": h, "id": f"{adv.account_id}:{h}"} for h in (hashes[0], hashes[2])], key=lambda i: i["hash"]
    )
    first = (await adv.get(f"{adv.act}/adimages", limit=2)).json()
    assert len(first["data"]) == 2 and "next" in first["paging"]
    rest = (await adv.get(f"{adv.act}/adimages", limit=2, after=first["paging"]["cursors"]["after"])).json()
    assert {i["hash"] for i in first["data"] + rest["data"]} == set(hashes)


async def test_a_deleted_image_leaves_the_list_and_its_url_and_comes_back_on_upload(adv: Advertiser) -> None:
    image = png(9, 9)
    url = (await upload(adv, {"filename": ("a.png", image)})).json()["images"]["filename"]["url"]
    deleted = await adv.client.delete(
        f"/v26.0/{adv.act}/adimages", params={"access_token": adv.token, "hash": md5(image)}
    )
    assert deleted.json() == {"success": True}
    assert (await adv.get(f"{adv.act}/adimages")).json()["data"] == []
    gone = await adv.client.get(url)
    assert (gone.status_code, error_of(gone)["code"]) == (404, 803)
    again = await upload(adv, {"filename": ("a.png", image)})
    assert again.json()["images"]["filename"]["url"] == url
    assert (await adv.client.get(url)).content == image


async def test_reads_take_ads_read_and_uploads_ads_management(
    services: Services, client: httpx.AsyncClient
) -> None:
    reader = await make_advertiser(services, client, scopes=("ads_read",))
    assert (await reader.get(f"{reader.act}/adimages")).status_code == 200
    refused = await upload(reader, {"filename": ("a.png", png(2, 2))})
    assert error_of(refused)["code"] == 294


@pytest.mark.parametrize(
    ("files", "data", "blamed", "fragment"),
    [
        ({}, {}, "filename", "No image was given"),
        ({"filename": ("notes.txt", b"just text")}, {}, "filename", "not an image"),
        ({"filename": ("big.png", png(1, 1) + b"\0" * MAX_IMAGE_BYTES)}, {}, "filename", "largest accepted"),
        ({"filename": ("empty.png", b"")}, {}, "filename", "not an image"),
        ({}, {"bytes": "%%% not base64 %%%"}, "bytes", "base64"),
        ({}, {"bytes": base64.b64encode(b"GIF89a").decode()}, "bytes", "not an image"),
        ({}, {"bytes": base64.b64encode(png(1, 1)).decode(), "name": "n" * 101}, "name", "name"),
        ({}, {"copy_from": '{"source_account_id":"1","hash":"x"}'}, "copy_from", "not supported"),
    ],
)
async def test_bad_uploads_get_code_100_blaming_the_field(
    adv: Advertiser, files: dict[str, tuple[str, bytes]], data: dict[str, str], blamed: str, fragment: str
) -> None:
    response = await upload(adv, files, **data)
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error["code"] == 100
    assert error["error_data"]["blame_field_specs"] == [[blamed]]
    assert fragment in error["message"]
    assert (await adv.get(f"{adv.act}/adimages")).json()["data"] == []


async def test_a_delete_needs_the_hash_of_an_image_of_the_account(adv: Advertiser) -> None:
    no_hash = await adv.delete(f"{adv.act}/adimages")
    assert error_of(no_hash)["error_data"]["blame_field_specs"] == [["hash"]]
    unknown = await adv.client.delete(
        f"/v26.0/{adv.act}/adimages", params={"access_token": adv.token, "hash": "0" * 32}
    )
    assert (unknown.status_code, error_of(unknown)["code"]) == (400, 100)


def test_image_urls_have_a_metrics_area_of_their_own() -> None:
    assert area_of(f"/_adimages/1/{'0' * 32}.png") == "adimages"


async def test_an_unknown_image_url_is_a_404_envelope(adv: Advertiser) -> None:
    for path in (f"{adv.account_id}/{'0' * 32}.png", f"{adv.account_id}/short.png", f"act_x/{'0' * 32}.png"):
        response = await adv.client.get(f"/_adimages/{path}")
        assert (response.status_code, error_of(response)["code"]) == (404, 803)


async def test_a_batch_hands_each_item_the_files_its_attached_files_names(adv: Advertiser) -> None:
    one, two = png(7, 7, shade=1), png(8, 8, shade=2)
    batch = [
        {"method": "POST", "relative_url": f"{adv.act}/adimages", "attached_files": "first"},
        {"method": "POST", "relative_url": f"{adv.act}/adimages", "attached_files": "second, first"},
        {"method": "POST", "relative_url": f"{adv.act}/adimages", "attached_files": "third"},
        {"method": "POST", "relative_url": f"{adv.act}/adimages"},
        {"method": "GET", "relative_url": f"{adv.act}/adimages?fields=hash,width"},
    ]
    response = await adv.client.post(
        "/v26.0/",
        params={"access_token": adv.token},
        data={"batch": json.dumps(batch)},
        files={"first": ("one.png", one, "image/png"), "second": ("two.png", two, "image/png")},
    )
    assert response.status_code == 200, response.text
    answers = response.json()
    assert [a["code"] for a in answers] == [200, 200, 400, 400, 200]
    bodies = [json.loads(a["body"]) for a in answers]
    assert bodies[0]["images"]["first"]["hash"] == md5(one)
    assert {k: v["hash"] for k, v in bodies[1]["images"].items()} == {"second": md5(two), "first": md5(one)}
    assert "third" in bodies[2]["error"]["message"]
    assert bodies[3]["error"]["error_data"]["blame_field_specs"] == [["filename"]]
    assert sorted(i["width"] for i in bodies[4]["data"]) == [7, 8]


async def test_attached_files_must_be_a_string(adv: Advertiser) -> None:
    batch = [{"method": "POST", "relative_url": f"{adv.act}/adimages", "attached_files": ["x"]}]
    response = await adv.post("", batch=batch)
    assert error_of(response)["code"] == 100
    assert "attached_files" in error_of(response)["message"]


async def test_an_image_is_a_node_read_by_its_id_within_its_account(
    adv: Advertiser, services: Services, client: httpx.AsyncClient
) -> None:
    image = png(33, 44)
    assert (await upload(adv, {"filename": ("n.png", image)})).status_code == 200
    node = f"{adv.account_id}:{md5(image)}"
    assert (await adv.get(node)).json() == {"hash": md5(image), "id": node}
    read = (await adv.get(f"{node}/", fields="width,height,status")).json()
    assert read == {"id": node, "width": 33, "height": 44, "status": "ACTIVE"}

    unknown = await adv.get(f"{adv.account_id}:{'a' * 32}")
    assert (error_of(unknown)["code"], error_of(unknown)["error_subcode"]) == (100, 33)
    stranger = await make_advertiser(services, client)
    theirs = await stranger.get(node)
    assert error_of(theirs)["code"] == 100
    assert (await adv.get(f"{node}/edge")).status_code == 400
