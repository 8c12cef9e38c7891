// Personnel (警力): a station's 民警, 辅警 and 巡特警 with team,
// qualifications, contract hours and who is on leave today; for those who
// manage the registry, adding and editing people (a transfer, leaving the
// strength), importing a personnel export (CSV: every row or none), and
// recording or cancelling leave. Names and phones come masked from the
// server for roles that do not handle personal data.
"use strict";

const I18N = {
  zh: {
    title: "警力", registry: "警力名册", station: "所属派出所", show_all: "含已调离人员", add_person: "新增人员",
    import: "导入名册（CSV）", add_leave: "登记请假", leave_title: "请假（今后四周）", badge: "警号", name: "姓名", kind: "类别",
    team: "中队/警组", qualifications: "资质", phone: "电话", weekly_hours: "周工时", shifts: "可排班次", today: "今日",
    on_duty: "可排班", left: "已调离", actions: "操作", edit: "修改", leave: "请假", save: "保存", cancel: "取消", active: "在册（取消勾选即调离/离职）",
    any_shift: "全部班次", officers: "民警", auxiliaries: "辅警", specials: "巡特警", ratio: "辅警与民警之比", on_leave: "今日请假",
    person: "人员", leave_kind: "假别", first_day: "开始日期", last_day: "结束日期", note: "备注", cancel_leave: "销假",
    confirm_cancel: (n) => `撤销 ${n} 的这次请假？`, imported: (s) => `导入完成：新增 ${s.added} 人，${s.unchanged} 人与在册信息一致${s.ignored_columns.length ? `；未读取的列：${s.ignored_columns.join("、")}` : ""}。`,
    saved: "已保存。", none_here: "本所暂无人员", days: (n) => `${n} 天`,
    fields: { badge: "警号", name: "姓名", kind: "类别", station: "所属派出所", team: "中队/警组", qualifications: "资质", phone: "电话", weekly_hours: "周工时", shifts: "可排班次", first_day: "开始日期", last_day: "结束日期", note: "备注" },
    kinds: { officer: "民警", auxiliary: "辅警", special: "巡特警" },
    quals: { driving: "驾驶", firearm: "持枪", mediation: "调解", first_aid: "急救", english: "英语", sign_language: "手语", dialect: "方言" },
    leaves: { annual: "年休假", sick: "病假", personal: "事假", training: "培训", compensatory: "调休", wish_off: "希望休息（排班意愿，警力允许时安排）", wish_on: "希望上班（排班意愿，警力允许时安排）" },
  },
  en: {
    title: "Personnel", registry: "Personnel", station: "Station", show_all: "Include those who left", add_person: "Add a person",
    import: "Import a roll (CSV)", add_leave: "Record leave", leave_title: "Leave, next four weeks", badge: "Badge", name: "Name", kind: "Kind",
    team: "Team", qualifications: "Qualifications", phone: "Phone", weekly_hours: "Hours/week", shifts: "Shifts", today: "Today",
    on_duty: "available", left: "left", actions: "Actions", edit: "Edit", leave: "Leave", save: "Save", cancel: "Cancel", active: "On the strength (untick: transferred or left)",
    any_shift: "any shift", officers: "Officers", auxiliaries: "Auxiliaries", specials: "Patrol & special police", ratio: "Auxiliaries per officer", on_leave: "On leave today",
    person: "Person", leave_kind: "Kind of leave", first_day: "First day", last_day: "Last day", note: "Note", cancel_leave: "Cancel",
    confirm_cancel: (n) => `Cancel this leave of ${n}?`, imported: (s) => `Imported: ${s.added} added, ${s.unchanged} already on file as they are${s.ignored_columns.length ? `; columns not read: ${s.ignored_columns.join(", ")}` : ""}.`,
    saved: "Saved.", none_here: "No one at this station yet", days: (n) => `${n} days`,
    fields: { badge: "Badge", name: "Name", kind: "Kind", station: "Station", team: "Team", qualifications: "Qualifications", phone: "Phone", weekly_hours: "Hours/week", shifts: "Shifts", first_day: "First day", last_day: "Last day", note: "Note" },
    kinds: { officer: "Officer (民警)", auxiliary: "Auxiliary (辅警)", special: "Patrol/special (巡特警)" },
    quals: { driving: "Driving", firearm: "Firearm", mediation: "Mediation", first_aid: "First aid", english: "English", sign_language: "Sign language", dialect: "Dialect" },
    leaves: { annual: "Annual", sick: "Sick", personal: "Personal", training: "Training", compensatory: "Time off in lieu", wish_off: "Day off wished (granted where the cover allows)", wish_on: "Day wished to work (granted where the cover allows)" },
  },
};
const state = { lang: pickLang(), me: null, duty: null, people: [], stations: [], station: "" };

