"""A small Graph HTTP helper around httpx: proof, usage headers, back-off, typed errors.

- Every call with a token carries ``appsecret_proof = hex(HMAC-SHA256(app_secret, token))``
  (docs/graph-facts.md §8) in the query string. The token itself never goes in a URL, where request logs and
  proxies would keep it: ``Authorization: Bearer`` for GET and DELETE, ``access_token`` in the
  form body for POST (how Graph documents POSTs and batch requests).
- The usage headers of every answer are parsed into :class:`adgate.client.usage.Usage`
  (:attr:`GraphClient.last_usage`, and ``usage`` on every error).
- Throttling codes (4, 17, 32, 341, 613, 80000-80014) are waited out: for as long as
  ``estimated_time_to_regain_access`` (BUC header, minutes) or ``reset_time_duration`` (ad-account
  header, seconds) says, else with a doubling wait; never more than :attr:`Backoff.max_wait` in all
  and :attr:`Backoff.max_attempts` tries, after which :class:`ThrottledError` is raised.
- Error envelopes become typed errors (:mod:`adgate.client.errors`); no answer at all (network,
  timeout, a 5xx page) becomes :class:`GraphUnavailableError`. Success depends on the body, not
  the status (docs/graph-facts.md §12.3).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

import httpx

from adgate.client.clock import Sleep, system_sleep
from adgate.client.config import GraphConfig
from adgate.client.errors import GraphAPIError, GraphUnavailableError, ThrottledError, error_from_envelope
from adgate.client.usage import Usage

log = logging.getLogger("adgate.client")

USER_AGENT = "adgate-client/0.1"
Params = Mapping[str, str | int | float | bool | Sequence[Any] | Mapping[str, Any]]


def appsecret_proof(app_secret: str, token: str) -> str:
    """``hex(HMAC-SHA256(key=app_secret, msg=token))``, as the official SDK computes it (docs/graph-facts.md
    §8)."""
    return hmac.new(app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Backoff:
    """How long to keep waiting out throttling before giving up."""

    #: Total seconds one call may spend waiting, over all its tries.
    max_wait: float = 600.0
    #: Tries in all (the first one included).
    max_attempts: int = 5
    #: The first wait when Graph gives no estimate; doubled on each further try.
    first_wait: float = 5.0


@dataclass(frozen=True, slots=True)
class GraphResponse:
    body: Any
    status: int
    headers: Mapping[str, str]
    usage: Usage


@dataclass(frozen=True, slots=True)
class BatchAnswer:
    """One item of a batch answer: ``{"code": 200, "headers": [...], "body": "<json>"}``."""

    code: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)


def _encode(params: Params | None) -> dict[str, str]:
    """Lists, dicts and bools as compact JSON, the way Graph (and the SDK) expects them."""
    out: dict[str, str] = {}
    for name, value in (params or {}).items():
        if isinstance(value, str):
            out[name] = value
        elif isinstance(value, bool | list | tuple | Mapping):
            out[name] = json.dumps(value, separators=(",", ":"), sort_keys=True)
        else:
            out[name] = str(value)
    return out


class GraphClient:
    """Graph calls for one app. Use as a context manager, or call :meth:`close`."""

    def __init__(
        self,
        config: GraphConfig,
        *,
        http: httpx.Client | None = None,
        sleep: Sleep = system_sleep,
        backoff: Backoff | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.config = config
        self._own_http = http is None
        self.http = http or httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT})
        self.sleep = sleep
        self.backoff = backoff or Backoff()
        #: The usage headers of the last answer (None before the first call).
        self.last_usage: Usage | None = None

    def close(self) -> None:
        if self._own_http:
            self.http.close()

    def __enter__(self) -> GraphClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- calls ----------------------------------------------------------------------------------
    def get(self, path: str, params: Params | None = None, *, token: str | None = None) -> Any:
        return self.call("GET", path, params, token=token).body

    def post(self, path: str, params: Params | None = None, *, token: str | None = None) -> Any:
        return self.call("POST", path, params, token=token).body

    def delete(self, path: str, params: Params | None = None, *, token: str | None = None) -> Any:
        return self.call("DELETE", path, params, token=token).body

    def call(
        self, method: str, path: str, params: Params | None = None, *, token: str | None = None
    ) -> GraphResponse:
        """One Graph call, throttling waited out; raises the typed error for an error envelope."""
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            response = self._send(method, path, params, token)
            error = error_from_envelope(response.body, response.status, response.usage)
            if error is None:
                return response
            if not isinstance(error, ThrottledError):
                raise error
            wait = self._wait_for(error, attempt)
            if attempt >= self.backoff.max_attempts or waited + wait > self.backoff.max_wait:
                error.retry_after = error.retry_after if error.retry_after is not None else wait
                raise error
            log.info(
                "Graph throttled the call (code %s): waiting %.0f s, try %d", error.code, wait, attempt + 1
            )
            self.sleep(wait)
            waited += wait

    def batch(self, requests: Sequence[Mapping[str, Any]], *, token: str) -> list[BatchAnswer | None]:
        """``POST {graph}/{ver}/`` with ``batch=[…]``; ``None`` for an item Graph did not run."""
        body = self.post("", {"batch": list(requests), "include_headers": False}, token=token)
        if not isinstance(body, list) or len(body) != len(requests):
            raise GraphAPIError("The batch answer is not a list of one answer per request", code=None)
        answers: list[BatchAnswer | None] = []
        for item in body:
            if not isinstance(item, Mapping) or not isinstance(item.get("code"), int):
                answers.append(None)
                continue
            raw = item.get("body")
            try:
                decoded = json.loads(raw) if isinstance(raw, str) else raw
            except ValueError:
                decoded = raw
            headers = {
                str(h.get("name")): str(h.get("value"))
                for h in item.get("headers") or []
                if isinstance(h, Mapping)
            }
            answers.append(BatchAnswer(item["code"], decoded, headers))
        return answers

    # --- one HTTP exchange -----------------------------------------------------------------------
    def _send(self, method: str, path: str, params: Params | None, token: str | None) -> GraphResponse:
        query: dict[str, str] = {}
        form: dict[str, str] | None = None
        headers: dict[str, str] = {}
        encoded = _encode(params)
        if method == "POST":
            form = encoded
        else:
            query.update(encoded)
        if token is not None:
            query["appsecret_proof"] = appsecret_proof(self.config.app_secret, token)
            if form is not None:
                form["access_token"] = token  # Graph's own form for POST (batch requests included)
            else:
                headers["Authorization"] = f"Bearer {token}"
        url = self.config.url(path)
        try:
            response = self.http.request(method, url, params=query, data=form, headers=headers)
        except httpx.HTTPError as exc:
            # No answer: nothing is known about the token or the call.
            raise GraphUnavailableError(f"{method} {self.config.graph_url}: {type(exc).__name__}") from None
        usage = Usage.from_headers(response.headers)
        self.last_usage = usage
        return GraphResponse(_body(response), response.status_code, response.headers, usage)

    def _wait_for(self, error: ThrottledError, attempt: int) -> float:
        if error.retry_after is not None:
            return error.retry_after
        return float(self.backoff.first_wait * 2 ** (attempt - 1))


def _body(response: httpx.Response) -> Any:
    """The JSON body; a form-encoded one (token answers before v2.3, docs/graph-facts.md §1.2) as a dict."""
    text = response.text
    try:
        return json.loads(text) if text else None
    except ValueError:
        pass
    if response.status_code == 200 and "=" in text and "<" not in text:
        return dict(parse_qsl(text.strip(), keep_blank_values=True))
    raise GraphUnavailableError(
        f"Graph answered HTTP {response.status_code} with a body that is not JSON",
        status=response.status_code,
    )
