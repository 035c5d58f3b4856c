"""What the invalidation bus says about a write (adgate.store.bus_messages: encode / decode)."""

from __future__ import annotations

from adgate.store.bus_messages import MAX_MESSAGE_BYTES, Heard, Sequence, decode, encode, read
from adgate.store.dependencies import ANY, EVERYTHING


def test_a_message_carries_the_sender_and_the_tags_it_wrote() -> None:
    tags = frozenset({ANY, "tokens", ("tokens", "digest", "abc"), ("campaigns", "id", "4", "name")})
    assert decode(encode("node-1", tags)) == ("node-1", tags)


def test_a_long_message_names_columns_and_a_longer_one_everything() -> None:
    many = frozenset({ANY, "tokens", *(("tokens", "digest", f"{n:064d}", "+") for n in range(200))})
    message = encode("n", many)
    assert len(message.encode()) <= MAX_MESSAGE_BYTES
    assert decode(message) == ("n", frozenset({ANY, "tokens", "tokens.digest"}))
    huge = frozenset(f"table_{n:05d}" for n in range(2000))
    assert decode(encode("n", huge)) == ("n", frozenset({EVERYTHING}))


def test_a_message_that_cannot_be_read_voids_everything() -> None:
    for garbage in ("an-older-node-id", "{}", '{"n": "x", "t": [1]}', '{"n": "x", "t": [["a", "b"]]}', ""):
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


def test_numbers_may_arrive_out_of_order_and_only_a_missing_one_keeps_heard_behind() -> None:
    """A write takes its number before it commits and publishes it after: two writers' messages
    can cross, and a number can be taken by a write that is then rolled back."""
    sequence = Sequence()
    sequence.message(3)  # not synchronised with the counter yet: nothing to compare
    assert sequence.heard is None
    sequence.start(10)
    sequence.message(12)  # 11 is still on its way
    assert sequence.heard == 10
    sequence.message(11)
    assert sequence.heard == 12
    sequence.message(14)  # 13 lost, or rolled back
    assert sequence.heard == 12
    sequence.message(12)  # a repeat changes nothing
    assert sequence.heard == 12


def test_a_counter_ahead_of_what_was_heard_for_the_lag_is_a_lost_message() -> None:
    sequence = Sequence(lag=1.0)
    sequence.start(5)
    assert not sequence.check(5, now=100.0)
    assert not sequence.check(6, now=100.5)  # 6 is on its way
    sequence.message(6)
    assert not sequence.check(8, now=101.0)  # 6 arrived: 7 and 8 on their way since 101.0
    sequence.message(8)  # before 7
    assert not sequence.check(8, now=101.9)  # 7 is late, not yet for a whole second
    assert sequence.check(9, now=102.0)  # 7 never came
    assert sequence.heard == 9  # the node dropped its caches and goes on from the counter
    assert not sequence.check(9, now=105.0)
    sequence.message(10)
    assert sequence.heard == 10


def test_numbers_heard_early_survive_a_drop() -> None:
    sequence = Sequence(lag=1.0)
    sequence.start(1)
    sequence.message(4)
    assert sequence.check(3, now=0.0) is False
    assert sequence.check(3, now=1.0)  # 2 and 3 never came: caches dropped, on from 3
    assert sequence.heard == 4  # 4 was heard already


def test_a_counter_that_went_back_drops_everything() -> None:
    sequence = Sequence()
    sequence.start(50)
    assert sequence.check(2, now=0.0)  # Redis lost its data: the numbers start again
    assert sequence.heard == 2
    sequence.message(4)
    assert sequence.heard == 2  # 3 is still to come
