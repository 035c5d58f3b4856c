"""A protected API for the gateway tests: its routes, and a world of apps, people and accounts."""

from __future__ import annotations

from pathlib import Path

ROUTES = """\
name = "Reports API"

[[permission]]
name = "reports_export"
description = "Export your reports as files"

[[public]]
prefix = "/health"

[[route]]
name = "reports"
method = "GET"
path = "/v1/accounts/{account}/reports"
account = "path:account"
permission = "ads_read"
cost = "read"
buc = "ads_insights"

[[route]]
name = "budgets"
method = "POST"
path = "/v1/accounts/{account}/budgets"
account = "path:account"
permission = "ads_management"
cost = "write"

[[route]]
name = "search"
method = "GET"
path = "/v1/search"
account = "query:account_id"
permission = "ads_read"

[[route]]
name = "export"
method = "POST"
path = "/v1/accounts/{account}/exports"
account = "path:account"
permission = "reports_export"
cost = "write"

[[route]]
name = "profile"
method = "GET"
path = "/v1/me"
account = "none"
permission = "public_profile"
"""


def write_routes(where: Path, text: str = ROUTES) -> Path:
    path = where / "gateway.toml"
    path.write_text(text)
    return path
