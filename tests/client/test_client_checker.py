"""The checker: dead with code/subcode, expiring inside the window, and never a token lost because
Graph could not be asked."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from graph_double import GraphDouble, Request, debug_answer, graph_double, graph_error

from adgate.client import GraphClient, GraphConfig, StoredToken, TokenChecker, TokenStore, generate_key
from adgate.client.http import Backoff
from adgate.testing.server import free_port

NOW = 1_790_000_000
DAY = 86400


@pytest.fixture
def double() -> Iterator[GraphDouble]:
    with graph_double() as d:
        yield d


@pytest.fixture
def frozen_store(store: TokenStore) -> TokenStore:
    store.now = lambda: float(NOW)
    return store


def graph_at(url: str) -> GraphClient:
    return GraphClient(
        GraphConfig("1234", "APPSECRET", graph_url=url),
        timeout=5,
        backoff=Backoff(max_attempts=1),
        sleep=lambda _s: None,
    )


def saved(store: TokenStore, token: str, person: str = "555") -> StoredToken:
    return store.save(token, app_id="1234", person_id=person, expires_at=NOW + 60 * DAY)


def test_a_closed_port_keeps_every_token_as_it_was(frozen_store: TokenStore) -> None:
    first, second = saved(frozen_store, "TOKEN-A"), saved(frozen_store, "TOKEN-B", "556")
    frozen_store.record_dead(second.id, code=190, subcode=460, message="password changed")
    with graph_at(f"http://127.0.0.1:{free_port()}") as graph:
        report = TokenChecker(frozen_store, graph).check_all(include_dead=True)
    assert [r.outcome for r in report.results] == ["failed", "failed"]
    kept = frozen_store.get(first.id)
    assert kept is not None
    assert (kept.status, kept.failed_checks, kept.last_checked_at) == ("valid", 1, None)
    assert "GraphUnavailableError" in (kept.last_check_error or "")
    still_dead = frozen_store.get(second.id)
    assert still_dead is not None and (still_dead.status, still_dead.dead_subcode) == ("dead", 460)
    assert frozen_store.reveal(first.id) == "TOKEN-A"


@pytest.mark.parametrize(
    "answer",
    [
        (502, {}, "<html>Bad Gateway</html>"),
        (
            500,
            {},
            graph_error(
                2, "An unexpected error has occurred. Please retry your request later.", is_transient=True
            ),
        ),
        (400, {}, graph_error(4, "(#4) Application request limit reached", is_transient=True)),
        # An error about the app token (a wrong secret) says nothing about the stored token.
        (400, {}, graph_error(190, "Error validating client secret.")),
    ],
)
def test_no_verdict_from_graph_is_a_failed_check_not_a_dead_token(
    frozen_store: TokenStore, double: GraphDouble, answer: tuple[int, dict[str, str], object]
) -> None:
    stored = saved(frozen_store, "TOKEN-A")
    double.default = lambda _r: answer
    with graph_at(double.url) as graph:
        result = TokenChecker(frozen_store, graph).check_one(stored)
    assert result.outcome == "failed"
    after = frozen_store.get(stored.id)
    assert after is not None and after.status == "valid" and after.failed_checks == 1


def test_a_dead_token_is_marked_with_the_code_and_subcode_of_data_error(
    frozen_store: TokenStore, double: GraphDouble
) -> None:
    stored = saved(frozen_store, "TOKEN-A")
    message = "Error validating access token: Session has expired on Saturday, 11-Dec-21 05:00:00 PST."
    double.default = lambda _r: (
        200,
        {},
        debug_answer(
            is_valid=False, expires_at=NOW - 10, error={"code": 190, "message": message, "subcode": 463}
        ),
    )
    with graph_at(double.url) as graph:
        result = TokenChecker(frozen_store, graph).check_one(stored)
    assert (result.outcome, result.previous, result.changed) == ("dead", "valid", True)
    assert (result.token.dead_code, result.token.dead_subcode, result.token.dead_message) == (
        190,
        463,
        message,
    )
    request = double.requests[0]
    assert request.path == "/v26.0/debug_token"
    assert request.query["input_token"] == "TOKEN-A"
    assert request.headers["authorization"] == "Bearer 1234|APPSECRET"


@pytest.mark.parametrize(
    ("expires_at", "data_access_expires_at", "warn_days", "outcome"),
    [
        (NOW + 3 * DAY, 0, 7, "expiring"),
        (NOW + 3 * DAY, 0, 2, "valid"),
        (0, NOW + 5 * DAY, 7, "expiring"),  # a page token that never expires, but data access ends
        (0, NOW + 80 * DAY, 7, "valid"),
    ],
)
def test_a_token_is_expiring_inside_the_warning_window(
    frozen_store: TokenStore,
    double: GraphDouble,
    expires_at: int,
    data_access_expires_at: int,
    warn_days: int,
    outcome: str,
) -> None:
    stored = saved(frozen_store, "TOKEN-A")
    double.default = lambda _r: (
        200,
        {},
        debug_answer(expires_at=expires_at, data_access_expires_at=data_access_expires_at),
    )
    with graph_at(double.url) as graph:
        result = TokenChecker(frozen_store, graph, warn_before=warn_days * DAY).check_one(stored)
    assert result.outcome == outcome
    assert result.token.expires_at == (expires_at or None)
    assert result.token.last_checked_at == NOW


def test_a_required_permission_taken_back_makes_the_token_dead_with_code_200(
    frozen_store: TokenStore, double: GraphDouble
) -> None:
    stored = saved(frozen_store, "TOKEN-A")
    double.default = lambda _r: (200, {}, debug_answer(scopes=["public_profile", "ads_read"]))
    with graph_at(double.url) as graph:
        result = TokenChecker(frozen_store, graph, required_scopes=["ads_management"]).check_one(stored)
    assert (result.outcome, result.token.dead_code) == ("dead", 200)
    assert "ads_management" in (result.token.dead_message or "")


def test_tokens_are_checked_in_one_batch_where_the_server_runs_batches(
    frozen_store: TokenStore, double: GraphDouble
) -> None:
    a, b, c = (saved(frozen_store, f"TOKEN-{x}", x) for x in "ABC")
    verdicts = {
        "TOKEN-A": debug_answer(),
        "TOKEN-B": debug_answer(is_valid=False, error={"code": 190, "subcode": 460, "message": "password"}),
    }

    def run_batch(request: Request) -> tuple[int, dict[str, str], object]:
        assert request.method == "POST" and request.path == "/v26.0/"
        assert request.form["access_token"] == "1234|APPSECRET"
        items = json.loads(request.form["batch"])
        assert items[0] == {"method": "GET", "relative_url": "debug_token?input_token=TOKEN-A"}
        answers: list[object] = []
        for item in items:
            token = item["relative_url"].split("=", 1)[1]
            body = verdicts.get(token)
            # Graph answers null for an item it did not run: that one is asked again on its own.
            answers.append(None if body is None else {"code": 200, "headers": [], "body": json.dumps(body)})
        return 200, {}, answers

    double.default = lambda r: run_batch(r) if r.method == "POST" else (200, {}, debug_answer(user_id="C"))
    with graph_at(double.url) as graph:
        report = TokenChecker(frozen_store, graph).check([a, b, c])
    assert [r.outcome for r in report.results] == ["valid", "dead", "valid"]
    assert [r.method for r in double.requests] == ["POST", "GET"]
    assert double.requests[1].query["input_token"] == "TOKEN-C"


def test_a_server_without_batches_is_asked_one_token_at_a_time(
    frozen_store: TokenStore, double: GraphDouble
) -> None:
    tokens = [saved(frozen_store, f"TOKEN-{x}", x) for x in "AB"]
    double.default = lambda r: (
        (400, {}, graph_error(100, "Unsupported post request."))
        if r.method == "POST"
        else (200, {}, debug_answer(user_id=r.query["input_token"][-1]))
    )
    with graph_at(double.url) as graph:
        checker = TokenChecker(frozen_store, graph)
        report = checker.check(tokens)
        assert not checker.batch
    assert [r.outcome for r in report.results] == ["valid", "valid"]
    assert [r.method for r in double.requests] == ["POST", "GET", "GET"]


def test_a_token_the_key_cannot_decrypt_is_a_failed_check(frozen_store: TokenStore) -> None:
    stored = saved(frozen_store, "TOKEN-A")
    other = TokenStore(frozen_store.engine, generate_key(), now=frozen_store.now)
    with graph_at(f"http://127.0.0.1:{free_port()}") as graph:
        result = TokenChecker(other, graph).check_one(stored)
    assert result.outcome == "failed"
    assert "another key" in (result.error or "")
    assert frozen_store.reveal(stored.id) == "TOKEN-A"
