"""Chinese first: every UI string has a zh-Hans translation.

The catalogues are built by scripts/i18n.sh (run by make run / make test) from the code
and the JSON tables; it writes the strings it could not translate to var/untranslated.txt."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_no_ui_string_lacks_a_chinese_translation():
    report = ROOT / "var" / "untranslated.txt"
    assert report.exists(), "run 'make test' (scripts/i18n.sh builds the catalogues)"

    assert report.read_text(encoding="utf-8").splitlines() == []
