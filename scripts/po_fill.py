"""Fill empty msgstr entries of .po catalogues from a JSON table {msgid: translation}.

    .venv/bin/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var \
        --no-location --no-wrap
    .venv/bin/python scripts/po_fill.py locale/zh_Hans.json

Every django.po under the project is filled; entries already translated are kept. A fuzzy
entry (msgmerge's guess from a similar msgid, which compilemessages skips) is filled from the
table, without its flag and previous msgid, or reported as untranslated. Prints the
msgids still untranslated so that none slips through."""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# An entry: its flags (`#, fuzzy, python-format`), the previous msgid (`#| msgid ...`)
# msgmerge adds when it guesses a new msgid's translation from a similar old one, then
# msgid and msgstr.
ENTRY = re.compile(
    r'(#, .*\n)?((?:#\| .*\n)*)(msgid "((?:[^"\\]|\\.)*)"\nmsgstr ")((?:[^"\\]|\\.)*)(")'
)


def fill(po: Path, table: dict[str, str]) -> list[str]:
    text = po.read_text(encoding="utf-8")
    missing: list[str] = []

    def sub(m: re.Match[str]) -> str:
        flags = [f.strip() for f in (m.group(1) or "")[2:].split(",") if f.strip()]
        fuzzy, msgid, msgstr = "fuzzy" in flags, m.group(4), m.group(5)
        if not msgid:
            return m.group(0)
        key = msgid.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        if msgstr and not fuzzy:
            return m.group(0)
        # untranslated, or a fuzzy guess (never compiled, often wrong): the table decides
        if key in table:
            value = table[key].replace("\\", "\\\\").replace('"', '\\"')
            kept = [f for f in flags if f != "fuzzy"]
            head = f"#, {', '.join(kept)}\n" if kept else ""
            return f"{head}{m.group(3)}{value}{m.group(6)}"
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
