"""Site URL and redirect URI rules.

Seed, "Permissions to Manage Ads": "When inputting the YOUR_URL field, put a trailing /. e.g.
http://www.facebook.com/". A URL that names only a site (no path) must end with ``/``; this is
checked when the URL is registered, so the dialog and the code exchange can require an exact
match (RFC 9700 §4.1.3: redirect URIs are compared by simple string comparison).
"""

from __future__ import annotations

from urllib.parse import urlsplit


def url_problem(url: str, *, what: str = "URL") -> str | None:
    """Why ``url`` cannot be registered as a site URL or redirect URI, or None if it can."""
    if not url or len(url) > 2000:
        return f"{what} must be a non-empty absolute URL of at most 2000 characters"
    if any(ch.isspace() for ch in url):
        return f"{what} must not contain spaces"
    try:
        parts = urlsplit(url)
    except ValueError:
        return f"{what} is not a valid URL: {url}"
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"{what} must be an absolute http:// or https:// URL, got {url}"
    if parts.fragment or url.endswith("#"):
        return f"{what} must not contain a fragment (#…): {url}"
    if parts.username or parts.password:
        return f"{what} must not contain a user name or password"
    if parts.path == "":
        return f"{what} {url} names a bare site: add a trailing / ({url}/)"
    return None


def redirect_uri_allowed(registered: tuple[str, ...], site_url: str | None, given: str) -> bool:
    """Exact string match against a registered redirect URI (or the site URL itself)."""
    return given in registered or (site_url is not None and given == site_url)
