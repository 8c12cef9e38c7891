// The leader dashboard: the case KPIs of a period (on-time closure, rework,
// mediation success, satisfaction, hazards cleared) and their trends by
// month, by town and by department, with incidents by week. Charts are SVG
// drawn here; every rate is computed from its numerator and denominator, so
// towns are the sums of their grids.
"use strict";

const I18N = {
  zh: {
    title: "领导驾驶舱", from: "自", to: "截至（不含当天）", apply: "更新", csv: "下载数据", opened: "受理", closed: "办结",
    on_time: "按期结案率", rework: "返工率", mediation: "调解成功率", satisfied: "群众满意率", hazards: "隐患销号（新增/存量）",
    escalated: "民转刑预警", by_month: "逐月：受理、办结与按期结案率", by_area: "按镇街：按期结案率",
    by_department: "按部门：按期结案率与返工率", incidents_weekly: "警情：逐周", none: "该时段无数据", unrouted: "未派遣",
    defs: "口径：", of: (n, d) => `${n} / ${d}`, incidents: "警情总数",
    prev: "较上期", yoy: "同比", pts: (x) => `${x > 0 ? "+" : ""}${x.toFixed(1)} 个百分点`, count: (x) => `${x > 0 ? "+" : ""}${x}`,
    watch: "超期与督办", code: "编号", matter: "事项", type: "类型", stage: "环节", department: "承办部门", due: "期限", supervisions: "督办次数",
    nothing_overdue: "当前没有超期或被督办的案件", overdue: "超期", no_base: "无可比数据",
    callbacks: "110 回访：群众满意度与安全感（近 12 个月）", cb_satisfaction: "回访满意率", cb_safety: "安全感", cb_called: "抽取 / 联系上", cb_follow_ups: "不满意转办",
    cb_cols: ["派出所 / 月份", "抽取", "联系上", "满意", "基本满意", "不满意", "满意率 [95% 区间]", "安全感 [95% 区间]", "转办"], cb_none: "近 12 个月尚无回访",
    draw_title: "抽取回访样本", draw_week: "周", draw_share: "抽取比例", draw_run: "抽取", draw_not_yet: "该周尚未抽取：选好比例后点“抽取”。",
    draw_seed: (seed, size) => `随机种子 ${seed}…（${size ? `取自存证账本第 ${size} 条的检查点` : "存证账本尚无检查点"}），任何人可据此重抽核对`, draw_by: "抽取人：", draw_at: (at) => `，${at}`,
    draw_cols: ["派出所", "类别", "总数", "抽中"], draw_kinds: { incident: "110 警情", case: "办结案件" }, draw_cases: (n) => `已生成 ${n} 件回访任务：`,
    callback_defs: "口径：满意率 =（满意 + 基本满意）÷ 联系上的回访；安全感 =（安全 + 基本安全）÷ 回答了该问的回访；方括号内为 95% 威尔逊置信区间，n 为样本量。回访对象每周按派出所与类别分层随机抽取（种子取自存证账本的最新检查点），由指挥中心回访，不由处警民警回访。",
    kpi_defs: {
      on_time_closure: "按期结案率 = 期限内结案数 ÷ 本时段到期的案件数（至今；从未缓办；已超期未结的计为超期）",
      rework: "返工率 = 核查时被退回返工的案件数 ÷ 本时段受理并已反馈办结的案件数",
      mediation_success: "调解成功率 = 达成协议的纠纷数 ÷ 本时段受理且召开过调解会议的纠纷数",
      resolved_by_level: "分级化解 = 本时段以协议结案的纠纷，按村、镇、县三级统计",
      escalated_to_crime: "民转刑 = 本时段受理、其后关联到暴力类警情的纠纷数",
      satisfaction: "群众满意率 = 本时段办结诉求中评价 4、5 星的比例（及平均分）",
    },
  },
  en: {
    title: "Leader dashboard", from: "From", to: "To (exclusive)", apply: "Update", csv: "Download data", opened: "Opened",
    closed: "Closed", on_time: "On-time closure", rework: "Rework rate", mediation: "Mediation success", satisfied: "Satisfied citizens",
    hazards: "Hazards cleared (new / stock)", escalated: "Disputes turned criminal", by_month: "By month: opened, closed, on-time closure",
    by_area: "By town: on-time closure", by_department: "By department: on-time closure and rework", incidents_weekly: "Incidents by week",
    none: "No data in this period", unrouted: "Not routed", defs: "Definitions: ", of: (n, d) => `${n} of ${d}`, incidents: "Incidents",
    prev: "vs previous period", yoy: "vs a year before", pts: (x) => `${x > 0 ? "+" : ""}${x.toFixed(1)} pts`, count: (x) => `${x > 0 ? "+" : ""}${x}`,
    watch: "Overdue and supervised (督办)", code: "Code", matter: "Matter", type: "Type", stage: "Stage", department: "Department", due: "Due",
    supervisions: "Supervisions", nothing_overdue: "No case is overdue or supervised now", overdue: "overdue", no_base: "no base to compare",
    callbacks: "110 callbacks: satisfaction and perceived safety (last 12 months)", cb_satisfaction: "Satisfied (callbacks)", cb_safety: "Feel safe",
    cb_called: "Drawn / reached", cb_follow_ups: "Follow-ups opened",
    cb_cols: ["Station / month", "Drawn", "Reached", "Satisfied", "Basically", "Not satisfied", "Satisfaction [95% interval]", "Safety [95% interval]", "Follow-ups"],
    cb_none: "No callbacks in the last 12 months",
    draw_title: "Draw the callback sample", draw_week: "Week", draw_share: "Share", draw_run: "Draw", draw_not_yet: "This week has not been drawn: choose the share and press “Draw”.",
    draw_seed: (seed, size) => `Random seed ${seed}… (${size ? `from the ledger checkpoint of size ${size}` : "no ledger checkpoint yet"}): anyone can draw it again and compare`, draw_by: "Drawn by ", draw_at: (at) => ` at ${at}`,
    draw_cols: ["Station", "Kind", "Population", "Drawn"], draw_kinds: { incident: "110 incidents", case: "cases closed" }, draw_cases: (n) => `${n} callbacks opened:`,
    callback_defs: "Satisfaction = (satisfied + basically satisfied) ÷ callbacks reached; safety = (safe + basically safe) ÷ callbacks that answered it; in brackets the 95 % Wilson interval, n the sample size. Each week's callbacks are a random sample stratified by station and kind (its seed from the ledger's latest checkpoint), made by the command centre, not by the officers who handled the incidents.",
    kpi_defs: null,
  },
};
const state = { lang: pickLang(), me: null, towns: [], departments: [], data: null };
const NS = "http://www.w3.org/2000/svg";
const COLORS = { a: "#1f4fa3", b: "#b3261e", c: "#e0a100", grid: "#d5dbe3" };

