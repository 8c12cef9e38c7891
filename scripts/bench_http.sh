#!/usr/bin/env bash
# HTTP load benchmark with a real load tool (wrk, Debian package `wrk`):
# the release build on SQLite with the full demo city. First /health (no
# database, no account) as the floor of this machine, then the calls the
# command centre's map really makes (cell aggregate, the forecast's top
# share, the plan's GeoJSON, the Open311 list) with an API token, each at
# 50 and 200 connections, reported as req/s, p50, p99 and the ratio to
# /health in the same run. The map asks with `Accept-Encoding: gzip`, as a
# browser does. Then the cache-key attack (many distinct expensive
# questions) and the server's resident memory after it. wrk runs on the
# same machine, so it takes CPU from the server: figures are conservative.
#
#   scripts/bench_http.sh            # 20 s per run
#   BENCH_SECONDS=5 scripts/bench_http.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "needs wrk (apt install wrk)"; exit 1; }
seconds="${BENCH_SECONDS:-20}"
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
base="http://127.0.0.1:$port"
auth="Authorization: Bearer $token"
gzip="Accept-Encoding: gzip"
rss() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$server/status"; }
incidents=$(curl -fsS -H "$auth" "$base/api/v1/incidents/aggregate?by=category_top" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
echo "the map's calls over $incidents demo incidents (release build, SQLite), wrk -t2, ${seconds} s per run"
# label connections url [headers...]; prints a line and keeps req/s in $work/last
run() {
    local label=$1 conns=$2 url=$3 out
    shift 3
    local headers=()
    for h in "$@"; do headers+=(-H "$h"); done
    out=$(wrk -t2 -c"$conns" -d"${seconds}s" --latency "${headers[@]}" "$url")
    local rps p50 p99 non2xx errors
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}'); p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    non2xx=$(echo "$out" | awk '/Non-2xx/ {print $4}'); errors=$(echo "$out" | awk '/Socket errors/ {gsub(",",""); print $4+$6+$8+$10}')
    local ratio=""
    [ -n "${floor:-}" ] && ratio=$(python3 -c "print(f'{float(\"$rps\") / float(\"$floor\"):.2f}')")
    printf "  %-34s %3s conns %10s req/s  p50 %8s  p99 %8s  ratio to /health %5s  non-2xx %s  socket errors %s\n" \
        "$label" "$conns" "$rps" "$p50" "$p99" "${ratio:--}" "${non2xx:-0}" "${errors:-0}"
    echo "$rps" >"$work/last"
}
floor=""
run "/health (floor)" 50 "$base/health"
floor=$(cat "$work/last")
declare -A calls=(
    ["aggregate by=cell (419 KB)"]="$base/api/v1/incidents/aggregate?by=cell&cell=250"
    ["forecasts/latest?top=0.05"]="$base/api/v1/forecasts/latest?top=0.05"
    ["plans/latest?format=geojson"]="$base/api/v1/plans/latest?format=geojson"
    ["open311 requests.json"]="$base/open311/v2/requests.json"
)
for conns in 50 200; do
    for label in "aggregate by=cell (419 KB)" "forecasts/latest?top=0.05" "plans/latest?format=geojson" "open311 requests.json"; do
        url=${calls[$label]}
        curl -fsS -o /dev/null -H "$auth" "$url" || { echo "$label: $url failed"; exit 1; }
        run "$label" "$conns" "$url" "$auth" "$gzip"
    done
done
run "/health at 200 connections" 200 "$base/health"
# A client that takes no compression (wrk's and curl's default) gets the whole 419 KB.
run "aggregate by=cell, not compressed" 50 "${calls["aggregate by=cell (419 KB)"]}" "$auth"
# The cache-key attack: distinct expensive questions, as fast as one client may ask.
before=$(rss)
python3 - "$base" "$token" <<'EOF'
import sys, urllib.request, concurrent.futures, datetime
base, token = sys.argv[1], sys.argv[2]
def ask(i):
    day = datetime.date(2025, 1, 1) + datetime.timedelta(days=i)
    url = f"{base}/api/v1/incidents/aggregate?by=cell&cell=50&from={day}"
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    codes = list(pool.map(ask, range(300)))
print(f"  cache-key attack: 300 distinct cell aggregates (50 m cells, one start day each): "
      f"{codes.count(200)} answered, {codes.count(429)} refused busy (429), other {len(codes) - codes.count(200) - codes.count(429)}")
EOF
echo "  server memory: ${before} MiB before the attack, $(rss) MiB after (target < 300 MiB)"
if grep -qi "panicked" "$work/serve.log"; then cat "$work/serve.log"; exit 1; fi