const card = (id, value, label) => h("div", { class: "card", id }, h("b", {}, value), h("span", {}, label));
const shiftName = (code) => { const s = state.duty.shifts.find((x) => x.code === code); return s ? nameOf(s) : code; };
const writes = () => state.me.permissions.includes("personnel.write");
const close = (d) => { d.close(); d.remove(); };
const field = (key, control) => h("label", {}, h("span", {}, t(key)), control);
const message = (text) => { $("page-message").textContent = text; };

function table(el, heads, rows, empty) {
  el.innerHTML = "";
  el.append(h("thead", {}, h("tr", {}, heads.map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: heads.length, class: "muted" }, empty || t("none")))));
}

async function load() {
  const q = { all: $("show-all").checked ? "true" : "false" };
  if (state.station) q.station = state.station;
  const r = await api("/api/v1/personnel", q);
  state.people = r.items;
  state.stations = r.stations;
  state.today = r.today;
}

function stationPicker() {
  const sel = $("station");
  sel.innerHTML = "";
  for (const s of state.stations) sel.append(h("option", { value: s.code, selected: s.code === state.station }, `${nameOf(s)} (${s.code})`));
  sel.onchange = async () => { state.station = sel.value; await render(); };
}

function people() {
  const p = state.people;
  const count = (k) => p.filter((x) => x.active && x.kind === k).length;
  const officers = count("officer") + count("special");
  $("totals").innerHTML = "";
  $("totals").append(card("total-officers", count("officer"), t("officers")), card("total-auxiliaries", count("auxiliary"), t("auxiliaries")),
    card("total-specials", count("special"), t("specials")),
    card("total-ratio", officers ? (count("auxiliary") / officers).toFixed(2) : "—", t("ratio")),
    card("total-leave", p.filter((x) => x.active && x.leave_today).length, t("on_leave")));
  const heads = [t("badge"), t("name"), t("kind"), t("team"), t("qualifications"), t("phone"), t("weekly_hours"), t("shifts"), t("today")];
  if (writes()) heads.push(t("actions"));
  table($("people"), heads, p.map((x) => h("tr", { "data-badge": x.badge, class: x.active ? null : "muted" },
    h("td", {}, x.badge), h("td", {}, x.name), h("td", {}, t("kinds")[x.kind] || x.kind), h("td", {}, x.team || "—"),
    h("td", {}, x.qualifications.map((q) => h("span", { class: "tag" }, t("quals")[q] || q))), h("td", {}, x.phone || "—"),
    h("td", { class: "n" }, x.weekly_hours), h("td", {}, x.shifts.length ? listed(x.shifts.map(shiftName)) : t("any_shift")),
    h("td", { class: "today" }, !x.active ? t("left") : x.leave_today ? t("leaves")[x.leave_today] || x.leave_today : t("on_duty")),
    writes() ? h("td", {}, h("button", { type: "button", class: "edit", onclick: () => personDialog(x) }, t("edit")),
      x.active ? h("button", { type: "button", class: "leave", onclick: () => leaveDialog(x) }, t("leave")) : null) : null)), t("none_here"));
}