function s(tag, attrs, parent, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  parent.appendChild(e);
  return e;
}

const rate = (r) => (r && r.den ? r.num / r.den : null);

// Sums KPI rows (grids into towns): counts add, rates add numerator and denominator.
function addUp(rows) {
  const out = { opened: 0, closed: 0, on_time_closure: { num: 0, den: 0 }, rework: { num: 0, den: 0 } };
  for (const k of rows) {
    out.opened += k.opened; out.closed += k.closed;
    for (const r of ["on_time_closure", "rework"]) { out[r].num += k[r].num; out[r].den += k[r].den; }
  }
  return out;
}

function clear(svg) { while (svg.lastChild) svg.removeChild(svg.lastChild); }

/// Horizontal bars of rates (0..1) per row, one or two series.
function rateBars(svg, rows, series) {
  clear(svg);
  if (!rows.length) { s("text", { x: 20, y: 40 }, svg, t("none")); return; }
  const top = 24, rowH = Math.min(34, (240 - top - 10) / rows.length), x0 = 150, w = 340;
  series.forEach(([label, , color], i) => {
    s("rect", { x: x0 + i * 150, y: 4, width: 10, height: 10, fill: color }, svg);
    s("text", { x: x0 + 14 + i * 150, y: 13 }, svg, label);
  });
  for (const f of [0, 0.5, 1]) {
    s("line", { x1: x0 + f * w, x2: x0 + f * w, y1: top - 4, y2: top + rows.length * rowH, stroke: COLORS.grid }, svg);
  }
  rows.forEach((row, i) => {
    const y = top + i * rowH;
    s("text", { x: x0 - 6, y: y + rowH / 2 + 4, "text-anchor": "end" }, svg, row.label);
    series.forEach(([label, get, color], j) => {
      const v = get(row), bh = (rowH - 6) / series.length;
      const bar = s("rect", { x: x0, y: y + 2 + j * bh, width: Math.max(0.5, (v || 0) * w), height: bh - 1, fill: color, class: "bar" }, svg);
      s("title", {}, bar, `${row.label} · ${label}: ${pct(v)}`);
      s("text", { x: x0 + (v || 0) * w + 4, y: y + 2 + j * bh + bh - 2 }, svg, pct(v));
    });
  });
}

