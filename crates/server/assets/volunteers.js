// Volunteers: one's own assignments (with parties masked as the role
// requires), the registry with hours, and the last 30 days' activities with
// hours and the reach of safety talks. Works on a phone.
"use strict";

const I18N = {
  zh: {
    title: "志愿者", assignments: "我的任务", registry: "志愿者名册", activities: "近 30 天活动", name: "姓名", phone: "电话",
    skills: "技能", areas: "服务网格", availability: "可服务时间", hours: "累计时长（时）", count: "活动次数",
    date: "日期", kind: "类型", activity: "活动", area: "地点", people: "人数", reach: "受众", active: "在册志愿者",
    hours_30: "近 30 天服务时长", talks: "平安宣讲（场）", talk_reach: "宣讲受众（人）", no_assignments: "暂无指派给您的任务",
    open_case: "办理", due: "期限", overdue: "超期", parties: "当事人",
    kinds: { patrol: "平安巡防", mediation: "调解", safety_talk: "平安宣讲", other: "其他" },
    skill: { elderly_care: "关爱老人", safety_talk: "平安宣讲", first_aid: "急救", mediation: "调解", legal: "法律", patrol: "巡防", psychology: "心理疏导", translation: "翻译" },
  },
  en: {
    title: "Volunteers", assignments: "My assignments", registry: "Registry", activities: "Activities, last 30 days",
    name: "Name", phone: "Phone", skills: "Skills", areas: "Grids", availability: "Available", hours: "Hours (all)",
    count: "Activities", date: "Date", kind: "Kind", activity: "Activity", area: "Where", people: "People", reach: "Reach",
    active: "Active volunteers", hours_30: "Volunteer hours, last 30 days", talks: "Safety talks", talk_reach: "Safety-talk audience",
    no_assignments: "Nothing is assigned to you", open_case: "Open", due: "due", overdue: "overdue", parties: "Parties",
    kinds: { patrol: "Patrol", mediation: "Mediation", safety_talk: "Safety talk", other: "Other" },
    skill: { elderly_care: "Elderly care", safety_talk: "Safety talks", first_aid: "First aid", mediation: "Mediation", legal: "Legal", patrol: "Patrol", psychology: "Counselling", translation: "Translation" },
  },
};
const state = { lang: pickLang(), me: null, types: [], areaNames: {} };

const card = (id, value, label) => h("div", { class: "card", id }, h("b", {}, value), h("span", {}, label));
const areaName = (code) => (state.areaNames[code] ? nameOf(state.areaNames[code]) : code);
const day = (x) => new Date(x).toLocaleDateString(state.lang === "zh" ? "zh-CN" : "en-GB");

function table(el, heads, rows) {
  el.innerHTML = "";
  el.append(h("thead", {}, h("tr", {}, heads.map(([label, n]) => h("th", { scope: "col", class: n ? "n" : null }, label)))),
    h("tbody", {}, rows));
}

// The cases assigned to the signed-in volunteer or mediator, each with its
// parties as this role may see them.
async function assignments() {
  const box = $("assignments");
  box.innerHTML = "";
  const list = await api("/api/v1/cases", { open: "true", limit: 100 });
  if (!list.items.length) { box.append(h("p", { class: "muted" }, t("no_assignments"))); return; }
  const views = await Promise.all(list.items.map((c) => api(`/api/v1/cases/${encodeURIComponent(c.code)}`)));
  for (const v of views) {
    const c = v.case;
    const ty = state.types.find((x) => x.code === c.case_type);
    const stage = ty && ty.stages.find((s) => s.code === c.state.stage);
    box.append(h("article", { class: "card assignment", "data-code": c.code },
      h("b", {}, c.title), h("span", {}, `${c.code} · ${stage ? nameOf(stage) : c.state.stage}`),
      h("span", {}, `${t("due")} ${when(c.state.due_at)}${v.overdue ? " · " + t("overdue") : ""}`),
      c.parties.length ? h("span", { class: "parties" }, `${t("parties")}: ${c.parties.map((p) => `${p.name}${p.phone ? " " + p.phone : ""}`).join("; ")}`) : null,
      c.address ? h("span", {}, c.address) : null,
      h("a", { href: `/cases?type=${c.case_type}&case=${encodeURIComponent(c.code)}` }, t("open_case"))));
  }
}

async function registry() {
  const list = await api("/api/v1/volunteers");
  table($("registry"), [[t("name")], [t("phone")], [t("skills")], [t("areas")], [t("availability")], [t("hours"), 1], [t("count"), 1]],
    list.items.map((v) => h("tr", { "data-id": v.id }, h("td", {}, v.name), h("td", {}, v.phone || "—"),
      h("td", {}, v.skills.map((s) => h("span", { class: "tag" }, t("skill")[s] || s))),
      h("td", {}, v.areas.map(areaName).join("、")), h("td", {}, v.availability || "—"),
      h("td", { class: "n" }, v.hours.toFixed(1)), h("td", { class: "n" }, v.activities))));
  return list.items.filter((v) => v.active).length;
}

async function activities() {
  const from = new Date(Date.now() - 30 * 864e5).toISOString().slice(0, 10);
  const a = await api("/api/v1/volunteers/activities", { from });
  table($("activities"), [[t("date")], [t("kind")], [t("activity")], [t("area")], [t("people"), 1], [t("hours"), 1], [t("reach"), 1]],
    a.items.map((x) => h("tr", {}, h("td", {}, day(x.starts_at)), h("td", {}, t("kinds")[x.kind] || x.kind), h("td", {}, x.title),
      h("td", {}, areaName(x.jurisdiction)), h("td", { class: "n" }, x.attendance.length),
      h("td", { class: "n" }, x.attendance.reduce((s, p) => s + p[1], 0).toFixed(1)), h("td", { class: "n" }, x.reach || "—"))));
  return a;
}

async function render() {
  applyLang();
  const me = state.me;
  const totals = $("totals");
  totals.innerHTML = "";
  const mine = me.scope === "assignee";
  $("assignments-panel").hidden = !mine;
  if (mine) await assignments();
  const reads = me.permissions.includes("volunteers.read");
  $("registry-panel").hidden = !reads;
  $("activities-panel").hidden = !reads;
  if (reads) {
    const [active, a] = await Promise.all([registry(), activities()]);
    totals.append(card("total-active", active, t("active")), card("total-hours", a.volunteer_hours.toFixed(1), t("hours_30")),
      card("total-talks", a.safety_talks, t("talks")), card("total-reach", a.safety_talk_reach.toLocaleString(), t("talk_reach")));
  }
}

async function init() {
  const me = await startPage(() => render());
  const [types, areas] = await Promise.all([api("/api/v1/case-types"), api("/api/v1/jurisdictions")]);
  state.types = types.types;
  for (const f of areas.features) state.areaNames[f.properties.code] = f.properties;
  state.me = me;
  await render();
  ready();
}

init().catch((e) => { $("totals").textContent = e.message; });
