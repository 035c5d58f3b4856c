"""The code and the docs cite only what a reader of the repository can open.

A docstring or comment that points at a section of ``docs/graph-facts.md`` must name a section that
exists, a ``docs/*.md`` it names must exist, and nothing may point at the team's tracker or at
files outside the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(p for d in ("adgate", "tests", "bench") for p in (ROOT / d).rglob("*.py"))
TEXTS = sorted([*ROOT.glob("*.md"), *(ROOT / "docs").glob("*.md"), *(ROOT / "deploy").rglob("*.md")])
#: Pointers a reader of the repository cannot follow.
FORBIDDEN = re.compile(
    r"\bissue \d+\b|\bDESIGN\.md\b|\bSTYLE\.md\b|graph-api-facts|sdk-client-contract|/work/|\.\./shared"
)
CITED_DOC = re.compile(r"docs/([\w.-]+\.md)")
FACTS_SECTION = re.compile(r"docs/graph-facts\.md((?:[ ,]*(?:and |to )?§\d+(?:\.\d+)?)+)")


def sections() -> set[str]:
    text = (ROOT / "docs" / "graph-facts.md").read_text()
    return set(re.findall(r"^#{2,3} (\d+(?:\.\d+)?)[. ]", text, re.M))


@pytest.mark.parametrize("path", SOURCES + TEXTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_points_outside_the_repository(path: Path) -> None:
    if path == Path(__file__):
        return
    found = [m.group(0) for m in FORBIDDEN.finditer(path.read_text())]
    assert found == [], f"{path.relative_to(ROOT)} cites {found}"


def test_every_cited_doc_exists_and_every_cited_section_of_the_facts_is_there() -> None:
    known = sections()
    missing_docs, missing_sections = set(), set()
    for path in SOURCES + TEXTS:
        text = path.read_text()
        for name in CITED_DOC.findall(text):
            if not (ROOT / "docs" / name).is_file():
                missing_docs.add(f"{path.relative_to(ROOT)}: docs/{name}")
        for cited in FACTS_SECTION.findall(text):
            for number in re.findall(r"§(\d+(?:\.\d+)?)", cited):
                if number not in known:
                    missing_sections.add(f"{path.relative_to(ROOT)}: §{number}")
    assert sorted(missing_docs) == []
    assert sorted(missing_sections) == []