/// Bars of two counts per month and a line of a rate on the right axis.
function monthChart(svg, months) {
  clear(svg);
  if (!months.length) { s("text", { x: 20, y: 40 }, svg, t("none")); return; }
  const x0 = 40, y0 = 200, w = 480, hgt = 160;
  const max = Math.max(1, ...months.flatMap((m) => [m.k.opened, m.k.closed]));
  const step = w / months.length;
  s("line", { x1: x0, x2: x0 + w, y1: y0, y2: y0, stroke: COLORS.grid }, svg);
  [[t("opened"), COLORS.a], [t("closed"), COLORS.c], [t("on_time"), COLORS.b]].forEach(([label, color], i) => {
    s("rect", { x: x0 + i * 130, y: 4, width: 10, height: 10, fill: color }, svg);
    s("text", { x: x0 + 14 + i * 130, y: 13 }, svg, label);
  });
  s("text", { x: x0 - 4, y: y0 - hgt + 4, "text-anchor": "end" }, svg, String(max));
  s("text", { x: x0 + w + 4, y: y0 - hgt + 4 }, svg, "100%");
  const pts = [];
  months.forEach((m, i) => {
    const x = x0 + i * step, bw = Math.max(2, step / 2 - 3);
    for (const [v, color, dx] of [[m.k.opened, COLORS.a, 2], [m.k.closed, COLORS.c, 2 + bw]]) {
      const bh = (v / max) * hgt;
      s("title", {}, s("rect", { x: x + dx, y: y0 - bh, width: bw, height: bh, fill: color, class: "bar" }, svg), `${m.group}: ${v}`);
    }
    s("text", { x: x + step / 2, y: y0 + 14, "text-anchor": "middle" }, svg, m.group.slice(2));
    const r = rate(m.k.on_time_closure);
    if (r !== null) pts.push([x + step / 2, y0 - r * hgt, `${m.group}: ${pct(r)}`]);
  });
  if (pts.length) {
    s("path", { d: pts.map(([x, y], i) => `${i ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`).join(""), fill: "none", stroke: COLORS.b, "stroke-width": 2 }, svg);
    for (const [x, y, label] of pts) s("title", {}, s("circle", { cx: x, cy: y, r: 3, fill: COLORS.b }, svg), label);
  }
}

