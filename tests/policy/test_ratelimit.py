"""Rate-limit math (docs/graph-facts.md §5.1-§5.3), rule by rule."""

from __future__ import annotations

import math
import random

import pytest

from adgate.policy.ratelimit import (
    BUC_FORMULAS,
    BUC_TYPES,
    READ_COST,
    SCORE_TIERS,
    WRITE_COST,
    ScoreDecision,
    ScoreState,
    ScoreTier,
    WindowDecision,
    app_call_limit,
    buc_limit,
    decide_score,
    decide_window,
    limit_after_user_errors,
    minute_of,
    per_user_error,
    score_cost,
    window_count,
)

T0 = 1_700_000_000.0
DEV = SCORE_TIERS["development"]
STANDARD = SCORE_TIERS["standard"]


def run_score(
    tier: ScoreTier, costs: list[int], now: float, state: ScoreState | None = None
) -> ScoreDecision:
    decision = None
    for cost in costs:
        decision = decide_score(tier, state, cost, now)
        state = decision.new_state
    assert decision is not None
    return decision


# --- Score (§5.2) --------------------------------------------------------------------------------


def test_a_read_costs_one_point() -> None:
    assert score_cost(is_write=False) == READ_COST == 1
    assert decide_score(DEV, None, READ_COST, T0).new_state.score == 1


def test_a_write_costs_three_points() -> None:
    assert score_cost(is_write=True) == WRITE_COST == 3
    assert decide_score(DEV, None, WRITE_COST, T0).new_state.score == 3


def test_documented_tiers_are_in_the_table() -> None:
    assert SCORE_TIERS["development"] == ScoreTier(max_score=60, decay_seconds=300, block_seconds=300)
    assert SCORE_TIERS["standard"] == ScoreTier(max_score=9000, decay_seconds=300, block_seconds=60)


def test_basic_sits_at_the_geometric_mean_of_development_and_standard() -> None:
    basic = SCORE_TIERS["basic"]
    assert basic.max_score == round(math.sqrt(DEV.max_score * STANDARD.max_score))
    assert basic.decay_seconds == 300
    assert basic.block_seconds == round(math.sqrt(DEV.block_seconds * STANDARD.block_seconds))
    assert DEV.max_score < basic.max_score < STANDARD.max_score


def test_the_score_decays_to_zero_over_the_decay_time() -> None:
    full = ScoreState(score=60.0, updated_at=T0, blocked_until=0.0)
    assert decide_score(DEV, full, 0, T0 + 150).new_state.score == pytest.approx(30)
    assert decide_score(DEV, full, 0, T0 + 299).new_state.score == pytest.approx(0.2)
    assert decide_score(DEV, full, 0, T0 + 300).new_state.score == 0


def test_the_score_decays_at_max_over_decay_points_per_second() -> None:
    state = ScoreState(score=8000.0, updated_at=T0, blocked_until=0.0)
    assert decide_score(STANDARD, state, 0, T0 + 10).new_state.score == pytest.approx(8000 - 10 * 30)


def test_the_score_never_goes_below_zero() -> None:
    state = ScoreState(score=5.0, updated_at=T0, blocked_until=0.0)
    assert decide_score(DEV, state, 0, T0 + 10_000).new_state.score == 0


def test_a_call_that_would_reach_the_maximum_is_refused() -> None:
    at_59 = run_score(DEV, [1] * 59, T0)
    assert at_59.allowed
    assert at_59.new_state.score == 59
    sixtieth = decide_score(DEV, at_59.new_state, 1, T0)
    assert not sixtieth.allowed


def test_reaching_the_maximum_blocks_for_the_block_time() -> None:
    refused = run_score(DEV, [1] * 60, T0)
    assert not refused.allowed
    assert refused.new_state.blocked_until == T0 + 300
    assert refused.retry_after == 300
    assert refused.reset_time_duration == 300
    assert refused.util_pct == 100
    # Still blocked one second before the end, even though the score has fully drained by then.
    late = decide_score(DEV, refused.new_state, 1, T0 + 299)
    assert not late.allowed
    assert late.retry_after == 1
    assert decide_score(DEV, refused.new_state, 1, T0 + 300).allowed


def test_standard_blocks_for_one_minute() -> None:
    state = ScoreState(score=8999.0, updated_at=T0, blocked_until=0.0)
    refused = decide_score(STANDARD, state, 3, T0)
    assert not refused.allowed
    assert refused.retry_after == 60
    assert decide_score(STANDARD, refused.new_state, 3, T0 + 60).allowed


def test_a_refused_call_adds_no_score() -> None:
    state = ScoreState(score=58.0, updated_at=T0, blocked_until=0.0)
    refused = decide_score(DEV, state, WRITE_COST, T0)
    assert not refused.allowed
    assert refused.new_state.score == 58


