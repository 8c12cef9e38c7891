// Roster (排班): a station's people on the shifts of a week — who works
// which shift each day, the crews each shift needs (from the incidents) and
// the crews it has, and for one day the crews with their call signs, sworn
// lead first, and the duty officer. A commander builds a draft from the
// demand and the station's people and publishes it.
"use strict";

const I18N = {
  zh: {
    title: "排班", rosters: "勤务排班", station: "所属派出所", roster: "排班表", week: "周次", first_day: "开始日期", weeks: "周数",
    pattern: "勤务模式", team_letter: (k) => `${"ABCDEFGH"[k]}组`, flexible_group: "机动",
    rotation: (r, others) => `${r.teams} 个班组轮转，每组 ${r.crews_per_team} 个警组；机动 ${others} 人`,
    build: "按警情生成排班", publish: "发布排班", crews: "当日警组", draft: "草稿", published: "已发布", building: "正在计算排班，约需十几秒…",
    built: "已生成排班草稿。", published_ok: "排班已发布。", none_yet: "本所尚无排班，可按警情生成。", person: "人员", need: "需要警组", have: "实有警组",
    state: "状态", short: "警力不足的班次", breaches: "违反规则", nights: "夜班（最少–最多）", weekends: "周末（最少–最多）", hours: "工时（最少–最多）",
    holidays: "节假日班次（最少–最多）", holiday: "法定节假日（近一年节假日上班多的人优先轮休）", holiday_short: "节",
    sworn: "民警", auxiliary: "辅警", duty: "值班民警", standby: "备勤", no_driver: "无驾驶员", week_n: (n, d) => `第 ${n} 周（${d} 起）`,
    basis: (b) => `需求依据：近 ${spanDays(b)} 天 ${b.incidents} 起警情，平均处警 ${b.service_minutes.toFixed(0)} 分钟；目标 ${Math.round(b.level * 100)}% 的警情 ${b.target_minutes} 分钟内有警组接警（Erlang C）。`,
    wishes: "排班意愿（已满足/提出）", wish_granted: "希望休息 · 已满足", wish_missed: "希望休息 · 未能满足（警力不足）",
    work_granted: "希望上班 · 已满足", work_missed: "希望上班 · 未能满足（不超编就排不上）",
    off: "休", leave: "假", days: ["一", "二", "三", "四", "五", "六", "日"], kinds: { officer: "民警", auxiliary: "辅警", special: "巡特警" },
    requests: "换班申请", history: "调整记录", cell_title: (p, d) => `${p} · ${d}`, ask_swap: "申请换班", swap_with: "与谁换班",
    and_day: "对方哪天的班由本人顶上（可不填）", note: "事由", send: "提交申请", sick: "病假顶班", sick_until: "病假至", repair: "登记病假并调整排班",
    cancel: "取消", approve: "批准", refuse: "不批准", pending: "待审批", approved: "已批准", refused: "未批准", keeps: "符合排班规则",
    breaks: "不符合", asked: "已提交换班申请，待指挥员审批。", requester: "申请人", with: "对方", day: "日期", rules: "规则", decision: "审批",
    none_requests: "暂无换班申请", none_history: "暂无调整", overtime: "加班",
    repaired: (n) => `已登记病假并调整 ${n} 个班次。`, swap_event: "换班", sick_event: "病假顶班",
    cell_change: (who, day, from, to, ot) => `${who} ${day}：${from} → ${to}${ot ? "（加班）" : ""}`,
    levels: "勤务等级", raise: "提升勤务等级", level: "等级", from_day: "起始日期", to_day: "截止日期", reason: "事由（如节日安保、台风、重大活动）",
    raise_send: "提升并调整排班", lower: "恢复正常勤务", raised: "已提升", lowered: "已恢复", none_levels: "当前为正常勤务",
    level_event: "提升勤务等级", lowered_event: "恢复正常勤务",
    level_line: (l) => `${l.name_zh}：${l.first_day} 至 ${l.last_day} · ${l.reason}`,
    // A broken rule in words: `w` whose, `x` the rule's figures, `s` a shift's name, `p` a person by badge.
    breach: {
      follows: (w, x, s) => `${w}：${x.date} 的${s(x.shift)}紧接在${s(x.after)}之后，休息不足`,
      shift_count: (w, x, s) => `${w}：${s(x.shift)} ${x.count} 个（最多 ${x.max} 个）`,
      minutes: (w, x) => `${w}：工作 ${x.minutes / 60} 小时（应在 ${x.min / 60} 至 ${x.max / 60} 小时之间）`,
      long_run: (w, x) => `${w}：连续上班 ${x.days} 天（最多 ${x.max} 天）`,
      short_run: (w, x) => `${w}：连续上班仅 ${x.days} 天（至少 ${x.min} 天）`,
      short_rest: (w, x) => `${w}：连续休息仅 ${x.days} 天（至少 ${x.min} 天）`,
      weekends: (w, x) => `${w}：${x.count} 个周末上班（最多 ${x.max} 个）`,
      works_day_off: (w, x) => `${w}：${x.date} 休假或不能上班，却排了班`,
      nights: (w, x) => `${w}：连续夜班 ${x.nights} 个（最多 ${x.max} 个）`,
      mixed_groups: (w, x, s, p) => `${w}与${p(x.with)}：民警的班只能由民警顶，辅警的班只能由辅警顶`,
      same_work: (w, x, s, p) => `${w}与${p(x.with)}这几天的班次相同，无需调换`,
      other: () => "排班数据有误，请重新生成排班",
    },
    level_raised: (name, n, short) => `已提升为${name}，调整 ${n} 个班次。${short.length ? `受休息规则限制，${short.join("、")} 在岗人数未达要求。` : ""}`,
    level_lowered: (name, n) => `${name}已恢复正常，收回 ${n} 个加派班次。`,
    on_post: (d) => `在岗 ${d.on_post} 人（要求 ${d.on_post_wanted}，可用 ${d.available}）`,
    level_standby: "备勤人员", level_all: "辖区内所有派出所一并提升（按各所已发布的排班）",
    level_everywhere: (name, n, without) => `已在 ${n} 个派出所提升为${name}。${without.length ? `无已发布排班、未提升：${without.join("、")}。` : ""}`,
  },
  en: {
    title: "Roster", rosters: "Duty rosters", station: "Station", roster: "Roster", week: "Week", first_day: "First day", weeks: "Weeks",
    pattern: "Duty pattern", team_letter: (k) => `Team ${"ABCDEFGH"[k]}`, flexible_group: "Flexible",
    rotation: (r, others) => `${r.teams} teams rotating, ${r.crews_per_team} crews each; ${others} flexible`,
    build: "Build from the incidents", publish: "Publish", crews: "Crews of the day", draft: "draft", published: "published", building: "Building the roster: about ten seconds…",
    built: "A draft roster is built.", published_ok: "The roster is published.", none_yet: "No roster for this station yet: build one from the incidents.", person: "Person", need: "Crews needed", have: "Crews rostered",
    state: "State", short: "Shifts short", breaches: "Rule breaches", nights: "Nights (fewest–most)", weekends: "Weekends (fewest–most)", hours: "Hours (fewest–most)",
    holidays: "Public-holiday shifts (fewest–most)", holiday: "Public holiday (those who worked more holidays in the past year are off first)", holiday_short: "hol.",
    sworn: "Officers", auxiliary: "Auxiliaries", duty: "Duty officer", standby: "Standby", no_driver: "no driver", week_n: (n, d) => `Week ${n} (from ${d})`,
    basis: (b) => `Demand from ${b.incidents} incidents of the last ${spanDays(b)} days, ${b.service_minutes.toFixed(0)} minutes' handling on average; target: ${Math.round(b.level * 100)}% of calls answered by a crew within ${b.target_minutes} minutes (Erlang C).`,
    wishes: "Wishes (granted/asked)", wish_granted: "wished off · granted", wish_missed: "wished off · not granted (cover short)",
    work_granted: "wished to work · granted", work_missed: "wished to work · not granted (the shifts are full)",
    off: "off", leave: "leave", days: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], kinds: { officer: "Officer", auxiliary: "Auxiliary", special: "Patrol/special" },
    requests: "Swap requests", history: "Changes", cell_title: (p, d) => `${p} · ${d}`, ask_swap: "Ask for a swap", swap_with: "Swap with",
    and_day: "Also take their shift on (optional)", note: "Reason", send: "Send the request", sick: "Sick call", sick_until: "Sick until", repair: "Record and repair the roster",
    cancel: "Cancel", approve: "Approve", refuse: "Refuse", pending: "pending", approved: "approved", refused: "refused", keeps: "keeps the rules",
    breaks: "breaks", asked: "Swap requested: a commander decides.", requester: "Asked by", with: "With", day: "Day", rules: "Rules", decision: "Decision",
    none_requests: "No swap requests", none_history: "No changes yet", overtime: "overtime",
    repaired: (n) => `Sick leave recorded; ${n} shifts changed.`, swap_event: "Swap", sick_event: "Sick call",
    cell_change: (who, day, from, to, ot) => `${who} ${day}: ${from} → ${to}${ot ? " (overtime)" : ""}`,
    levels: "Duty level", raise: "Raise the duty level", level: "Level", from_day: "From", to_day: "To", reason: "Reason (a holiday, a typhoon, a major event)",
    raise_send: "Raise and repair the roster", lower: "Back to normal duty", raised: "raised", lowered: "lowered", none_levels: "Normal duty",
    level_event: "Duty level raised", lowered_event: "Back to normal duty",
    level_line: (l) => `${l.name_en}: ${l.first_day} to ${l.last_day} · ${l.reason}`,
    breach: {
      follows: (w, x, s) => `${w}: the ${s(x.shift)} shift on ${x.date} comes straight after the ${s(x.after)} shift: too little rest`,
      shift_count: (w, x, s) => `${w}: ${x.count} ${s(x.shift)} shifts (at most ${x.max})`,
      minutes: (w, x) => `${w}: ${x.minutes / 60} hours (from ${x.min / 60} to ${x.max / 60})`,
      long_run: (w, x) => `${w}: ${x.days} days on in a row (at most ${x.max})`,
      short_run: (w, x) => `${w}: only ${x.days} days on in a row (at least ${x.min})`,
      short_rest: (w, x) => `${w}: only ${x.days} days off in a row (at least ${x.min})`,
      weekends: (w, x) => `${w}: ${x.count} weekends worked (at most ${x.max})`,
      works_day_off: (w, x) => `${w}: rostered on ${x.date}, a day on leave or off`,
      nights: (w, x) => `${w}: ${x.nights} nights in a row (at most ${x.max})`,
      mixed_groups: (w, x, s, p) => `${w} and ${p(x.with)}: an officer's shift goes to an officer, an auxiliary's to an auxiliary`,
      same_work: (w, x, s, p) => `${w} and ${p(x.with)} work the same shifts on those days`,
      other: () => "The roster's data is not right: build it again",
    },
    level_raised: (name, n, short) => `Raised to ${name}: ${n} shifts changed.${short.length ? ` The rest rules leave ${short.join(", ")} short of the share on post.` : ""}`,
    level_lowered: (name, n) => `${name} lowered: ${n} added shifts taken back.`,
    on_post: (d) => `${d.on_post} on post (wanted ${d.on_post_wanted} of ${d.available})`,
    level_standby: "On standby", level_all: "At every station in my area too (on each one's published roster)",
    level_everywhere: (name, n, without) => `Raised to ${name} at ${n} stations.${without.length ? ` Not raised, no published roster: ${without.join(", ")}.` : ""}`,
  },
};
// Days of incidents the demand was read from (the weeks asked for, or fewer if the data is shorter).
const spanDays = (b) => Math.round((new Date(b.history_to) - new Date(b.history_from)) / 864e5);
const state = { lang: pickLang(), me: null, duty: null, stations: [], station: "", rosters: [], roster: null, week: 0, day: 0 };