function weekChart(svg, days) {
  clear(svg);
  const weeks = new Map();
  for (const d of days) {
    const dt = new Date(d.key + "T00:00:00Z");
    const monday = new Date(dt.getTime() - ((dt.getUTCDay() + 6) % 7) * 864e5).toISOString().slice(0, 10);
    weeks.set(monday, (weeks.get(monday) || 0) + d.count);
  }
  const list = [...weeks.entries()].sort();
  if (!list.length) { s("text", { x: 20, y: 40 }, svg, t("none")); return; }
  const x0 = 40, y0 = 210, w = 500, hgt = 180, max = Math.max(...list.map((x) => x[1]));
  s("line", { x1: x0, x2: x0 + w, y1: y0, y2: y0, stroke: COLORS.grid }, svg);
  s("text", { x: x0 - 4, y: y0 - hgt + 4, "text-anchor": "end" }, svg, String(max));
  const step = w / Math.max(1, list.length - 1);
  s("path", { d: list.map(([, v], i) => `${i ? "L" : "M"}${(x0 + i * step).toFixed(1)},${(y0 - (v / max) * hgt).toFixed(1)}`).join(""), fill: "none", stroke: COLORS.a, "stroke-width": 1.5 }, svg);
  for (let i = 0; i < list.length; i += Math.ceil(list.length / 6)) s("text", { x: x0 + i * step, y: y0 + 14, "text-anchor": "middle" }, svg, list[i][0].slice(2));
}

// Each card with the same figure for the period before and the same period a year before.
function cards(all, prev, yoy, incidents) {
  const box = $("cards");
  box.innerHTML = "";
  const compare = (get, kind) => [[t("prev"), prev], [t("yoy"), yoy]].map(([label, other]) => {
    if (!other) return null;
    const [a, b] = [get(all), get(other)];
    if (a === null || b === null || a === undefined || b === undefined) return h("small", { class: "delta" }, `${label} ${t("no_base")}`);
    const d = kind === "rate" ? 100 * (a - b) : a - b;
    return h("small", { class: "delta" }, `${label} ${kind === "rate" ? t("pts")(d) : t("count")(d)}`);
  });
  const c = (id, value, label, note, get, kind) => h("div", { class: "card", id }, h("b", {}, value), h("span", {}, label),
    note ? h("small", { class: "muted" }, note) : null, get ? compare(get, kind) : null);
  const ratio = (r) => (r && r.den ? t("of")(r.num, r.den) : "");
  const r = (k) => (x) => rate(x[k]);
  box.append(
    incidents ? c("card-incidents", incidents.now, t("incidents")) : null,
    c("card-opened", all.opened, t("opened"), null, (x) => x.opened, "count"),
    c("card-closed", all.closed, t("closed"), null, (x) => x.closed, "count"),
    c("card-on-time", pct(rate(all.on_time_closure)), t("on_time"), ratio(all.on_time_closure), r("on_time_closure"), "rate"),
    c("card-rework", pct(rate(all.rework)), t("rework"), ratio(all.rework), r("rework"), "rate"),
    c("card-mediation", pct(rate(all.mediation_success)), t("mediation"), ratio(all.mediation_success), r("mediation_success"), "rate"),
    c("card-satisfied", pct(rate(all.satisfied)), t("satisfied"), ratio(all.satisfied), r("satisfied"), "rate"),
    c("card-hazards", `${all.hazards_cleared_new} / ${all.hazards_cleared_stock}`, t("hazards")),
    c("card-escalated", all.escalated_to_crime, t("escalated"), null, (x) => x.escalated_to_crime, "count"),
  );
  if (incidents) {
    const card = $("card-incidents");
    for (const [label, other] of [[t("prev"), incidents.prev], [t("yoy"), incidents.yoy]]) {
      const d = incidents.now - other;
      card.append(h("small", { class: "delta" }, `${label} ${t("count")(d)}`));
    }
  }
}

