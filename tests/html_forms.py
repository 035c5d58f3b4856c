"""Reading HTML forms the way a browser would, for tests that drive the login dialog over HTTP."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Form:
    id: str
    action: str
    method: str
    #: (name, value) of every field a browser would send, before any button.
    fields: list[tuple[str, str]] = field(default_factory=list)
    #: Checkbox name → the values offered (checked or not), disabled ones left out.
    checkboxes: dict[str, list[str]] = field(default_factory=dict)
    #: (name, value) of each submit button.
    buttons: list[tuple[str, str]] = field(default_factory=list)

    def hidden(self, name: str) -> str:
        values = [v for k, v in self.fields if k == name]
        assert len(values) == 1, f"{name}: {values}"
        return values[0]

    def data(
        self,
        *,
        button: tuple[str, str] | None = None,
        uncheck: Iterable[str] = (),
        **values: str,
    ) -> list[tuple[str, str]]:
        """What submitting the form sends: ``values`` replace fields, ``uncheck`` clears checkboxes."""
        dropped = set(uncheck)
        sent: list[tuple[str, str]] = []
        for name, value in self.fields:
            if name in self.checkboxes and value in dropped:
                continue
            sent.append((name, values.pop(name) if name in values else value))
        sent.extend(values.items())
        if button is not None:
            assert button in self.buttons, f"no button {button} in {self.buttons}"
            sent.append(button)
        return sent


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: dict[str, Form] = {}
        self._current: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = Form(
                a.get("id", f"form{len(self.forms)}"), a.get("action", ""), a.get("method", "get")
            )
            self.forms[self._current.id] = self._current
        elif self._current is None or "disabled" in a:
            return
        elif tag == "input" and "name" in a:
            kind = a.get("type", "text")
            if kind == "radio":  # a browser sends only the checked one
                if "checked" in a:
                    self._current.fields.append((a["name"], a.get("value", "on")))
            elif kind == "checkbox":
                self._current.checkboxes.setdefault(a["name"], []).append(a.get("value", "on"))
                if "checked" in a:
                    self._current.fields.append((a["name"], a.get("value", "on")))
            else:
                self._current.fields.append((a["name"], a.get("value", "")))
        elif tag == "button" and "name" in a:
            self._current.buttons.append((a["name"], a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def forms(html: str) -> dict[str, Form]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms


def query_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def fragment_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).fragment, keep_blank_values=True))
