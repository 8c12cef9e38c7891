#!/usr/bin/env bash
# The flagship against naive on every shared city with enough history, next to
# the `peek` ceiling (a blend of the history's and the forecast period's own
# rates, leaving the forecast day out) at four blend weights: how far any
# ranking by stable cell rates could get. Daily windows, 150 m cells.
#
#   scripts/forecast_cities.sh [DATA_DIR]    (default ../shared/data)
set -euo pipefail
data=${1:-../shared/data}
cargo build --release --quiet
bin=target/release/fengqiao
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cities=(
  "chicago chicago_aggravated_assaults.csv.gz 2019-01-01 2019-12-31"
  "nyc-vehicle nyc_vehicle_thefts_2014_2017.csv.gz 2017-01-01 2017-12-31"
  "vancouver vancouver_thefts.csv.gz 2020-07-01 2020-12-31"
  "houston houston_crime_2010.csv.gz 2010-06-01 2010-08-31"
  "cincinnati cincinnati_burglary.csv.gz 2018-01-01 2018-12-31"
)
for c in "${cities[@]}"; do
  read -r profile file from to <<<"$c"
  common=(--input "$data/$file" --profile "$profile" --from "$from" --to "$to" --window day --cell 150 --json)
  "$bin" backtest "${common[@]}" --models naive,fq,seppexp >"$out/$profile.fq.json"
  for f in 0.25 0.5 0.75 1; do
    "$bin" backtest "${common[@]}" --models naive,peek --peek-future-weight "$f" --bootstrap 200 >"$out/$profile.peek$f.json"
  done
done
python3 - "$out" "${cities[@]}" <<'PY'
import json, sys
out, cities = sys.argv[1], [c.split()[0] for c in sys.argv[2:]]
def ratio(model, cov):
    p = next(p for p in model["paired"] if p["against"] == "naive")
    if p["ratio"][cov] is None or p["ratio_ci"][cov] is None:
        lo, hi = p["difference_ci"][cov]
        return f'diff {p["difference"][cov]:+.4f} [{lo:+.4f},{hi:+.4f}]'
    lo, hi = p["ratio_ci"][cov]
    return f'{p["ratio"][cov]:.3f} [{lo:.3f},{hi:.3f}]'
def kept(fq):
    c = fq["params"].get("self_check")
    if not c:
        return "forecast (no self-check)"
    return f'{c["chosen"]:.2f} forecast ({c["captured"][0]} vs naive {c["captured"][-1]} on {c["check_windows"]} check windows)'
# Hit rates are of all events (those outside the study area count as misses); "in area" is the old figure.
print(f'{"city":12} {"events":>7} {"outside":>7} {"naive@5%":>8} {"in area":>7}  {"fq/naive 1%":>20} {"fq/naive 5%":>20} {"fq/naive 10%":>20}  {"ceiling 5% (best blend)":>24} {"seppexp/naive 5%":>20}  fq kept (self-check)')
for c in cities:
    r = json.load(open(f"{out}/{c}.fq.json"))
    naive, fq, seppexp = r["models"][0], r["models"][1], r["models"][2]
    best = max(((json.load(open(f"{out}/{c}.peek{f}.json"))["models"][1], f) for f in ("0.25", "0.5", "0.75", "1")),
               key=lambda m: m[0]["hit_rate"]["0.05"])
    print(f'{c:12} {r["events_total"]:>7} {r["events_outside_study_area"]:>7} {naive["hit_rate"]["0.05"]:>8.3f} {naive["hit_rate_study_area"]["0.05"]:>7.3f}  {ratio(fq,"0.01"):>20} {ratio(fq,"0.05"):>20} '
          f'{ratio(fq,"0.1"):>20}  {ratio(best[0],"0.05"):>18} w={best[1]} {ratio(seppexp,"0.05"):>20}  {kept(fq)}')
PY
