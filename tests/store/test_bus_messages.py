"""What the invalidation bus says about a write (adgate.store.bus.encode / decode)."""

from __future__ import annotations

from adgate.store.bus import MAX_MESSAGE_BYTES, Heard, Sequence, decode, encode, read
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


def test_a_numbered_message_says_its_number_and_counter_scope() -> None:
    tags = frozenset({ANY, "tokens"})
    body = encode("node-1", tags)
    numbered = '{"s":7,"c":15,' + body[1:]  # what the publishing script sends (adgate.store.bus)
    assert read(numbered) == Heard("node-1", tags, 15, 7)
    assert read(body) == Heard("node-1", tags, None, None)  # a PostgreSQL NOTIFY: not numbered
    assert read('{"s":"7","c":15,' + body[1:]).number is None


def test_a_gap_in_the_numbers_is_a_lost_message() -> None:
    sequence = Sequence()
    assert not sequence.message(3)  # not synchronised with the counter yet: nothing to compare
    sequence.start(10)
    assert not sequence.message(11)
    assert not sequence.message(12)
    assert sequence.message(14)  # 13 was lost
    assert sequence.heard == 14
    assert not sequence.message(13)  # late, or counted by a check: nothing more to drop
    assert not sequence.message(15)


def test_a_counter_ahead_of_what_was_heard_for_the_lag_is_a_lost_message() -> None:
    sequence = Sequence(lag=1.0)
    sequence.start(5)
    assert not sequence.check(5, now=100.0)
    assert not sequence.check(6, now=100.5)  # 6 is on its way
    assert not sequence.message(6)
    assert not sequence.check(8, now=101.0)  # 6 arrived: 7 and 8 on their way since 101.0
    assert not sequence.message(7)
    assert not sequence.check(8, now=101.9)  # 8 is late, not yet for a whole second
    assert sequence.check(9, now=102.0)  # 8 never came
    assert sequence.heard == 9  # everything read from now on sees the writes counted so far
    assert not sequence.check(9, now=105.0)
    assert not sequence.message(10)


def test_a_counter_that_went_back_drops_everything() -> None:
    sequence = Sequence()
    sequence.start(50)
    assert sequence.check(2, now=0.0)  # Redis lost its data: the numbers start again
    assert sequence.heard == 2
    assert sequence.message(4)
