#!/usr/bin/env bash
# The API against outside clients from PyPI: `georeport` (an Open311
# GeoReport v2 client) and `schemathesis` (property-based tests generated
# from the server's own OpenAPI document). Starts a real server on a fresh
# demo database; run by scripts/test after the Rust tests.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/clients-venv
if ! { [ -x "$venv/bin/st" ] && "$venv/bin/python" -c "import numpy" 2>/dev/null; }; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r scripts/clients-requirements.txt
fi

bin=target/ci/fengqiao
[ -x "$bin" ] || cargo build --profile ci --quiet -p fengqiao
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

echo "== the baselines against an independent numpy implementation (naive, retro, prospective, SEPPexp)"
PATH="$PWD/$venv/bin:$PATH" "$bin" bench forecast crates/fengqiao/data/chicago_aggravated_assaults_2019.csv.gz \
    --profile chicago --cell 150 --numpy 2019-07-01,2019-07-31 --json >"$work/numpy.json"
"$venv/bin/python" - "$work/numpy.json" <<'PY'
import json, sys
v = json.loads(open(sys.argv[1]).readline())
bad = []
for m in ("naive", "retro", "prospective", "seppexp"):
    ours, theirs = v[m]["fengqiao_hit_rate_5"], v[m]["numpy_hit_rate_5"]
    print("%-12s hit rate at 5%%: fengqiao %.6f, numpy %.6f" % (m, ours, theirs))
    if abs(ours - theirs) > 1e-12:
        bad.append(m)
for k in ("theta", "omega", "background_share"):
    ours, theirs = v["seppexp"]["fengqiao_" + k], v["seppexp"]["numpy_" + k]
    print("seppexp %-16s fengqiao %.6g, numpy %.6g" % (k, ours, theirs))
    if abs(ours - theirs) > 1e-6 * max(abs(theirs), 1e-12):
        bad.append("seppexp " + k)
sys.exit("disagree: " + ", ".join(bad) if bad else 0)
PY

data="$work/data"
"$bin" demo --no-serve --days 3 --data-dir "$data" >/dev/null
token=$("$bin" user token admin --name clients --data-dir "$data")
key=$("$bin" user open311-key --name clients --data-dir "$data")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --data-dir "$data" --bind "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    sleep 0.1
done

echo "== georeport (Open311 GeoReport v2 client)"
"$venv/bin/python" scripts/open311_clients.py "http://127.0.0.1:$port" "$key"

echo "== schemathesis (the server against its OpenAPI document)"
"$venv/bin/st" run "http://127.0.0.1:$port/api/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance \
    --max-examples 25 --seed 1 --generation-deterministic \
    --exclude-path /api/v1/session --exclude-path /api/v1/me/password

echo "== after the generated requests, every record still matches the log, and the server signed it"
sleep 6
verified=$("$bin" ledger verify --json --data-dir "$data")
echo "$verified" | python3 -c '
import json, sys
v = json.load(sys.stdin)
print("ledger: %d entries, checkpoint %d, ok %s" % (v["entries"], v["checkpoint"]["size"], v["ok"]))
sys.exit(0 if v["ok"] and v["checkpoint"]["size"] == v["entries"] else 1)
'

if grep -qi "panicked" "$work/serve.log"; then
    echo "the server panicked:"; cat "$work/serve.log"; exit 1
fi
