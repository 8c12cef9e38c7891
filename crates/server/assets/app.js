// Fengqiao landing page: incident density map, categories, hour of week.
// Plain JavaScript, no libraries, no network beyond this server.
"use strict";

const I18N = {
  zh: {
    title: "警情态势", dataset: "数据集", cell: "网格", map: "警情密度", by_category: "按类别",
    by_hour: "一周各时段警情（当地时间）", by_origin: "警情来源", latest: "最新警情",
    footer: "离线运行：地图由本服务自行绘制，不依赖任何外部瓦片或 CDN。", footer_tiles: "底图瓦片来自本单位地图服务：",
    incidents: "警情总数", period: "时间范围", areas: "辖区", facilities: "派出所 / 警务站",
    per_day: "日均警情", all: "全部类别", stations: "派出所", posts: "警务站", fewer: "少", more: "多",
    days: ["一", "二", "三", "四", "五", "六", "日"], citizen: "群众报警", officer: "民警发现", unknown: "未知",
    forecast: "下一班次预测", fc_legend: "预测热点（前 1% / 5% 网格）", fc_none: "暂无预测：由指挥中心或研判人员点“运行预测与部署”生成",
    fc_note: "预测时段", kpi_label: "关键指标", map_title: "警情地图", model_names: { fq: "枫桥模型", naive: "历史计数", retro: "回顾热点", prospective: "前瞻热点", etas: "自激点过程" },
    unit_types: { car: "巡逻车", motorbike: "摩托车", foot: "步巡" }, max_cells: (n, m) => `最多 ${n} 起 / ${m} 米网格`, plan: "部署方案", plan_legend: "巡逻车组 · 巡逻路线 · 5 分钟响应圈", zones: "防范预警区", zones_legend: (n) => `防范预警区（近期警情周边，提醒邻里）${n} 个`, zone_tip: (cat, until, n) => `${cat} · ${n} 起 · 至 ${until}`, plan_none: "暂无部署方案：由指挥中心或研判人员点“运行预测与部署”生成", filtered: "筛选：", cases: "案件", run: "运行预测与部署", print: "打印", patrol_sheet: "勤务卡", running: "运行中…", sign_in: "登录", username: "用户名", password: "密码", logout: "退出", login_failed: "用户名或密码错误",
    ledger_checking: "存证校验中…", ledger_ok: "已存证 ✓", ledger_bad: "存证校验失败 ✗", ledger_pending: "尚未存证",
    ledger_title: (r, sig) => `${r.record}：日志第 ${r.index} 条，已由本浏览器核对包含证明至签名检查点（${r.size} 条）${sig ? "及其签名" : "；本浏览器无法核对 Ed25519 签名"}；服务器核对记录与承诺一致。`,
    kpi_visibility: (p) => `见警率（${p.r} 米内有巡逻）`, kpi_handling: (p) => `管事率（${p.m} 分钟可达）`,
    kpi_posts_only: "若警力只在所内待命：", kpi_vs_forecast: "本班次警情 / 预测", kpi_ratio: "实际/预测", kpi_shift: "最近班次",
    kpi_none: "暂无可评估的班次方案",
    no_hours: "该数据集只有日期，没有时刻。", none: "暂无数据：请在“导入警情”页导入 110 警情。", lang: "EN",
  },
  en: {
    title: "Incident picture", dataset: "Dataset", cell: "Grid", map: "Incident density", by_category: "By category",
    by_hour: "By hour of week (local time)", by_origin: "Origin", latest: "Latest incidents",
    footer: "Works offline: the map is drawn by this server, with no tile service or CDN.", footer_tiles: "Base tiles from this deployment's map server:",
    incidents: "Incidents", period: "Period", areas: "Jurisdictions", facilities: "Stations / posts",
    per_day: "Per day", all: "All categories", stations: "Station", posts: "Post", fewer: "fewer", more: "more",
    days: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], citizen: "Citizen-initiated", officer: "Officer-initiated",
    unknown: "Unknown", forecast: "Next-shift forecast", fc_legend: "Forecast hot spots (top 1% / 5% of cells)",
    fc_none: "No forecast yet: the command centre or an analyst makes one with “Run forecast & plan”", fc_note: "Forecast window", kpi_label: "Key figures", map_title: "Incident map",
    model_names: { fq: "Fengqiao model", naive: "history count", retro: "retrospective hot spots", prospective: "prospective hot spots", etas: "self-exciting process" },
    unit_types: { car: "patrol car", motorbike: "motorbike", foot: "on foot" }, max_cells: (n, m) => `max ${n} / ${m} m`, plan: "Deployment plan", plan_legend: "Patrol units · rounds · 5-minute response rings", zones: "Alert zones", zones_legend: (n) => `Alert zones (around recent incidents, neighbours warned): ${n}`, zone_tip: (cat, until, n) => `${cat} · ${n} incident${n === 1 ? "" : "s"} · until ${until}`, plan_none: "No plan yet: the command centre or an analyst makes one with “Run forecast & plan”", filtered: "Filter: ", cases: "Cases", run: "Run forecast & plan", print: "Print", patrol_sheet: "Patrol sheet", running: "running…", sign_in: "Sign in", username: "User name", password: "Password", logout: "Sign out", login_failed: "Wrong user name or password",
    ledger_checking: "checking the ledger…", ledger_ok: "verified ✓", ledger_bad: "ledger check failed ✗", ledger_pending: "not in the ledger yet",
    ledger_title: (r, sig) => `${r.record}: entry ${r.index} of the log; this browser checked its inclusion proof up to the signed checkpoint of ${r.size} entries${sig ? " and its signature" : " (this browser cannot check Ed25519 signatures)"}; the server checked that the record matches its commitment.`,
    kpi_visibility: (p) => `Visibility rate (patrol within ${p.r} m)`, kpi_handling: (p) => `Handling rate (reached in ${p.m} min)`,
    kpi_posts_only: "if units stayed at their stations:", kpi_vs_forecast: "Incidents this shift / forecast", kpi_ratio: "actual / forecast",
    kpi_shift: "Latest shift", kpi_none: "No plan for a shift that has begun",
    no_hours: "This dataset has dates only, no times of day.", none: "No data yet: import 110 incidents on the Import page.", lang: "中文",
  },
};