// Open cases past their deadline or under supervision (督办), most supervised first.
function watchList(items) {
  const box = $("watch");
  box.innerHTML = "";
  const list = items.filter((c) => c.overdue || c.supervisions > 0)
    .sort((a, b) => b.supervisions - a.supervisions || Date.parse(a.stage_due_at || a.due_at) - Date.parse(b.stage_due_at || b.due_at));
  if (!list.length) { box.append(h("p", { class: "muted" }, t("nothing_overdue"))); return; }
  const typeName = (c) => { const ty = state.types.find((x) => x.code === c.type); return ty ? nameOf(ty) : c.type; };
  const stageName = (c) => { const ty = state.types.find((x) => x.code === c.type); const st = ty && ty.stages.find((x) => x.code === c.stage); return st ? nameOf(st) : c.stage; };
  const dept = (code) => { const d = state.departments.find((x) => x.code === code); return d ? nameOf(d) : "—"; };
  box.append(h("table", { class: "list", id: "watch-table" },
    h("thead", {}, h("tr", {}, [t("code"), t("matter"), t("type"), t("stage"), t("department"), t("due"), t("supervisions")].map((x, i) => h("th", { scope: "col", class: i === 6 ? "n" : null }, x)))),
    h("tbody", {}, list.slice(0, 50).map((c) => h("tr", { "data-code": c.code },
      h("td", {}, h("a", { href: `/cases?type=${c.type}&case=${encodeURIComponent(c.code)}` }, c.code)), h("td", {}, c.title),
      h("td", {}, typeName(c)), h("td", {}, stageName(c)), h("td", {}, dept(c.department)),
      h("td", {}, when(c.stage_due_at || c.due_at), c.overdue ? h("span", { class: "tag late" }, t("overdue")) : null),
      h("td", { class: "n" }, c.supervisions))))));
}

/// A share with its interval and sample size: "92.3% [85.1–96.2%] n=52".
function shareText(s) {
  if (!s || s.share === null) return `— n=${s ? s.n : 0}`;
  const p = (x) => `${(100 * x).toFixed(1)}`;
  return `${p(s.share)}% [${p(s.low)}–${p(s.high)}%] n=${s.n}`;
}

function callbacks(r) {
  const cardsBox = $("callback-cards");
  const table = $("callback-table");
  cardsBox.innerHTML = "";
  table.innerHTML = "";
  if (!r) return;
  if (!r.total.drawn) { cardsBox.append(h("p", { class: "muted" }, t("cb_none"))); return; }
  const card = (id, value, label) => h("div", { class: "card", id }, h("b", {}, value), h("span", {}, label));
  cardsBox.append(
    card("cb-satisfaction", shareText(r.total.satisfaction), t("cb_satisfaction")),
    card("cb-safety", shareText(r.total.safety), t("cb_safety")),
    card("cb-called", `${r.total.drawn} / ${r.total.reached}`, t("cb_called")),
    card("cb-follow-ups", String(r.total.follow_ups), t("cb_follow_ups")));
  const row = (g, label) => h("tr", { "data-key": g.key }, h("th", { scope: "row" }, label),
    [g.drawn, g.reached, g.satisfied, g.basically, g.unsatisfied].map((x) => h("td", { class: "n" }, String(x))),
    h("td", { class: "n" }, shareText(g.satisfaction)), h("td", { class: "n" }, shareText(g.safety)), h("td", { class: "n" }, String(g.follow_ups)));
  table.append(
    h("thead", {}, h("tr", {}, t("cb_cols").map((c, i) => h("th", { scope: "col", class: i ? "n" : null }, c)))),
    h("tbody", { id: "callback-stations" }, r.by_station.map((g) => row(g, g.name || g.key || "—"))),
    h("tbody", { id: "callback-months" }, r.by_month.map((g) => row(g, g.key))));
}

