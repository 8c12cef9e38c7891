#!/usr/bin/env bash
# Fuzzes the parsers that read outside input (cargo-fuzz, libFuzzer, on
# nightly): the CSV importer, the Open311 request form and list writers, the transparency
# log's checkpoint, note, cosignature, tile-path and proof parsers, and the
# configuration loaders. First replays every input that ever crashed one.
#
#   scripts/fuzz.sh            # 300 s per target
#   scripts/fuzz.sh 15         # what the test command runs
#   scripts/fuzz.sh 3600 csv_import
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(csv_import open311_form open311_writers tlog_parsers tlog_proofs config)

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal
fi
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --version 0.13.2 --locked
fi

cargo +nightly fuzz build -O
for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t"
    if [ -d "fuzz/regressions/$t" ]; then
        echo "== $t: replaying earlier crashes"
        cargo +nightly fuzz run -O "$t" "fuzz/regressions/$t" -- -runs=0
    fi
    seeds=()
    [ -d "fuzz/seeds/$t" ] && seeds=("fuzz/seeds/$t")
    echo "== $t: ${seconds} s"
    cargo +nightly fuzz run -O "$t" "fuzz/corpus/$t" "${seeds[@]}" -- \
        -max_total_time="$seconds" -print_final_stats=1 2>&1 | grep -E "^(Done|stat::number_of_executed_units|SUMMARY|==[0-9]+==ERROR)|panicked" || true
    if ls "fuzz/artifacts/$t"/crash-* >/dev/null 2>&1; then
        echo "fuzz target $t crashed: inputs in fuzz/artifacts/$t; move them to fuzz/regressions/$t once fixed" >&2
        exit 1
    fi
done
