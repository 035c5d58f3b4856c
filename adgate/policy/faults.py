"""Faults on demand: rules that make chosen Graph calls fail the way Graph fails, as data.

A rule has three parts: what it *matches* (method, a path template such as ``/act_{id}/campaigns``,
an app, a token, an ad account), its *effect* (a Graph error from the catalog, an HTTP 5xx with no
body, added latency, a dropped connection, or a throttle with the usage headers at 100%) and how
*often* it fires (the next N matching calls, a probability drawn from a seed so a run can be
repeated, or every matching call inside a window of the sandbox clock). This module parses and
checks rules and decides; storing them, counting matches and applying effects live elsewhere
(:mod:`adgate.services.faults`). No IO and no clock reads: ``now`` is a parameter.

A rule that can never match is refused when it is made (a template that names no endpoint, a
window already over, a probability of 0, …), with an error that names the field.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

EffectKind = Literal["error", "http_status", "latency", "drop", "throttle"]
EFFECT_KINDS: tuple[EffectKind, ...] = ("error", "http_status", "latency", "drop", "throttle")
METHODS = ("GET", "POST", "DELETE")

#: The longest latency a rule may add (ms): past the SDKs' default timeouts is a dropped call.
MAX_LATENCY_MS = 120_000
#: Path template node names and the node kinds they stand for ("{id}" stands for any).
NODE_NAMES = {
    "campaign": "campaign",
    "adset": "adset",
    "ad_set": "adset",
    "ad": "ad",
    "adcreative": "adcreative",
    "creative": "adcreative",
    "custom_audience": "custom_audience",
    "customaudience": "custom_audience",
    "audience": "custom_audience",
    "business": "business",
    "page": "page",
    "user": "person",
    "person": "person",
    "system_user": "system_user",
    "report_run": "report_run",
    "app": "app",
    "id": "*",
}
FIXED = {"oauth": "oauth", "debug_token": "debug_token"}


class FaultSpecError(ValueError):
    """A rule that is malformed or could never match; ``field`` names the part at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Target:
    """A path template read as the router reads paths: a node kind and an edge (``*``: any)."""

    node: str
    edge: str | None

    def matches(self, node_kind: str, edge: str | None) -> bool:
        return (self.node == "*" or self.node == node_kind) and (self.edge == "*" or self.edge == edge)


@dataclass(frozen=True, slots=True)
class Effect:
    kind: EffectKind
    #: For ``error``: the catalog entry's name (resolved from ``code``/``subcode`` when given so).
    error: str | None = None
    #: For ``http_status``: 500 to 599.
    status: int | None = None
    #: Added before the call goes on (``latency``) or before the failure (any other kind).
    latency_ms: int = 0

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.error is not None:
            data["error"] = self.error
        if self.status is not None:
            data["status"] = self.status
        if self.latency_ms:
            data["latency_ms"] = self.latency_ms
        return data


@dataclass(frozen=True, slots=True)
class Match:
    method: str | None = None
    path: str | None = None
    target: Target | None = None
    app_id: str | None = None
    #: A keyed fingerprint of the token (the token itself is never stored).
    token: str | None = None
    ad_account: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = {
            "method": self.method,
            "path": self.path,
            "app_id": self.app_id,
            "ad_account": self.ad_account,
        }
        out = {k: v for k, v in data.items() if v is not None}
        if self.token is not None:
            out["token"] = "(a token, kept as a fingerprint)"
        return out


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    match: Match
    effect: Effect
    #: How many matching calls it fails (None: no count; see probability and the window).
    times: int | None
    probability: float | None
    seed: int
    starts_at: float | None
    ends_at: float | None
    created_at: float

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "match": self.match.to_json(),
            "effect": self.effect.to_json(),
            "times": self.times,
            "probability": self.probability,
            "seed": self.seed,
            "window": {"start": self.starts_at, "end": self.ends_at},
            "created_at": self.created_at,
        }


@dataclass(frozen=True, slots=True)
class Seen:
    """What a call offers a rule to match."""

    method: str
    node_kind: str
    edge: str | None
    app_id: str | None
    token: str | None
    ad_account: str | None


