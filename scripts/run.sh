#!/usr/bin/env bash
# Migrates, seeds demo data, starts a Celery worker and beat, and serves on 127.0.0.1:$PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
PY=.venv/bin/python
# The local demo logs staff in with their password only: its demo users have no
# authenticator app. Production keeps STAFF_OTP_REQUIRED=true (the default); set it
# here too to try the two-factor pages (/staff/two-factor/setup/).
export STAFF_OTP_REQUIRED="${STAFF_OTP_REQUIRED:-false}"
mkdir -p var/log
$PY manage.py migrate --noinput -v 0
$PY manage.py seed_demo
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
.venv/bin/celery -A agency worker --loglevel=INFO --concurrency=1 --pool=solo >var/log/worker.log 2>&1 &
pids+=($!)
.venv/bin/celery -A agency beat --loglevel=INFO --schedule=var/celerybeat-schedule >var/log/beat.log 2>&1 &
pids+=($!)
cat <<TXT

  社保代理服务平台 is running at  http://127.0.0.1:$PORT/
    staff UI      http://127.0.0.1:$PORT/staff/
    client portal http://127.0.0.1:$PORT/portal/
    API docs      http://127.0.0.1:$PORT/api/docs/
    back-office   http://127.0.0.1:$PORT/admin/
  Celery worker and beat log to var/log/.
  Two-factor codes for admin/manager/service_rep: STAFF_OTP_REQUIRED=$STAFF_OTP_REQUIRED
  (off in this demo; production requires them).
TXT
$PY manage.py demo_logins
$PY manage.py runserver "127.0.0.1:$PORT" --noreload
