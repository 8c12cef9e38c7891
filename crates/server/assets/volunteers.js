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
    mine: "我的服务", record_activity: "记录一次活动", add_volunteer: "登记志愿者", my_hours: "累计服务时长（时）", my_year: "近一年服务时长（时）",
    my_count: "参加活动（次）", title_field: "活动名称", day: "日期", starts: "开始时间", ends: "结束时间", my_hours_field: "本人服务时长（时）",
    reach_field: "受众人数（宣讲）", save: "保存", saved: "已保存", account: "登录账号（可不填）", attendees: "参加的志愿者（时长）",
    not_linked: "您的账号尚未关联志愿者名册，请联系所在派出所登记。", where: "地点（辖区）",
    kinds: { patrol: "平安巡防", mediation: "调解", safety_talk: "平安宣讲", other: "其他" },
    skill: { elderly_care: "关爱老人", safety_talk: "平安宣讲", first_aid: "急救", mediation: "调解", legal: "法律", patrol: "巡防", psychology: "心理疏导", translation: "翻译" },
  },
  en: {
    title: "Volunteers", assignments: "My assignments", registry: "Registry", activities: "Activities, last 30 days",
    name: "Name", phone: "Phone", skills: "Skills", areas: "Grids", availability: "Available", hours: "Hours (all)",
    count: "Activities", date: "Date", kind: "Kind", activity: "Activity", area: "Where", people: "People", reach: "Reach",
    active: "Active volunteers", hours_30: "Volunteer hours, last 30 days", talks: "Safety talks", talk_reach: "Safety-talk audience",
    no_assignments: "Nothing is assigned to you", open_case: "Open", due: "due", overdue: "overdue", parties: "Parties",
    mine: "My volunteering", record_activity: "Record an activity", add_volunteer: "Register a volunteer", my_hours: "Hours, all",
    my_year: "Hours, last year", my_count: "Activities", title_field: "Activity", day: "Date", starts: "Starts", ends: "Ends",
    my_hours_field: "My hours", reach_field: "People reached (talks)", save: "Save", saved: "saved", account: "Sign-in account (optional)",
    attendees: "Volunteers who took part (hours)", not_linked: "Your account is not linked to the volunteer registry: ask your police station to register you.",
    where: "Where (area)",
    kinds: { patrol: "Patrol", mediation: "Mediation", safety_talk: "Safety talk", other: "Other" },
    skill: { elderly_care: "Elderly care", safety_talk: "Safety talks", first_aid: "First aid", mediation: "Mediation", legal: "Legal", patrol: "Patrol", psychology: "Counselling", translation: "Translation" },
  },
};
const state = { lang: pickLang(), me: null, types: [], areaNames: {} };

const card = (id, value, label) => h("div", { class: "card", id }, h("b", {}, value), h("span", {}, label));
const areaName = (code) => (state.areaNames[code] ? nameOf(state.areaNames[code]) : code);
// Dates in the city's zone, not the browser's.
const day = (x) => new Date(x).toLocaleDateString(state.lang === "zh" ? "zh-CN" : "en-GB", { timeZone: state.timezone || "Asia/Shanghai" });

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
  state.registry = list.items;
  table($("registry"), [[t("name")], [t("phone")], [t("skills")], [t("areas")], [t("availability")], [t("hours"), 1], [t("count"), 1]],
    list.items.map((v) => h("tr", { "data-id": v.id }, h("td", {}, v.name), h("td", {}, v.phone || "—"),
      h("td", {}, v.skills.map((s) => h("span", { class: "tag" }, t("skill")[s] || s))),
      h("td", {}, v.areas.map(areaName).join("、")), h("td", {}, v.availability || "—"),
      h("td", { class: "n" }, v.hours.toFixed(1)), h("td", { class: "n" }, v.activities))));
  return list.items.filter((v) => v.active).length;
}

async function activities() {
  // The city's date 30 days back.
  const from = new Date(Date.parse(`${cityToday()}T00:00:00Z`) - 30 * 864e5).toISOString().slice(0, 10);
  const a = await api("/api/v1/volunteers/activities", { from });
  table($("activities"), [[t("date")], [t("kind")], [t("activity")], [t("area")], [t("people"), 1], [t("hours"), 1], [t("reach"), 1]],
    a.items.map((x) => h("tr", {}, h("td", {}, day(x.starts_at)), h("td", {}, t("kinds")[x.kind] || x.kind), h("td", {}, x.title),
      h("td", {}, areaName(x.jurisdiction)), h("td", { class: "n" }, x.attendance.length),
      h("td", { class: "n" }, x.attendance.reduce((s, p) => s + p[1], 0).toFixed(1)), h("td", { class: "n" }, x.reach || "—"))));
  return a;
}

