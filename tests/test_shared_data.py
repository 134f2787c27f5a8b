"""The project ships its own copies of what it needs from `../shared` (the product reads
nothing outside its repository). This is the one test that looks beside the project: when
the shared folder is there, the shipped policy data must equal the published file (an
update of the shared data fails here until the copy is refreshed), and the standard's
clauses must be the ones the traceability table lists. On a clone without `../shared` it
says it was not run."""

import json
import re
from pathlib import Path

import pytest

from policies.policy_file import POLICY_FILE
from tests.test_traceability import CLAUSES

SHARED = Path(__file__).resolve().parents[2] / "shared"


def test_the_shipped_copies_match_the_shared_folder():
    if not SHARED.is_dir():
        pytest.skip(f"not run: {SHARED} does not exist (a clone of the project alone)")
    published = json.loads((SHARED / "data" / "city-policies.json").read_text(encoding="utf-8"))
    requirements = (SHARED / "docs" / "requirements.md").read_text(encoding="utf-8")

    shipped = json.loads(POLICY_FILE.read_text(encoding="utf-8"))

    assert shipped == published, (
        f"{POLICY_FILE} differs from the shared data file: copy it again "
        f"(cp ../shared/data/city-policies.json {POLICY_FILE.relative_to(POLICY_FILE.parents[2])})"
    )
    assert set(re.findall(r"^\|\s*(STD-[0-9.–]+)\s*\|", requirements, flags=re.MULTILINE)) == (
        set(CLAUSES)
    )