const card = (id, value, label) => h("div", { class: "card", id }, h("b", {}, value), h("span", {}, label));
const writes = () => state.me.permissions.includes("personnel.write");
const message = (text) => { $("page-message").textContent = text; };
const shiftOf = (code) => state.duty.shifts.find((s) => s.code === code) || { code, name_zh: code, name_en: code };
const patternName = (code) => { const p = state.duty.patterns.find((x) => x.code === code); return p ? nameOf(p) : code; };
// A shift's hours as rostered (a flexible shift's start is placed by the build).
const shiftHours = (b, s) => { const [start, minutes] = (b.shift_times || [])[s] || [0, 0];
  const hm = (m) => `${String(Math.floor(m / 60) % 24).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  return `${hm(start)}–${hm(start + minutes)}`; };
const teamOf = (b, i) => (b.rotation ? b.rotation.team[i] : undefined);
const shiftShort = (code) => { const s = shiftOf(code); return state.lang === "zh" ? s.name_zh.slice(0, 1) : s.name_en.slice(0, 1); };
const dayOf = (first, k) => { const d = new Date(`${first}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + k); return d.toISOString().slice(0, 10); };
const weekday = (iso) => (new Date(`${iso}T00:00:00Z`).getUTCDay() + 6) % 7;
const spread = (s) => (s ? `${s.min}–${s.max}` : "—");

