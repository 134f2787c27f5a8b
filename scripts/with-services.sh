#!/usr/bin/env bash
# Starts a throwaway PostgreSQL and Redis on loopback (free ports, a temp dir), exports
# DATABASE_URL / CELERY_BROKER_URL / CELERY_RESULT_BACKEND, runs "$@", then stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "ERROR: $*" >&2; exit 1; }
free_port() { .venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -n "$pgbin" ] && [ -x "$pgbin/initdb" ] || die "PostgreSQL server binaries not found (Debian package postgresql)"
command -v redis-server >/dev/null || die "redis-server not found (Debian package redis-server)"

tmp=$(mktemp -d /tmp/sbportal-services.XXXXXX)
chmod 755 "$tmp"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  # PostgreSQL refuses to run as root: run it as Debian's postgres user
  id postgres >/dev/null 2>&1 || die "no 'postgres' user to run PostgreSQL as"
  mkdir -p "$tmp/pg"; chown postgres "$tmp/pg"
  as_pg=(runuser -u postgres --)
fi

pgport=$(free_port)
redisport=$(free_port)

cleanup() {
  set +e
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$tmp/pg/data" -m immediate stop >/dev/null 2>&1
  [ -f "$tmp/redis.pid" ] && kill "$(cat "$tmp/redis.pid")" 2>/dev/null
  sleep 0.3
  rm -rf "$tmp"
}
trap cleanup EXIT

"${as_pg[@]}" "$pgbin/initdb" -D "$tmp/pg/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 \
  || { cat "$tmp/initdb.log"; die "initdb failed"; }
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$tmp/pg/data" -l "$tmp/pg/server.log" -w -t 30 \
  -o "-h 127.0.0.1 -p $pgport -k $tmp/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null || { cat "$tmp/pg/server.log"; die "PostgreSQL did not start"; }

"${as_pg[@]}" "$pgbin/createdb" -h 127.0.0.1 -p "$pgport" -U postgres sbportal \
  || die "could not create the database"

redis-server --bind 127.0.0.1 --port "$redisport" --save '' --appendonly no \
  --daemonize yes --pidfile "$tmp/redis.pid" --dir "$tmp" --logfile "$tmp/redis.log" \
  || die "Redis did not start"
for _ in $(seq 50); do
  redis-cli -p "$redisport" ping >/dev/null 2>&1 && break
  sleep 0.1
done
redis-cli -p "$redisport" ping >/dev/null 2>&1 || { cat "$tmp/redis.log"; die "Redis does not answer"; }

export DATABASE_URL="postgres://postgres@127.0.0.1:$pgport/sbportal"
export CELERY_BROKER_URL="redis://127.0.0.1:$redisport/0"
export CELERY_RESULT_BACKEND="redis://127.0.0.1:$redisport/1"
echo ">> PostgreSQL on 127.0.0.1:$pgport, Redis on 127.0.0.1:$redisport"
set +e
"$@"
rc=$?
exit $rc
