"""Ad images (:mod:`adgate.services.marketing.images`).

- ``POST /act_<n>/adimages`` — upload (multipart files, or ``bytes`` in base64) →
  ``{"images": {"<key>": {"hash", "url"}}}``
- ``GET /act_<n>/adimages`` — list (``fields``, ``hashes``, ``limit``, cursors, ``summary``)
- ``DELETE /act_<n>/adimages?hash=…`` → ``{"success": true}``
- ``GET /<account>:<hash>`` — one image, by its ``id``
- ``GET /_adimages/<account>/<hash>.<ext>`` — the image itself, at its ``url`` (no token: as
  Graph's image URLs, it is known only to those who were given it)

Declared as the other Marketing objects are: reads take ``ads_read`` or ``ads_management``,
uploads and deletes ``ads_management`` and count as writes in its business-use-case hour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adgate import ad_objects as o
from adgate.protocol.errors import GraphError
from adgate.services.gate.call import GraphCall
from adgate.services.gate.router import GraphRouter
from adgate.services.marketing.images import AdImages
from adgate.web.endpoints.callers import caller_of, no_rest
from adgate.web.endpoints.marketing import READ, WRITE, base_url, render_list
from adgate.web.responses import error_response

if TYPE_CHECKING:
    from adgate.services.marketing.images import UrlOf
    from adgate.services.registry import Services

#: Where adgate serves an ad image (not a Graph path: ``adgate.web.graph.is_graph_path``).
IMAGE_PATH = "/_adimages"
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif"}


def image_path(image: o.AdImage) -> str:
    return f"{IMAGE_PATH}/{image.account_id}/{image.hash}.{EXTENSIONS.get(image.content_type, 'img')}"


def url_maker(call: GraphCall) -> UrlOf:
    base = base_url(call)
    return lambda image: base + image_path(image)


def register(router: GraphRouter, services: Services) -> None:
    images = AdImages(services.core)

    @router.route("POST", "ad_account", "adimages", need=WRITE)
    async def upload(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await images.upload(
            caller_of(call).app.id, call.node_id, call.files, call.params, url_maker(call)
        )

    @router.route("GET", "ad_account", "adimages", need=READ)
    async def list_images(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return render_list(call, await images.list(call.node_id, call.params, url_maker(call)))

    @router.route("GET", "adimage", need=READ)
    async def read(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await images.read(call.node_id, call.params.fields(), url_maker(call))

    @router.route("DELETE", "ad_account", "adimages", need=WRITE)
    async def delete(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await images.delete(call.node_id, call.params)


def routes(services: Services) -> list[Route]:
    """The route that serves each image's bytes at its ``url``."""
    images = AdImages(services.core)

    async def serve(request: Request) -> Response:
        account_id = request.path_params["account_id"]
        digest, _, _extension = request.path_params["file"].partition(".")
        found = None
        if account_id.isascii() and account_id.isdigit() and len(digest) == 32:
            found = await images.content(account_id, digest.lower())
        if found is None:
            error = GraphError.of("not_found", node=request.url.path)
            request.state.graph_error = error
            return error_response(error, request.state.fbtrace_id)
        image, data = found
        return Response(
            data,
            media_type=image.content_type,
            headers={"cache-control": "public, max-age=86400"},
        )

    return [Route(IMAGE_PATH + "/{account_id}/{file}", serve, methods=["GET"])]