async function loadStations() {
  const r = await api("/api/v1/personnel", state.station ? { station: state.station } : {});
  state.stations = r.stations;
  if (!state.station && state.stations.length) state.station = state.stations[0].code;
  const sel = $("station");
  sel.innerHTML = "";
  for (const s of state.stations) sel.append(h("option", { value: s.code, selected: s.code === state.station }, `${nameOf(s)} (${s.code})`));
}

async function loadRosters(pick) {
  state.rosters = (await api("/api/v1/rosters", { station: state.station })).items;
  const sel = $("roster");
  sel.innerHTML = "";
  for (const r of state.rosters) sel.append(h("option", { value: r.id, selected: r.id === pick }, `${r.first_day} · ${r.days / 7}${state.lang === "zh" ? " 周" : " wk"} · ${t(r.state)} (#${r.id})`));
  const id = pick || (state.rosters[0] && state.rosters[0].id);
  state.roster = id ? await api(`/api/v1/rosters/${id}`) : null;
  state.week = 0;
  state.day = 0;
}

function totals() {
  const box = $("totals");
  box.innerHTML = "";
  const r = state.roster;
  if (!r) { box.append(h("p", { class: "muted" }, t("none_yet"))); $("basis").textContent = ""; return; }
  const b = r.body;
  const f = (g) => b.fairness.find((x) => x.group === g) || {};
  const others = b.rotation ? b.rotation.team.filter((x) => x === null).length : 0;
  box.append(...[card("roster-pattern", b.duty_pattern ? patternName(b.duty_pattern) : b.pattern.map((c) => nameOf(shiftOf(c))).join(" + "), b.rotation ? t("rotation")(b.rotation, others) : t("pattern")),
    card("roster-state", t(r.state), t("state")), card("roster-short", b.shortfalls.length, t("short")),
    card("roster-breaches", b.violations.length, t("breaches")),
    card("nights-sworn", spread(f("sworn").nights), `${t("sworn")} · ${t("nights")}`),
    card("nights-aux", spread(f("auxiliary").nights), `${t("auxiliary")} · ${t("nights")}`),
    card("weekends-sworn", spread(f("sworn").weekends), `${t("sworn")} · ${t("weekends")}`),
    card("hours-sworn", spread(f("sworn").hours), `${t("sworn")} · ${t("hours")}`),
    card("roster-wishes", `${(r.wishes_granted || {}).granted || 0}/${(r.wishes_granted || {}).wished || 0}`, t("wishes")),
    f("sworn").holidays ? card("holidays-sworn", spread(f("sworn").holidays), `${t("sworn")} · ${t("holidays")}`) : null].filter(Boolean));
  $("basis").textContent = t("basis")(b.basis);
}