def parse_template(path: str) -> Target:
    """``/act_{id}/campaigns`` → ``Target("ad_account", "campaigns")``; ``/{campaign}`` →
    ``Target("campaign", None)``; ``/me/*`` → any edge of ``me``; ``/`` → the Graph root."""
    if not path.startswith("/"):
        raise FaultSpecError(
            "match.path", f"a path template starts with '/', like /act_{{id}}/campaigns; got {path!r}"
        )
    segments = path.strip("/").split("/") if path.strip("/") else []
    if len(segments) > 2:
        raise FaultSpecError(
            "match.path", "a path template has at most a node and an edge, like /{campaign}/ads"
        )
    head = segments[0] if segments else ""
    edge = segments[1] if len(segments) > 1 else None
    if head == "":
        return Target("root", None)
    if head in FIXED:
        node = head if edge is None else f"{head}/{edge}"
        return Target(node, None)
    if head == "me":
        return Target("me", edge)
    if head.startswith("act_"):
        return Target("ad_account", edge)
    if head.startswith("{") and head.endswith("}"):
        name = head[1:-1].strip().lower().replace("-", "_").removesuffix("_id") or "id"
        kind = NODE_NAMES.get(name)
        if kind is None:
            known = ", ".join("{" + n + "}" for n in NODE_NAMES)
            raise FaultSpecError("match.path", f"unknown node {head}; use one of {known}, me or act_{{id}}")
        return Target(kind, edge)
    raise FaultSpecError(
        "match.path", f"{head!r} is not a node: use me, act_{{id}} or a {{name}} such as {{campaign}}"
    )


def applies(rule: Rule, seen: Seen, now: float) -> bool:
    """The rule matches this call at this moment (before its frequency is drawn)."""
    m = rule.match
    if m.method is not None and m.method != seen.method:
        return False
    if m.target is not None and not m.target.matches(seen.node_kind, seen.edge):
        return False
    if m.app_id is not None and m.app_id != seen.app_id:
        return False
    if m.token is not None and m.token != seen.token:
        return False
    if m.ad_account is not None and m.ad_account != seen.ad_account:
        return False
    if rule.starts_at is not None and now < rule.starts_at:
        return False
    return rule.ends_at is None or now < rule.ends_at


def draws(rule: Rule, nth: int) -> bool:
    """Whether the ``nth`` match (0-based, counted across every node) fires, for a probability
    rule: a pure function of the seed and ``nth``, so the same sequence of calls fails the same way
    in every run."""
    if rule.probability is None:
        return True
    digest = hashlib.blake2b(f"{rule.seed}:{nth}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 < rule.probability


def _get(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], field: str) -> Any:
    value = data.get(key)
    if value is not None and (not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool)):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise FaultSpecError(field, f"must be a {names}; got {value!r}")
    return value


def _number(data: Mapping[str, Any], key: str, field: str) -> float | None:
    value = _get(data, key, (int, float), field)
    if value is not None and not math.isfinite(value):
        raise FaultSpecError(field, f"must be a finite number; got {value!r}")
    return None if value is None else float(value)


def parse_effect(data: Any, resolve_error: Callable[[Any, Any, Any], str]) -> Effect:
    """``resolve_error(name, code, subcode)`` names the catalog entry or raises FaultSpecError."""
    if not isinstance(data, Mapping):
        raise FaultSpecError("effect", 'must be an object such as {"kind": "error", "code": 17}')
    kind = data.get("kind")
    if kind not in EFFECT_KINDS:
        raise FaultSpecError("effect.kind", f"must be one of {', '.join(EFFECT_KINDS)}; got {kind!r}")
    latency = _get(data, "latency_ms", int, "effect.latency_ms") or 0
    if not 0 <= latency <= MAX_LATENCY_MS:
        raise FaultSpecError("effect.latency_ms", f"must be between 0 and {MAX_LATENCY_MS}; got {latency}")
    if kind == "latency" and latency == 0:
        raise FaultSpecError("effect.latency_ms", "a latency effect needs latency_ms of 1 or more")
    error = status = None
    if kind == "error":
        error = resolve_error(data.get("error"), data.get("code"), data.get("subcode"))
    if kind == "http_status":
        status = _get(data, "status", int, "effect.status")
        if status is None or not 500 <= status <= 599:
            raise FaultSpecError("effect.status", f"must be an HTTP status from 500 to 599; got {status!r}")
    return Effect(kind, error=error, status=status, latency_ms=latency)