def test_calls_while_blocked_are_refused_add_nothing_and_do_not_extend_the_block() -> None:
    blocked = run_score(DEV, [1] * 60, T0).new_state
    again = decide_score(DEV, blocked, 1, T0 + 100)
    assert not again.allowed
    assert again.new_state.blocked_until == blocked.blocked_until
    assert again.new_state.score == pytest.approx(59 - 100 * 60 / 300)


def test_util_pct_is_the_share_of_the_maximum_with_two_decimals() -> None:
    decision = run_score(STANDARD, [1] * 870, T0)
    assert decision.util_pct == 9.67
    assert decision.retry_after == 0


def test_reset_time_duration_is_the_seconds_until_the_score_drains() -> None:
    decision = run_score(DEV, [3] * 10, T0)  # 30 points drain in 150 s
    assert decision.reset_time_duration == 150
    assert decide_score(DEV, None, 0, T0).reset_time_duration == 0


def test_a_clock_behind_the_last_call_does_not_decay_backwards() -> None:
    state = ScoreState(score=10.0, updated_at=T0, blocked_until=0.0)
    decision = decide_score(DEV, state, 1, T0 - 5)
    assert decision.new_state.score == 11
    assert decision.new_state.updated_at == T0


def test_negative_costs_are_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        decide_score(DEV, None, -1, T0)
    with pytest.raises(ValueError, match="negative"):
        decide_window(10, {}, -1, T0)


def test_a_tier_needs_positive_values() -> None:
    with pytest.raises(ValueError, match="positive"):
        ScoreTier(max_score=60, decay_seconds=300, block_seconds=0)


@pytest.mark.parametrize("seed", range(20))
def test_the_score_never_holds_the_maximum_and_allowed_calls_add_their_cost(seed: int) -> None:
    rng = random.Random(seed)
    tier = SCORE_TIERS[rng.choice(list(SCORE_TIERS))]
    state: ScoreState | None = None
    now = T0
    for _ in range(300):
        now += rng.choice([0.0, 0.01, 0.5, 3.0, 61.0])
        cost = rng.choice([READ_COST, WRITE_COST])
        before = decide_score(tier, state, 0, now).new_state.score if state else 0.0
        decision = decide_score(tier, state, cost, now)
        assert decision.new_state.score < tier.max_score
        assert 0 <= decision.util_pct <= 100
        if decision.allowed:
            assert decision.new_state.score == pytest.approx(before + cost)
            assert decision.retry_after == 0
        else:
            assert decision.new_state.score == pytest.approx(before)
            assert decision.new_state.blocked_until > now
            assert decision.retry_after >= 1
        state = decision.new_state


# --- Hour windows (§5.3, §5.1) -------------------------------------------------------------------

M0 = 28_333_334 * 60.0  # start of a minute, near T0


def test_minutes_are_sixty_seconds() -> None:
    assert minute_of(M0) == minute_of(M0 + 59.999) == minute_of(M0 + 60) - 1


def hit(limit: int, buckets: dict[int, int], cost: int, now: float) -> WindowDecision:
    decision = decide_window(limit, buckets, cost, now)
    buckets.clear()
    buckets.update(decision.new_buckets)
    return decision


def test_a_limit_of_n_lets_n_calls_through_in_the_hour() -> None:
    buckets: dict[int, int] = {}
    results = [hit(5, buckets, 1, M0 + i) for i in range(7)]
    assert [d.allowed for d in results] == [True] * 5 + [False] * 2
    assert results[4].count == 5
    assert results[4].pct == 100
    assert results[2].pct == 60


def test_a_refused_call_does_not_count_in_the_window() -> None:
    buckets = {minute_of(M0): 5}
    refused = hit(5, buckets, 1, M0)
    assert not refused.allowed
    assert refused.count == 5
    assert buckets == {minute_of(M0): 5}


def test_the_hour_window_forgets_calls_older_than_60_minutes() -> None:
    buckets: dict[int, int] = {}
    hit(3, buckets, 3, M0)
    assert not hit(3, buckets, 1, M0 + 59 * 60 + 59).allowed  # still inside the hour
    back = hit(3, buckets, 1, M0 + 60 * 60)
    assert back.allowed
    assert back.count == 1
    assert minute_of(M0) not in buckets


def test_a_refused_window_says_how_many_minutes_until_access_returns() -> None:
    buckets = {minute_of(M0): 2, minute_of(M0) + 10: 3}
    refused = decide_window(5, buckets, 1, M0 + 30 * 60 + 5)
    assert not refused.allowed
    assert refused.pct == 100
    assert refused.estimated_time_to_regain_access_minutes == 30  # the first bucket leaves at M0+60min
    two_needed = decide_window(4, buckets, 2, M0 + 30 * 60)  # needs 3 freed: both buckets
    assert two_needed.estimated_time_to_regain_access_minutes == 40


def test_an_allowed_window_call_has_no_time_to_regain() -> None:
    assert decide_window(5, {}, 1, M0).estimated_time_to_regain_access_minutes == 0


