"""Batch requests: ``POST /`` (and ``/vNN.N/``) with ``batch=[…]`` (:mod:`adgate.protocol.batch`).

Each item becomes a :class:`GraphCall` of its own and goes through the same router and the same
gate as a call made over HTTP (:func:`adgate.services.gate.router.dispatch`): its token is checked, its
permission, its ad account, its rate limits and its usage are counted one by one. An item's
answer is its body as a JSON string with its HTTP status as ``code`` — the error envelope and the
error's status for a refused item — and its headers (the usage headers among them) unless
``include_headers=false``. The batch itself takes an optional token: when one is given it must be
valid (a dead token fails the whole batch), and items without their own token use it. Files sent
with the batch (multipart) go to the items whose ``attached_files`` name them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from adgate.protocol import envelope
from adgate.protocol.batch import BatchItem, form, item_response, parse_batch, split_url, substitute
from adgate.protocol.errors import GraphError
from adgate.protocol.images import Upload
from adgate.protocol.params import Params
from adgate.protocol.versions import split_version
from adgate.services.gate.call import GraphCall
from adgate.services.gate.router import GraphRouter, dispatch, resolve

if TYPE_CHECKING:
    from adgate.services.registry import Services

#: Parameters an item without its own ``access_token`` takes from the batch.
INHERITED = ("access_token", "appsecret_proof", "appsecret_time")
JSON_TYPE = {"Content-Type": "application/json; charset=UTF-8"}


def _encode(result: Any) -> tuple[int, dict[str, str], str]:
    if isinstance(result, Response):
        headers = {k: v for k, v in result.headers.items() if k.lower() != "content-length"}
        return result.status_code, headers, bytes(result.body).decode("utf-8", "replace")
    return 200, dict(JSON_TYPE), json.dumps(result, separators=(",", ":"), ensure_ascii=False)


def _decoded(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


class Batch:
    def __init__(self, services: Services) -> None:
        self.services = services

    async def run(self, batch: GraphCall) -> list[dict[str, Any]]:
        items = parse_batch(batch.params.get_str("batch"))
        include_headers = batch.params.get_bool("include_headers", True)
        results: dict[str, Any] = {}
        answers = []
        for item in items:
            status, headers, body = await self._one(batch, item, results)
            omit = item.omit_response_on_success and status == 200
            answers.append(item_response(status, headers if include_headers else {}, None if omit else body))
        return answers

    async def _one(
        self, batch: GraphCall, item: BatchItem, results: dict[str, Any]
    ) -> tuple[int, dict[str, str], str]:
        call: GraphCall | None = None
        try:
            call = await self._call(batch, item, results)
            status, headers, body = _encode(await dispatch(call, self.services.router, self.services.gate))
            headers |= call.response_headers
        except GraphError as exc:
            status, raw, headers = envelope.render(exc, batch.fbtrace_id)
            headers = {**JSON_TYPE, **headers, **(call.response_headers if call else {})}
            body = raw.decode()
        if item.name is not None:
            results[item.name] = _decoded(body) if status == 200 else None
        return status, headers, body

    async def _call(self, batch: GraphCall, item: BatchItem, results: dict[str, Any]) -> GraphCall:
        path, query = split_url(substitute(item.relative_url, results))
        body = form(substitute(item.body, results)) if item.body else {}
        version, rest = split_version(path)
        params = Params.merge(query, body)
        method = item.method
        override = (params.get_str("method") or "").upper()
        if override in ("GET", "POST", "DELETE"):
            method, params = override, params.without("method")
        raw_token = params.get_str("access_token")
        if raw_token is None:
            inherited = {name: batch.params[name] for name in INHERITED if batch.params.get(name)}
            params = Params.merge(params, inherited)
            raw_token = batch.raw_token
        kind, node_id, edge, extra = await resolve(self.services, rest.split("/") if rest else [], method)
        if kind == "root" and method == "POST":
            raise GraphError.of("batch_invalid", detail="A batch cannot contain another batch")
        return GraphCall(
            method=method,
            path="/" + rest,
            version=version,
            node_kind=kind,
            node_id=node_id,
            edge=edge,
            rest=extra,
            params=params,
            headers=batch.headers,
            fbtrace_id=batch.fbtrace_id,
            services=self.services,
            raw_token=raw_token,
            tooling=batch.tooling,
            files=attached(batch, item),
        )


def attached(batch: GraphCall, item: BatchItem) -> tuple[Upload, ...]:
    """The files of the batch's body that the item's ``attached_files`` names."""
    files = []
    for name in item.attached_files:
        found = [upload for upload in batch.files if upload.field == name]
        if not found:
            raise GraphError.of(
                "batch_invalid", detail=f"attached_files names {name!r}, which is not a file of this request"
            )
        files.extend(found)
    return tuple(files)


def register(router: GraphRouter, services: Services) -> None:
    batch = Batch(services)

    @router.route("POST", "root", auth="optional")
    async def run(call: GraphCall) -> Any:
        return await batch.run(call)
