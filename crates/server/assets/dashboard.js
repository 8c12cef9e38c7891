// The leader dashboard: the case KPIs of a period (on-time closure, rework,
// mediation success, satisfaction, hazards cleared) and their trends by
// month, by town and by department, with incidents by week. Charts are SVG
// drawn here; every rate is computed from its numerator and denominator, so
// towns are the sums of their grids.
"use strict";

const I18N = {
  zh: {
    title: "领导驾驶舱", from: "自", to: "至（不含）", apply: "更新", csv: "下载数据", opened: "受理", closed: "办结",
    on_time: "按期结案率", rework: "返工率", mediation: "调解成功率", satisfied: "群众满意率", hazards: "隐患销号（新增/存量）",
    escalated: "民转刑预警", by_month: "逐月：受理、办结与按期结案率", by_area: "按镇街：按期结案率",
    by_department: "按部门：按期结案率与返工率", incidents_weekly: "警情：逐周", none: "该时段无数据", unrouted: "未派遣",
    defs: "口径：", of: (n, d) => `${n} / ${d}`,
  },
  en: {
    title: "Leader dashboard", from: "From", to: "To (exclusive)", apply: "Update", csv: "Download data", opened: "Opened",
    closed: "Closed", on_time: "On-time closure", rework: "Rework rate", mediation: "Mediation success", satisfied: "Satisfied citizens",
    hazards: "Hazards cleared (new / stock)", escalated: "Disputes turned criminal", by_month: "By month: opened, closed, on-time closure",
    by_area: "By town: on-time closure", by_department: "By department: on-time closure and rework", incidents_weekly: "Incidents by week",
    none: "No data in this period", unrouted: "Not routed", defs: "Definitions: ", of: (n, d) => `${n} of ${d}`,
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

function cards(all) {
  const box = $("cards");
  box.innerHTML = "";
  const c = (id, value, label, note) => h("div", { class: "card", id }, h("b", {}, value), h("span", {}, label), note ? h("small", { class: "muted" }, note) : null);
  const ratio = (r) => (r && r.den ? t("of")(r.num, r.den) : "");
  box.append(
    c("card-opened", all.opened, t("opened")), c("card-closed", all.closed, t("closed")),
    c("card-on-time", pct(rate(all.on_time_closure)), t("on_time"), ratio(all.on_time_closure)),
    c("card-rework", pct(rate(all.rework)), t("rework"), ratio(all.rework)),
    c("card-mediation", pct(rate(all.mediation_success)), t("mediation"), ratio(all.mediation_success)),
    c("card-satisfied", pct(rate(all.satisfied)), t("satisfied"), ratio(all.satisfied)),
    c("card-hazards", `${all.hazards_cleared_new} / ${all.hazards_cleared_stock}`, t("hazards")),
    c("card-escalated", all.escalated_to_crime, t("escalated")),
  );
}

function draw() {
  const { month, area, dept, days } = state.data;
  applyLang();
  const all = month.groups.find((g) => g.group === "all");
  cards(all ? all.kpis : addUp([]));
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
  $("definitions").textContent = t("defs") + Object.entries(month.parameters.definitions).map(([k, v]) => `${k}: ${v}`).join("；");
}

async function load() {
  const p = { from: $("from").value, to: $("to").value };
  const reads = state.me.permissions.includes("incidents.read");
  const [month, area, dept, days] = await Promise.all([
    api("/api/v1/reports/cases", { ...p, by: "month" }), api("/api/v1/reports/cases", { ...p, by: "jurisdiction" }),
    api("/api/v1/reports/cases", { ...p, by: "department" }),
    reads ? api("/api/v1/incidents/aggregate", { by: "day" }) : null,
  ]);
  state.data = { month, area, dept, days };
  $("csv").href = URL.createObjectURL(new Blob([JSON.stringify({ month, area, dept }, null, 2)], { type: "application/json" }));
  draw();
}

async function init() {
  state.me = await startPage(async () => draw());
  const [types, towns] = await Promise.all([api("/api/v1/case-types"), api("/api/v1/jurisdictions", { level: "town" })]);
  state.departments = types.departments;
  state.towns = towns.features.map((f) => f.properties);
  const today = new Date();
  $("to").value = new Date(today.getTime() + 864e5).toISOString().slice(0, 10);
  $("from").value = new Date(today.getTime() - 365 * 864e5).toISOString().slice(0, 10);
  $("period").onsubmit = (e) => { e.preventDefault(); load(); };
  await load();
  ready();
}

init().catch((e) => { $("cards").textContent = e.message; });
