"""Independent, vectorised numpy implementation of three baselines
(naive all-history, retrospective quartic hot spot, prospective
Bowers-Johnson), used by `fengqiao bench forecast --numpy` as the speed
baseline and as a cross-check of the Rust models' hit rates.

Input: a directory written by fengqiao with events.csv (t_days, cell, x, y),
windows.csv (start, end) and grid.json (cols, rows, cell_m, origin, valid).
Output: one JSON object on stdout.
"""
import json, sys, time
import numpy as np

d = sys.argv[1]
ev = np.loadtxt(f"{d}/events.csv", delimiter=",", ndmin=2)
win = np.loadtxt(f"{d}/windows.csv", delimiter=",", ndmin=2)
g = json.load(open(f"{d}/grid.json"))
cols, rows, cell_m = g["cols"], g["rows"], g["cell_m"]
ox, oy = g["origin"]
valid = np.array(g["valid"], dtype=np.int64)
t, cell, x, y = ev[:, 0], ev[:, 1].astype(np.int64), ev[:, 2], ev[:, 3]
ncell = cols * rows
k5 = int(np.ceil(0.05 * len(valid)))


def score(pred, lo, hi):
    actual = np.bincount(cell[lo:hi], minlength=ncell)
    order = np.lexsort((valid, -pred[valid]))  # descending, ties by cell index
    top = valid[order[:k5]]
    # Every event of the window counts, those in cells outside the study area as misses.
    return actual[top].sum(), hi - lo


def run(name, forecast):
    start = time.perf_counter()
    cap = tot = 0
    for s, e in win:
        lo, hi = np.searchsorted(t, s), np.searchsorted(t, e)
        c, n = score(forecast(s, lo), lo, hi)
        cap += c
        tot += n
    return {"seconds": time.perf_counter() - start, "hit_rate_5": cap / max(tot, 1)}


def naive(s, lo):
    return np.bincount(cell[:lo], minlength=ncell).astype(float)


# Stencil for the quartic kernel (radius 300 m) and the prospective weights (4 cells).
cc = (np.arange(ncell) % cols)
rr = (np.arange(ncell) // cols)
R = int(np.ceil(300.0 / cell_m)) + 1
dc, dr = np.meshgrid(np.arange(-R, R + 1), np.arange(-R, R + 1))
dc, dr = dc.ravel(), dr.ravel()


def retro(s, lo):
    m = np.searchsorted(t, s - 60.0)
    ex, ey = x[m:lo], y[m:lo]
    col = np.floor((ex - ox) / cell_m).astype(np.int64)[:, None] + dc[None, :]
    row = np.floor((ey - oy) / cell_m).astype(np.int64)[:, None] + dr[None, :]
    ok = (col >= 0) & (col < cols) & (row >= 0) & (row < rows)
    cx, cy = ox + (col + 0.5) * cell_m, oy + (row + 0.5) * cell_m
    dist = np.hypot(cx - ex[:, None], cy - ey[:, None])
    w = np.where(ok & (dist < 300.0), (1 - (dist / 300.0) ** 2) ** 2, 0.0)
    out = np.zeros(ncell)
    np.add.at(out, np.where(ok, row * cols + col, 0).ravel(), w.ravel())
    return out


S = 4
pc, pr = np.meshgrid(np.arange(-S, S + 1), np.arange(-S, S + 1))
pc, pr = pc.ravel(), pr.ravel()
cheb = np.maximum(np.abs(pc), np.abs(pr))


def prospective(s, lo):
    m = np.searchsorted(t, s - 7.0 * 9)
    weeks = np.floor((s - t[m:lo]) / 7.0)
    keep = weeks <= 8
    ecell = cell[m:lo][keep]
    weeks = weeks[keep]
    col = (ecell % cols)[:, None] + pc[None, :]
    row = (ecell // cols)[:, None] + pr[None, :]
    ok = (col >= 0) & (col < cols) & (row >= 0) & (row < rows)
    w = np.where(ok, 1.0 / ((1.0 + cheb[None, :]) * (1.0 + weeks[:, None])), 0.0)
    out = np.zeros(ncell)
    np.add.at(out, np.where(ok, row * cols + col, 0).ravel(), w.ravel())
    return out


print(json.dumps({"numpy": np.__version__, "naive": run("naive", naive), "retro": run("retro", retro),
                  "prospective": run("prospective", prospective)}))
