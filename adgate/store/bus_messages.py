"""What the invalidation bus says (:mod:`adgate.store.bus`): a node's message that it wrote some
tags (:func:`encode`, :func:`read`), and the numbers of the messages a node heard against the
Redis counter (:class:`Sequence`), which tell it a message was lost."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from adgate.store.dependencies import EVERYTHING, Tag, Tags

#: How long the Redis counter may stay ahead of the numbers a node heard before the node takes a
#: message for lost (:class:`Sequence`).
LAG_SECONDS = 1.0
#: A message longer than this names its rows' columns instead (PostgreSQL's ``NOTIFY`` payload
#: holds under 8000 bytes).
MAX_MESSAGE_BYTES = 7000


def encode(node: str, tags: Tags) -> str:
    """The message telling the other nodes that ``node`` wrote ``tags``.

    JSON: ``{"n": node, "t": [tag, ...]}``, a key tag as a list (of 3 or 4 strings). Too long,
    key tags become their column's tag (which stands for every value of it), and if even that is
    too long, everything.
    """
    listed: list[Any] = [list(tag) if isinstance(tag, tuple) else tag for tag in tags]
    message = json.dumps({"n": node, "t": listed}, separators=(",", ":"))
    if len(message.encode()) <= MAX_MESSAGE_BYTES:
        return message
    coarse = {f"{tag[0]}.{tag[1]}" if isinstance(tag, tuple) else tag for tag in tags}
    message = json.dumps({"n": node, "t": sorted(coarse)}, separators=(",", ":"))
    if len(message.encode()) <= MAX_MESSAGE_BYTES:
        return message
    return json.dumps({"n": node, "t": [EVERYTHING]})


class Heard(NamedTuple):
    """A message read: who sent it, what it wrote, and its number in its counter's scope."""

    sender: str | None
    tags: Tags
    scope: int | None = None
    number: int | None = None


def decode(message: str | None) -> tuple[str | None, Tags]:
    """``(sender, tags)`` of a message; a message that cannot be read wrote everything."""
    heard = read(message)
    return heard.sender, heard.tags


def read(message: str | None) -> Heard:
    """What a message says; one that cannot be read wrote everything (and has no number)."""
    if message is None:
        return Heard(None, frozenset({EVERYTHING}))
    try:
        parsed = json.loads(message)
        sender = parsed["n"]
        scope, number = parsed.get("c"), parsed.get("s")
        if not (type(scope) is int and type(number) is int):
            scope = number = None
        tags: set[Tag] = set()
        for tag in parsed["t"]:
            if isinstance(tag, list) and len(tag) in (3, 4) and all(isinstance(part, str) for part in tag):
                tags.add(tuple(tag))
            elif isinstance(tag, str):
                tags.add(tag)
            else:
                raise ValueError(tag)
    except (ValueError, KeyError, TypeError, AttributeError):
        return Heard(message, frozenset({EVERYTHING}))  # an older node's bare id, or garbage
    return Heard(str(sender), frozenset(tags), scope, number)


class Sequence:
    """The numbers of the messages a node heard, against the counter: is a message lost?

    A write takes its number before it commits and publishes it after, so numbers may arrive out
    of order (two writers) or never (a publish that failed, a write rolled back after taking one).
    :attr:`heard` is the highest number up to which every number arrived; :meth:`check` says the
    counter stayed ahead of it for ``lag`` seconds or went back (Redis lost its data). Then the
    node drops everything it cached and goes on from the counter's value. A message is applied
    whatever its number (a write numbered before a drop may commit after it).
    """

    def __init__(self, lag: float = LAG_SECONDS) -> None:
        self.lag = lag
        #: Every number up to this one was heard (``None``: not synchronised with the counter yet).
        self.heard: int | None = None
        #: Numbers heard above :attr:`heard`, waiting for those before them.
        self._early: set[int] = set()
        #: ``(counter, when)``: the counter was ahead of :attr:`heard` at that time.
        self._ahead: tuple[int, float] | None = None

    def start(self, counter: int) -> None:
        """Subscribed (or caches dropped), and the counter read since: go on from ``counter``."""
        self.heard = counter
        self._early = {n for n in self._early if n > counter}
        self._ahead = None
        self._advance()

    def message(self, number: int) -> None:
        """Message ``number`` arrived."""
        if self.heard is None or number <= self.heard:
            return  # before the node synchronised, or already counted by a check
        self._early.add(number)
        self._advance()

    def _advance(self) -> None:
        assert self.heard is not None
        while self.heard + 1 in self._early:
            self.heard += 1
            self._early.discard(self.heard)

    def check(self, counter: int, now: float) -> bool:
        """The counter read ``counter`` at ``now`` (seconds): ``True`` if messages were lost."""
        heard = self.heard
        if heard is None:
            self.start(counter)
            return False
        if counter < heard:  # the counter was reset: numbers heard say nothing any more
            self.start(counter)
            return True
        if counter == heard:
            self._ahead = None
            return False
        ahead = self._ahead
        if ahead is None or heard >= ahead[0]:
            self._ahead = (counter, now)  # what was ahead before has arrived since
            return False
        if now - ahead[1] >= self.lag:
            self.start(counter)
            return True
        return False
