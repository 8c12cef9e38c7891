"""Independent, vectorised numpy implementation of the near-repeat Knox test
as `crates/forecast/src/knox.rs` runs it (the Near Repeat Calculator's
bands, coordinates in single precision), used by `fengqiao bench
near-repeat --numpy` as the speed baseline and as a cross-check of the
observed table.

The same method, vectorised: pairs closer than the last finite space band
are found once (in blocks of rows, by broadcasting), pairs per time band
over all pairs come from the day counts, and each shuffle of the days is
one gather and one bincount over the close pairs.

Input: a directory with events.csv (x, y, day) and params.json
(space_band, space_bands, time_band, time_bands, iterations, distance, seed).
Output: one JSON object on stdout.
"""
import json, sys, time
import numpy as np

d = sys.argv[1]
ev = np.loadtxt(f"{d}/events.csv", delimiter=",", ndmin=2)
p = json.load(open(f"{d}/params.json"))
x, y = ev[:, 0].astype(np.float32), ev[:, 1].astype(np.float32)
day = ev[:, 2].astype(np.int64)
n = len(day)
w, sb, tb, tbands = p["space_band"], p["space_bands"], p["time_band"], p["time_bands"]
reach = np.float32(w * sb)
rows, cols = sb + 2, tbands + 1


def time_col(apart):
    return np.minimum(apart // tb, tbands)


start = time.perf_counter()
# Close pairs, a block of rows at a time against every later event.
pi, pj, prow = [], [], []
block = max(1, 4_000_000 // max(n, 1))
for lo in range(0, n, block):
    hi = min(n, lo + block)
    i = np.arange(lo, hi)[:, None]
    j = np.arange(n)[None, :]
    dx = np.abs(x[lo:hi, None] - x[None, :])
    dy = np.abs(y[lo:hi, None] - y[None, :])
    dist = dx + dy if p["distance"] == "manhattan" else np.hypot(dx, dy)
    keep = (j > i) & (dist < reach)
    ii, jj = np.nonzero(keep)
    dd = dist[ii, jj]
    row = np.where(dd == 0, 0, 1 + (dd.astype(np.float64) // w).astype(np.int64))
    pi.append(ii + lo)
    pj.append(jj)
    prow.append(row)
pi, pj, prow = np.concatenate(pi), np.concatenate(pj), np.concatenate(prow)

# Pairs per time band over all pairs, from the days' counts.
days, counts = np.unique(day, return_counts=True)
by_time = np.zeros(cols, dtype=np.int64)
apart = np.abs(days[:, None] - days[None, :])
weight = np.triu(np.outer(counts, counts), 1)
by_time += np.bincount(time_col(apart).ravel(), weights=weight.ravel(), minlength=cols).astype(np.int64)
by_time[0] += int((counts * (counts - 1) // 2).sum())


def table(dd):
    c = time_col(np.abs(dd[pi] - dd[pj]))
    t = np.bincount(prow * cols + c, minlength=rows * cols).reshape(rows, cols)
    t[rows - 1] = by_time - t[: rows - 1].sum(axis=0)
    return t


observed = table(day)
rng = np.random.default_rng(p["seed"])
total = np.zeros((rows, cols), dtype=np.int64)
at_least = np.zeros((rows, cols), dtype=np.int64)
for _ in range(p["iterations"]):
    sim = table(rng.permutation(day))
    total += sim
    at_least += sim >= observed
seconds = time.perf_counter() - start
print(json.dumps({
    "numpy": np.__version__,
    "seconds": seconds,
    "close_pairs": int(len(pi)),
    "observed": observed.tolist(),
    "expected": (total / p["iterations"]).tolist(),
    "p_value": ((1 + at_least) / (p["iterations"] + 1)).tolist(),
}))
