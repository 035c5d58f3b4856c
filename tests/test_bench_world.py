"""The benchmarks' world builder still fits the schema (a bench is never run in CI, so a column
added to a table would otherwise break ``bench/gate.py`` and ``bench/mixed.py`` unnoticed)."""

from __future__ import annotations

from pathlib import Path

from bench.world import bulk_tokens, count_tokens, mint_codes, seed


def test_a_small_bench_world_seeds_bulk_tokens_and_codes(tmp_path: Path) -> None:
    world = seed(tmp_path, accounts=2, live_tokens=2)
    kept = bulk_tokens(tmp_path, world, 50, keep=3)
    assert len(kept) == 3
    assert count_tokens(tmp_path) == 50
    assert len(mint_codes(tmp_path, world, 4)) == 4