function weeks() {
  const sel = $("week");
  sel.innerHTML = "";
  const r = state.roster;
  if (!r) return;
  for (let w = 0; w < r.days / 7; w++) sel.append(h("option", { value: w, selected: w === state.week }, t("week_n")(w + 1, dayOf(r.first_day, 7 * w))));
}

function grid() {
  const el = $("grid");
  el.innerHTML = "";
  const r = state.roster;
  if (!r) return;
  const b = r.body;
  const days = [...Array(7).keys()].map((i) => 7 * state.week + i).filter((k) => k < r.days);
  const head = h("tr", {}, h("th", { scope: "col" }, t("person")),
    days.map((k) => { const iso = dayOf(r.first_day, k); const l = levelOn(iso); const holiday = (b.holidays || []).includes(k);
      return h("th", { scope: "col", class: [k === state.day ? "chosen" : "", l ? "level" : "", holiday ? "holiday" : ""].join(" ").trim() || null },
        h("button", { type: "button", class: "link day", "data-day": k, onclick: () => { state.day = k; grid(); crews(); } }, `${iso.slice(5)} ${t("days")[weekday(iso)]}`),
        holiday ? h("span", { class: "badge holiday-badge", title: t("holiday") }, t("holiday_short")) : null,
        l ? h("span", { class: "badge level-badge", title: levelName(l) }, levelName(l).slice(0, state.lang === "zh" ? 2 : 7)) : null); }));
  const rows = b.people.map((p, i) => h("tr", { "data-person": p.id },
    h("th", { scope: "row" }, `${p.badge} ${p.name || ""}`, h("span", { class: "muted" }, ` ${t("kinds")[p.kind] || ""}`),
      teamOf(b, i) === undefined ? null : h("span", { class: "badge team-badge" }, teamOf(b, i) === null ? t("flexible_group") : t("team_letter")(teamOf(b, i)))),
    days.map((k) => { const s = b.assignment[i][k]; const code = s === null ? null : b.pattern[s];
      const onLeave = ((r.leave || {})[p.id] || []).includes(k);
      const wished = ((r.wishes_off || {})[p.id] || []).includes(k);
      const toWork = ((r.wishes_on || {})[p.id] || []).includes(k);
      const label = code ? shiftShort(code) : onLeave ? t("leave") : "·";
      const what = code ? nameOf(shiftOf(code)) : onLeave ? t("leave") : t("off");
      // Granted: off on a day wished off, on duty on a day wished to work.
      const granted = wished ? !code : toWork ? Boolean(code) : null;
      const wish = granted === null ? null : t(wished ? (granted ? "wish_granted" : "wish_missed") : (granted ? "work_granted" : "work_missed"));
      const cls = [code ? `shift shift-${code}` : onLeave ? "off on-leave" : "off", granted === null ? "" : `wish ${granted ? "wish-granted" : "wish-missed"}${toWork ? " wish-work" : ""}`].join(" ").trim();
      return h("td", { class: cls },
        h("button", { type: "button", class: "cell", "data-day": k, title: wish ? `${what} · ${wish}` : what,
          "aria-label": `${p.badge} ${dayOf(r.first_day, k)} ${what}${wish ? ` · ${wish}` : ""}`,
          onclick: () => cellDialog(p, i, k) }, label)); })));
  // Per shift: crews needed and crews rostered.
  const cover = b.pattern.map((code, s) => h("tr", { class: "cover" }, h("th", { scope: "row" }, `${nameOf(shiftOf(code))} ${shiftHours(b, s)} ${t("have")}/${t("need")}`),
    days.map((k) => { const team = b.teams[k][s]; const short = b.shortfalls.some((x) => x.day === k && x.shift === code);
      return h("td", { class: short ? "short" : null }, `${team.crews.length}/${team.crews_needed}`); })));
  el.append(h("thead", {}, head), h("tbody", {}, rows, cover));
}

