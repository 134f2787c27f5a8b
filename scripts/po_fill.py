"""Fill empty msgstr entries of .po catalogues from a JSON table {msgid: translation}.

    .venv/bin/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var \
        --no-location --no-wrap
    .venv/bin/python scripts/po_fill.py locale/zh_Hans.json

Every django.po under the project is filled; entries already translated are kept. A fuzzy
entry (msgmerge's guess from a similar msgid, which compilemessages skips) is filled from the
table, without its flag and previous msgid, or reported as untranslated. Prints the
msgids still untranslated so that none slips through.

A msgid with a context (`pgettext("enrolment status", "Active")`) is looked up as
"enrolment status\u0004Active" (gettext's own way of joining them), so one English word
can have two Chinese ones: an enrolment is 在保 where a contract is 有效."""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# An entry: its flags (`#, fuzzy, python-format`), the previous context and msgid
# (`#| msgid ...`) msgmerge adds when it guesses a new msgid's translation from a similar
# old one, then its context, msgid and msgstr.
ENTRY = re.compile(
    r'(#, .*\n)?((?:#\| .*\n)*)((?:msgctxt "((?:[^"\\]|\\.)*)"\n)?'
    r'msgid "((?:[^"\\]|\\.)*)"\nmsgstr ")((?:[^"\\]|\\.)*)(")'
)


def _text(po_string: str) -> str:
    return po_string.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")


def fill(po: Path, table: dict[str, str]) -> list[str]:
    text = po.read_text(encoding="utf-8")
    missing: list[str] = []

    def sub(m: re.Match[str]) -> str:
        flags = [f.strip() for f in (m.group(1) or "")[2:].split(",") if f.strip()]
        context, msgid, msgstr = m.group(4), m.group(5), m.group(6)
        fuzzy = "fuzzy" in flags
        if not msgid:
            return m.group(0)
        key = _text(msgid) if context is None else f"{_text(context)}\x04{_text(msgid)}"
        if msgstr and not fuzzy:
            return m.group(0)
        # untranslated, or a fuzzy guess (never compiled, often wrong): the table decides
        if key in table:
            value = table[key].replace("\\", "\\\\").replace('"', '\\"')
            kept = [f for f in flags if f != "fuzzy"]
            head = f"#, {', '.join(kept)}\n" if kept else ""
            return f"{head}{m.group(3)}{value}{m.group(7)}"
        missing.append(key)
        return m.group(0)

    po.write_text(ENTRY.sub(sub, text), encoding="utf-8")
    return missing


def main() -> int:
    table: dict[str, str] = {}
    for path in sys.argv[1:] or [str(ROOT / "locale" / "zh_Hans.json")]:
        table.update(json.loads(Path(path).read_text(encoding="utf-8")))
    missing_all = []
    for po in sorted(ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")):
        if ".venv" in po.parts:
            continue
        missing_all += [f"{po.relative_to(ROOT)}: {m}" for m in fill(po, table)]
    for line in missing_all:
        print("untranslated:", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