async function leaveList() {
  const r = await api("/api/v1/leave", { from: state.today });
  const here = new Map(state.people.map((p) => [p.id, p]));
  const rows = r.items.filter((l) => here.has(l.person_id) && !l.cancelled).map((l) => {
    const p = here.get(l.person_id);
    const n = Math.round((new Date(l.last_day) - new Date(l.first_day)) / 864e5) + 1;
    return h("tr", { "data-leave": l.id }, h("td", {}, `${p.name} (${p.badge})`), h("td", {}, t("leaves")[l.kind] || l.kind),
      h("td", {}, l.first_day), h("td", {}, l.last_day), h("td", { class: "n" }, t("days")(n)), h("td", {}, l.note || "—"),
      writes() ? h("td", {}, h("button", { type: "button", class: "cancel-leave", onclick: async () => {
        if (!confirm(t("confirm_cancel")(p.name))) return;
        try { await change(`/api/v1/leave/${l.id}/cancel`, {}); } catch (e) { message(problem(e)); return; }
        await render();
      } }, t("cancel_leave"))) : null);
  });
  const heads = [t("person"), t("leave_kind"), t("first_day"), t("last_day"), "", t("note")];
  if (writes()) heads.push(t("actions"));
  table($("leave"), heads, rows);
}

// Add (no `person`) or edit a member of staff.
function personDialog(person) {
  const v = person || { badge: "", name: "", kind: "auxiliary", station: state.station, team: "", qualifications: [], phone: "", weekly_hours: 40, shifts: [], active: true };
  const error = h("p", { id: "person-error", role: "alert", class: "error" });
  const check = (name, code, label, on) => h("label", { class: "check" }, h("input", { type: "checkbox", name, value: code, checked: on }), ` ${label}`);
  const dialog = h("dialog", { id: "person-dialog", class: "form-dialog", "aria-labelledby": "person-title" },
    h("form", { method: "dialog", class: "stack" },
      h("h2", { id: "person-title" }, person ? `${t("edit")} · ${v.name}` : t("add_person")),
      field("badge", h("input", { id: "p-badge", required: true, maxlength: 16, pattern: "[A-Za-z0-9\\-]+", value: v.badge, autocomplete: "off" })),
      field("name", h("input", { id: "p-name", required: true, maxlength: 30, value: v.name, autocomplete: "off" })),
      field("kind", h("select", { id: "p-kind" }, Object.entries(t("kinds")).map(([k, n]) => h("option", { value: k, selected: k === v.kind }, n)))),
      field("station", h("select", { id: "p-station" }, state.stations.map((s) => h("option", { value: s.code, selected: s.code === v.station }, nameOf(s))))),
      field("team", h("input", { id: "p-team", maxlength: 20, value: v.team })),
      field("phone", h("input", { id: "p-phone", type: "tel", maxlength: 20, value: v.phone || "" })),
      field("weekly_hours", h("input", { id: "p-hours", type: "number", min: 1, max: 60, required: true, value: v.weekly_hours, inputmode: "numeric" })),
      h("fieldset", {}, h("legend", {}, t("qualifications")), Object.entries(t("quals")).map(([k, n]) => check("qual", k, n, v.qualifications.includes(k)))),
      h("fieldset", {}, h("legend", {}, `${t("shifts")}（${t("any_shift")}：${state.lang === "zh" ? "不勾选" : "none ticked"}）`),
        state.duty.shifts.map((s) => check("shift", s.code, nameOf(s), v.shifts.includes(s.code)))),
      person ? h("label", { class: "check" }, h("input", { type: "checkbox", id: "p-active", checked: v.active }), ` ${t("active")}`) : null,
      error,
      h("div", { class: "actions" }, h("button", { type: "submit", id: "person-save" }, t("save")),
        h("button", { type: "button", onclick: () => close(dialog) }, t("cancel")))));
  dialog.querySelector("form").onsubmit = async (ev) => {
    ev.preventDefault();
    const ticked = (name) => [...dialog.querySelectorAll(`[name=${name}]:checked`)].map((x) => x.value);
    const body = {
      badge: $("p-badge").value.trim(), name: $("p-name").value.trim(), kind: $("p-kind").value, station: $("p-station").value,
      team: $("p-team").value.trim(), phone: $("p-phone").value.trim() || null, weekly_hours: Number($("p-hours").value),
      qualifications: ticked("qual"), shifts: ticked("shift"),
    };
    try {
      if (person) await change(`/api/v1/personnel/${person.id}`, { ...body, version: person.version, active: $("p-active").checked });
      else await change("/api/v1/personnel", body);
    } catch (e) { error.textContent = problem(e); return; }
    close(dialog);
    message(t("saved"));
    await render();
  };
  document.body.append(dialog);
  dialog.showModal();
}