function crews() {
  const box = $("crews");
  box.innerHTML = "";
  const r = state.roster;
  if (!r) return;
  const b = r.body;
  const iso = dayOf(r.first_day, state.day);
  $("crews-day").textContent = `${iso} ${t("days")[weekday(iso)]}`;
  levelDay(box, iso);
  const who = (id) => {
    const p = b.people.find((x) => x.id === id);
    if (!p) return String(id);
    return state.lang === "zh" ? `${p.name || ""}（${p.badge}）` : `${p.name || ""} (${p.badge})`;
  };
  b.pattern.forEach((code, s) => {
    const team = b.teams[state.day][s];
    box.append(h("article", { class: "card shift-team", "data-shift": code },
      h("b", {}, `${nameOf(shiftOf(code))} ${shiftHours(b, s)} · ${team.crews.length}/${team.crews_needed}`),
      h("span", {}, `${t("duty")}${colon()}${team.duty ? who(team.duty) : "—"}`),
      h("ul", {}, team.crews.map((c) => h("li", { class: "crew" }, h("strong", {}, c.call_sign), " ", listed(c.members.map(who)),
        c.driver ? null : h("span", { class: "muted" }, ` · ${t("no_driver")}`)))),
      team.standby.length ? h("span", {}, `${t("standby")}${colon()}${listed(team.standby.map(who))}`) : null));
  });
}

// The raised duty level over a day, if any.
const levelOn = (iso) => ((state.roster && state.roster.body.levels) || []).find((l) => l.state === "raised" && l.first_day <= iso && iso <= l.last_day);
const levelName = (l) => (state.lang === "zh" ? l.name_zh : l.name_en);

function levelDay(box, iso) {
  const l = levelOn(iso);
  const d = l && (l.days || []).find((x) => x.day === iso);
  if (!d) return;
  const b = state.roster.body;
  box.append(h("article", { class: "card level-day", id: "level-day" },
    h("b", {}, levelName(l)), h("span", {}, t("on_post")(d)),
    h("span", {}, `${t("level_standby")}${colon()}${d.standby.length ? listed(d.standby.map((id) => personName(b, id))) : "—"}`)));
}

