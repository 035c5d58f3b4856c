import json

from adgate.protocol import envelope
from adgate.protocol.errors import CATALOG, GraphError


def test_an_expired_token_renders_as_graph_does() -> None:
    error = GraphError.of("token_expired", expired="Saturday, 11-Dec-21 05:00:00 PST", now="later")
    status, body, headers = envelope.render(error, "AbCdEfGhIjK")
    data = json.loads(body)["error"]
    assert status == 400
    assert data["code"] == 190
    assert data["error_subcode"] == 463
    assert data["type"] == "OAuthException"
    assert data["is_transient"] is False
    assert data["fbtrace_id"] == "AbCdEfGhIjK"
    assert data["message"].startswith("Error validating access token: Session has expired on")
    assert headers["WWW-Authenticate"].startswith(
        'OAuth "Facebook Platform" "invalid_token" "Error validating'
    )
    assert headers["Cache-Control"] == "no-store"


def test_throttles_are_transient_and_carry_the_subcode() -> None:
    data = envelope.error_body(GraphError.of("buc_ads_management"), "x")["error"]
    assert (data["code"], data["error_subcode"], data["is_transient"]) == (80004, 2446079, True)


def test_trace_ids_look_like_graphs() -> None:
    ids = {envelope.new_fbtrace_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(len(i) == 11 for i in ids)


def test_every_catalog_message_formats_without_surprises() -> None:
    for name, spec in CATALOG.items():
        assert spec.code > 0, name
        assert 400 <= spec.status < 600, name
