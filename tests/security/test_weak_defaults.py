"""No key lives in the code or in `.env.example`: a process started without its own keys
refuses to start; production defaults are secure; demo data is not for production. (That
`check --deploy` is clean with the example's production settings: tests/agency/
test_deploy_check.py.)"""

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]
KEYS = ("DJANGO_SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY")


def production_env(**overrides: str) -> dict[str, str]:
    """A production process's environment: real (generated) keys, DEBUG off, nothing read
    from the local `.env` that could fill a gap (each variable is set, even if empty)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FIELD_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "agency.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": base64.urlsafe_b64encode(os.urandom(48)).decode(),
        "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "FIELD_HASH_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "DJANGO_ALLOWED_HOSTS": "portal.example.cn",
        "DJANGO_ALLOW_DEMO": "",
    })
    env.update(overrides)
    return env


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


SETUP = "import django; django.setup(); from django.conf import settings; "


@pytest.mark.parametrize("missing", KEYS)
def test_a_process_without_its_key_refuses_to_start(missing):
    result = run_python(SETUP + "print('started')", production_env(**{missing: ""}))

    assert result.returncode == 1
    assert "started" not in result.stdout
    assert f"ImproperlyConfigured: {missing} is not set." in result.stderr


def test_production_defaults_are_secure():
    result = run_python(
        SETUP + "print(settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS, "
        "settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
        "settings.DEMO_DATA_ALLOWED)",
        production_env(),
    )

    assert result.stdout.split() == ["True", "31536000", "True", "True", "False"]


def test_the_example_environment_ships_no_key():
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    values = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))

    assert {k: values[k] for k in KEYS} == dict.fromkeys(KEYS, "")


@pytest.mark.django_db
def test_seed_demo_refuses_a_production_database(settings):
    settings.DEMO_DATA_ALLOWED = False

    with pytest.raises(CommandError, match="seed_demo refused"):
        call_command("seed_demo")

    from agency.models import User
    assert User.objects.count() == 0


def test_check_deploy_refuses_private_webhook_hosts_in_production():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=production_env(WEBHOOK_ALLOW_HTTP_HOSTS="127.0.0.1"),
        capture_output=True, text=True, timeout=120,
    )

    assert result.returncode == 1
    assert "clients.W001" in result.stderr
