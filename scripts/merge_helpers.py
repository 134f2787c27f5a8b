"""Resolve the merge conflicts that generated or table files produce.

    python scripts/merge_helpers.py

- a conflicted `*.json` translation table: the union of both sides (theirs wins on a key);
- a conflicted `*.po` file: removed (catalogues are build output, see scripts/i18n.sh).
`--union FILE…` keeps both sides of every conflict block in FILE (route lists, nav links).
Other conflicts are listed for a person to resolve."""

import json
import re
import subprocess
import sys

UNION = re.compile(r"^<<<<<<< [^\n]*\n(.*?)^=======\n(.*?)^>>>>>>> [^\n]*\n", re.S | re.M)


def git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout


def union(path: str) -> None:
    """Keep both sides of every conflict block (route lists, nav links)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(UNION.sub(lambda m: m.group(1) + m.group(2), text))
    git("add", path)
    print("union", path)


def traceability(path: str) -> None:
    """Per clause row in a conflict block, keep the fuller row (the one that says more)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()

    def pick(m: re.Match[str]) -> str:
        rows: dict[str, str] = {}
        order: list[str] = []
        for line in (m.group(1) + m.group(2)).splitlines():
            key = line.split("|")[1].strip() if line.startswith("|") else line
            if key not in rows:
                order.append(key)
            if len(line) > len(rows.get(key, "")):
                rows[key] = line
        return "".join(rows[k] + "\n" for k in order)

    with open(path, "w", encoding="utf-8") as f:
        f.write(UNION.sub(pick, text))
    git("add", path)
    print("traceability", path)


def main() -> None:
    if sys.argv[1:2] == ["--traceability"]:
        for path in sys.argv[2:]:
            traceability(path)
        return
    if sys.argv[1:2] == ["--union"]:
        for path in sys.argv[2:]:
            union(path)
        return
    for line in git("status", "--porcelain").splitlines():
        code, path = line[:2], line[3:]
        if code not in ("UU", "AA", "DU", "UD"):
            continue
        if path.endswith(".po"):
            git("rm", "-q", "--cached", path)
            subprocess.run(["rm", "-f", path], check=True)
            print("removed", path)
        elif path.endswith("zh_Hans.json"):
            ours = json.loads(git("show", f":2:{path}") or "{}")
            theirs = json.loads(git("show", f":3:{path}") or "{}")
            merged = {**ours, **theirs}
            with open(path, "w", encoding="utf-8") as f:
                json.dump(merged, f, ensure_ascii=False, indent=1, sort_keys=True)
                f.write("\n")
            git("add", path)
            print("merged", path, len(merged))
        else:
            print("RESOLVE BY HAND:", path)


if __name__ == "__main__":
    main()
