// The accuracy panel of the map page: the last weeks replayed (each day
// forecast from the incidents before it) by counting and the flagship, their
// hit-rate curves beside the ceiling that sees the future, so an analyst or a
// commander sees how good the forecast is and how much room there was.
"use strict";

const ACCURACY_I18N = {
  zh: {
    title: "预测准确度：最近几周的回测", run: (n) => `回测最近 ${n} 天`, running: "回测中…",
    models: { naive: "历史计数", fq: "枫桥模型", peek: "上限（偷看未来）" },
    x: "巡逻覆盖的网格比例", y: "命中率（落入前列网格的警情比例）",
    verdict: (r, lo, hi) => `5% 覆盖时枫桥模型命中为历史计数的 ${r} 倍（95% 区间 ${lo}–${hi}）`,
    verdict_diff: (d, lo, hi) => `5% 覆盖时枫桥模型比历史计数多命中 ${d} 个百分点（95% 区间 ${lo}–${hi}）`,
    room: (c) => `上限在 5% 覆盖时为 ${c}：这是任何只看历史的方法都够不着的余地`,
    period: (from, to, n, w) => `${from} 至 ${to}，${n} 个${w === "shift" ? "班次" : "日"}时段，全部警情计入分母（落在研判区外的也算未命中）`,
    none: "回测需要预测期之前的警情：数据不足时无法回测。",
  },
  en: {
    title: "Forecast accuracy: the last weeks replayed", run: (n) => `Replay the last ${n} days`, running: "replaying…",
    models: { naive: "counting (naive)", fq: "Fengqiao model (fq)", peek: "ceiling (peek: sees the future)" },
    x: "share of cells patrolled", y: "hit rate (share of incidents in the top cells)",
    verdict: (r, lo, hi) => `At 5 % coverage the Fengqiao model captured ${r} times what counting did (95 % interval ${lo}–${hi})`,
    verdict_diff: (d, lo, hi) => `At 5 % coverage the Fengqiao model captured ${d} points more than counting (95 % interval ${lo}–${hi})`,
    room: (c) => `The ceiling reaches ${c} at 5 %: room no method that reads only the past can reach`,
    period: (from, to, n, w) => `${from} to ${to}, ${n} ${w === "shift" ? "shifts" : "days"}; every incident counts (those outside the study area as misses)`,
    none: "The replay needs incidents before the period: there are too few.",
  },
};

const ta = (key) => ACCURACY_I18N[state.lang][key];

/// Labels the panel `#accuracy` in the page's language and wires its button.
function accuracyPanel(dataset) {
  const box = $("accuracy");
  if (!box || !state.me.permissions.includes("forecasts.read")) { if (box) box.hidden = true; return; }
  box.hidden = false;
  $("accuracy-title").textContent = ta("title");
  // Four weeks, or half the data's days when it is younger (the other half to learn from).
  const ds = state.datasets.find((d) => d.name === dataset);
  const age = ds && ds.first_at ? Math.floor((Date.now() - Date.parse(ds.first_at)) / 864e5) : 56;
  const days = Math.max(7, Math.min(28, Math.floor(age / 2)));
  const button = $("accuracy-run");
  button.dataset.days = String(days);
  if (!button.disabled) button.textContent = ta("run")(days);
  button.onclick = () => runAccuracy(dataset, days);
  if (state.accuracy) drawAccuracy(state.accuracy);
}

async function runAccuracy(dataset, days) {
  const button = $("accuracy-run");
  button.disabled = true;
  button.textContent = ta("running");
  try {
    state.accuracy = await api("/api/v1/forecasts/accuracy", { dataset, days, window: "day" });
    drawAccuracy(state.accuracy);
  } catch (e) {
    $("accuracy-note").textContent = e.status === 400 || e.status === 422 ? `${ta("none")} (${e.message})` : problem(e);
  }
  button.disabled = false;
  button.textContent = ta("run")(days);
}

const ACCURACY_COLOURS = { naive: "#7f7f7f", fq: "#1f77b4", peek: "#d62728" };

/// Hit rate against coverage, one line per model, the ceiling dashed.
function drawAccuracy(r) {
  const svg = $("accuracy-chart");
  svg.innerHTML = "";
  const W = 560, H = 260, L = 54, R = 170, T = 24, B = 40;
  const covs = r.coverages;
  const maxHit = Math.max(0.05, ...r.models.flatMap((m) => Object.values(m.hit_rate)));
  const top = Math.ceil(maxHit * 10) / 10;
  // Coverages evenly spaced (1 % and 2 % would touch on a linear axis).
  const x = (c) => L + (covs.indexOf(c) / Math.max(1, covs.length - 1)) * (W - L - R);
  const y = (v) => H - B - (v / top) * (H - B - T);
  const node = (tag, attrs, text) => {
    const n = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
    if (text !== undefined) n.textContent = text;
    svg.append(n);
    return n;
  };
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    node("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: "#e5e5e5" });
    node("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end", "font-size": 11 }, `${Math.round(100 * v)}%`);
  }
  for (const c of covs) {
    node("line", { x1: x(c), x2: x(c), y1: y(0), y2: y(top), stroke: "#f0f0f0" });
    node("text", { x: x(c), y: H - B + 16, "text-anchor": "middle", "font-size": 11 }, `${Math.round(100 * c)}%`);
  }
  node("text", { x: (L + W - R) / 2, y: H - 6, "text-anchor": "middle", "font-size": 11 }, ta("x"));
  node("text", { x: 4, y: 10, "font-size": 11 }, ta("y"));
  r.models.forEach((m, i) => {
    const colour = ACCURACY_COLOURS[m.name] || "#2ca02c";
    const points = covs.map((c) => `${x(c)},${y(m.hit_rate[String(c)])}`).join(" ");
    const line = node("polyline", { points, fill: "none", stroke: colour, "stroke-width": 2, "data-model": m.name });
    if (m.name === "peek") line.setAttribute("stroke-dasharray", "6 4");
    const ly = T + 16 + 18 * i;
    node("line", { x1: W - R + 12, x2: W - R + 32, y1: ly - 4, y2: ly - 4, stroke: colour, "stroke-width": 2, ...(m.name === "peek" ? { "stroke-dasharray": "6 4" } : {}) });
    node("text", { x: W - R + 38, y: ly, "font-size": 11, class: "legend" }, (ta("models") || {})[m.name] || m.name);
  });
  // The verdict at 5 %, the headline coverage: the ratio, or the difference when the ratio is undefined.
  const fq = r.models.find((m) => m.name === "fq");
  const naive = fq && (fq.paired || []).find((p) => p.against === "naive");
  const peek = r.models.find((m) => m.name === "peek");
  const f = (v) => v.toFixed(3);
  const lines = [ta("period")(r.from, r.to, r.windows, r.window)];
  if (naive && naive.ratio && naive.ratio["0.05"] !== null && naive.ratio_ci && naive.ratio_ci["0.05"]) {
    lines.push(ta("verdict")(f(naive.ratio["0.05"]), f(naive.ratio_ci["0.05"][0]), f(naive.ratio_ci["0.05"][1])));
  } else if (naive) {
    const pts = (v) => (100 * v).toFixed(1);
    lines.push(ta("verdict_diff")(pts(naive.difference["0.05"]), pts(naive.difference_ci["0.05"][0]), pts(naive.difference_ci["0.05"][1])));
  }
  if (peek) lines.push(ta("room")(pct(peek.hit_rate["0.05"])));
  $("accuracy-note").textContent = lines.join(state.lang === "zh" ? "。" : ". ");
  $("accuracy").dataset.windows = String(r.windows);
}
