"""`manage.py check --deploy` passes with the production environment of .env.example."""

import base64
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _env_example() -> dict[str, str]:
    env = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    return env


def test_check_deploy_passes_with_env_example():
    env = {**os.environ, **_env_example()}
    # the example ships no key (tests/security/test_weak_defaults.py): a deployment makes its own
    env.update({"DJANGO_SECRET_KEY": base64.urlsafe_b64encode(os.urandom(48)).decode(),
                "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
                "FIELD_HASH_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode()})
    env["DATABASE_URL"] = os.environ["DATABASE_URL"]  # the example's host does not resolve here
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_env_example_lists_every_variable_the_settings_read():
    settings_src = (ROOT / "agency" / "settings.py").read_text()
    import re

    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', settings_src))
    listed = set(_env_example())

    assert read - listed == set()
