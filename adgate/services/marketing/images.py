"""Ad images: ``/act_<n>/adimages`` (docs/graph-facts.md §12.7).

An upload is one or more files of a multipart request, each an image, or ``bytes``: the image in
base64 (with an optional ``name``). Each is named by the MD5 of its bytes, in hex: the ``hash``
a creative refers to. Uploading the same bytes again to the same account gives the same hash and
the same image (a deleted one comes back ACTIVE); the answer is keyed by the form field of each
file (``bytes``, or the ``name`` given with it, for base64).

Checks, each a code-100 error naming the field: there must be an image; each must be a PNG, JPEG
or GIF (read from its header, :func:`adgate.protocol.images.sniff`); each at most
:data:`MAX_IMAGE_BYTES` (OURS: Graph's own limit is larger, 30 MB, but adgate keeps the bytes in
its database; the request's body limit, ``ADGATE_MAX_BODY_BYTES``, also applies); a ``name`` at
most :data:`MAX_NAME` characters (Graph's documented limit). A file's name is the one the client
gave the part, cut to :data:`MAX_NAME`. ``copy_from`` and zip files are not supported.

A list shows the ACTIVE images, newest first, ``hash`` and ``id`` by default; ``hashes=[…]``
keeps those. An image is also a node, ``GET /<account>:<hash>`` (its ``id``). A deleted image
keeps its row, as the other Marketing objects do.
"""

from __future__ import annotations

import base64
import binascii
import builtins
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from adgate import ad_objects as o
from adgate import ids
from adgate.policy.effective_status import shown
from adgate.protocol.cursors import page_request, paginate
from adgate.protocol.errors import GraphError
from adgate.protocol.images import Upload, sniff
from adgate.protocol.params import Params, select_fields
from adgate.protocol.times import graph_time
from adgate.services.context import Core
from adgate.services.marketing.accounts import require_account
from adgate.services.marketing.listing import Listing
from adgate.services.marketing.validation import field_error, json_value, missing, text

#: Largest image accepted, in bytes (OURS; see the module's docstring).
MAX_IMAGE_BYTES = 3 * 1024 * 1024
#: Longest image name (Graph: "The maximum length of this string is 100 characters").
MAX_NAME = 100
#: Most images one upload may carry (OURS).
MAX_FILES = 20
STATUSES = ("ACTIVE", "DELETED")
DEFAULT_FIELDS = ("hash", "id")

#: How an image's ``url`` is made: the web layer knows the server's address.
UrlOf = Callable[[o.AdImage], str]


@dataclass(frozen=True, slots=True)
class Named:
    """One image of an upload: the key of the answer, the name and the bytes."""

    key: str
    name: str
    data: bytes


def image_json(image: o.AdImage, url: str, timezone_name: str | None) -> dict[str, Any]:
    return {
        "id": f"{image.account_id}:{image.hash}",
        "account_id": image.account_id,
        "hash": image.hash,
        "name": image.name,
        "status": image.status,
        "url": url,
        "url_128": url,
        "permalink_url": url,
        "width": image.width,
        "height": image.height,
        "original_width": image.width,
        "original_height": image.height,
        "created_time": graph_time(image.created_at, timezone_name),
        "updated_time": graph_time(image.updated_at, timezone_name),
    }


def _base_name(filename: str | None, fallback: str) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or fallback
    return name[:MAX_NAME]


def _decoded(params: Params) -> Named | None:
    raw = params.get_str("bytes")
    if raw is None:
        return None
    try:
        data = base64.b64decode("".join(raw.split()), validate=True)
    except (binascii.Error, ValueError):
        raise field_error("bytes", "Param bytes must be the image in base64", title="Invalid Image") from None
    name = text(params, "name", required=False, max_len=MAX_NAME)
    return Named(key=name or "bytes", name=name or "bytes", data=data)


def images_of(files: Sequence[Upload], params: Params) -> list[Named]:
    """The images of an upload, checked; a code-100 error for the first one that is not."""
    if params.get("copy_from") is not None:
        raise field_error(
            "copy_from", "copy_from is not supported by adgate: upload the image", title="Not Supported"
        )
    named = [Named(f.field, _base_name(f.filename, f.field), f.data) for f in files]
    from_bytes = _decoded(params)
    if from_bytes is not None:
        named.append(from_bytes)
    if not named:
        raise field_error(
            "filename",
            "No image was given: upload a file (multipart/form-data) or send it in bytes (base64)",
            title="Image Required",
            user_msg="Choose an image to upload.",
        )
    if len(named) > MAX_FILES:
        raise field_error(
            "filename", f"At most {MAX_FILES} images can be uploaded at once", title="Too Many Images"
        )
    for image in named:
        if len(image.data) > MAX_IMAGE_BYTES:
            raise field_error(
                image.key,
                f"The image {image.name!r} is {len(image.data)} bytes; the largest accepted is "
                f"{MAX_IMAGE_BYTES} bytes",
                title="Image Too Large",
            )
        if sniff(image.data) is None:
            raise field_error(
                image.key,
                f"The file {image.name!r} is not an image adgate can read: upload a PNG, JPEG or GIF",
                title="Invalid Image",
            )
    return named


