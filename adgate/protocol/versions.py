"""API version prefixes (``/v26.0/…``) and the version that answers a call.

Graph accepts a version prefix on every path. adgate serves ``v{OLDEST}`` to ``v{LATEST}``:

- an unversioned path is answered as the oldest version still served (Graph uses the app's
  default version, "the oldest version available to the app" for an app made long ago:
  https://developers.facebook.com/docs/graph-api/guides/versioning);
- a *retired* version (older than ``OLDEST``) is answered as the oldest version still served
  ("calls made to a deprecated version are automatically upgraded to the oldest version still
  available", same page), except on Marketing API paths, where the Ads API refuses it with its
  deprecated-version error 2635 (decided by the router, which knows the endpoint);
- a version that does not exist yet gets Graph's unknown-path error.

Every answer says which version served it in the ``facebook-api-version`` header.
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
OLDEST_SERVED = format_version(OLDEST)


def split_version(path: str) -> tuple[str | None, str]:
    """``/v26.0/act_1/`` → ``("v26.0", "act_1")``: the version as requested (a retired one too:
    :func:`is_retired` tells) and the rest; refuses a version that does not exist yet."""
    stripped = path.strip("/")
    head, _, rest = stripped.partition("/")
    if head in _SERVED_MAJORS:
        return head, rest.strip("/")
    match = _VERSION.match(head)
    if not match:
        if head.startswith("v") and head[1:2].isdigit():
            raise GraphError.of("unknown_path", path=head)
        return None, stripped
    if (int(match.group(1)), int(match.group(2))) > LATEST:
        raise GraphError.of("unknown_path", path=head)
    return head, rest.strip("/")


def is_retired(version: str | None) -> bool:
    """An accepted version (from :func:`split_version`) older than the oldest one served."""
    if version is None or version in _SERVED_MAJORS:
        return False
    match = _VERSION.match(version)
    return match is not None and (int(match.group(1)), int(match.group(2))) < OLDEST


def served_version(version: str | None) -> str:
    """The version that answers a call made with ``version`` (the ``facebook-api-version`` header)."""
    if version is None or is_retired(version):
        return OLDEST_SERVED
    return version


def refuse_retired_on_ads(version: str | None) -> None:
    """The Ads API's answer to a retired version (code 2635)."""
    if is_retired(version):
        raise GraphError.of("deprecated_version", latest=format_version(LATEST))
