"""Run a script on a throwaway SQLite file (the `make run` default) in a process of its
own: the suite runs on PostgreSQL, so what differs on SQLite (raw SQL, triggers) is
checked this way. The script prints its findings as JSON on its last line."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def run_on_sqlite(script: str, database: Path) -> Any:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}",
           "DJANGO_SETTINGS_MODULE": "agency.settings"}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, timeout=600, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
