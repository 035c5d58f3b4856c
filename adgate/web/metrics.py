"""Prometheus metrics: requests, errors by Graph code, latency. Served at ``/metrics``."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response


class Metrics:
    """One registry per app, so several apps in one process (tests) don't collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "adgate_requests", "HTTP requests served", ["area", "method", "status"], registry=self.registry
        )
        self.errors = Counter(
            "adgate_graph_errors", "Graph error envelopes sent, by code", ["code"], registry=self.registry
        )
        self.latency = Histogram(
            "adgate_request_seconds",
            "Time to answer a request",
            ["area"],
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=self.registry,
        )

        self._children: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    def observe(self, area: str, method: str, status: int, seconds: float, code: str | None) -> None:
        """Record one request; labelled children are cached (``labels()`` is not free)."""
        key = (area, method, str(status))
        children = self._children.get(key)
        if children is None:
            children = (self.requests.labels(*key), self.latency.labels(area))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)
        if code is not None:
            self.errors.labels(code).inc()

    async def endpoint(self, _request: Request) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


def area_of(path: str) -> str:
    """A low-cardinality label for a path."""
    if path.startswith("/_sandbox"):
        return "sandbox"
    if path == "/metrics":
        return "metrics"
    if "/dialog/" in path or path.startswith("/dialog"):
        return "dialog"
    if path.startswith(("/console", "/static")):
        return "console"
    if path.startswith("/_adimages/"):
        return "adimages"
    return "graph"
