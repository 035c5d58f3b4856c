"""API version prefixes (``/v26.0/…``).

Graph accepts a version prefix on every path and treats an unversioned path as the oldest version
still available to the app; the SDK always sends one (sdk-client-contract §4). adgate accepts
``v{OLDEST}`` to ``v{LATEST}``; an older one gets the Ads API's deprecated-version error (2635),
and one that does not exist yet gets Graph's unknown-path error.
"""

from __future__ import annotations

import re

from adgate.protocol.errors import GraphError

OLDEST = (20, 0)
LATEST = (26, 0)
_VERSION = re.compile(r"^v(\d{1,3})\.(\d{1,2})$")


def format_version(version: tuple[int, int]) -> str:
    return f"v{version[0]}.{version[1]}"


#: The versions clients send (``vNN.0``), known good without the pattern (every call has one).
_SERVED_MAJORS = frozenset(
    format_version((major, 0)) for major in range(OLDEST[0], LATEST[0] + 1) if OLDEST <= (major, 0) <= LATEST
)


def split_version(path: str) -> tuple[str | None, str]:
    """``/v26.0/act_1/`` → ``("v26.0", "act_1")``; checks the version is one adgate serves."""
    stripped = path.strip("/")
    head, _, rest = stripped.partition("/")
    if head in _SERVED_MAJORS:
        return head, rest.strip("/")
    match = _VERSION.match(head)
    if not match:
        if head.startswith("v") and head[1:2].isdigit():
            raise GraphError.of("unknown_path", path=head)
        return None, stripped
    version = (int(match.group(1)), int(match.group(2)))
    if version < OLDEST:
        raise GraphError.of("deprecated_version", latest=format_version(LATEST))
    if version > LATEST:
        raise GraphError.of("unknown_path", path=head)
    return head, rest.strip("/")
