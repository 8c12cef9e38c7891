"""Independent, vectorised numpy implementation of four baselines
(naive all-history, retrospective quartic hot spot, prospective
Bowers-Johnson, and the grid SEPP of Mohler et al. 2015 as open_cp's
SEPPexp fits it), used by `fengqiao bench forecast --numpy` as the speed
baseline and as a cross-check of the Rust models' hit rates (and, for
SEPPexp, of the fitted parameters).

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


# SEPPexp: per-cell background mu_c and an exponential trigger theta*omega*exp(-omega*dt)
# within the cell, fitted by EM on the two years before the first window from
# open_cp's starting point (theta 0.5, omega 1 a day, mu 0.5 a minute), 40
# iterations. The E-step runs on every (earlier, later) pair of a cell at once.
first_window = win[0, 0]
hist_end = np.searchsorted(t, first_window)
t_last = t[hist_end - 1]
lo_fit = np.searchsorted(t, t_last - 730.0)
ft, fc = t[lo_fit:hist_end] - t[lo_fit], cell[lo_fit:hist_end]
duration = max(ft[-1] - ft[0], 1e-9) if len(ft) else 1e-9
order = np.lexsort((ft, fc))
ft, fc = ft[order], fc[order]
# Pairs (i, j), i before j, in the same cell: by runs of equal cells.
starts = np.flatnonzero(np.r_[True, fc[1:] != fc[:-1]])
sizes = np.diff(np.r_[starts, len(fc)])
pi, pj = [], []
for s0, n in zip(starts, sizes):
    if n > 1:
        a, b = np.triu_indices(n, k=1)
        pi.append(s0 + a)
        pj.append(s0 + b)
pi = np.concatenate(pi) if pi else np.zeros(0, dtype=np.int64)
pj = np.concatenate(pj) if pj else np.zeros(0, dtype=np.int64)
gap = ft[pj] - ft[pi]


def fit_seppexp(iterations=40):
    theta, omega = 0.5, 1.0
    mu = np.full(ncell, 0.5 * 24.0 * 60.0)
    share = 1.0
    for _ in range(iterations):
        k = theta * omega * np.exp(-omega * gap)
        total = mu[fc] + np.bincount(pj, weights=k, minlength=len(fc))
        ok = total > 0
        p = k / total[pj]
        p = np.where(ok[pj], p, 0.0)
        diag = np.where(ok, mu[fc] / np.where(ok, total, 1.0), 0.0)
        triggered, weighted = p.sum(), (p * gap).sum()
        omega = triggered / weighted if weighted > 0 else omega
        theta = triggered / max(len(fc), 1)
        mu = np.bincount(fc, weights=diag, minlength=ncell) / duration
        share = diag.sum() / max(len(fc), 1)
    return theta, omega, mu, share


sepp_fit = {}


def seppexp(s, lo):
    if not sepp_fit:
        start = time.perf_counter()
        theta, omega, mu, share = fit_seppexp()
        sepp_fit.update(theta=theta, omega=omega, mu=mu, share=share, seconds=time.perf_counter() - start)
    f = sepp_fit
    # The intensity at the window's start: background plus every earlier incident's trigger.
    excite = np.bincount(cell[:lo], weights=np.exp(-f["omega"] * (s - t[:lo])), minlength=ncell)
    return f["mu"] + f["theta"] * f["omega"] * excite


result = {"numpy": np.__version__, "naive": run("naive", naive), "retro": run("retro", retro),
          "prospective": run("prospective", prospective), "seppexp": run("seppexp", seppexp)}
result["seppexp"].update(theta=sepp_fit["theta"], omega=sepp_fit["omega"], background_share=sepp_fit["share"],
                         events=int(len(fc)))
print(json.dumps(result))
