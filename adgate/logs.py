"""Structured logs: one JSON object per line, never a token or a secret.

The access log records the method, the path *without* its query string (tokens travel there),
the status, the Graph error code if any, the duration and the fbtrace_id. ``redact`` is applied
to every message as a second line of defence.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any

_SECRETISH = re.compile(
    r"(access_token|input_token|fb_exchange_token|client_secret|appsecret_proof|code|password|"
    r"admin_key|secret)=([^&\s\"']+)",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(Bearer|OAuth)\s+[A-Za-z0-9._|~+/=-]+", re.IGNORECASE)


def redact(text: str) -> str:
    # Both patterns need an "=" or one of the two words: most messages ("request") have neither.
    if "=" not in text:
        lowered = text.lower()
        if "bearer" not in lowered and "oauth" not in lowered:
            return text
    return _BEARER.sub(r"\1 [redacted]", _SECRETISH.sub(r"\1=[redacted]", text))


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, separators=(",", ":"), default=str)


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JSONFormatter())
    root = logging.getLogger("adgate")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.propagate = False
    # uvicorn's access log prints query strings, which carry tokens: it stays off (see cli.serve).
    logging.getLogger("uvicorn.access").disabled = True