def test_a_call_larger_than_the_limit_waits_a_full_hour() -> None:
    refused = decide_window(2, {}, 3, M0)
    assert not refused.allowed
    assert refused.estimated_time_to_regain_access_minutes == 60


def test_buckets_from_a_clock_ahead_are_kept_but_not_counted_yet() -> None:
    ahead = minute_of(M0) + 1
    decision = decide_window(1, {ahead: 1}, 1, M0)
    assert decision.allowed
    assert decision.new_buckets == {ahead: 1, minute_of(M0): 1}


@pytest.mark.parametrize("seed", range(20))
def test_no_sixty_minute_span_ever_holds_more_than_the_limit(seed: int) -> None:
    rng = random.Random(seed)
    limit = rng.randint(1, 30)
    buckets: dict[int, int] = {}
    allowed_at: list[tuple[int, int]] = []
    now = M0
    for _ in range(400):
        now += rng.choice([0.0, 1.0, 20.0, 60.0, 600.0])
        cost = rng.choice([1, 1, 3])
        decision = hit(limit, buckets, cost, now)
        if decision.allowed:
            allowed_at.append((minute_of(now), cost))
        minute = minute_of(now)
        assert sum(c for m, c in allowed_at if m > minute - 60) == decision.count <= limit


# --- Business use case limits (§5.3) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "buc_type", "expected"),
    [
        ("development", "ads_management", 300 + 40 * 7),
        ("standard", "ads_management", 100_000 + 40 * 7),
        ("development", "custom_audience", 5_000 + 40 * 11),
        ("standard", "custom_audience", 190_000 + 40 * 11),
        ("development", "ads_insights", 600 + 400 * 7 - 2),
        ("standard", "ads_insights", 190_000 + 400 * 7 - 2),
    ],
)
def test_documented_buc_formulas(tier: str, buc_type: str, expected: int) -> None:
    assert buc_limit(tier, buc_type, active_ads=7, active_audiences=11, user_errors=2000) == expected


def test_custom_audience_limit_is_capped_at_700000() -> None:
    assert buc_limit("standard", "custom_audience", active_audiences=1_000_000) == 700_000
    assert buc_limit("development", "custom_audience", active_audiences=1_000_000) == 700_000


def test_insights_lose_one_call_per_thousand_user_errors_rounded_down() -> None:
    assert buc_limit("development", "ads_insights", user_errors=1) == 599
    assert buc_limit("development", "ads_insights", user_errors=1000) == 599
    assert buc_limit("development", "ads_insights", user_errors=1001) == 598


def test_a_buc_limit_never_goes_below_zero() -> None:
    assert buc_limit("development", "ads_insights", user_errors=10**9) == 0


def test_only_insights_count_user_errors() -> None:
    assert buc_limit("development", "ads_management", user_errors=10**6) == 300


@pytest.mark.parametrize("tier", sorted(BUC_FORMULAS))
@pytest.mark.parametrize("buc_type", BUC_TYPES)
def test_the_error_term_applied_last_gives_the_formula(tier: str, buc_type: str) -> None:
    """What a store does (the limit without errors, then its own count of them) is the formula."""
    rng = random.Random(f"{tier}/{buc_type}")
    for _ in range(500):
        ads, audiences = rng.choice([0, 1, 7, 10**4, 10**6]), rng.choice([0, 3, 10**5])
        errors = rng.choice([0, 1, 999, 1000, 1001, 2500, rng.randrange(10**7), 10**9])
        without = buc_limit(tier, buc_type, active_ads=ads, active_audiences=audiences)
        expected = buc_limit(tier, buc_type, active_ads=ads, active_audiences=audiences, user_errors=errors)
        assert limit_after_user_errors(without, errors, per_user_error(tier, buc_type)) == expected


def test_the_hour_window_count_is_what_a_call_would_see() -> None:
    buckets = {minute_of(T0) - 60: 5, minute_of(T0) - 59: 2, minute_of(T0): 3, minute_of(T0) + 1: 7}
    assert window_count(buckets, T0) == 5  # the bucket 60 minutes old has left; one ahead not yet in
    assert window_count(buckets, T0) == decide_window(10**6, buckets, 0, T0).count
    assert window_count({}, T0) == 0


@pytest.mark.parametrize("buc_type", BUC_TYPES)
def test_basic_buc_bases_sit_at_the_geometric_mean(buc_type: str) -> None:
    dev, basic, std = (BUC_FORMULAS[t][buc_type] for t in ("development", "basic", "standard"))
    assert basic.base == round(math.sqrt(dev.base * std.base))
    assert (basic.per_active_ad, basic.per_active_audience, basic.per_user_error, basic.cap) == (
        std.per_active_ad,
        std.per_active_audience,
        std.per_user_error,
        std.cap,
    )


# --- App level (§5.1) ----------------------------------------------------------------------------


def test_the_app_limit_is_200_calls_per_user_per_hour() -> None:
    assert app_call_limit(users=10) == 2_000


def test_an_app_without_users_still_gets_200_calls() -> None:
    assert app_call_limit(users=0) == 200
