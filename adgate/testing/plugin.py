"""The pytest plugin registered by adgate (entry point ``pytest11``).

Users' own suites get adgate fixtures from here; see ``adgate.testing`` for the public API.
"""

from __future__ import annotations
