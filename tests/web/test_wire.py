"""Graph wire basics: versions, paths, bodies, sizes — and bad input never a 500."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adgate.web.graph import graph_json

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/v26.0/", 200, None),
        ("/", 200, None),
        ("/v26.0", 200, None),
        ("/v19.0/", 200, None),  # a retired version: served as the oldest
        ("/v19.0/act_12/", 400, 2635),  # …except by the Marketing API
        ("/v99.0/", 400, 2500),
        ("/vX.Y/", 404, 803),
        ("/v26.0/no_such_alias", 404, 803),
        ("/v26.0/123456789012345", 400, 100),
        ("/v26.0/act_12/whatever", 400, 100),
    ],
)
async def test_paths_and_versions(
    client: httpx.AsyncClient, path: str, status: int, code: int | None
) -> None:
    response = await client.get(path)
    assert response.status_code == status, response.text
    if code is not None:
        assert response.json()["error"]["code"] == code


async def test_a_body_over_the_limit_is_refused_before_it_is_read(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v26.0/",
        content=b"a=" + b"x" * (5 * 1024 * 1024),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == 100


@pytest.mark.parametrize(
    ("content", "content_type", "fragment"),
    [
        (b"{broken", "application/json", "JSON body"),
        (b"[1]", "application/json", "object"),
        (b"\xff\xfe=\xff", "application/x-www-form-urlencoded", "UTF-8"),
    ],
)
async def test_malformed_bodies_are_a_code_100(
    client: httpx.AsyncClient, content: bytes, content_type: str, fragment: str
) -> None:
    response = await client.post("/v26.0/", content=content, headers={"content-type": content_type})
    assert response.status_code == 400
    assert fragment in response.json()["error"]["message"]


async def test_every_response_carries_security_headers_and_a_trace_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/v26.0/")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-fb-trace-id"]


async def test_metrics_count_requests_and_errors_by_code(client: httpx.AsyncClient) -> None:
    await client.get("/v19.0/act_1/")
    text = (await client.get("/metrics")).text
    assert 'adgate_graph_errors_total{code="2635"}' in text
    assert "adgate_request_seconds_bucket" in text


async def test_unknown_control_paths_and_wrong_methods_get_envelopes(client: httpx.AsyncClient) -> None:
    missing = await client.get("/_nothing_here")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == 803
    wrong = await client.put("/v26.0/")
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == 100


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.text(),
    st.floats(allow_nan=False, allow_infinity=False),
)
_values = st.recursive(
    _scalars, lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=25
)


@given(_values)
def test_responses_are_the_json_graph_writes(value: object) -> None:
    """orjson on the hot path says what json.dumps(separators=(",", ":"), ensure_ascii=False) says:
    the same bytes without floats (orjson writes 1e16 where json writes 1e+16), the same value always."""
    reference = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    written = graph_json(value)
    assert json.loads(written) == json.loads(reference)
    if not has_float(value):
        assert written == reference


def has_float(value: object) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, list):
        return any(has_float(v) for v in value)
    if isinstance(value, dict):
        return any(has_float(v) for v in value.values())
    return False


def test_what_orjson_declines_is_written_by_json() -> None:
    assert graph_json({"big": 2**70, 1: "int key"}) == b'{"big":1180591620717411303424,"1":"int key"}'


async def test_the_health_probe_is_answered_by_the_edge_as_the_route_would(client: httpx.AsyncClient) -> None:
    response = await client.get("/_health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    head = await client.head("/_health")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(response.content))
    wrong = await client.post("/_health")  # other methods still reach the route: 405, an envelope
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"]
    text = (await client.get("/metrics")).text
    assert 'adgate_requests_total{area="graph",method="GET",status="200"}' in text


def test_metrics_are_counted_per_labels_and_bucketed_cumulatively() -> None:
    from prometheus_client import generate_latest

    from adgate.web.metrics import Metrics

    metrics = Metrics()
    metrics.observe("graph", "GET", 200, 0.0005, None)  # on a bound: in its bucket
    metrics.observe("graph", "GET", 200, 0.003, None)
    metrics.observe("graph", "POST", 400, 3.0, "190")
    metrics.observe("dialog", "GET", 200, 0.02, None)
    text = generate_latest(metrics.registry).decode()
    for line in (
        'adgate_requests_total{area="graph",method="GET",status="200"} 2.0',
        'adgate_requests_total{area="graph",method="POST",status="400"} 1.0',
        'adgate_graph_errors_total{code="190"} 1.0',
        'adgate_request_seconds_bucket{area="graph",le="0.0005"} 1.0',
        'adgate_request_seconds_bucket{area="graph",le="0.0025"} 1.0',
        'adgate_request_seconds_bucket{area="graph",le="0.005"} 2.0',
        'adgate_request_seconds_bucket{area="graph",le="2.5"} 2.0',
        'adgate_request_seconds_bucket{area="graph",le="+Inf"} 3.0',
        'adgate_request_seconds_count{area="graph"} 3.0',
        'adgate_request_seconds_bucket{area="dialog",le="0.025"} 1.0',
    ):
        assert line in text.splitlines(), line
