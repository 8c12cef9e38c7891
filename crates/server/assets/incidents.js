// Incidents: a filtered list, newest first, paged by cursor; an incident's
// lifecycle (occurred, received, dispatched, arrived, closed) with the
// minutes between, its area, the cases it is linked to and its ledger badge.
"use strict";

const I18N = {
  zh: {
    title: "警情", list: "警情列表", dataset: "数据集", category: "类别", area: "辖区", origin: "来源", from: "自", to: "至",
    apply: "筛选", time: "时间", address: "地址", unit: "处警单位", response: "到场（分）", more: "更多", all: "全部",
    citizen: "群众报警", officer: "民警发现", unknown: "未知", occurred: "发生", received: "接警", dispatched: "派警",
    arrived: "到场", closed: "结警", lifecycle: "处置经过", linked: "关联案件", no_links: "无关联案件", to_dispute: "转为矛盾纠纷", to_hazard: "转为风险隐患", minutes: (m) => `${m} 分钟后`,
    raw: "原始类别", place: "场所", total: (n) => `共 ${n.toLocaleString()} 起`, source: "来源编号",
  },
  en: {
    title: "Incidents", list: "Incidents", dataset: "Dataset", category: "Category", area: "Area", origin: "Origin",
    from: "From", to: "To", apply: "Filter", time: "Time", address: "Address", unit: "Unit", response: "Arrival (min)",
    more: "More", all: "All", citizen: "Citizen-initiated", officer: "Officer-initiated", unknown: "Unknown",
    occurred: "Occurred", received: "Received", dispatched: "Dispatched", arrived: "Arrived", closed: "Closed",
    lifecycle: "Lifecycle", linked: "Linked cases", no_links: "No linked cases", to_dispute: "Open a dispute from it", to_hazard: "Open a hazard from it", minutes: (m) => `+${m} min`,
    raw: "Source category", place: "Place", total: (n) => `${n.toLocaleString()} in all`, source: "Source id",
  },
};
const state = { lang: pickLang(), me: null, categories: {}, areas: [], datasets: [], next: null, selected: null };

const catName = (code) => { const c = state.categories[code]; return c ? nameOf(c) : code; };
const minutesBetween = (a, b) => (a && b ? Math.round((Date.parse(b) - Date.parse(a)) / 6e4) : null);

function query() {
  return {
    dataset: $("dataset").value, category: $("category").value, jurisdiction: $("jurisdiction").value,
    origin: $("origin").value, from: $("from").value, to: $("to").value,
  };
}

function fillFilters() {
  const keep = query();
  const opts = (sel, items) => {
    sel.innerHTML = "";
    for (const [v, label] of items) sel.append(h("option", { value: v }, label));
  };
  opts($("dataset"), state.datasets.map((d) => [d.name, `${d.name} (${d.incidents.toLocaleString()})`]));
  opts($("category"), [["", t("all")], ...Object.values(state.categories).filter((c) => !c.code.includes(".")).map((c) => [c.code, nameOf(c)])]);
  opts($("jurisdiction"), [["", t("all")], ...state.areas.map((a) => [a.code, nameOf(a)])]);
  opts($("origin"), [["", t("all")], ["citizen", t("citizen")], ["officer", t("officer")]]);
  for (const [k, v] of Object.entries(keep)) if (v && $(k).querySelector(`option[value="${CSS.escape(v)}"]`)) $(k).value = v;
  if (!$("dataset").value && state.datasets[0]) $("dataset").value = state.defaultDataset || state.datasets[0].name;
}

async function list(append = false) {
  const body = $("incidents").tBodies[0];
  if (!append) { body.innerHTML = ""; state.next = null; }
  const page = await api("/api/v1/incidents", { ...query(), limit: 50, after: append ? state.next : "" });
  state.next = page.next;
  $("total").textContent = t("total")(page.total);
  for (const i of page.items) {
    const open = () => { state.selected = i.id; mark(); detail(i.id); };
    body.append(h("tr", {
      class: "row", tabindex: "0", "data-id": i.id, "aria-selected": String(i.id === state.selected), onclick: open,
      onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); open(); } },
    }, h("td", {}, when(i.occurred_at)), h("td", {}, catName(i.category)), h("td", {}, i.address || "—"),
    h("td", {}, i.unit || "—"), h("td", { class: "n" }, minutesBetween(i.received_at, i.arrived_at) ?? "—")));
  }
  $("more").hidden = !state.next;
}