const state = { lang: pickLang(), dataset: null, category: null, categories: {}, datasets: [], view: null };
const NS = "http://www.w3.org/2000/svg";

function el(tag, attrs = {}, parent = null) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

function catName(code) {
  const c = state.categories[code];
  return c ? (state.lang === "zh" ? c.zh : c.en) : code;
}

// Colour ramp from pale yellow to deep red, on sqrt(count / max).
function ramp(x) {
  const stops = [[255, 247, 188], [254, 196, 79], [236, 112, 20], [204, 76, 2], [140, 45, 4]];
  const p = Math.max(0, Math.min(1, x)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(p));
  const f = p - i;
  const c = stops[i].map((v, j) => Math.round(v + f * (stops[i + 1][j] - v)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

// Areas and stations do not change while the page is open: asked for once, shared.
const once = (key, path) => (state[key] = state[key] || api(path));
const ringPath = MapView.ringPath;
const polygons = MapView.polygons;

async function drawMap(ds) {
  const svg = $("map");
  // Every layer is asked for at once; a missing forecast or plan is said in the legend.
  const none = () => null;
  const [cells, juris, fac, fc, plan, zones] = await Promise.all([
    api("/api/v1/incidents/aggregate", { by: "cell", cell: $("cell").value, dataset: state.dataset, category: state.category }),
    once("juris", "/api/v1/jurisdictions"),
    once("fac", "/api/v1/facilities"),
    // The hottest 5% of cells, hottest first; the top fifth of them filled.
    $("fc").checked ? api("/api/v1/forecasts/latest", { dataset: state.dataset, window: "shift", top: 0.05 }).catch(none) : null,
    $("plan").checked ? api("/api/v1/plans/latest", { dataset: state.dataset, format: "geojson" }).catch(none) : null,
    $("zones").checked && state.me.permissions.includes("forecasts.read") ? api("/api/v1/alert-zones", { dataset: state.dataset }).catch(none) : null,
  ]);
  while (svg.lastChild && svg.lastChild.tagName !== "title") svg.removeChild(svg.lastChild);
  let bbox = ds && ds.bbox;
  const feats = juris.features.filter((f) => ["district", "town", "village"].includes(f.properties.level));
  const ownAreas = bbox && feats.some((f) => polygons(f.geometry).some((pg) => pg[0].some(([x, y]) => x >= bbox[0] && x <= bbox[2] && y >= bbox[1] && y <= bbox[3])));
  if (!bbox) return;
  const proj = MapView.projector(bbox);
  // Built detached and attached once: thousands of cells, one layout.
  const g = el("g", { id: "viewport" });
  const tiles = state.me.map && state.me.map.tiles;
  MapView.tiles(g, proj, tiles);
  if (tiles) $("footer-note").textContent = `${t("footer_tiles")} ${new URL(tiles.replace(/[{}]/g, "")).host}`;
  for (const c of cells.cells) {
    const [a, b] = [proj([c.bounds[0], c.bounds[3]]), proj([c.bounds[2], c.bounds[1]])];
    el("rect", { x: a[0], y: a[1], width: Math.max(0.4, b[0] - a[0]), height: Math.max(0.4, b[1] - a[1]), fill: ramp(Math.sqrt(c.count / cells.max)), "fill-opacity": 0.9, "data-n": c.count }, g);
  }
  if (ownAreas) {
    for (const f of feats.filter((f) => f.properties.level === "village"))
      for (const pg of polygons(f.geometry)) el("path", { d: pg.map((r) => ringPath(r, proj)).join(""), class: "village" }, g);
    for (const f of feats.filter((f) => f.properties.level === "town" || f.properties.level === "district"))
      for (const pg of polygons(f.geometry)) el("path", { d: pg.map((r) => ringPath(r, proj)).join(""), class: "town" }, g);
    for (const f of feats.filter((f) => f.properties.level === "town")) {
      const ring = polygons(f.geometry)[0][0];
      const cx = ring.reduce((s, p) => s + p[0], 0) / ring.length, cy = ring.reduce((s, p) => s + p[1], 0) / ring.length;
      const [x, y] = proj([cx, cy]);
      el("text", { x, y, class: "label" }, g).textContent = state.lang === "zh" ? f.properties.name_zh : f.properties.name_en;
    }
    // The police's own: the listed places (markets, schools...) are the forecast's, not the map's.
    for (const f of fac.items.filter((x) => x.kind === "station" || x.kind === "post")) {
      const [x, y] = proj([f.lon, f.lat]);
      const m = f.kind === "station"
        ? el("rect", { x: x - 5, y: y - 5, width: 10, height: 10, class: "station" }, g)
        : el("circle", { cx: x, cy: y, r: 3.5, class: "post" }, g);
      el("title", {}, m).textContent = `${state.lang === "zh" ? f.name_zh : f.name_en} (${f.units})`;
    }
  }
  const records = [];
  let fcInfo = "";
  if ($("fc").checked) {
    try {
      if (!fc) throw new Error("no forecast");
      const top1 = Math.max(1, Math.ceil(fc.cells.length / 5));
      fc.cells.forEach((c, i) => {
        const [a, b] = [proj([c.bounds[0], c.bounds[3]]), proj([c.bounds[2], c.bounds[1]])];
        const r = el("rect", { x: a[0], y: a[1], width: Math.max(0.6, b[0] - a[0]), height: Math.max(0.6, b[1] - a[1]),
          fill: i < top1 ? "#5b2a86" : "none", "fill-opacity": 0.55, stroke: "#5b2a86", "stroke-width": 1.2, "vector-effect": "non-scaling-stroke" }, g);
        el("title", {}, r).textContent = `#${i + 1}: ${c.expected.toFixed(3)}`;
      });
      const fmt = (x) => atCity(x, ds.timezone, state.lang);
      records.push(["fc", `forecast/${fc.forecast.id}`]);
      fcInfo = `${t("fc_note")}${colon()}${fmt(fc.forecast.window_start)} – ${fmt(fc.forecast.window_end)} · ${(t("model_names") || {})[fc.forecast.model] || fc.forecast.model} · Σ ${fc.expected_total.toFixed(1)}`;
    } catch (e) {
      fcInfo = t("fc_none");
    }
  }
  let planInfo = "";
  if ($("plan").checked) {
    try {
      if (!plan) throw new Error("no plan");
      const layer = (kind) => plan.features.filter((f) => f.properties.kind === kind);
      for (const f of layer("response_ring"))
        el("path", { d: ringPath(f.geometry.coordinates[0], proj), class: "ring" }, g);
      for (const f of layer("round"))
        el("path", { d: "M" + f.geometry.coordinates.map((c) => proj(c).join(",")).join("L"), class: "round" }, g);
      for (const f of layer("unit")) {
        const [x, y] = proj(f.geometry.coordinates);
        const m = el("path", { d: `M${x},${y - 6}L${x + 5},${y + 4}L${x - 5},${y + 4}Z`, class: "unit" }, g);
        el("title", {}, m).textContent = `${f.properties.id} (${(t("unit_types") || {})[f.properties.unit_type] || f.properties.unit_type}) · ${f.properties.area_expected.toFixed(2)}`;
      }
      planInfo = `${layer("unit").length}`;
      if (plan.fengqiao_record) records.push(["plan", plan.fengqiao_record]);
    } catch (e) {
      planInfo = t("plan_none");
    }
  }
  // Cocoon alert zones: a circle of the rule's radius around each zone's first incident.
  const zoneList = (zones && zones.items) || [];
  for (const z of zoneList) {
    const [x, y] = proj([z.lon, z.lat]);
    const east = proj([z.lon + z.radius_m / (111320 * Math.cos((z.lat * Math.PI) / 180)), z.lat]);
    const c = el("circle", { cx: x, cy: y, r: Math.max(2, Math.abs(east[0] - x)), class: "alert-zone", "data-category": z.category, "data-closes": z.closes_at }, g);
    const cat = state.categories[z.category];
    el("title", {}, c).textContent = t("zone_tip")(cat ? nameOf(cat) : z.category, atCity(z.closes_at, ds.timezone, state.lang), z.incidents);
  }
  const legend = $("legend");
  legend.innerHTML = "";
  const span = (html) => { const s = document.createElement("span"); s.innerHTML = html; legend.appendChild(s); return s; };
  span(`${t("fewer")} ` + [0.05, 0.25, 0.5, 0.75, 1].map((v) => `<i style="background:${ramp(v)}"></i>`).join("") + ` ${t("more")} (${t("max_cells")(cells.max, cells.cell_m)})`);
  const badges = {};
  if ($("fc").checked) badges.fc = span(`<i style="background:#5b2a86;opacity:.6"></i>${t("fc_legend")} ${fcInfo} `);
  if ($("plan").checked) badges.plan = span(`<i style="background:#c2410c"></i>${t("plan_legend")} ${planInfo} `);
  if (zones) span(`<i class="zone-key"></i>${t("zones_legend")(zoneList.length)}`);
  for (const [key, record] of records) ledgerBadge(badges[key], record);
  // One tooltip for the incident cells instead of thousands of <title>s.
  const cellTip = el("title", {});
  g.addEventListener("pointerover", (e) => {
    const n = e.target.dataset && e.target.dataset.n;
    if (n) { cellTip.textContent = n; e.target.appendChild(cellTip); }
  });
  svg.appendChild(g);
  if (ownAreas) {
    span(`<i style="background:#1f4fa3"></i>${t("stations")}`);
    span(`<i style="background:#3f7bd9;border-radius:50%"></i>${t("posts")}`);
  }
  enablePanZoom(svg, g);
}

function enablePanZoom(svg, g) {
  let k = 1, tx = 0, ty = 0, drag = null;
  const apply = () => g.setAttribute("transform", `translate(${tx} ${ty}) scale(${k})`);
  svg.onwheel = (e) => {
    e.preventDefault();
    const pt = svg.createSVGPoint(); pt.x = e.clientX; pt.y = e.clientY;
    const p = pt.matrixTransform(svg.getScreenCTM().inverse());
    const f = e.deltaY < 0 ? 1.25 : 0.8;
    const nk = Math.max(1, Math.min(40, k * f));
    tx = p.x - ((p.x - tx) * nk) / k; ty = p.y - ((p.y - ty) * nk) / k; k = nk; apply();
  };
  svg.onpointerdown = (e) => { drag = [e.clientX, e.clientY, tx, ty]; svg.setPointerCapture(e.pointerId); };
  svg.onpointermove = (e) => {
    if (!drag) return;
    const s = 1000 / svg.getBoundingClientRect().width;
    tx = drag[2] + (e.clientX - drag[0]) * s; ty = drag[3] + (e.clientY - drag[1]) * s; apply();
  };
  svg.onpointerup = () => { drag = null; };
}

function bars(container, groups, label, onClick, activeKey) {
  container.innerHTML = "";
  const max = Math.max(1, ...groups.map((g) => g.count));
  for (const gr of groups.sort((a, b) => b.count - a.count)) {
    const row = document.createElement("div");
    row.className = "row" + (gr.key === activeKey ? " active" : "");
    row.innerHTML = `<span>${label(gr.key)}</span><div class="bar" style="width:${(100 * gr.count) / max}%"></div><span class="n">${gr.count.toLocaleString()}</span>`;
    if (onClick) row.onclick = () => onClick(gr.key);
    container.appendChild(row);
  }
}

async function drawCharts() {
  const p = { dataset: state.dataset };
  const [cats, how, origins] = await Promise.all([
    api("/api/v1/incidents/aggregate", { ...p, by: "category_top" }),
    api("/api/v1/incidents/aggregate", { ...p, by: "hour_of_week", category: state.category }),
    api("/api/v1/incidents/aggregate", { ...p, by: "origin", category: state.category }),
  ]);
  bars($("categories"), cats.groups, catName, (k) => { state.category = state.category === k ? null : k; refresh(false); }, state.category);
  bars($("origins"), origins.groups, (k) => t(k), null, null);
  const svg = $("how");
  svg.innerHTML = "";
  const counts = new Array(168).fill(0);
  for (const gr of how.groups) counts[+gr.key] = gr.count;
  const max = Math.max(1, ...counts);
  if (how.total === 0) {
    el("text", { x: 30, y: 90 }, svg).textContent = t("no_hours");
    return;
  }
  for (let d = 0; d < 7; d++) {
    el("text", { x: 0, y: 20 + d * 20 + 13 }, svg).textContent = t("days")[d];
    for (let h = 0; h < 24; h++) {
      const v = counts[d * 24 + h];
      const r = el("rect", { x: 30 + h * 20, y: 20 + d * 20, width: 19, height: 19, fill: ramp(v / max) }, svg);
      el("title", {}, r).textContent = `${t("days")[d]} ${h}:00 — ${v}`;
    }
  }
  for (let h = 0; h < 24; h += 3) el("text", { x: 30 + h * 20 + 2, y: 14 }, svg).textContent = `${h}`;
}

function summary(ds, nAreas, nFac, inAreas) {
  const s = $("summary");
  if (!ds) { s.innerHTML = `<div class="card">${t("none")}</div>`; return; }
  // Dates in the dataset's own time zone (sv-SE formats as YYYY-MM-DD).
  const day = (x) => (x ? new Date(x).toLocaleDateString("sv-SE", { timeZone: ds.timezone }) : "—");
  const days = ds.first_at && ds.last_at ? Math.max(1, (Date.parse(ds.last_at) - Date.parse(ds.first_at)) / 864e5) : 1;
  s.innerHTML = [
    [ds.incidents.toLocaleString(), t("incidents")],
    [`${day(ds.first_at)} — ${day(ds.last_at)}`, t("period")],
    [(ds.incidents / days).toFixed(1), t("per_day")],
    ...(inAreas ? [[nAreas, t("areas")], [nFac, t("facilities")]] : []),
  ].map(([v, k]) => `<div class="card"><b>${v}</b><span>${k}</span></div>`).join("");
}

// The latest shift that has begun, scored on its real incidents: 见警率,
// 管事率 (beside the same units standing at their stations), and the
// incidents of the shift beside what its forecast expected.
async function shiftCards() {
  const box = $("kpis");
  box.innerHTML = "";
  if (!state.me.permissions.includes("plans.read")) return;
  let k;
  try {
    k = await api("/api/v1/kpis/shift", { dataset: state.dataset });
  } catch (e) {
    box.append(h("div", { class: "card" }, h("span", {}, t("kpi_none"))));
    return;
  }
  const ds = state.datasets.find((d) => d.name === state.dataset);
  const fmt = (x) => atCity(x, ds && ds.timezone, state.lang);
  const p = k.parameters || {};
  const base = k.posts_only || {};
  const card = (id, value, label, note) => h("div", { class: "card kpi", id }, h("b", {}, value), h("span", {}, label), h("small", {}, note));
  const ratio = k.forecast_expected ? (k.incidents / k.forecast_expected).toFixed(2) : "—";
  box.append(
    card("kpi-visibility", pct(k.visibility_rate), t("kpi_visibility")({ r: p.visibility_m }), `${t("kpi_posts_only")} ${pct(base.visibility_rate)}`),
    card("kpi-handling", pct(k.handling_rate), t("kpi_handling")({ m: p.response_min }), `${t("kpi_posts_only")} ${pct(base.handling_rate)}`),
    card("kpi-incidents", `${k.incidents} / ${k.forecast_expected === null ? "—" : k.forecast_expected.toFixed(1)}`, t("kpi_vs_forecast"), `${t("kpi_ratio")} ${ratio}`),
  );
  const note = h("div", { class: "card kpi-note" }, h("span", {}, `${t("kpi_shift")} ${fmt(k.window[0])} – ${fmt(k.window[1])} · #${k.plan_id}`));
  box.append(note);
  ledgerBadge(note, k.ledger_record);
}

async function refresh(full = true) {
  applyLang();
  $("kpis").setAttribute("aria-label", t("kpi_label"));
  $("map-title").textContent = t("map_title");
  const ds = state.datasets.find((d) => d.name === state.dataset);
  $("filter-note").textContent = state.category ? `${t("filtered")}${catName(state.category)}` : "";
  const cards = async () => {
    const [j, f, inJ] = await Promise.all([
      once("juris", "/api/v1/jurisdictions"), once("fac", "/api/v1/facilities"),
      ds ? api("/api/v1/incidents/aggregate", { by: "jurisdiction", dataset: state.dataset }) : { total: 0 },
    ]);
    summary(ds, j.features.length, f.items.filter((x) => x.kind === "station" || x.kind === "post").length, inJ.total > 0);
  };
  if (!ds) { if (full) await cards(); return; }
  if (full) accuracyPanel(state.dataset);
  await Promise.all([full ? cards() : null, drawMap(ds), drawCharts(), full ? shiftCards() : null, full ? equityPanel(state.dataset) : null]);
}

// The newest incidents (of the officer's own area, for an officer), each
// linked to its page; those that arrived since the page opened are marked.
async function latest() {
  if (!state.dataset) return;
  const list = await api("/api/v1/incidents", { dataset: state.dataset, limit: 8 });
  const seen = state.seen || new Set(list.items.map((i) => i.id));
  const box = $("latest");
  box.innerHTML = "";
  for (const i of list.items) {
    box.append(h("li", { class: seen.has(i.id) ? null : "new", "data-id": i.id },
      h("a", { href: `/incidents?incident=${i.id}` }, `${when(i.occurred_at)} · ${catName(i.category)}`),
      i.address ? h("span", { class: "muted" }, ` · ${i.address}`) : null));
  }
  state.seen = seen;
}

async function init() {
  // Roles without the incident picture are sent to their own page by startPage.
  const me = await startPage(() => refresh());
  // Those who may make forecasts and plans run them from here; anyone who reads plans exports them.
  $("plan-tools").hidden = !me.permissions.includes("plans.read");
  $("patrol-sheet").hidden = !me.permissions.includes("personnel.read");
  $("run").hidden = !(me.permissions.includes("forecasts.write") && me.permissions.includes("plans.write"));
  $("print").onclick = () => window.print();
  $("run").onclick = async () => {
    const button = $("run");
    button.disabled = true;
    button.textContent = t("running");
    try {
      await change("/api/v1/forecasts", { dataset: state.dataset });
      await change("/api/v1/plans", { dataset: state.dataset });
      await Promise.all([drawMap(state.datasets.find((d) => d.name === state.dataset)), equityPanel(state.dataset)]);
      button.dataset.done = String(Number(button.dataset.done || 0) + 1);
    } catch (e) {
      alert(e.message);
    }
    button.disabled = false;
    button.textContent = t("run");
  };
  const [cats, dss] = await Promise.all([api("/api/v1/categories"), api("/api/v1/datasets")]);
  for (const c of cats.items) state.categories[c.code] = c;
  state.datasets = dss.items;
  const wanted = new URLSearchParams(location.search).get("dataset") || dss.default;
  state.dataset = wanted && dss.items.some((d) => d.name === wanted) ? wanted : dss.items[0] && dss.items[0].name;
  const sel = $("dataset");
  for (const d of dss.items) { const o = document.createElement("option"); o.value = d.name; o.textContent = `${d.name} (${d.incidents.toLocaleString()})`; sel.appendChild(o); }
  if (state.dataset) sel.value = state.dataset;
  const exports = () => {
    for (const f of ["geojson", "csv"]) $(`export-${f}`).href = `/api/v1/plans/latest?dataset=${encodeURIComponent(state.dataset || "")}&format=${f}`;
    $("patrol-sheet").href = `/sheet?dataset=${encodeURIComponent(state.dataset || "")}`;
  };
  exports();
  sel.onchange = () => { state.dataset = sel.value; state.category = null; state.accuracy = null; exports(); refresh(); };
  $("cell").onchange = () => drawMap(state.datasets.find((d) => d.name === state.dataset));
  $("fc").onchange = () => drawMap(state.datasets.find((d) => d.name === state.dataset));
  $("plan").onchange = () => drawMap(state.datasets.find((d) => d.name === state.dataset));
  $("zones").onchange = () => drawMap(state.datasets.find((d) => d.name === state.dataset));
  await Promise.all([refresh(), latest()]);
  // Live: new incidents redraw the picture and the feed without a reload.
  watchChanges((now, before) => {
    if (before && now.incidents_generation !== before.incidents_generation) return Promise.all([refresh(false), latest()]);
    return null;
  });
  ready();
}

init().catch((e) => { $("summary").innerHTML = `<div class="card">${e.message}</div>`; });