function levels() {
  const el = $("levels");
  el.innerHTML = "";
  const r = state.roster;
  // Which roster the list is of: a reader (or a test) that picked another waits for it.
  el.dataset.roster = r ? r.id : "";
  // A roster wholly past has no day left to raise a level on.
  const open = r && dayOf(r.first_day, r.days - 1) >= state.duty.today;
  $("raise-level").hidden = !(open && writes() && (state.duty.levels || []).length);
  if (!r) return;
  const list = (r.body.levels || []).slice().reverse();
  if (!list.length) { el.append(h("li", { class: "muted" }, t("none_levels"))); return; }
  for (const l of list) {
    el.append(h("li", { class: `duty-level ${l.state}`, "data-level": l.n }, `${t("level_line")(l)} · ${t(l.state)}`,
      l.state === "raised" && writes() ? [" ", h("button", { type: "button", class: "lower", onclick: () => lowerLevel(l) }, t("lower"))] : null));
  }
}

async function lowerLevel(l) {
  const r = state.roster;
  let out;
  try { out = await change(`/api/v1/rosters/${r.id}/levels/${l.n}/lower`, { version: r.version }); } catch (e) { message(problem(e)); return; }
  await loadRosters(r.id);
  message(t("level_lowered")(levelName(l), out.change.cells.length));
  await render();
}

function raiseDialog() {
  const r = state.roster;
  const today = state.duty.today;
  const first = dayOf(r.first_day, 0) > today ? dayOf(r.first_day, 0) : today;
  const last = dayOf(r.first_day, r.days - 1);
  const error = h("p", { id: "level-error", role: "alert", class: "error" });
  const close = () => { dialog.close(); dialog.remove(); };
  const dialog = h("dialog", { id: "level-dialog", class: "form-dialog", "aria-labelledby": "level-dialog-title" },
    h("form", { method: "dialog", class: "stack", id: "level-form" },
      h("h2", { id: "level-dialog-title" }, t("raise")),
      h("label", {}, h("span", {}, t("level")), h("select", { id: "level-code" },
        state.duty.levels.map((l) => h("option", { value: l.code }, levelName(l))))),
      h("label", {}, h("span", {}, t("from_day")), h("input", { id: "level-from", type: "date", value: first, min: first, max: last, required: true })),
      h("label", {}, h("span", {}, t("to_day")), h("input", { id: "level-to", type: "date", value: first, min: first, max: last, required: true })),
      h("label", {}, h("span", {}, t("reason")), h("input", { id: "level-reason", maxlength: 200, required: true })),
      h("label", { class: "check" }, h("input", { id: "level-all", type: "checkbox" }), h("span", {}, t("level_all"))),
      h("div", { class: "actions" }, h("button", { type: "submit", id: "level-send" }, t("raise_send")))),
    error,
    h("div", { class: "actions" }, h("button", { type: "button", onclick: close }, t("cancel"))));
  dialog.querySelector("#level-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const body = { level: $("level-code").value, first_day: $("level-from").value, last_day: $("level-to").value, reason: $("level-reason").value.trim(), version: r.version };
    let out;
    if ($("level-all").checked) {
      const { version, ...ask } = body;
      try { out = await change("/api/v1/duty-levels", ask); } catch (e) { error.textContent = problem(e); return; }
      close();
      await loadRosters(r.id);
      const name = out.raised.length ? (state.lang === "zh" ? out.raised[0].name_zh : out.raised[0].name_en) : ask.level;
      message(t("level_everywhere")(name, out.raised.length, out.without_roster));
      await render();
      return;
    }
    try { out = await change(`/api/v1/rosters/${r.id}/levels`, body); } catch (e) { error.textContent = problem(e); return; }
    close();
    await loadRosters(r.id);
    state.day = Math.max(0, Math.round((new Date(`${body.first_day}T00:00:00Z`) - new Date(`${r.first_day}T00:00:00Z`)) / 864e5));
    state.week = Math.floor(state.day / 7);
    message(t("level_raised")(state.lang === "zh" ? out.change.name_zh : out.change.name_en, out.change.cells.length, out.change.short_days || []));
    await render();
  };
  document.body.append(dialog);
  dialog.showModal();
}

