"""docs/traceability.md has a row for every clause of the service standard, and every file
it names exists. (`tests/test_shared_data.py` checks the clause list against the shared
requirements when that folder is beside the project.)"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# the clause IDs of ../shared/docs/requirements.md (the standard has been fixed since 2016)
CLAUSES = (
    "STD-3.1", "STD-3.2.1–3.2.3", "STD-3.2.4", "STD-3.3", "STD-3.4.1", "STD-3.4.2",
    "STD-3.4.3–3.4.4", "STD-3.5.1", "STD-3.5.2",
    "STD-4.1", "STD-4.1.1", "STD-4.2", "STD-4.3", "STD-4.4", "STD-4.5", "STD-4.6", "STD-4.7",
    "STD-4.8", "STD-4.9",
    "STD-5.1", "STD-5.2", "STD-5.3",
    "STD-6.1", "STD-6.2", "STD-6.3",
    "STD-7.1", "STD-7.2", "STD-7.3", "STD-7.4",
)


def _rows() -> dict[str, str]:
    rows = {}
    for line in (ROOT / "docs" / "traceability.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*(STD-[0-9.–]+)\s*\|", line)
        if m:
            rows[m.group(1)] = line
    return rows


def test_every_clause_of_the_standard_has_a_row():
    assert len(CLAUSES) == 29

    assert set(CLAUSES) - set(_rows()) == set()


def test_every_file_named_in_the_table_exists():
    named = set()
    for line in _rows().values():
        named.update(re.findall(r"`([\w/.-]+\.(?:py|html|md|yml|json))`", line))

    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert missing == []
