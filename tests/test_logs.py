"""Logs are JSON lines and never carry a token or a secret."""

from __future__ import annotations

import io
import json
import logging

import httpx
import pytest

from adgate.logs import JSONFormatter, redact


def test_redact_hides_tokens_secrets_and_bearer_headers() -> None:
    text = "GET /me?access_token=EAAsecret&client_secret=abc&code=xyz Authorization: Bearer EAAtok"
    cleaned = redact(text)
    for secret in ("EAAsecret", "abc", "xyz", "EAAtok"):
        assert secret not in cleaned


def test_redact_hides_credentials_in_text_without_an_equals_sign() -> None:
    for text in ("Authorization: Bearer EAAtok", "authorization: OAUTH EAAtok", "header bearer  EAAtok"):
        assert "EAAtok" not in redact(text)
    assert redact("request") == "request"


@pytest.mark.anyio
async def test_the_access_log_has_the_path_but_not_the_query(client: httpx.AsyncClient) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JSONFormatter())
    logger = logging.getLogger("adgate.access")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        await client.get("/v26.0/?access_token=EAAverysecret&appsecret_proof=feedface")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines
    assert lines[-1]["path"] == "/v26.0/"
    assert lines[-1]["status"] == 200
    assert "EAAverysecret" not in stream.getvalue()
    assert "feedface" not in stream.getvalue()
