#!/usr/bin/env bash
# Sets up everything the portal needs on a fresh Debian machine, and reuses what is there.
#   scripts/bootstrap.sh run    -> packages for serving (WeasyPrint, CJK font, gettext)
#   scripts/bootstrap.sh test   -> plus PostgreSQL, Redis, Chromium, poppler-utils
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"

pkgs=(python3-venv fonts-wqy-microhei libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 gettext
      postgresql-client)  # pg_dump / pg_restore for make backup / restore
if [ "$mode" = "test" ]; then
  pkgs+=(postgresql redis-server chromium poppler-utils wrk)  # wrk: make bench's API load
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo ">> installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo ">> creating .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.requirements.sha
want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo ">> installing Python packages"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -r requirements-dev.txt
  echo "$want" > "$stamp"
fi

if [ ! -f .env ]; then
  echo ">> writing .env for local use (DEBUG on, SQLite, filesystem broker)"
  key=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')
  fkey=$(.venv/bin/python -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')
  cat > .env <<ENV
DJANGO_DEBUG=true
DJANGO_SECRET_KEY=$key
FIELD_ENCRYPTION_KEYS=$fkey
FIELD_HASH_KEY=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')
DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
ENV
fi
# a .env written before FIELD_HASH_KEY was required hashed ID numbers with its SECRET_KEY:
# keep that key for the hash so the stored lookups still match
if ! grep -q '^FIELD_HASH_KEY=' .env; then
  echo "FIELD_HASH_KEY=$(sed -n 's/^DJANGO_SECRET_KEY=//p' .env | head -1)" >> .env
fi

mkdir -p var/staticfiles var/media var/log var/broker/queue var/broker/processed var/broker/control var/celery-results

# build the zh-Hans catalogues from the JSON translation tables
bash scripts/i18n.sh