// Leave for one person (or a person picked from the station's roll).
function leaveDialog(person) {
  const error = h("p", { id: "leave-error", role: "alert", class: "error" });
  const today = state.today || cityToday();
  const dialog = h("dialog", { id: "leave-dialog", class: "form-dialog", "aria-labelledby": "leave-dialog-title" },
    h("form", { method: "dialog", class: "stack" },
      h("h2", { id: "leave-dialog-title" }, person ? `${t("add_leave")} · ${person.name}` : t("add_leave")),
      field("person", h("select", { id: "l-person" }, state.people.filter((p) => p.active).map((p) => h("option", { value: p.id, selected: person && p.id === person.id }, `${p.name} (${p.badge})`)))),
      field("leave_kind", h("select", { id: "l-kind" }, Object.entries(t("leaves")).map(([k, n]) => h("option", { value: k }, n)))),
      field("first_day", h("input", { id: "l-first", type: "date", required: true, value: today })),
      field("last_day", h("input", { id: "l-last", type: "date", required: true, value: today })),
      field("note", h("input", { id: "l-note", maxlength: 200 })),
      error,
      h("div", { class: "actions" }, h("button", { type: "submit", id: "leave-save" }, t("save")),
        h("button", { type: "button", onclick: () => close(dialog) }, t("cancel")))));
  dialog.querySelector("form").onsubmit = async (ev) => {
    ev.preventDefault();
    const body = { person_id: Number($("l-person").value), kind: $("l-kind").value, first_day: $("l-first").value, last_day: $("l-last").value, note: $("l-note").value.trim() };
    try { await change("/api/v1/leave", body); } catch (e) { error.textContent = problem(e); return; }
    close(dialog);
    message(t("saved"));
    await render();
  };
  document.body.append(dialog);
  dialog.showModal();
}

async function importFile(file) {
  message("");
  try {
    const s = await upload("/api/v1/personnel/import", new File([file], file.name, { type: "text/csv" }));
    message(t("imported")(s));
  } catch (e) { message(problem(e)); }
  $("import-file").value = "";
  await render();
}

async function render() {
  applyLang();
  await load();
  if (!state.station && state.stations.length) { state.station = state.stations[0].code; await load(); }
  stationPicker();
  $("write-tools").hidden = !writes();
  people();
  await leaveList();
}

async function init() {
  state.me = await startPage(() => render());
  state.duty = await api("/api/v1/duty");
  state.timezone = state.duty.timezone;
  state.station = new URLSearchParams(location.search).get("station") || "";
  $("show-all").onchange = () => render();
  $("add-person").onclick = () => personDialog(null);
  $("add-leave").onclick = () => leaveDialog(null);
  $("import-file").onchange = (ev) => { if (ev.target.files[0]) importFile(ev.target.files[0]); };
  await render();
  ready();
}

init().catch((e) => { $("page-message").textContent = problem(e); });
