"""Server-rendered HTML: one Jinja2 environment for every page (dialog, consoles).

Autoescaping is on for every template and undefined names are errors, so a page can neither
inject what it shows nor silently render a blank. Anti-framing and the content policy are added
to every ``text/html`` response by :mod:`adgate.web.middleware`; pages load no inline script.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse

from adgate.words import counted

_env = Environment(
    loader=PackageLoader("adgate", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    auto_reload=False,
)
#: ``{{ n|counted("call") }}``: ``1 call``, ``2 calls`` (:func:`adgate.words.counted`).
_env.filters["counted"] = counted


def render(template: str, status: int = 200, /, **context: Any) -> HTMLResponse:
    return HTMLResponse(_env.get_template(template).render(**context), status_code=status)
