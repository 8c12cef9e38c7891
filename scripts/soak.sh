#!/usr/bin/env bash
# Soak test: the release build on SQLite with the full demo city under wrk
# for SECONDS (default 600) at 50 connections, one request in twenty a write
# (scripts/soak.lua). Samples the server's resident memory and fails on any
# error answer, any socket error, a panic, memory at the end more than 20%
# above its level after the first third of the run (the warm-up: caches
# filling), or a ledger that no longer verifies.
#
#   scripts/soak.sh          # 10 minutes
#   scripts/soak.sh 60
#   SOAK_PG="host=/tmp port=5432 user=postgres dbname=postgres" scripts/soak.sh
#                            # the same on PostgreSQL (a fresh database on that server)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
command -v wrk >/dev/null || { echo "needs wrk (apt install wrk)"; exit 1; }
cargo build --release --quiet
bin=target/release/fengqiao
work=$(mktemp -d)
server=""
backend=SQLite
unset FENGQIAO_DB
if [ -n "${SOAK_PG:-}" ]; then
    soak_db="fengqiao_soak_$$"
    psql "$SOAK_PG" -qc "CREATE DATABASE $soak_db"
    # Every command below (demo, user, serve, ledger) then works on it.
    export FENGQIAO_DB="$(echo "$SOAK_PG" | sed 's/dbname=[^ ]*//') dbname=$soak_db"
    backend=PostgreSQL
fi
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null
    [ -n "${soak_db:-}" ] && psql "$SOAK_PG" -qc "DROP DATABASE IF EXISTS $soak_db WITH (FORCE)"
    rm -rf "$work"
}
trap cleanup EXIT
"$bin" demo --no-serve --data-dir "$work/d" >/dev/null
export FQ_TOKEN=$("$bin" user token commander --name soak --data-dir "$work/d")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Two malloc arenas, as recommended for production (README): glibc's default
# of eight per core lets a busy server's heap sprawl across arenas.
MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" "$bin" serve --data-dir "$work/d" --bind "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.1; done
rss() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
every=$(( seconds >= 300 ? 10 : 2 ))
( while kill -0 "$server" 2>/dev/null; do echo "$(date +%s) $(rss)" >>"$work/rss"; sleep "$every"; done ) &
sampler=$!
echo "soak: ${seconds} s, 50 connections, 1 write in 20 (release build, $backend, full demo city)"
out=$(wrk -t2 -c50 -d"${seconds}"s --latency -s scripts/soak.lua "http://127.0.0.1:$port")
kill "$sampler" 2>/dev/null || true
echo "$out" | grep -E "Requests/sec|requests in|Non-2xx|Socket errors|50%|99%" | sed 's/^/  /'
python3 - "$work/rss" <<'PY'
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 2]
t0 = rows[0][0]
span = rows[-1][0] - t0
first = [r for t, r in rows if t - t0 >= span / 3][:1] or [rows[0][1]]
last = rows[-1][1]
peak = max(r for _, r in rows)
series = [f"{r/1024:.0f}" for i, (t, r) in enumerate(rows) if i % max(1, len(rows) // 12) == 0]
print("  memory (RSS, MiB) over the run: " + " ".join(series))
print(f"  memory (RSS): after warm-up {first[0]/1024:.0f} MiB, at the end {last/1024:.0f} MiB, peak {peak/1024:.0f} MiB, ratio end/warm-up {last/first[0]:.2f}")
sys.exit(0 if last <= first[0] * 1.2 else 1)
PY
non2xx=$(echo "$out" | awk '/Non-2xx/ {print $4}')
errors=$(echo "$out" | awk '/Socket errors/ {gsub(",",""); print $4+$6+$8+$10}')
[ -z "$non2xx" ] || { echo "soak: $non2xx error answers"; exit 1; }
[ -z "$errors" ] || [ "$errors" = 0 ] || { echo "soak: $errors socket errors"; exit 1; }
if grep -qi "panicked" "$work/serve.log"; then cat "$work/serve.log"; exit 1; fi
sleep 6 # the server signs a checkpoint every 5 s
kill "$server"; wait "$server" 2>/dev/null || true; server=""
"$bin" ledger verify --data-dir "$work/d" | sed 's/^/  /'
if [ -n "${soak_db:-}" ]; then
    written=$(psql "$FENGQIAO_DB" -Atc "SELECT count(*) FROM cases WHERE title = 'soak'" 2>/dev/null || echo "?")
else
    written=$(sqlite3 "$work/d/fengqiao.sqlite" "SELECT count(*) FROM cases WHERE title = 'soak'" 2>/dev/null || echo "?")
fi
echo "  hazards written during the soak: $written"