const field = (key, control) => h("label", {}, h("span", {}, t(key)), control);
// A local date and time in the city's zone as an instant: the zone's offset
// on that day, from the browser's own time-zone data.
function instant(day, time) {
  const guess = new Date(`${day}T${time}:00Z`);
  const name = new Intl.DateTimeFormat("en", { timeZone: state.timezone || "Asia/Shanghai", timeZoneName: "longOffset" })
    .formatToParts(guess).find((p) => p.type === "timeZoneName").value;
  const offset = name === "GMT" ? "+00:00" : name.slice(3);
  return new Date(`${day}T${time}:00${offset}`).toISOString();
}
const kindSelect = (id) => h("select", { id }, Object.entries(t("kinds")).map(([k, v]) => h("option", { value: k }, v)));
const areaSelect = (id) => h("select", { id }, h("option", { value: "" }, "—"),
  Object.values(state.areaNames).filter((a) => a.level !== "grid").map((a) => h("option", { value: a.code }, nameOf(a))));

function activityFields(prefix) {
  return [
    field("kind", kindSelect(`${prefix}-kind`)), field("title_field", h("input", { id: `${prefix}-title`, required: true, maxlength: 200 })),
    field("where", areaSelect(`${prefix}-area`)), field("day", h("input", { id: `${prefix}-day`, type: "date", required: true, value: cityToday(), max: cityToday() })),
    field("starts", h("input", { id: `${prefix}-starts`, type: "time", required: true, value: "09:00" })),
    field("ends", h("input", { id: `${prefix}-ends`, type: "time", required: true, value: "11:00" })),
    field("reach_field", h("input", { id: `${prefix}-reach`, type: "number", min: 0, value: 0, inputmode: "numeric" })),
  ];
}

function readActivity(prefix) {
  const v = (k) => $(`${prefix}-${k}`).value;
  return {
    kind: v("kind"), title: v("title").trim(), jurisdiction: v("area") || null,
    starts_at: instant(v("day"), v("starts")), ends_at: instant(v("day"), v("ends")), reach: Number(v("reach") || 0),
  };
}

// The volunteer's own record: hours, activities, and a form to add one.
async function mine() {
  const totals = $("mine-totals"), list = $("mine-activities"), form = $("mine-form");
  let v;
  try { v = await api("/api/v1/me/volunteering"); } catch (e) {
    totals.innerHTML = "";
    totals.append(h("p", { class: "muted", id: "not-linked" }, e.status === 404 ? t("not_linked") : problem(e)));
    $("record-mine").hidden = true;
    return;
  }
  totals.innerHTML = "";
  totals.append(card("my-hours", v.volunteer.hours.toFixed(1), t("my_hours")), card("my-year", v.hours_last_year.toFixed(1), t("my_year")),
    card("my-count", v.volunteer.activities, t("my_count")));
  const mineHours = (a) => a.attendance.filter((x) => x[0] === v.volunteer.id).reduce((s, x) => s + x[1], 0);
  table(list, [[t("date")], [t("kind")], [t("activity")], [t("my_hours_field"), 1]],
    v.activities.map((a) => h("tr", {}, h("td", {}, day(a.starts_at)), h("td", {}, t("kinds")[a.kind] || a.kind), h("td", {}, a.title),
      h("td", { class: "n" }, mineHours(a).toFixed(1)))));
  if (!form.childElementCount) {
    form.append(...activityFields("mine"), field("my_hours_field", h("input", { id: "mine-hours", type: "number", min: 0.5, max: 24, step: 0.5, value: 2, required: true, inputmode: "decimal" })),
      h("p", { id: "mine-error", role: "alert", class: "error" }), h("button", { type: "submit", id: "mine-save" }, t("save")));
    form.onsubmit = async (ev) => {
      ev.preventDefault();
      $("mine-error").textContent = "";
      try { await change("/api/v1/me/activities", { ...readActivity("mine"), hours: Number($("mine-hours").value) }); } catch (e) { $("mine-error").textContent = problem(e); return; }
      $("record-mine").open = false;
      await mine();
    };
  }
}

