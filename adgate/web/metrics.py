"""Prometheus metrics: requests, errors by Graph code, latency. Served at ``/metrics``.

Counted as plain integers on the event loop's thread (:meth:`Metrics.observe`, on every request)
and turned into Prometheus' families only when scraped (:class:`_Collector`): no lock, label
lookup or bucket walk per request.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response

from adgate.heap import Heap
from adgate.store.cache import Generation

#: Upper bounds (seconds) of ``adgate_request_seconds``' buckets; ``+Inf`` follows.
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class _Latency:
    """One area's histogram: observations per bucket (not cumulative) and their sum."""

    __slots__ = ("counts", "total")

    def __init__(self) -> None:
        self.counts = [0] * (len(BUCKETS) + 1)
        self.total = 0.0


class _Requests:
    """Requests of one ``(area, method, status)``, and their area's histogram."""

    __slots__ = ("count", "latency")

    def __init__(self, latency: _Latency) -> None:
        self.count = 0
        self.latency = latency


class Metrics:
    """One registry per app, so several apps in one process (tests) don't collide."""

    def __init__(self, generation: Generation | None = None, heap: Heap | None = None) -> None:
        #: The read caches' generation: their lookups, sizes and the writes that voided entries.
        self.generation = generation
        #: The garbage collector's policy (``adgate serve``): collections and their seconds.
        self.heap = heap
        self.registry = CollectorRegistry()
        self._requests: dict[tuple[str, str, int], _Requests] = {}
        self._latency: dict[str, _Latency] = {}
        self._errors: dict[str, int] = {}
        self.registry.register(_Collector(self))

    def observe(self, area: str, method: str, status: int, seconds: float, code: str | None) -> None:
        """Record one request."""
        requests = self._requests.get((area, method, status))
        if requests is None:
            latency = self._latency.setdefault(area, _Latency())
            requests = self._requests[(area, method, status)] = _Requests(latency)
        requests.count += 1
        latency = requests.latency
        latency.counts[bisect_left(BUCKETS, seconds)] += 1  # a bucket counts values <= its bound
        latency.total += seconds
        if code is not None:
            self._errors[code] = self._errors.get(code, 0) + 1

    def families(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "adgate_requests", "HTTP requests served", labels=["area", "method", "status"]
        )
        for (area, method, status), counted in list(self._requests.items()):
            requests.add_metric([area, method, str(status)], counted.count)
        yield requests
        errors = CounterMetricFamily(
            "adgate_graph_errors", "Graph error envelopes sent, by code", labels=["code"]
        )
        for code, count in list(self._errors.items()):
            errors.add_metric([code], count)
        yield errors
        latency = HistogramMetricFamily("adgate_request_seconds", "Time to answer a request", labels=["area"])
        for area, histogram in list(self._latency.items()):
            cumulative, buckets = 0, []
            for bound, count in zip((*map(_bound, BUCKETS), "+Inf"), histogram.counts, strict=True):
                cumulative += count
                buckets.append((bound, cumulative))
            latency.add_metric([area], buckets, histogram.total)
        yield latency
        if self.generation is not None:
            yield from _cache_families(self.generation)
        if self.heap is not None and self.heap.running:
            yield from _gc_families(self.heap)

    async def endpoint(self, _request: Request) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class _Collector:
    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[Metric]:
        return self.metrics.families()


def _cache_families(generation: Generation) -> Iterator[Metric]:
    lookups = CounterMetricFamily(
        "adgate_cache_lookups",
        "Lookups of the in-memory read caches (reads, admissions, active_counts), by result",
        labels=["cache", "result"],
    )
    entries = GaugeMetricFamily("adgate_cache_entries", "Values held by each read cache", labels=["cache"])
    for name, cache in list(generation.caches.items()):
        lookups.add_metric([name, "hit"], cache.hits)
        lookups.add_metric([name, "miss"], cache.misses)
        entries.add_metric([name], len(cache))
    yield lookups
    yield entries
    yield CounterMetricFamily(
        "adgate_cache_writes",
        "Committed writes the caches heard (this node's and, through the bus, the others')",
        value=generation.value,
    )


def _gc_families(heap: Heap) -> Iterator[Metric]:
    collections = CounterMetricFamily(
        "adgate_gc_collections", "Garbage collections, by generation", labels=["generation"]
    )
    seconds = CounterMetricFamily(
        "adgate_gc_seconds",
        "Seconds the garbage collector held the event loop, by generation",
        labels=["generation"],
    )
    for generation, (count, spent) in enumerate(zip(heap.counts, heap.seconds, strict=True)):
        collections.add_metric([str(generation)], count)
        seconds.add_metric([str(generation)], spent)
    yield collections
    yield seconds


def _bound(bound: float) -> str:
    return repr(float(bound))


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
