// The patrol sheet (勤务卡) of a deployment plan, to print or export: for
// each station, the shift's roster and duty officer, then each unit with
// the crew that mans it (call sign, members with the sworn lead first,
// whether someone drives) and its round by time, area and road.
"use strict";

const I18N = {
  zh: {
    title: "勤务卡", sheet: "巡逻勤务卡", station: "所属派出所", print: "打印", csv: "导出 CSV", all: "全部派出所",
    roster: "排班", no_roster: "本班次没有已发布的排班：警组未落实到人", duty: "值班民警", crews_needed: "需要警组",
    call_sign: "呼号", unit: "车组", members: "组员", driver: "驾驶员", yes: "有", no: "无", round: "巡逻路线",
    time: "时间", area: "区域", spare: "备勤警组", no_crew: "未落实", shift: { day: "白班", evening: "中班", night: "夜班", duty24: "24小时值班", peak: "高峰勤务" },
  },
  en: {
    title: "Patrol sheet", sheet: "Patrol sheet", station: "Station", print: "Print", csv: "Export CSV", all: "All stations",
    roster: "Roster", no_roster: "No published roster covers this shift: the units have no named crews", duty: "Duty officer", crews_needed: "Crews needed",
    call_sign: "Call sign", unit: "Unit", members: "Members", driver: "Driver", yes: "yes", no: "no", round: "Round",
    time: "Time", area: "Area", spare: "Standby crews", no_crew: "no crew", shift: { day: "Day", evening: "Evening", night: "Night", duty24: "24-hour duty", peak: "Peak" },
  },
};
const state = { lang: pickLang(), me: null, sheet: null, station: "" };

const clock = (iso) => (iso ? iso.slice(11, 16) : "—");
const who = (m) => (state.lang === "zh" ? `${m.name}（${m.badge}）` : `${m.name} (${m.badge})`);

// A round by area and road: consecutive visits in the same area on the same road as one leg.
function legs(visits) {
  const out = [];
  for (const v of visits) {
    const last = out[out.length - 1];
    const code = v.area ? v.area.code : null;
    const road = v.road || null;
    if (last && last.code === code && last.road === road) { last.end = v.end; last.count += 1; } else out.push({ code, road, area: v.area, start: v.start, end: v.end, count: 1 });
  }
  return out;
}

function station(st) {
  const box = h("section", { class: "sheet-station", "data-station": st.code },
    h("h3", {}, nameOf(st)),
    st.roster
      ? h("p", {}, `${t("roster")} #${st.roster.id} · ${st.roster.day} ${t("shift")[st.roster.shift] || st.roster.shift} · ${t("duty")}${colon()}${st.duty ? who(st.duty) : "—"} · ${t("crews_needed")} ${st.crews_needed ?? "—"}`)
      : h("p", { class: "error" }, t("no_roster")));
  for (const u of st.units) {
    box.append(h("article", { class: "card unit", "data-unit": u.unit },
      h("b", {}, `${u.call_sign || t("no_crew")} · ${u.unit}`),
      h("span", {}, `${t("members")}${colon()}${u.members ? listed(u.members.map(who)) : "—"}`),
      u.members ? h("span", {}, `${t("driver")}${colon()}${u.driver ? t("yes") : t("no")}`) : null,
      u.visits.length ? h("span", {}, `${t("round")}${colon()}`) : null,
      h("ol", { class: "round" }, legs(u.visits).map((g) => h("li", {}, `${clock(g.start)}–${clock(g.end)} ${g.area ? nameOf(g.area) : "—"}${g.road ? ` · ${g.road}` : ""}${g.count > 1 ? ` ×${g.count}` : ""}`)))));
  }
  if (st.spare_crews.length) box.append(h("p", {}, `${t("spare")}${colon()}${listed(st.spare_crews.map((c) => `${c.call_sign} ${listed(c.members.map(who))}`))}`));
  return box;
}

async function render() {
  applyLang();
  const s = state.sheet;
  $("window").textContent = `${s.local_start.slice(0, 16).replace("T", " ")}`;
  const sel = $("station");
  sel.innerHTML = "";
  sel.append(h("option", { value: "" }, t("all")), ...s.stations.map((st) => h("option", { value: st.code, selected: st.code === state.station }, nameOf(st))));
  const box = $("stations");
  box.innerHTML = "";
  for (const st of s.stations.filter((x) => !state.station || x.code === state.station)) box.append(station(st));
}

async function init() {
  state.me = await startPage(() => render());
  const q = new URLSearchParams(location.search);
  let id = q.get("plan");
  if (!id) id = (await api("/api/v1/plans/latest", q.get("dataset") ? { dataset: q.get("dataset") } : {})).id;
  state.sheet = await api(`/api/v1/plans/${encodeURIComponent(id)}/sheet`);
  // One station's sheet at a time by default: the one asked for, or the first.
  state.station = q.get("station") || (state.sheet.stations[0] && state.sheet.stations[0].code) || "";
  $("csv").href = `/api/v1/plans/${encodeURIComponent(id)}/sheet?format=csv`;
  $("print").onclick = () => window.print();
  $("station").onchange = () => { state.station = $("station").value; render(); };
  await render();
  ready();
}

init().catch((e) => { $("page-message").textContent = problem(e); });