// Staff: register a volunteer, record an activity with who took part.
function staffForms(registryItems) {
  const vf = $("volunteer-form");
  if (!vf.childElementCount) {
    vf.append(field("name", h("input", { id: "vol-name", required: true, maxlength: 50 })), field("phone", h("input", { id: "vol-phone", type: "tel", maxlength: 20 })),
      h("fieldset", {}, h("legend", {}, t("skills")), Object.entries(t("skill")).map(([k, v]) => h("label", { class: "check" }, h("input", { type: "checkbox", name: "skill", value: k }), v))),
      field("areas", areaSelect("vol-area")), field("availability", h("input", { id: "vol-availability", maxlength: 100 })),
      field("account", h("input", { id: "vol-account", maxlength: 64, autocomplete: "off" })),
      h("p", { id: "vol-error", role: "alert", class: "error" }), h("button", { type: "submit", id: "vol-save" }, t("save")));
    vf.onsubmit = async (ev) => {
      ev.preventDefault();
      $("vol-error").textContent = "";
      const body = {
        name: $("vol-name").value.trim(), phone: $("vol-phone").value.trim() || null,
        skills: [...vf.querySelectorAll("[name=skill]:checked")].map((x) => x.value),
        areas: $("vol-area").value ? [$("vol-area").value] : [], availability: $("vol-availability").value.trim(),
        account: $("vol-account").value.trim() || null,
      };
      try { await change("/api/v1/volunteers", body); } catch (e) { $("vol-error").textContent = problem(e); return; }
      vf.reset();
      $("add-volunteer").open = false;
      await render();
    };
  }
  const af = $("activity-form");
  af.innerHTML = "";
  af.append(...activityFields("act"),
    h("fieldset", { id: "act-people" }, h("legend", {}, t("attendees")), registryItems.filter((v) => v.active).map((v) => h("label", { class: "check" },
      h("input", { type: "checkbox", name: "who", value: v.id }), ` ${v.name} `,
      h("input", { type: "number", name: "hours", "data-id": v.id, min: 0.5, max: 24, step: 0.5, value: 2, "aria-label": `${v.name} ${t("hours")}`, style: "width:5em" })))),
    h("p", { id: "act-error", role: "alert", class: "error" }), h("button", { type: "submit", id: "act-save" }, t("save")));
  af.onsubmit = async (ev) => {
    ev.preventDefault();
    $("act-error").textContent = "";
    const attendance = [...af.querySelectorAll("[name=who]:checked")].map((c) => [Number(c.value), Number(af.querySelector(`[name=hours][data-id="${c.value}"]`).value)]);
    try { await change("/api/v1/volunteers/activities", { ...readActivity("act"), case_code: null, attendance }); } catch (e) { $("act-error").textContent = problem(e); return; }
    $("add-activity").open = false;
    await render();
  };
}

async function render() {
  applyLang();
  const me = state.me;
  const totals = $("totals");
  totals.innerHTML = "";
  const assigned = me.scope === "assignee";
  $("assignments-panel").hidden = !assigned;
  if (assigned) await assignments();
  const volunteer = me.user && me.user.role === "volunteer";
  $("mine-panel").hidden = !volunteer;
  if (volunteer) await mine();
  const reads = me.permissions.includes("volunteers.read");
  $("registry-panel").hidden = !reads;
  $("activities-panel").hidden = !reads;
  if (reads) {
    const [active, a] = await Promise.all([registry(), activities()]);
    const writes = me.permissions.includes("volunteers.write");
    $("staff-tools").hidden = !writes;
    if (writes) staffForms(state.registry);
    totals.append(card("total-active", active, t("active")), card("total-hours", a.volunteer_hours.toFixed(1), t("hours_30")),
      card("total-talks", a.safety_talks, t("talks")), card("total-reach", a.safety_talk_reach.toLocaleString(), t("talk_reach")));
  }
}

async function init() {
  const me = await startPage(() => render());
  const [types, areas] = await Promise.all([api("/api/v1/case-types"), api("/api/v1/jurisdictions")]);
  state.types = types.types;
  state.timezone = types.timezone;
  for (const f of areas.features) state.areaNames[f.properties.code] = f.properties;
  state.me = me;
  await render();
  ready();
}

init().catch((e) => { $("totals").textContent = problem(e); });
