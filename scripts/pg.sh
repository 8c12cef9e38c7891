#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, from Debian's packages:
# a cluster in target/pg, reachable only through a Unix socket there, trust
# authentication, nothing listening on the network.
#
#   scripts/pg.sh start   # prints the connection string for FENGQIAO_TEST_PG
#   scripts/pg.sh stop
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)/target/pg"
bin=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && bin="$d"; done
[ -n "$bin" ] || bin="$(dirname "$(command -v initdb)")"
# PostgreSQL refuses to run as root: the cluster belongs to `postgres` then.
as() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
port=55432
case "${1:-}" in
start)
    if [ ! -f "$root/data/PG_VERSION" ]; then
        mkdir -p "$root/sock"
        [ "$(id -u)" = 0 ] && chown -R postgres "$root"
        as "$bin/initdb" -D "$root/data" -A trust -U postgres --no-sync >/dev/null
    fi
    if ! as "$bin/pg_ctl" -D "$root/data" status >/dev/null 2>&1; then
        as "$bin/pg_ctl" -D "$root/data" -w -l "$root/log" \
            -o "-k $root/sock -p $port -c listen_addresses='' -c fsync=off -c max_connections=200" start >/dev/null
    fi
    echo "host=$root/sock port=$port user=postgres dbname=postgres"
    ;;
stop)
    as "$bin/pg_ctl" -D "$root/data" -m fast stop >/dev/null 2>&1 || true
    ;;
*)
    echo "usage: scripts/pg.sh start|stop" >&2
    exit 2
    ;;
esac
