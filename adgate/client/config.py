"""Where the Graph API lives and who the app is (seed, "Manually Obtain the Token").

The same toolkit talks to the real Graph API and to an adgate server:

- real Graph: API calls go to ``https://graph.facebook.com/{version}/…`` and the login dialog is
  ``https://www.facebook.com/{version}/dialog/oauth`` (two hosts);
- adgate: one base URL serves both, ``{base}/{version}/…`` and ``{base}/{version}/dialog/oauth``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

GRAPH_URL = "https://graph.facebook.com"
DIALOG_URL = "https://www.facebook.com"
#: The version the official Python SDK calls by default (docs/graph-facts.md §12.4).
API_VERSION = "v26.0"

_VERSION = re.compile(r"^v[0-9]+\.[0-9]+$")


@dataclass(frozen=True, slots=True)
class GraphConfig:
    """An app's id and secret and the two base URLs; nothing here talks to the network."""

    app_id: str
    app_secret: str = field(repr=False)
    api_version: str = API_VERSION
    graph_url: str = GRAPH_URL
    #: Base URL of the login dialog. None: www.facebook.com for real Graph, else ``graph_url``.
    dialog_url: str | None = None

    def __post_init__(self) -> None:
        if not self.app_id or not self.app_secret:
            raise ValueError("app_id and app_secret are both required")
        if not _VERSION.match(self.api_version):
            raise ValueError(f"api_version must look like v26.0, not {self.api_version!r}")
        object.__setattr__(self, "graph_url", self.graph_url.rstrip("/"))
        if self.dialog_url is not None:
            object.__setattr__(self, "dialog_url", self.dialog_url.rstrip("/"))

    @classmethod
    def for_adgate(
        cls, base_url: str, app_id: str, app_secret: str, api_version: str = API_VERSION
    ) -> GraphConfig:
        """An adgate server at ``base_url`` (API and dialog on the same host)."""
        return cls(app_id, app_secret, api_version, graph_url=base_url, dialog_url=base_url)

    @property
    def app_token(self) -> str:
        """``{app-id}|{app-secret}``, accepted wherever Graph wants an app token (docs/graph-facts.md
        §1.4)."""
        return f"{self.app_id}|{self.app_secret}"

    @property
    def dialog_base(self) -> str:
        if self.dialog_url is not None:
            return self.dialog_url
        return DIALOG_URL if self.graph_url == GRAPH_URL else self.graph_url

    @property
    def dialog_endpoint(self) -> str:
        """``{dialog}/{version}/dialog/oauth`` (docs/graph-facts.md §1.1)."""
        return f"{self.dialog_base}/{self.api_version}/dialog/oauth"

    def url(self, path: str) -> str:
        """The full URL of a Graph path: ``me/accounts`` → ``{graph}/{version}/me/accounts``.

        The empty path is the batch endpoint, ``{graph}/{version}/`` (with its trailing slash).
        """
        return f"{self.graph_url}/{self.api_version}/{path.lstrip('/')}"
