#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, from Debian's packages:
# a cluster in target/pg, reachable only through a Unix socket there, trust
# authentication, nothing listening on the network.
#
#   scripts/pg.sh start   # prints the connection string for FENGQIAO_TEST_PG
#   scripts/pg.sh stop
#
# With a second argument `bench`, a separate cluster for benchmarks, set up
# as production would be: durable (fsync on), 2 GB of shared buffers, room
# for bulk loads between checkpoints (target/pg-bench, port 55433).
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${2:-test}"
root="$(pwd)/target/pg"
port=55432
settings="-c fsync=off"
if [ "$mode" = bench ]; then
    root="$(pwd)/target/pg-bench"
    port=55433
    settings="-c shared_buffers=2GB -c max_wal_size=8GB -c checkpoint_timeout=15min -c work_mem=64MB -c maintenance_work_mem=512MB -c effective_cache_size=16GB"
fi
bin=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && bin="$d"; done
[ -n "$bin" ] || bin="$(dirname "$(command -v initdb)")"
# PostgreSQL refuses to run as root: the cluster belongs to `postgres` then.
as() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "${1:-}" in
start)
    if [ ! -f "$root/data/PG_VERSION" ]; then
        mkdir -p "$root/sock"
        [ "$(id -u)" = 0 ] && chown -R postgres "$root"
        as "$bin/initdb" -D "$root/data" -A trust -U postgres --no-sync >/dev/null
    fi
    if ! as "$bin/pg_ctl" -D "$root/data" status >/dev/null 2>&1; then
        as "$bin/pg_ctl" -D "$root/data" -w -l "$root/log" \
            -o "-k $root/sock -p $port -c listen_addresses='' $settings -c max_connections=200" start >/dev/null
    fi
    echo "host=$root/sock port=$port user=postgres dbname=postgres"
    ;;
stop)
    as "$bin/pg_ctl" -D "$root/data" -m fast stop >/dev/null 2>&1 || true
    ;;
*)
    echo "usage: scripts/pg.sh start|stop [bench]" >&2
    exit 2
    ;;
esac
