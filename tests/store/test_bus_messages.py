"""What the invalidation bus says about a write (adgate.store.bus.encode / decode)."""

from __future__ import annotations

from adgate.store.bus import MAX_MESSAGE_BYTES, decode, encode
from adgate.store.dependencies import ANY, EVERYTHING


def test_a_message_carries_the_sender_and_the_tags_it_wrote() -> None:
    tags = frozenset({ANY, "tokens", ("tokens", "digest", "abc")})
    assert decode(encode("node-1", tags)) == ("node-1", tags)


def test_a_long_message_names_columns_and_a_longer_one_everything() -> None:
    many = frozenset({ANY, "tokens", *(("tokens", "digest", f"{n:064d}") for n in range(200))})
    message = encode("n", many)
    assert len(message.encode()) <= MAX_MESSAGE_BYTES
    assert decode(message) == ("n", frozenset({ANY, "tokens", "tokens.digest"}))
    huge = frozenset(f"table_{n:05d}" for n in range(2000))
    assert decode(encode("n", huge)) == ("n", frozenset({EVERYTHING}))


def test_a_message_that_cannot_be_read_voids_everything() -> None:
    for garbage in ("an-older-node-id", "{}", '{"n": "x", "t": [1]}', ""):
        sender, tags = decode(garbage)
        assert tags == frozenset({EVERYTHING})
        assert sender != "x"
