"""The calls Meta makes to apps: Deauthorize and Data Deletion Request callbacks, and Webhooks.

What happens, when (:mod:`adgate.policy.callbacks` for the wire forms):

- A person removes the app (``DELETE /me/permissions``, the sandbox): the app's Deauthorize
  Callback URL gets a ``signed_request``; ``permissions`` Webhooks subscribers get each permission
  ``revoked``. A single permission revoked (``DELETE /me/permissions/{perm}``): the Webhook only.
- The sandbox asks for a person's data to be deleted: the Data Deletion Request URL gets a
  ``signed_request`` and must answer ``{"url", "confirmation_code"}``, kept and shown.
- ``POST /{app-id}/subscriptions`` verifies the callback URL first (``hub.challenge``).

Each call to an app is a *delivery*, queued in the same transaction as what caused it (nothing
committed is lost), signed with the app's secret when it is sent (so a reset secret signs what is
sent after it), and sent by a worker off the request path: a receiver that hangs costs the worker
one bounded wait and never a Graph call. A failed try is retried on the schedule of
:data:`adgate.policy.callbacks.RETRY_WAITS`; every try is recorded (status, latency, the start of
the answer) and a delivery can be sent again by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from adgate import records as r
from adgate.policy import ad_review
from adgate.policy import callbacks as policy
from adgate.policy.callbacks import CallbackError
from adgate.protocol.errors import GraphError
from adgate.services.context import Core
from adgate.store.callbacks import AppCallbacks, Attempt, Delivery, Subscription
from adgate.store.interfaces import Repos

log = logging.getLogger("adgate.callbacks")

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
#: One try's bound: connect, send and read the answer.
TIMEOUT_SECONDS = 5.0
#: How long a claimed delivery is the claiming node's before another node may try it.
LEASE_SECONDS = 60
POLL_SECONDS = 0.5
#: How often ended ad reviews are looked for (a transaction: less often than deliveries).
SWEEP_SECONDS = 2.0
SWEPT_KEY = "webhooks.ad_reviews_swept_until"
BATCH = 20
USER_AGENT = "facebookexternalua"  # what Meta's callbacks send (adgate answers as Meta does)


def invalid(exc: CallbackError) -> GraphError:
    return GraphError.invalid(f"{exc.field}: {exc.message}")


@dataclass(frozen=True, slots=True)
class Sent:
    status: int | None
    latency_ms: int
    excerpt: str
    error: str | None
    body: bytes = b""


class Callbacks:
    def __init__(
        self, core: Core, app_secret: Callable[[r.App], str], *, http: httpx.AsyncClient | None = None
    ) -> None:
        self.core = core
        self.app_secret = app_secret
        self._http = http
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        #: Where this node's first sweep starts when no node has swept yet.
        self._started = core.now()

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                timeout=TIMEOUT_SECONDS,
                follow_redirects=False,
                headers={"User-Agent": USER_AGENT},
                trust_env=False,
            )
        return self._http

    # --- the app's settings ---------------------------------------------------------------------
    async def urls(self, app_id: str) -> AppCallbacks:
        async with self.core.db.transaction() as tx:
            await self._app(tx, app_id)
            return await tx.callbacks.urls(app_id)

    async def set_urls(self, app_id: str, changes: dict[str, Any]) -> AppCallbacks:
        """``changes`` maps ``deauthorize_url`` / ``data_deletion_url`` to a URL, or to "" / None to clear."""
        checked: dict[str, str | None] = {}
        for field in ("deauthorize_url", "data_deletion_url"):
            if field in changes:
                value = changes[field]
                try:
                    checked[field] = None if value in (None, "") else policy.check_url(value, field)
                except CallbackError as exc:
                    raise invalid(exc) from None
        async with self.core.db.transaction() as tx:
            await self._app(tx, app_id)
            current = await tx.callbacks.urls(app_id)
            urls = AppCallbacks(
                app_id,
                checked.get("deauthorize_url", current.deauthorize_url),
                checked.get("data_deletion_url", current.data_deletion_url),
            )
            await tx.callbacks.set_urls(urls)
        return urls

    @staticmethod
    async def _app(tx: Repos, app_id: str) -> r.App:
        app = await tx.apps.get(app_id)
        if app is None:
            raise GraphError.of("not_found", node=app_id)
        return app

    # --- Webhooks subscriptions ------------------------------------------------------------------
    async def subscribe(
        self, app_id: str, obj: str, callback_url: Any, fields: Iterable[str], verify_token: str
    ) -> Subscription:
        try:
            chosen = policy.check_fields(obj, fields)
            url = policy.check_url(callback_url, "callback_url")
        except CallbackError as exc:
            raise invalid(exc) from None
        await self._verify(url, verify_token)
        subscription = Subscription(app_id, obj, url, chosen, self.core.now())
        async with self.core.db.transaction() as tx:
            await tx.callbacks.subscribe(subscription)
        return subscription

    async def _verify(self, url: str, verify_token: str) -> None:
        """Graph's handshake: the endpoint must echo ``hub.challenge`` for the right verify token."""
        challenge = str(secrets.randbelow(10**9))
        params = {"hub.mode": "subscribe", "hub.challenge": challenge, "hub.verify_token": verify_token}
        try:
            answer = await self.http.get(url, params=params)
        except httpx.HTTPError as exc:
            raise GraphError.of(
                "callback_verification", detail=f"could not reach the callback URL ({type(exc).__name__})"
            ) from None
        if answer.status_code != 200:
            raise GraphError.of(
                "callback_verification", detail=f"the callback URL answered HTTP {answer.status_code}"
            )
        if answer.text.strip() != challenge:
            raise GraphError.of("callback_verification", detail="the answer was not the hub.challenge value")

    async def subscriptions(self, app_id: str) -> Sequence[Subscription]:
        async with self.core.db.transaction() as tx:
            return await tx.callbacks.subscriptions(app_id)

    async def unsubscribe(self, app_id: str, obj: str | None) -> int:
        if obj is not None and obj not in policy.OBJECTS:
            raise GraphError.invalid(f"object: must be one of {', '.join(policy.OBJECTS)}")
        async with self.core.db.transaction() as tx:
            return await tx.callbacks.unsubscribe(app_id, obj)

    # --- events, queued inside the transaction that caused them ---------------------------------
    async def deauthorized(self, tx: Repos, app_id: str, person_id: str, lost: Iterable[str]) -> None:
        now = self.core.now()
        urls = await tx.callbacks.urls(app_id)
        if urls.deauthorize_url:
            payload = json.dumps(policy.deauthorize_payload(person_id, now))
            await tx.callbacks.enqueue(
                self._delivery(app_id, "deauthorize", urls.deauthorize_url, FORM, payload)
            )
        await self.permissions_changed(tx, app_id, person_id, dict.fromkeys(lost, "revoked"))

    async def permissions_changed(
        self, tx: Repos, app_id: str, person_id: str, changes: dict[str, str]
    ) -> None:
        if not changes:
            return
        for sub in await tx.callbacks.subscriptions(app_id):
            if sub.object != "permissions":
                continue
            wanted = {p: verb for p, verb in changes.items() if sub.wants(p)}
            if wanted:
                entry = policy.permission_entry(person_id, wanted, self.core.now())
                body = policy.webhook_body("permissions", [entry]).decode()
                await tx.callbacks.enqueue(self._delivery(app_id, "webhook", sub.callback_url, JSON, body))

    async def request_data_deletion(self, app_id: str, person_id: str) -> int:
        async with self.core.db.transaction() as tx:
            await self._app(tx, app_id)
            if await tx.people.get(person_id) is None:
                raise GraphError.of("not_found", node=person_id)
            urls = await tx.callbacks.urls(app_id)
            if not urls.data_deletion_url:
                raise GraphError.invalid(f"data_deletion_url: app {app_id} has no Data Deletion Request URL")
            payload = json.dumps(policy.deauthorize_payload(person_id, self.core.now()))
            delivery_id = await tx.callbacks.enqueue(
                self._delivery(app_id, "data_deletion", urls.data_deletion_url, FORM, payload)
            )
        self.wake()
        return delivery_id

    def _delivery(self, app_id: str, kind: str, url: str, content_type: str, body: str) -> Delivery:
        now = self.core.now()
        return Delivery(0, app_id, kind, url, content_type, body, "pending", 0, now, now)

    # --- what was sent ------------------------------------------------------------------------
    async def deliveries(
        self, app_id: str | None = None, limit: int = 50
    ) -> list[tuple[Delivery, Sequence[Attempt]]]:
        async with self.core.db.transaction() as tx:
            found = await tx.callbacks.list(app_id, limit)
            return [(d, await tx.callbacks.attempts(d.id)) for d in found]

    async def send_again(self, delivery_id: int) -> None:
        async with self.core.db.transaction() as tx:
            if not await tx.callbacks.again(delivery_id, self.core.now()):
                raise GraphError.invalid(f"no delivery {delivery_id}")
        self.wake()

    # --- the worker ---------------------------------------------------------------------------
    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        self._started = self.core.now()
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="adgate-deliveries")

    async def stop(self) -> None:
        # The flag and the wake end the loop even when a cancellation is lost (Python 3.11's
        # ``wait_for`` can swallow one that arrives as its inner wait completes), so a shutdown never
        # waits for ever on the worker.
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def _run(self) -> None:
        swept_at = 0.0
        while not self._stopping:
            try:
                loop_now = asyncio.get_running_loop().time()
                if loop_now - swept_at >= SWEEP_SECONDS:
                    swept_at = loop_now
                    await self.sweep_ad_reviews()
                sent = await self.deliver_due()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database away for a moment: try again on the next round
                log.exception("deliveries: a round failed")
                sent = 0
            if sent or self._stopping:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_SECONDS):
                    await self._wake.wait()

    async def sweep_ad_reviews(self) -> int:
        """Queue ``ad_account`` Webhooks for ad reviews that ended since the last sweep (a review
        ends on the clock, with no write of its own): ``with_issues_ad_objects`` for disapproved
        ads, ``in_process_ad_objects`` for approved ones. Returns how many were queued.

        Reads only, until there is something to send: then the sweep's mark moves in the same
        transaction as the queued deliveries, conditionally, so of several nodes one sends each."""
        now = self.core.now()
        async with self.core.db.read() as tx:
            mark = await tx.meta.get(SWEPT_KEY)
            since = int(mark) if mark and mark.isdigit() else self._started
            if since >= now:
                return 0
            ended = await tx.callbacks.reviews_ended(since, now, ad_review.REVIEW_SECONDS)
        if not ended:
            return 0
        groups: dict[tuple[str, str, str], list[str]] = {}
        for app_id, account_id, ad_id, verdict in ended:
            field = "with_issues_ad_objects" if verdict == "disapproved" else "in_process_ad_objects"
            groups.setdefault((app_id, account_id, field), []).append(ad_id)
        queued = 0
        async with self.core.db.transaction() as tx:
            if not await tx.callbacks.move_mark(SWEPT_KEY, mark, str(now)):
                return 0  # another node swept this span
            subscriptions: dict[str, dict[str, Subscription]] = {}
            for (app_id, account_id, field), ad_ids in groups.items():
                if app_id not in subscriptions:
                    subscriptions[app_id] = {s.object: s for s in await tx.callbacks.subscriptions(app_id)}
                sub = subscriptions[app_id].get("ad_account")
                if sub is None or not sub.wants(field):
                    continue
                entry = policy.ad_account_entry(account_id, field, ad_ids, now)
                body = policy.webhook_body("ad_account", [entry]).decode()
                await tx.callbacks.enqueue(self._delivery(app_id, "webhook", sub.callback_url, JSON, body))
                queued += 1
        return queued

    async def deliver_due(self) -> int:
        """One round: every due delivery this node can claim, sent once. Returns how many."""
        async with self.core.db.read() as tx:
            due = await tx.callbacks.due(self.core.now(), BATCH)
        sent = 0
        for delivery_id in due:
            async with self.core.db.transaction() as tx:
                delivery = await tx.callbacks.claim(delivery_id, self.core.now(), LEASE_SECONDS)
                app = None if delivery is None else await tx.apps.get(delivery.app_id)
            if delivery is None or app is None:
                continue
            await self._attempt(delivery, app)
            sent += 1
        return sent

    async def _attempt(self, delivery: Delivery, app: r.App) -> None:
        sent = await self._send(delivery, self.app_secret(app))
        status, answer, error = "delivered", None, sent.error
        if error is None and delivery.kind == "data_deletion":
            try:
                found = policy.deletion_answer(sent.body)
                answer = json.dumps({"url": found.url, "confirmation_code": found.confirmation_code})
            except CallbackError as exc:
                error = f"{exc.field}: {exc.message}"
                status = "failed"  # the app answered, wrongly: trying again would not change it
        now = self.core.now()
        next_at = now
        if sent.error is not None:
            wait = policy.retry_wait(delivery.attempts)
            status = "failed" if wait is None else "pending"
            next_at = now + (wait or 0)
        async with self.core.db.transaction() as tx:
            await tx.callbacks.record(
                Attempt(delivery.id, now, sent.status, sent.latency_ms, sent.excerpt, error)
            )
            await tx.callbacks.finish(delivery.id, status=status, next_at=next_at, answer=answer)
        log.info(
            "delivery %s (%s) try %s: %s", delivery.id, delivery.kind, delivery.attempts, error or sent.status
        )

    async def _send(self, delivery: Delivery, secret: str) -> Sent:
        headers = {"Content-Type": delivery.content_type}
        if delivery.kind == "webhook":
            body = delivery.body.encode()
            headers.update(policy.hub_signatures(body, secret))
        else:
            signed = policy.signed_request(json.loads(delivery.body), secret)
            body = urlencode({"signed_request": signed}).encode()
        started = time.perf_counter()
        try:
            answer = await self.http.post(delivery.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            latency = int((time.perf_counter() - started) * 1000)
            return Sent(None, latency, "", f"no answer: {type(exc).__name__}")
        latency = int((time.perf_counter() - started) * 1000)
        excerpt = answer.text[: policy.EXCERPT_CHARS]
        error = None if 200 <= answer.status_code < 300 else f"HTTP {answer.status_code}"
        return Sent(answer.status_code, latency, excerpt, error, answer.content)