/// The ISO week (`2026-W48`) of a local day `YYYY-MM-DD`.
function isoWeek(day) {
  const d = new Date(`${day}T00:00:00Z`);
  const thursday = new Date(d.getTime() + (3 - ((d.getUTCDay() + 6) % 7)) * 864e5);
  const jan4 = new Date(Date.UTC(thursday.getUTCFullYear(), 0, 4));
  const week = 1 + Math.round(((thursday - jan4) / 864e5 - 3 + ((jan4.getUTCDay() + 6) % 7)) / 7);
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/// For those who may open callbacks (analysts, commanders): draw an ended
/// week's sample, or read a drawn one's seed, strata and callbacks.
function drawPanel() {
  const box = $("callback-draw");
  const type = state.types.find((x) => x.code === "callback");
  const role = state.me.user && state.me.user.role;
  box.hidden = !(type && (type.opened_by || []).includes(role) && state.me.permissions.includes("cases.write"));
  if (box.hidden) return;
  const today = cityToday(state.timezone);
  const weeks = [1, 2, 3, 4].map((k) => isoWeek(shift(today, -7 * k)));
  const keep = $("draw-week") ? $("draw-week").value : weeks[0];
  box.innerHTML = "";
  const week = h("select", { id: "draw-week" }, weeks.map((w) => h("option", { value: w, selected: w === keep }, w)));
  const share = h("input", { id: "draw-share", type: "number", min: 1, max: 100, step: 1, value: 10 });
  const run = h("button", { id: "draw-run", type: "button" }, t("draw_run"));
  const out = h("div", { id: "draw-result", "aria-live": "polite" });
  box.append(h("h3", {}, t("draw_title")),
    h("label", {}, t("draw_week"), " ", week), " ", h("label", {}, t("draw_share"), " ", share, " %"), " ", run, out);
  const station = (code) => { const f = state.stations.find((x) => x.code === code); return f ? nameOf(f) : code; };
  // A stratum's kind: an incident's top category, or a case type.
  const kindName = (kind) => {
    const [source, code] = kind.split(".", 2);
    const named = source === "incident" ? state.categories.find((c) => c.code === code) : state.types.find((x) => x.code === code);
    return `${t("draw_kinds")[source] || source} · ${named ? nameOf(named) : code}`;
  };
  const show = (d) => {
    out.innerHTML = "";
    out.dataset.week = d.week;
    out.append(
      h("p", { id: "draw-seed" }, t("draw_seed")(d.seed.slice(0, 16), (d.seed_from.match(/size (\d+)/) || [])[1])),
      // The account's name is an identifier, not a word of the page.
      h("p", { class: "muted" }, t("draw_by"), h("span", { translate: "no" }, d.drawn_by), t("draw_at")(when(d.drawn_at))),
      h("table", { class: "list", id: "draw-strata" },
        h("thead", {}, h("tr", {}, t("draw_cols").map((c, i) => h("th", { scope: "col", class: i > 1 ? "n" : null }, c)))),
        h("tbody", {}, d.strata.map((x) => h("tr", {}, h("th", { scope: "row" }, station(x.station)),
          h("td", {}, kindName(x.kind)), h("td", { class: "n" }, String(x.population)), h("td", { class: "n" }, String(x.drawn.length)))))),
      h("p", {}, t("draw_cases")(d.callbacks.length), " ",
        d.callbacks.flatMap((c, i) => [i ? ", " : "", h("a", { href: `/cases?type=callback&case=${encodeURIComponent(c)}` }, c)])));
  };
  const read = async () => {
    try {
      show(await api(`/api/v1/callbacks/draws/${week.value}`));
      run.disabled = true;
    } catch (e) {
      out.innerHTML = "";
      delete out.dataset.week;
      out.textContent = e.status === 404 ? t("draw_not_yet") : problem(e);
      run.disabled = e.status !== 404;
    }
  };
  week.onchange = read;
  run.onclick = async () => {
    run.disabled = true;
    try {
      show(await change("/api/v1/callbacks/draws", { week: week.value, share: Number(share.value) / 100 }));
    } catch (e) {
      out.textContent = problem(e);
      run.disabled = false;
    }
  };
  read();
}

function draw() {
  const { month, area, dept, days, prev, yoy, incidents, open } = state.data;
  applyLang();
  const total = (r) => { const g = r && r.groups.find((x) => x.group === "all"); return g ? g.kpis : null; };
  cards(total(month) || addUp([]), total(prev), total(yoy), incidents);
  watchList(open.items);
  callbacks(state.data.satisfaction);
  drawPanel();
  equityPanel();
  monthChart($("chart-months").querySelector("svg"), month.groups.filter((g) => g.group !== "all").map((g) => ({ group: g.group, k: g.kpis })));
  const towns = state.towns.map((town) => {
    const rows = area.groups.filter((g) => g.group !== "all" && g.group.startsWith(town.code)).map((g) => g.kpis);
    return { label: nameOf(town), k: addUp(rows) };
  }).filter((x) => x.k.opened || x.k.on_time_closure.den);
  rateBars($("chart-areas").querySelector("svg"), towns, [[t("on_time"), (r) => rate(r.k.on_time_closure), COLORS.a]]);
  const depts = dept.groups.filter((g) => g.group !== "all").map((g) => {
    const d = state.departments.find((x) => x.code === g.group);
    return { label: d ? nameOf(d) : t("unrouted"), k: g.kpis };
  });
  rateBars($("chart-departments").querySelector("svg"), depts,
    [[t("on_time"), (r) => rate(r.k.on_time_closure), COLORS.a], [t("rework"), (r) => rate(r.k.rework), COLORS.b]]);
  weekChart($("chart-incidents").querySelector("svg"), days ? days.groups : []);
  $("chart-incidents").hidden = !days;
  // Every figure's definition in the page's language (the server's own words in English).
  const defs = t("kpi_defs");
  $("definitions").textContent = t("defs") + Object.entries(month.parameters.definitions).map(([k, v]) => (defs && defs[k]) || `${k}: ${v}`).join(defs ? "；" : "; ");
}

/// A date (YYYY-MM-DD) moved by `days` days, or by `years` years.
function shift(day, days, years = 0) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return new Date(d.getTime() + days * 864e5).toISOString().slice(0, 10);
}