function mark() {
  for (const tr of $("incidents").tBodies[0].rows) tr.setAttribute("aria-selected", String(Number(tr.dataset.id) === state.selected));
}

async function detail(id) {
  const d = $("detail");
  if (!id) { d.hidden = true; return; }
  const v = await api(`/api/v1/incidents/${id}`);
  const i = v.incident;
  d.hidden = false;
  d.innerHTML = "";
  const head = h("p", { id: "incident-head" }, `${t("origin")}: ${t(i.origin) || i.origin}`);
  d.append(h("h2", {}, `${catName(i.category)} · #${i.id}`), head);
  ledgerBadge(head, v.ledger_record);
  d.append(h("p", {}, `${t("address")}: ${i.address || "—"}`),
    h("p", {}, `${t("area")}: ${v.jurisdiction ? nameOf(v.jurisdiction) + " (" + v.jurisdiction.code + ")" : "—"}`),
    h("p", { class: "muted" }, `${t("raw")}: ${i.raw_category || "—"} · ${t("place")}: ${i.place_type || "—"} · ${t("source")}: ${i.source_key}`));
  d.append(h("h3", {}, t("lifecycle")));
  const steps = [["occurred", i.occurred_at], ["received", i.received_at], ["dispatched", i.dispatched_at], ["arrived", i.arrived_at], ["closed", i.closed_at]];
  d.append(h("ol", { class: "lifecycle", id: "lifecycle" }, steps.map(([k, at]) => {
    const m = k === "occurred" ? null : minutesBetween(i.received_at || i.occurred_at, at);
    return h("li", { class: at ? null : "missing", "data-step": k },
      h("b", {}, t(k)), " ", at ? when(at) : "—", m !== null && k !== "received" ? h("span", { class: "muted" }, ` (${t("minutes")(m)})`) : null,
      k === "dispatched" && i.unit ? ` · ${i.unit}` : null);
  })));
  if (state.me.permissions.includes("cases.write")) {
    // The usual way a 110 call about a quarrel becomes a mediation case.
    d.append(h("div", { class: "actions", id: "incident-to-case" },
      h("a", { class: "button", href: `/cases?new=dispute&incident=${i.id}` }, t("to_dispute")),
      h("a", { class: "button", href: `/cases?new=hazard&incident=${i.id}` }, t("to_hazard"))));
  }
  d.append(h("h3", {}, t("linked")));
  d.append(v.cases.length
    ? h("ul", { id: "linked" }, v.cases.map((c) => h("li", {}, h("a", { href: `/cases?type=${c.case_type}&case=${encodeURIComponent(c.code)}` }, c.code), ` · ${c.title} · ${bilingual(c.reason)}`)))
    : h("p", { class: "muted" }, t("no_links")));
}

async function render() {
  fillFilters();
  await list();
  if (state.selected) await detail(state.selected);
}

async function init() {
  await startPage(() => render());
  // A role that may not read incidents goes to its own start page, not to an error.
  if (!state.me.permissions.includes("incidents.read")) { location.replace(homeOf(state.me)); return; }
  const [cats, dss, areas] = await Promise.all([api("/api/v1/categories"), api("/api/v1/datasets"), api("/api/v1/jurisdictions", { level: "town" })]);
  for (const c of cats.items) state.categories[c.code] = c;
  state.datasets = dss.items;
  state.defaultDataset = dss.default;
  // An officer filters within its own jurisdiction only.
  const own = state.me.user && state.me.scope === "jurisdiction" ? state.me.user.jurisdiction || "" : "";
  state.areas = areas.features.map((f) => f.properties).filter((a) => a.code.startsWith(own) || own.startsWith(a.code));
  $("filters").onsubmit = (e) => { e.preventDefault(); list(); };
  $("more").onclick = () => list(true);
  const q = new URLSearchParams(location.search);
  state.selected = q.get("incident") ? Number(q.get("incident")) : null;
  await render();
  ready();
}

init().catch((e) => { $("total").textContent = e.message; });
