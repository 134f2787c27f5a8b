"""docs/traceability.md has a row for every clause of the requirements, and every file it
names exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT.parent / "shared" / "docs" / "requirements.md"


def _rows() -> dict[str, str]:
    rows = {}
    for line in (ROOT / "docs" / "traceability.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*(STD-[0-9.–]+)\s*\|", line)
        if m:
            rows[m.group(1)] = line
    return rows


def test_every_clause_of_the_requirements_has_a_row():
    assert REQUIREMENTS.exists(), f"{REQUIREMENTS} is missing: shared/ must sit beside the repo"
    clauses = set(re.findall(r"^\|\s*(STD-[0-9.–]+)\s*\|", REQUIREMENTS.read_text(encoding="utf-8"),
                             flags=re.MULTILINE))

    assert len(clauses) == 29
    assert clauses - set(_rows()) == set()


def test_every_file_named_in_the_table_exists():
    named = set()
    for line in _rows().values():
        named.update(re.findall(r"`([\w/.-]+\.(?:py|html|md|yml|json))`", line))

    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert missing == []