async function load() {
  const p = { from: $("from").value, to: $("to").value };
  const length = Math.round((Date.parse(p.to) - Date.parse(p.from)) / 864e5);
  // The same length just before, and the same dates a year before.
  const before = { from: shift(p.from, -length), to: p.from };
  const lastYear = { from: shift(p.from, 0, -1), to: shift(p.to, 0, -1) };
  const reads = state.me.permissions.includes("incidents.read");
  const count = (q) => api("/api/v1/incidents/aggregate", { ...q, by: "category" }).then((r) => r.total);
  const [month, area, dept, prev, yoy, days, open, incidents] = await Promise.all([
    api("/api/v1/reports/cases", { ...p, by: "month" }), api("/api/v1/reports/cases", { ...p, by: "jurisdiction" }),
    api("/api/v1/reports/cases", { ...p, by: "department" }),
    api("/api/v1/reports/cases", { ...before, by: "type" }), api("/api/v1/reports/cases", { ...lastYear, by: "type" }),
    // Incidents over the same period as the cases.
    reads ? api("/api/v1/incidents/aggregate", { ...p, by: "day" }) : null,
    api("/api/v1/cases", { open: "true", limit: 1000 }),
    reads ? Promise.all([count(p), count(before), count(lastYear)]).then(([now, b, y]) => ({ now, prev: b, yoy: y })) : null,
  ]);
  // Callbacks by station and month, whatever the period asked (a year of samples).
  const satisfaction = await api("/api/v1/callbacks/report", { months: 12 }).catch(() => null);
  state.data = { month, area, dept, days, prev, yoy, incidents, open, satisfaction };
  $("csv").href = URL.createObjectURL(new Blob([JSON.stringify({ month, area, dept }, null, 2)], { type: "application/json" }));
  draw();
}

async function init() {
  state.me = await startPage(async () => draw());
  const [types, towns, facilities, categories] = await Promise.all([api("/api/v1/case-types"), api("/api/v1/jurisdictions", { level: "town" }),
    api("/api/v1/facilities"), api("/api/v1/categories")]);
  state.categories = categories.items;
  state.stations = facilities.items.filter((f) => f.kind === "station");
  state.timezone = types.timezone;
  state.departments = types.departments;
  state.types = types.types;
  state.towns = towns.features.map((f) => f.properties);
  // The last 365 days up to today, as days of the city's calendar.
  const today = cityToday(types.timezone);
  $("to").value = shift(today, 1);
  $("from").value = shift(today, -364);
  $("period").onsubmit = (e) => { e.preventDefault(); load(); };
  await load();
  ready();
}

init().catch((e) => { $("cards").textContent = problem(e); });
