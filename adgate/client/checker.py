"""Regular validity checks of stored tokens (seed, "Store Token": "You should regularly check for
validity of the token … Even a persistent token can become invalid").

Each token is shown to the access token debugger (``debug_token`` with the app token, docs/graph-facts.md §3),
many at a time through one batch request (``POST {graph}/{ver}/`` with ``batch=[…]``) where the
server supports it, else one call each. Per token:

- ``is_valid: false`` → **dead**, with ``data.error``'s ``code``/``subcode``/``message``;
- valid, but a required permission is gone (the person took it back) → **dead**, code 200;
- valid, but it (or its data access) ends within ``warn_before`` → **expiring**;
- valid → **valid**, with its current scopes and expiry.

A check that gets no verdict — network failure, timeout, 5xx, throttling, an error about the
*app* token — changes nothing but the record of the failed check: a token is never lost or marked
dead because Graph could not be asked.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from adgate.client.errors import ClientError, GraphAPIError, error_from_envelope
from adgate.client.http import GraphClient
from adgate.client.store import DEAD, EXPIRING, VALID, StoredToken, TokenStore
from adgate.client.token_info import TokenInfo, debug_token

log = logging.getLogger("adgate.client")

WARN_BEFORE = 7 * 86400
FAILED = "failed"
#: Graph's documented batch maximum.
MAX_BATCH = 50


@dataclass(frozen=True, slots=True)
class CheckResult:
    token: StoredToken
    #: ``valid``, ``expiring``, ``dead`` or ``failed`` (no verdict; the token was left as it was).
    outcome: str
    #: The token's status before this check.
    previous: str
    error: str | None = None

    @property
    def changed(self) -> bool:
        return self.outcome != FAILED and self.outcome != self.previous


@dataclass(slots=True)
class CheckReport:
    results: list[CheckResult] = field(default_factory=list)

    def of(self, outcome: str) -> list[CheckResult]:
        return [r for r in self.results if r.outcome == outcome]

    @property
    def dead(self) -> list[CheckResult]:
        return self.of(DEAD)

    @property
    def expiring(self) -> list[CheckResult]:
        return self.of(EXPIRING)

    @property
    def failed(self) -> list[CheckResult]:
        return self.of(FAILED)

    def summary(self) -> str:
        counts = {o: len(self.of(o)) for o in (VALID, EXPIRING, DEAD, FAILED)}
        return f"checked {len(self.results)}: " + ", ".join(f"{n} {o}" for o, n in counts.items())


Answer = TokenInfo | ClientError


class TokenChecker:
    def __init__(
        self,
        store: TokenStore,
        graph: GraphClient,
        *,
        warn_before: int = WARN_BEFORE,
        required_scopes: Iterable[str] = (),
        batch: bool = True,
        batch_size: int = MAX_BATCH,
    ) -> None:
        self.store = store
        self.graph = graph
        self.warn_before = warn_before
        self.required_scopes = tuple(required_scopes)
        #: Turned off for the rest of this checker's life when the server refuses batches.
        self.batch = batch
        self.batch_size = max(1, min(batch_size, MAX_BATCH))

    def check_all(self, *, include_dead: bool = False) -> CheckReport:
        """Check every stored token (dead ones too with ``include_dead``: they never come back)."""
        statuses = None if include_dead else (VALID, EXPIRING)
        return self.check(self.store.find(statuses=statuses))

    def check(self, stored: Sequence[StoredToken]) -> CheckReport:
        report = CheckReport()
        for start in range(0, len(stored), self.batch_size):
            chunk = stored[start : start + self.batch_size]
            for token, answer in zip(chunk, self._ask(chunk), strict=True):
                report.results.append(self._apply(token, answer))
        log.info("token check: %s", report.summary())
        return report

    def check_one(self, stored: StoredToken) -> CheckResult:
        return self.check([stored]).results[0]

    # --- asking the debugger ------------------------------------------------------------------
    def _ask(self, chunk: Sequence[StoredToken]) -> list[Answer]:
        """One answer per token, in order: batched where possible, else one call each."""
        answers: list[Answer | None] = [None] * len(chunk)
        raws: dict[int, str] = {}
        for i, t in enumerate(chunk):
            try:
                raws[i] = self.store.reveal(t.id)
            except ValueError as exc:  # encrypted under another key: nothing to ask about
                answers[i] = ClientError(str(exc))
        if self.batch and len(raws) > 1:
            for i, answer in zip(raws, self._batch(list(raws.values())), strict=True):
                answers[i] = answer
        done: list[Answer] = []
        for i, answer in enumerate(answers):
            done.append(answer if answer is not None else self._single(raws[i]))
        return done

    def _single(self, raw: str) -> Answer:
        try:
            return debug_token(self.graph, raw)
        except ClientError as exc:
            return exc

    def _batch(self, raws: list[str]) -> list[Answer | None]:
        """Answers of one batch; None where the item must be asked again on its own."""
        requests = [
            {"method": "GET", "relative_url": "debug_token?" + urlencode({"input_token": raw})}
            for raw in raws
        ]
        try:
            items = self.graph.batch(requests, token=self.graph.config.app_token)
        except GraphAPIError as exc:
            log.info("batch refused (%s); checking tokens one by one", exc)
            self.batch = False
            return [None] * len(raws)
        except ClientError:
            return [None] * len(raws)  # no answer: the single calls will record it
        answers: list[Answer | None] = []
        for item in items:
            if item is None:
                answers.append(None)
                continue
            error = error_from_envelope(item.body, item.code)
            if error is not None:
                answers.append(error)
                continue
            try:
                answers.append(TokenInfo.from_debug(item.body))
            except GraphAPIError as exc:
                answers.append(exc)
        return answers

    # --- what an answer means -----------------------------------------------------------------
    def _apply(self, stored: StoredToken, answer: Answer) -> CheckResult:
        previous = stored.status
        if isinstance(answer, ClientError):
            note = f"{type(answer).__name__}: {answer}"
            log.warning("token %s: check failed, token kept as %s (%s)", stored.id, previous, note)
            return CheckResult(self.store.record_failed_check(stored.id, note), FAILED, previous, note)
        if not answer.is_valid:
            code, subcode, message = self._death(answer)
            updated = self.store.record_dead(stored.id, code=code, subcode=subcode, message=message)
            log.warning("token %s is dead: %s/%s %s", stored.id, code, subcode, message)
            return CheckResult(updated, DEAD, previous)
        lost = [s for s in self.required_scopes if s not in answer.scopes] if stored.kind == "user" else []
        if lost:
            message = f"Permissions were taken back: {', '.join(lost)}"
            updated = self.store.record_dead(stored.id, code=200, subcode=None, message=message)
            return CheckResult(updated, DEAD, previous)
        now = self.store.now()
        ends = [t for t in (answer.expires_at, answer.data_access_expires_at) if t]
        status = EXPIRING if any(t - now <= self.warn_before for t in ends) else VALID
        if status == EXPIRING:
            log.warning("token %s expires soon", stored.id)
        updated = self.store.record_valid(
            stored.id,
            status=status,
            scopes=answer.scopes,
            expires_at=answer.expires_at,
            data_access_expires_at=answer.data_access_expires_at,
            person_id=answer.user_id if stored.person_id is None else None,
            page_id=answer.profile_id if stored.kind == "page" and stored.page_id is None else None,
        )
        return CheckResult(updated, status, previous)

    def _death(self, info: TokenInfo) -> tuple[int | None, int | None, str]:
        if info.error is not None:
            return info.error.code, info.error.subcode, info.error.message or "The token is no longer valid"
        if info.expires_at and info.expires_at <= self.store.now():
            return 190, 463, "Session has expired"
        return 190, None, "The token is no longer valid"