def hashes_of(params: Params) -> list[str] | None:
    """``hashes=["…","…"]`` (the SDK's JSON array), or ``a,b``."""
    raw = params.get_str("hashes")
    if raw is None:
        return None
    if not raw.strip().startswith("["):
        return [part.strip().lower() for part in raw.split(",") if part.strip()]
    value = json_value(params, "hashes")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise field_error(
            "hashes", "Param hashes must be an array of strings", title="Invalid Parameter Type"
        )
    return [v.strip().lower() for v in value]


class AdImages:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def upload(
        self, app_id: str, account_id: str, files: Sequence[Upload], params: Params, url_of: UrlOf
    ) -> dict[str, Any]:
        named = images_of(files, params)
        now = self.core.now()
        answer: dict[str, dict[str, str]] = {}
        async with self.core.db.transaction() as tx:
            await require_account(tx, account_id, write=True)
            for one in named:
                digest = hashlib.md5(one.data, usedforsecurity=False).hexdigest()
                image = await tx.ad_images.get(account_id, digest)
                if image is None:
                    info = sniff(one.data)
                    assert info is not None  # images_of checked it
                    image = o.AdImage(
                        account_id=account_id,
                        hash=digest,
                        app_id=app_id,
                        name=one.name,
                        status="ACTIVE",
                        content_type=info.content_type,
                        width=info.width,
                        height=info.height,
                        size=len(one.data),
                        created_at=now,
                        updated_at=now,
                    )
                    await tx.ad_images.add(image, one.data)
                elif image.status != "ACTIVE":
                    image = replace(image, status="ACTIVE", name=one.name, updated_at=now)
                    await tx.ad_images.update(image)
                answer[one.key] = {"hash": image.hash, "url": url_of(image)}
        return {"images": answer}

    async def list(self, account_id: str, params: Params, url_of: UrlOf) -> Listing:
        hashes = hashes_of(params)
        request = page_request(params)
        fields = params.fields()
        async with self.core.db.read() as tx:
            account = await require_account(tx, account_id)
            images = await tx.ad_images.for_account(account_id, hashes)
        kept = [image for image in images if shown(image.status, None)]
        page = paginate(kept, lambda image: (image.created_at, image.hash), request, descending=True)
        data = [
            select_fields(image_json(image, url_of(image), account.timezone_name), fields, DEFAULT_FIELDS)
            for image in page.items
        ]
        return Listing(page, data, request.summary)

    async def read(self, node_id: str, fields: builtins.list[str] | None, url_of: UrlOf) -> dict[str, Any]:
        """``GET /<account>:<hash>``: one image, ``hash`` and ``id`` by default; 100/33 if the
        account has no such image (deleted ones are still read, with their status)."""
        found = ids.parse_ad_image_node(node_id)
        async with self.core.db.read() as tx:
            image = None if found is None else await tx.ad_images.get(*found)
            if image is None:
                raise GraphError.of("unsupported_get", node=node_id)
            account = await require_account(tx, image.account_id)
        return select_fields(image_json(image, url_of(image), account.timezone_name), fields, DEFAULT_FIELDS)

    async def delete(self, account_id: str, params: Params) -> dict[str, Any]:
        digest = params.get_str("hash")
        if digest is None or not digest.strip():
            raise missing("hash", "the hash of the image to delete")
        async with self.core.db.transaction() as tx:
            await require_account(tx, account_id, write=True)
            image = await tx.ad_images.get(account_id, digest.strip())
            if image is None:
                raise field_error(
                    "hash",
                    f"The ad account has no image with the hash {digest.strip()}",
                    title="Image Not Found",
                )
            if image.status != "DELETED":
                await tx.ad_images.update(replace(image, status="DELETED", updated_at=self.core.now()))
        return {"success": True}

    async def content(self, account_id: str, digest: str) -> tuple[o.AdImage, bytes] | None:
        """An ACTIVE image and its bytes, for its ``url``."""
        async with self.core.db.read() as tx:
            image = await tx.ad_images.get(account_id, digest)
            if image is None or image.status != "ACTIVE":
                return None
            data = await tx.ad_images.content(account_id, digest)
        return None if data is None else (image, data)