const personName = (b, id) => { const p = b.people.find((x) => x.id === id); if (!p) return String(id); return state.lang === "zh" ? `${p.name || ""}（${p.badge}）` : `${p.name || ""} (${p.badge})`; };
const shiftName = (code) => (code ? nameOf(shiftOf(code)) : t("off"));
const byBadge = (b, badge) => { const p = b.people.find((x) => x.badge === badge); return p ? personName(b, p.id) : badge; };
/// A broken rule in the page's language (older requests kept only English sentences).
const breachText = (b, x) => (typeof x === "string" ? x : (t("breach")[x.rule] || t("breach").other)(byBadge(b, x.who), x, shiftName, (badge) => byBadge(b, badge)));

// A person's day: ask for a swap (any reader), or, for a commander, record a sick call.
function cellDialog(p, i, k) {
  const r = state.roster, b = r.body;
  const iso = dayOf(r.first_day, k);
  const error = h("p", { id: "cell-error", role: "alert", class: "error" });
  const sworn = p.kind !== "auxiliary";
  const others = b.people.filter((q) => q.id !== p.id && (q.kind !== "auxiliary") === sworn);
  const dayOptions = [h("option", { value: "" }, "—")].concat([...Array(r.days).keys()].filter((d) => d !== k)
    .map((d) => h("option", { value: dayOf(r.first_day, d) }, `${dayOf(r.first_day, d)} ${t("days")[weekday(dayOf(r.first_day, d))]}`)));
  const close = () => { dialog.close(); dialog.remove(); };
  const dialog = h("dialog", { id: "cell-dialog", class: "form-dialog", "aria-labelledby": "cell-title" },
    h("form", { method: "dialog", class: "stack", id: "swap-form" },
      h("h2", { id: "cell-title" }, t("cell_title")(`${p.name || ""} ${p.badge}`, `${iso} ${shiftName(b.pattern[b.assignment[i][k]])}`)),
      h("label", {}, h("span", {}, t("swap_with")), h("select", { id: "swap-with" }, others.map((q) => {
        const j = b.people.indexOf(q), s = b.assignment[j][k];
        return h("option", { value: q.id }, `${q.name || ""}（${q.badge}）· ${shiftName(s === null ? null : b.pattern[s])}`);
      }))),
      h("label", {}, h("span", {}, t("and_day")), h("select", { id: "swap-and-day" }, dayOptions)),
      h("label", {}, h("span", {}, t("note")), h("input", { id: "swap-note", maxlength: 200 })),
      h("div", { class: "actions" }, h("button", { type: "submit", id: "swap-send" }, t("send")))),
    writes() ? h("form", { method: "dialog", class: "stack", id: "sick-form" },
      h("h3", {}, t("sick")),
      h("label", {}, h("span", {}, t("sick_until")), h("input", { id: "sick-until", type: "date", value: iso, min: iso, max: dayOf(r.first_day, r.days - 1), required: true })),
      h("div", { class: "actions" }, h("button", { type: "submit", id: "sick-send" }, t("repair")))) : null,
    error,
    h("div", { class: "actions" }, h("button", { type: "button", onclick: close }, t("cancel"))));
  dialog.querySelector("#swap-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const body = { person_id: p.id, with: Number($("swap-with").value), day: iso, and_day: $("swap-and-day").value || null, note: $("swap-note").value.trim(), version: r.version };
    try { await change(`/api/v1/rosters/${r.id}/swaps`, body); } catch (e) { error.textContent = problem(e); return; }
    close();
    await loadRosters(r.id);
    message(t("asked"));
    await render();
  };
  const sick = dialog.querySelector("#sick-form");
  if (sick) sick.onsubmit = async (ev) => {
    ev.preventDefault();
    let out;
    try { out = await change(`/api/v1/rosters/${r.id}/sick`, { person_id: p.id, first_day: iso, last_day: $("sick-until").value, version: r.version }); } catch (e) { error.textContent = problem(e); return; }
    close();
    await loadRosters(r.id);
    message(t("repaired")(out.change.cells.length));
    await render();
  };
  document.body.append(dialog);
  dialog.showModal();
}

