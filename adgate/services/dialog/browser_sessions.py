"""Browser sessions kept on the server, so that ending one ends it on every node.

The session cookie (:mod:`adgate.web.session`) carries a random session id and the claims of the
sign-in; it is signed, but a signature cannot be taken back. So a signed-in session is also a row
of the database (``browser_sessions``), keyed by a keyed digest of the id, and the cookie is good
only while its row is:

- signing in (dialog or console) adds the row, for :data:`SESSION_SECONDS`;
- signing out of the console deletes it (and the sandbox console's unlock with it), so a copied
  cookie opens nothing afterwards;
- a password change and a log-out everywhere delete every row of the person
  (:meth:`adgate.services.world.editor.World.change_password`,
  :meth:`~adgate.services.world.editor.World.log_out`).

Every node reads the row on every use (no cache), so an ended session is ended everywhere at once.
The sandbox console's unlock (the admin key entered in a browser) is a row of its own, bound to the
same session id. Nothing cached depends on these rows, so writing them voids no read cache.
"""

from __future__ import annotations

from adgate.services.context import Core
from adgate.store.interfaces import Repos

#: How long a sign-in lasts, on the server clock.
SESSION_SECONDS = 14 * 86400
#: The expiry of a row that lasts until its browser signs out (9999-12-31).
UNTIL_SIGNED_OUT = 253_402_300_799


class BrowserSessions:
    def __init__(self, core: Core) -> None:
        self.core = core

    def _digest(self, kind: str, sid: str) -> str:
        return self.core.keyring.digest(f"browser-session/{kind}/{sid}")

    async def open(self, sid: str, person_id: str, now: int) -> None:
        """A person has just entered their password in the browser whose new session is ``sid``."""
        await self._add(self._digest("person", sid), person_id, now)

    async def unlock_admin(self, sid: str, person_id: str | None, now: int) -> None:
        """The admin key was entered in the sandbox console of the browser session ``sid``: good
        until that browser signs out (not for a time, since the sandbox console moves the clock)."""
        await self._add(self._digest("admin", sid), person_id, now, UNTIL_SIGNED_OUT)

    async def is_open(self, tx: Repos, sid: str, person_id: str, now: int) -> bool:
        found = await tx.browser_sessions.find(self._digest("person", sid), now)
        return found is not None and found.person_id == person_id

    async def admin_unlocked(self, sid: str, now: int) -> bool:
        async with self.core.db.read() as tx:
            return await tx.browser_sessions.find(self._digest("admin", sid), now) is not None

    async def end(self, sid: str) -> None:
        """Sign this browser out: its sign-in and its sandbox unlock."""
        async with self.core.db.transaction(invalidates=False) as tx:
            await tx.browser_sessions.end([self._digest("person", sid), self._digest("admin", sid)])

    async def _add(self, digest: str, person_id: str | None, now: int, expires_at: int | None = None) -> None:
        async with self.core.db.transaction(invalidates=False) as tx:
            await tx.browser_sessions.prune(now)
            await tx.browser_sessions.end([digest])
            await tx.browser_sessions.add(digest, person_id, now, expires_at or now + SESSION_SECONDS)
