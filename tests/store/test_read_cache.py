"""The read cache alone: generations, the LRU bound, the age bound (adgate.store.cache)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.sql.elements import quoted_name

from adgate.store.cache import Generation, ReadCache

pytestmark = pytest.mark.anyio


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_value_is_kept_only_at_the_generation_its_read_began() -> None:
    generation = Generation()
    cache = ReadCache(generation)
    stamp = generation.stamp()
    generation.bump()  # a write committed while the value was being read
    cache.put("k", 1, stamp)
    assert cache.get("k") == (False, None)
    cache.put("k", 2, generation.stamp())
    assert cache.get("k") == (True, 2)
    generation.bump()
    assert cache.get("k") == (False, None)


def test_the_least_recently_used_value_goes_first() -> None:
    generation = Generation()
    cache = ReadCache(generation, capacity=2)
    for key in ("a", "b"):
        cache.put(key, key, generation.stamp())
    assert cache.get("a") == (True, "a")
    cache.put("c", "c", generation.stamp())
    assert len(cache) == 2
    assert cache.get("b") == (False, None)
    assert cache.get("a") == (True, "a")


def test_with_an_age_bound_a_value_goes_after_that_long() -> None:
    ticks = Ticks()
    generation = Generation()
    cache = ReadCache(generation, max_age=5.0, monotonic=ticks)
    cache.put("k", 1, generation.stamp())
    ticks.now = 5.0
    assert cache.get("k") == (True, 1)
    ticks.now = 5.1
    assert cache.get("k") == (False, None)


def test_a_suspended_generation_keeps_nothing_and_resuming_voids_the_rest() -> None:
    generation = Generation()
    cache = ReadCache(generation)
    cache.put("old", 1, generation.stamp())
    generation.suspend()
    assert generation.stamp() is None
    cache.put("k", 1, generation.stamp())
    assert cache.get("k") == (False, None)
    generation.resume()
    assert cache.get("old") == (False, None)


async def test_get_or_load_loads_once_per_generation() -> None:
    generation = Generation()
    cache = ReadCache(generation)
    loads = 0

    async def load() -> int:
        nonlocal loads
        loads += 1
        return loads

    assert await cache.get_or_load("k", load) == 1
    assert await cache.get_or_load("k", load) == 1
    generation.bump()
    assert await cache.get_or_load("k", load) == 2
    assert (cache.hits, cache.misses) == (1, 2)


def test_a_write_voids_only_the_values_that_read_what_it_wrote() -> None:
    generation = Generation()
    cache = ReadCache(generation)
    token = ("tokens", "digest", "a")
    cache.put("token a", 1, generation.stamp(), {"tokens.digest", token})
    cache.put("campaigns", 2, generation.stamp(), {"campaigns"})
    generation.bump({"*", "tokens", ("tokens", "digest", "b")})  # another token
    assert cache.get("token a") == (True, 1)
    assert cache.get("campaigns") == (True, 2)
    generation.bump({"*", "campaigns", ("campaigns", "id", "9")})
    assert cache.get("token a") == (True, 1)
    assert cache.get("campaigns") == (False, None)
    generation.bump({"*", "tokens", "tokens.digest"})  # a token write that named no row: any
    assert cache.get("token a") == (False, None)


def test_a_value_read_while_its_row_was_written_is_not_kept() -> None:
    generation = Generation()
    cache = ReadCache(generation)
    tags = {"people.id", ("people", "id", "1")}
    stamp = generation.stamp()
    generation.bump({"*", "people", ("people", "id", "1")})
    cache.put("ann", 1, stamp, tags)
    assert cache.get("ann") == (False, None)
    cache.put("ann", 2, stamp, {"people.id", ("people", "id", "2")})  # another row: still good
    assert cache.get("ann") == (True, 2)


def test_forgotten_row_writes_count_as_written_at_the_latest_forgotten() -> None:
    generation = Generation(key_capacity=4)
    cache = ReadCache(generation)
    cache.put("row 0", 0, generation.stamp(), {("t", "id", "0")})
    for n in range(1, 10):
        generation.bump({("t", "id", str(n))})
    assert len(generation._keys) <= 4
    # Row 0 was never written, but what was written before the floor is no longer known.
    assert cache.get("row 0") == (False, None)
    cache.put("row 0", 0, generation.stamp(), {("t", "id", "0")})
    assert cache.get("row 0") == (True, 0)


def test_forgetting_drops_the_oldest_eighth_and_floors_at_the_newest_of_them() -> None:
    generation = Generation(key_capacity=80)
    for n in range(81):
        generation.bump({("t", "id", str(n))})
    assert list(generation._keys) == [("t", "id", str(n)) for n in range(11, 81)]
    assert generation._key_floor == 11  # row 10 was written at count 11
    assert generation.holds(11, {("t", "id", "3")})
    assert not generation.holds(10, {("t", "id", "3")})


def test_a_value_whose_reads_were_not_seen_depends_on_any_write() -> None:
    generation = Generation()
    cache = ReadCache(generation)
    cache.put("k", 1, generation.stamp())
    generation.bump({"*", "meta"})
    assert cache.get("k") == (False, None)


ACCOUNT_A = ("campaigns", "account_id", "A")


def test_a_value_whose_rows_were_not_written_holds_without_a_check_per_tag(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    generation = Generation()
    cache = ReadCache(generation)
    tags = {(*ACCOUNT_A, "status"), (*ACCOUNT_A, "+"), "campaigns.account_id"}
    cache.put("active in A", 3, generation.stamp(), tags)
    checked: list[int] = []
    holds = Generation.holds

    def counted(self: Generation, stamp: int, tags: set[object]) -> bool:
        checked.append(stamp)
        return holds(self, stamp, tags)

    monkeypatch.setattr(Generation, "holds", counted)
    generation.bump({"*", "campaigns", ("campaigns", "account_id", "B", "+"), ("campaigns", "id", "9")})
    assert cache.get("active in A") == (True, 3)
    assert checked == []  # its groups were quiet: no tag looked up
    generation.bump({"*", "campaigns", (*ACCOUNT_A, "name"), ("campaigns", "id", "8", "name")})
    assert cache.get("active in A") == (True, 3)  # its rows were written, not what it read of them
    assert checked == [0]
    generation.bump({"*", "campaigns", (*ACCOUNT_A, "status")})
    assert cache.get("active in A") == (False, None)
    cache.put("active in A", 2, generation.stamp(), tags)
    generation.bump()  # nothing named: everything goes, quiet or not
    assert cache.get("active in A") == (False, None)


def test_a_table_written_as_the_bus_names_it_voids_a_value_that_read_it_as_sqlalchemy_does() -> None:
    """A statement's table tag is SQLAlchemy's ``quoted_name`` (a str subclass); the bus hands the
    other nodes a plain str. Either way round, the write voids the value."""
    for read, written in (("fault_rules", "fault_rules"), (quoted_name("fault_rules", None), "fault_rules")):
        for first, second in ((read, written), (written, read)):
            generation = Generation()
            cache = ReadCache(generation)
            cache.put("rules", (), generation.stamp(), {first})
            generation.bump({"*", "apps"})  # the count moves: the check runs
            assert cache.get("rules") == (True, ())
            generation.bump({"*", second})
            assert cache.get("rules") == (False, None)


_TAGS = st.sampled_from(
    [
        "*",
        "campaigns",
        quoted_name("campaigns", None),  # a table's name as SQLAlchemy gives it: equal to "campaigns"
        ("campaigns", quoted_name("account_id", None), "A", "+"),
        "campaigns.account_id",
        ("campaigns", "account_id", "A", "+"),
        ("campaigns", "account_id", "A", "status"),
        ("campaigns", "account_id", "B", "+"),
        ("campaigns", "id", "1"),
        ("campaigns", "id", "1", "name"),
        ("tokens", "digest", "x"),
    ]
)
_STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("put"), st.integers(0, 1), st.frozensets(_TAGS, max_size=4)),
        st.tuples(st.just("bump"), st.integers(0, 1), st.frozensets(_TAGS, max_size=3)),
        st.tuples(st.just("everything"), st.just(0), st.just(frozenset())),
        st.tuples(st.just("get"), st.integers(0, 1), st.just(frozenset())),
    ),
    max_size=40,
)


@settings(max_examples=500)
@given(_STEPS)
def test_the_quiet_groups_never_hand_out_a_value_written_since(
    steps: list[tuple[str, int, frozenset[object]]],
) -> None:
    """Any writes, puts and gets (a small key capacity: forgetting included): a value handed out
    was truly not written since its read (an exact record of the writes says so), and whatever a
    cache that looks up every tag hands out, the one that answers from quiet groups does too (it
    may do more: a group remembered where its tag was forgotten)."""

    class TagByTag(Generation):
        __slots__ = ()

        def quiet(self, groups: object, since: int) -> bool:
            return False

    fast, slow = Generation(key_capacity=4), TagByTag(key_capacity=4)
    quick, careful = ReadCache(fast), ReadCache(slow)
    written: list[frozenset[object] | None] = []  # every write, None: everything
    read: dict[int, tuple[int, frozenset[object]]] = {}  # key -> (writes before its read, its tags)
    for kind, key, tags in steps:
        if kind == "put":
            for cache in (quick, careful):
                cache.put(key, key, cache.generation.stamp(), tags)
            read[key] = len(written), tags or frozenset({"*"})
        elif kind in ("bump", "everything"):
            named = tags if kind == "bump" else None
            fast.bump(named)
            slow.bump(named)
            written.append(named)
        else:
            found, _ = quick.get(key)
            if careful.get(key)[0]:
                assert found
            if found:
                since, depends = read[key]
                assert all(w is not None and not (w & depends) for w in written[since:])