function requests() {
  const el = $("requests");
  el.innerHTML = "";
  const r = state.roster;
  if (!r) return;
  const b = r.body;
  const list = (b.requests || []).slice().sort((x, y) => (x.state === "pending" ? 0 : 1) - (y.state === "pending" ? 0 : 1) || y.n - x.n);
  const heads = [t("requester"), t("with"), t("day"), t("note"), t("rules"), t("decision")];
  el.append(h("thead", {}, h("tr", {}, heads.map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, list.length ? list.map((q) => h("tr", { "data-request": q.n, class: q.state },
      h("td", {}, personName(b, q.person)), h("td", {}, personName(b, q.with)), h("td", {}, q.and_day ? `${q.day}, ${q.and_day}` : q.day),
      h("td", {}, q.note || "—"), h("td", { class: "rules" }, q.keeps_rules ? `✓ ${t("keeps")}` : [`✗ ${t("breaks")}`,
        h("ul", { class: "breaches" }, (q.breaches || q.reasons || []).map((x) => h("li", {}, breachText(b, x))))]),
      h("td", {}, q.state === "pending" && writes()
        ? [h("button", { type: "button", class: "approve", onclick: () => decide(q.n, "approve") }, t("approve")), " ",
          h("button", { type: "button", class: "refuse", onclick: () => decide(q.n, "refuse") }, t("refuse"))]
        : t(q.state)))) : h("tr", {}, h("td", { colspan: heads.length, class: "muted" }, t("none_requests")))));
}

async function decide(n, decision) {
  const r = state.roster;
  try { await change(`/api/v1/rosters/${r.id}/swaps/${n}`, { decision, version: r.version }); } catch (e) {
    const why = e.details && e.details.breaches;
    message(why ? why.map((x) => breachText(r.body, x)).join(state.lang === "zh" ? "；" : "; ") : problem(e));
    return;
  }
  await loadRosters(r.id);
  message(t(decision === "approve" ? "approved" : "refused"));
  await render();
}

function history() {
  const el = $("history");
  el.innerHTML = "";
  const r = state.roster;
  if (!r) return;
  const b = r.body;
  const events = (b.changes || []).slice().reverse();
  if (!events.length) { el.append(h("li", { class: "muted" }, t("none_history"))); return; }
  for (const e of events) {
    const kind = { sick: "sick_event", level: "level_event", level_lowered: "lowered_event" }[e.kind] || "swap_event";
    const what = e.kind === "level" || e.kind === "level_lowered" ? ` · ${state.lang === "zh" ? e.name_zh : e.name_en}` : "";
    el.append(h("li", { class: `change ${e.kind}` }, h("b", {}, `${t(kind)}${what} · ${when(e.at)} · ${e.by}`),
      h("ul", {}, e.cells.map((c) => h("li", {}, t("cell_change")(personName(b, c.person), c.day, shiftName(c.from), shiftName(c.to), c.overtime))))));
  }
}

// The duty patterns to build on, named in the page's language.
function patternOptions() {
  const sel = $("pattern");
  const was = sel.value || state.duty.default_pattern;
  sel.innerHTML = "";
  for (const p of state.duty.patterns) sel.append(h("option", { value: p.code, selected: p.code === was }, nameOf(p)));
}

async function render() {
  applyLang();
  patternOptions();
  const canWrite = writes();
  $("build").hidden = !canWrite;
  $("publish").hidden = !(canWrite && state.roster && state.roster.state === "draft");
  totals();
  weeks();
  grid();
  crews();
  levels();
  requests();
  history();
}

async function init() {
  state.me = await startPage(() => render());
  state.duty = await api("/api/v1/duty");
  state.timezone = state.duty.timezone;
  state.station = new URLSearchParams(location.search).get("station") || "";
  await loadStations();
  await loadRosters();
  const today = state.duty.today;
  const monday = dayOf(today, 7 - weekday(today));
  $("first-day").value = monday;

  $("station").onchange = async () => { state.station = $("station").value; await loadRosters(); await render(); };
  $("roster").onchange = async () => { await loadRosters(Number($("roster").value)); await render(); };
  $("week").onchange = () => { state.week = Number($("week").value); state.day = 7 * state.week; grid(); crews(); };
  $("build").onsubmit = async (ev) => {
    ev.preventDefault();
    message(t("building"));
    $("build-roster").disabled = true;
    try {
      const r = await change("/api/v1/rosters", { station: state.station, first_day: $("first-day").value, weeks: Number($("weeks").value), pattern: $("pattern").value });
      await loadRosters(r.id);
      message(t("built"));
    } catch (e) { message(problem(e)); }
    $("build-roster").disabled = false;
    await render();
  };
  $("raise-level").onclick = () => raiseDialog();
  $("publish").onclick = async () => {
    try {
      await change(`/api/v1/rosters/${state.roster.id}/publish`, { version: state.roster.version });
      await loadRosters(state.roster.id);
      message(t("published_ok"));
    } catch (e) { message(problem(e)); }
    await render();
  };
  await render();
  ready();
}

init().catch((e) => { $("page-message").textContent = problem(e); });