def parse_rule(
    data: Any,
    *,
    rule_id: str,
    now: float,
    resolve_error: Callable[[Any, Any, Any], str],
    known_target: Callable[[str | None, Target], bool],
    fingerprint: Callable[[str], str],
) -> Rule:
    """A rule from its JSON form; raises :class:`FaultSpecError` for anything that is malformed or
    could never match (``known_target(method, target)``: some endpoint answers there)."""
    if not isinstance(data, Mapping):
        raise FaultSpecError("rule", "must be a JSON object with match, effect and times/probability/window")
    unknown = set(data) - {"match", "effect", "times", "probability", "seed", "window"}
    if unknown:
        raise FaultSpecError(sorted(unknown)[0], "is not a field of a fault rule")
    raw_match = data.get("match") or {}
    if not isinstance(raw_match, Mapping):
        raise FaultSpecError("match", "must be an object")
    unknown = set(raw_match) - {"method", "path", "app_id", "token", "ad_account"}
    if unknown:
        raise FaultSpecError(f"match.{sorted(unknown)[0]}", "is not a field of match")
    method = _get(raw_match, "method", str, "match.method")
    if method is not None:
        method = method.upper()
        if method not in METHODS:
            raise FaultSpecError("match.method", f"must be one of {', '.join(METHODS)}; got {method!r}")
    path = _get(raw_match, "path", str, "match.path")
    target = parse_template(path) if path is not None else None
    if target is not None and not known_target(method, target):
        raise FaultSpecError(
            "match.path", f"no {method or 'Graph'} endpoint answers at {path}: the rule could never match"
        )
    token = _get(raw_match, "token", str, "match.token")
    account = _get(raw_match, "ad_account", str, "match.ad_account")
    if account is not None:
        account = account.removeprefix("act_")
        if not account.isdigit():
            raise FaultSpecError(
                "match.ad_account", f"must be an ad account id like act_123; got {account!r}"
            )
    match = Match(
        method=method,
        path=path,
        target=target,
        app_id=_get(raw_match, "app_id", str, "match.app_id"),
        token=None if token is None else fingerprint(token),
        ad_account=account,
    )
    effect = parse_effect(data.get("effect"), resolve_error)

    times = _get(data, "times", int, "times")
    if times is not None and times < 1:
        raise FaultSpecError("times", f"must be 1 or more (the next N matching calls); got {times}")
    probability = _number(data, "probability", "probability")
    if probability is not None and not 0 < probability <= 1:
        raise FaultSpecError("probability", f"must be above 0 and at most 1; got {probability}")
    seed = _get(data, "seed", int, "seed") or 0
    window = data.get("window") or {}
    if not isinstance(window, Mapping):
        raise FaultSpecError(
            "window", 'must be an object {"start": seconds, "end": seconds} on the sandbox clock'
        )
    starts_at = _number(window, "start", "window.start")
    ends_at = _number(window, "end", "window.end")
    if ends_at is not None and ends_at <= now:
        raise FaultSpecError("window.end", "is not after the sandbox clock's now: the rule could never match")
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise FaultSpecError("window.end", "must be after window.start")
    if times is None and probability is None and ends_at is None:
        raise FaultSpecError(
            "times",
            "say how often: times (the next N calls), probability (with a seed) or a window with an end",
        )
    return Rule(rule_id, match, effect, times, probability, seed, starts_at, ends_at, now)


def rule_json(
    *,
    path: str | None = None,
    method: str | None = None,
    app_id: str | None = None,
    token: str | None = None,
    ad_account: str | None = None,
    error: str | None = None,
    code: int | None = None,
    subcode: int | None = None,
    status: int | None = None,
    latency_ms: int = 0,
    drop: bool = False,
    throttle: bool = False,
    times: int | None = None,
    probability: float | None = None,
    seed: int = 0,
    window: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """A rule's JSON form (what :func:`parse_rule` reads) from flat choices: an error (by name or
    code), else an HTTP status, a drop, a throttle, or latency alone; what is not given is left out.
    The CLI and the pytest fixture build their requests with it."""
    if error is not None or code is not None:
        effect: dict[str, Any] = {"kind": "error", "error": error, "code": code, "subcode": subcode}
    elif status is not None:
        effect = {"kind": "http_status", "status": status}
    else:
        effect = {"kind": "drop" if drop else "throttle" if throttle else "latency"}
    if latency_ms:
        effect["latency_ms"] = latency_ms
    match = {"path": path, "method": method, "app_id": app_id, "token": token, "ad_account": ad_account}
    body: dict[str, Any] = {
        "match": {k: v for k, v in match.items() if v is not None},
        "effect": {k: v for k, v in effect.items() if v is not None},
        "times": times,
        "probability": probability,
        "seed": seed,
    }
    if window is not None:
        body["window"] = {"start": window[0], "end": window[1]}
    return {k: v for k, v in body.items() if v is not None}


def to_record(rule: Rule) -> dict[str, Any]:
    """The rule as stored (the token as its fingerprint, which :meth:`Match.to_json` hides)."""
    m = rule.match
    return {
        "match": {
            "method": m.method,
            "path": m.path,
            "app_id": m.app_id,
            "token": m.token,
            "ad_account": m.ad_account,
        },
        "effect": rule.effect.to_json(),
        "times": rule.times,
        "probability": rule.probability,
        "seed": rule.seed,
        "window": {"start": rule.starts_at, "end": rule.ends_at},
    }


def from_record(rule_id: str, record: Mapping[str, Any], created_at: float) -> Rule:
    m, e, w = record["match"], record["effect"], record["window"]
    match = Match(
        method=m["method"],
        path=m["path"],
        target=None if m["path"] is None else parse_template(m["path"]),
        app_id=m["app_id"],
        token=m["token"],
        ad_account=m["ad_account"],
    )
    effect = Effect(e["kind"], e.get("error"), e.get("status"), e.get("latency_ms", 0))
    return Rule(
        rule_id,
        match,
        effect,
        record["times"],
        record["probability"],
        record["seed"],
        w["start"],
        w["end"],
        created_at,
    )
