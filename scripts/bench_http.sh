#!/usr/bin/env bash
# HTTP load benchmark with a real load tool (wrk, Debian package `wrk`):
# the release build on SQLite with the full demo city, incident aggregates
# with an API token at 100 connections (throughput, p50/p90/p99), then twice
# that (200 connections) for a minute counting every error, beside /health
# (no database, no account) as the floor of this machine. wrk runs on the
# same machine, so it takes CPU from the server: figures are conservative.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "needs wrk (apt install wrk)"; exit 1; }
cargo build --release --quiet
bin=target/release/fengqiao
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
"$bin" demo --no-serve --data-dir "$work/d" >/dev/null
token=$("$bin" user token admin --name bench --data-dir "$work/d")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --data-dir "$work/d" --bind "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.1; done
url="http://127.0.0.1:$port/api/v1/incidents/aggregate?by=category_top"
auth="Authorization: Bearer $token"
incidents=$(curl -fsS -H "$auth" "$url" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
echo "incident aggregates over $incidents demo incidents (release build, SQLite), wrk -t2"
run() { # label connections seconds url [header]
    local out
    if [ -n "${5:-}" ]; then out=$(wrk -t2 -c"$2" -d"$3"s --latency -H "$5" "$4"); else out=$(wrk -t2 -c"$2" -d"$3"s --latency "$4"); fi
    local rps p50 p90 p99 non2xx errors
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}'); p90=$(echo "$out" | awk '$1=="90%" {print $2}'); p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    non2xx=$(echo "$out" | awk '/Non-2xx/ {print $4}'); errors=$(echo "$out" | awk '/Socket errors/ {gsub(",",""); print $4+$6+$8+$10}')
    printf "  %-42s %4s conns %3ss  %9s req/s  p50 %8s  p90 %8s  p99 %8s  non-2xx %s  socket errors %s\n" \
        "$1" "$2" "$3" "$rps" "$p50" "$p90" "$p99" "${non2xx:-0}" "${errors:-0}"
    echo "$rps" >"$work/last"
}
run "/health (no database, no account): floor" 100 15 "http://127.0.0.1:$port/health"
floor=$(cat "$work/last")
run "aggregate by category, API token" 100 30 "$url" "$auth"
agg=$(cat "$work/last")
run "the same at twice the connections, 1 minute" 200 60 "$url" "$auth"
python3 -c "print(f'  ratio aggregate / floor: {float(\"$agg\") / float(\"$floor\"):.2f}')"
if grep -qi "panicked" "$work/serve.log"; then cat "$work/serve.log"; exit 1; fi
