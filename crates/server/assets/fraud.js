// Anti-fraud warnings (反诈预警劝阻): the warnings still to act on in the
// reader's area, soonest deadline first, each a tap away from its case
// (call, go round, say how it ended); the centre's list imported by those
// who may; and how dissuasion went by station and week.
"use strict";

const I18N = {
  zh: {
    title: "反诈预警劝阻", open_title: "待劝阻预警", import_file: "导入反诈中心预警（CSV）", import_send: "导入",
    report_title: "劝阻成效", weeks: "周数", show: "查看", method: "口径", none_open: "当前没有待劝阻的预警",
    imported: (n, k) => `已建立 ${n} 条劝阻任务${k ? `，${k} 条此前已导入` : ""}`,
    left: (m) => (m >= 0 ? `剩余 ${m} 分钟` : `已超时 ${-m} 分钟`), supervised: "已督办",
    warnings: "预警数", in_time: "及时联系率", rate: "劝阻成功率", prevented: "避免损失（元）", open: "未办结", overdue: "超时未办",
    cols: ["派出所", "周次", "预警", "联系上", "及时联系", "劝阻成功", "已被骗", "不听劝阻", "未见到", "未办结", "超时", "避免损失（元）", "联系用时中位（分）"],
    total: "合计",
    rising_title: "诈骗上升的社区",
    rising_note: (r, b, inc) => `近 ${r} 天的反诈预警${inc ? "与诈骗警情" : ""}对比此前 ${b} 天的水平（单侧泊松检验，经多重检验校正，误报率控制在 5%）${inc ? "" : "；警情数据不足此前 " + b + " 天，仅按预警计"}。`,
    rising_cols: ["社区", "派出所", "近28天", "按此前应有", "p 值", "被预警人员年龄", "建议志愿者", "宣传走访"],
    none_rising: "当前没有诈骗明显上升的社区",
    ages: { under_30: "30岁以下", "30_59": "30–59岁", "60_plus": "60岁以上", unknown: "不详" },
    no_volunteer: "辖区内暂无具备宣讲技能的志愿者", open_campaign: "安排反诈宣传走访",
    campaign_opened: (c) => `已建立反诈宣传走访 ${c}`,
    reach: (c) => `${c.households} 户已走访，宣讲 ${c.talks} 场 ${c.talk_reach} 人`,
    columns: { received_at: "预警时间", phone: "手机号", name: "姓名", scam_type: "诈骗类型", address: "地址", area: "辖区代码", note: "备注" },
    bad_row: (n, field, value) => `第 ${n} 条预警的${field}有误（${value}），整批未导入，请核对后重新导入。`,
    method_items: [
      "联系上：登记了劝阻结果（电话或上门）；及时：在所处环节期限内（电话 10 分钟、上门 60 分钟，以案件配置为准，全天候计时）。",
      "及时联系率 = 及时联系上的预警 ÷ 全部预警；劝阻成功率 = 劝阻成功 ÷ 联系上。",
      "按预警推送后建立任务的时间归入周次（城市时区，ISO 周）；派出所为预警对象所在辖区的派出所。",
    ],
  },
  en: {
    title: "Anti-fraud warnings", open_title: "Warnings to act on", import_file: "Import the anti-fraud centre's warnings (CSV)", import_send: "Import",
    report_title: "How dissuasion went", weeks: "Weeks", show: "Show", method: "Method", none_open: "No warnings to act on",
    imported: (n, k) => `${n} dissuasion task${n === 1 ? "" : "s"} opened${k ? `, ${k} on file already` : ""}`,
    left: (m) => (m >= 0 ? `${m} min left` : `${-m} min late`), supervised: "supervised",
    warnings: "Warnings", in_time: "Reached in time", rate: "Dissuasion rate", prevented: "Loss prevented (yuan)", open: "Open", overdue: "Overdue",
    cols: ["Station", "Week", "Warnings", "Reached", "In time", "Dissuaded", "Already paid", "Refused", "Not found", "Open", "Overdue", "Loss prevented (yuan)", "Median minutes to reach"],
    total: "All",
    rising_title: "Communities where fraud is rising",
    rising_note: (r, b, inc) => `Anti-fraud warnings${inc ? " and fraud incidents" : ""} of the last ${r} days against the ${b} before (one-sided Poisson test, 5 % false discovery rate by Benjamini–Hochberg)${inc ? "" : "; the incidents do not reach back " + b + " days, so warnings only"}.`,
    rising_cols: ["Community", "Station", "Last 28 days", "Expected", "p", "Ages of those warned", "Volunteers who fit", "Campaign"],
    none_rising: "Fraud is not rising clearly anywhere now",
    ages: { under_30: "under 30", "30_59": "30–59", "60_plus": "60 and over", unknown: "unknown" },
    no_volunteer: "No volunteer here gives safety talks", open_campaign: "Plan anti-fraud talks and visits",
    campaign_opened: (c) => `Campaign ${c} opened`,
    reach: (c) => `${c.households} households visited, ${c.talks} talks reaching ${c.talk_reach}`,
    columns: {},
    bad_row: null,
    method_items: [
      "Reached: an outcome recorded (by phone or a visit); in time: within the deadline of the stage it was reached in (a call 10 minutes, a visit 60, as the case configuration says, round the clock).",
      "Reached in time = warnings reached in time ÷ all warnings; dissuasion rate = dissuaded ÷ reached.",
      "Weeks by when the task opened (the city's zone, ISO weeks); the station is that of the person's area.",
    ],
  },
};
const state = { lang: pickLang(), me: null, types: null, open: [], report: null, rising: null };
const card = (value, label, id) => h("div", { class: "card", id }, h("b", {}, value), h("span", {}, label));
const num = (n) => Number(n).toLocaleString(state.lang === "zh" ? "zh-CN" : "en");
/// A refused list said with its row and column (the whole list is refused).
function importProblem(e) {
  const row = /^warning (\d+): /.exec(e.message || "");
  const param = e.details && e.details.parameter;
  if (!row || !param || !t("bad_row")) return problem(e);
  return t("bad_row")(Number(row[1]), t("columns")[param] || param, e.details.value || "");
}
const fraudType = () => state.types && state.types.types.find((x) => x.code === "fraud");
/// Who may import: those the case configuration lets open anti-fraud warnings.
const mayImport = () => Boolean(state.me && state.me.user && state.me.permissions.includes("cases.write")
  && fraudType() && (fraudType().opened_by || []).includes(state.me.user.role));

function worklist() {
  const list = $("open-warnings");
  list.innerHTML = "";
  const ty = fraudType();
  if (!state.open.length) { list.append(h("li", { class: "muted" }, t("none_open"))); return; }
  for (const c of state.open) {
    const stage = ty && ty.stages.find((s) => s.code === c.stage);
    const category = ty && ty.category_names && ty.category_names[c.category];
    const minutes = Math.round((Date.parse(c.stage_due_at || c.due_at) - Date.now()) / 6e4);
    list.append(h("li", { class: c.overdue ? "overdue" : null, "data-code": c.code },
      h("a", { href: `/cases?type=fraud&case=${encodeURIComponent(c.code)}` }, h("b", {}, category ? (state.lang === "zh" ? category[0] : category[1]) : c.title)),
      " · ", stage ? nameOf(stage) : c.stage,
      " · ", h("span", { class: c.overdue ? "tag late" : "tag" }, t("left")(minutes)),
      c.supervisions ? [" · ", h("span", { class: "tag late" }, t("supervised"))] : null,
      h("small", {}, ` ${c.code}`)));
  }
}

/// Who may open a campaign: those the case configuration lets open prevention cases.
const mayCampaign = () => {
  const ty = state.types && state.types.types.find((x) => x.code === "prevention");
  return Boolean(ty && state.me && state.me.user && (ty.opened_by || []).includes(state.me.user.role) && state.me.permissions.includes("cases.write"));
};

function rising() {
  const r = state.rising;
  const table = $("rising-table");
  table.innerHTML = "";
  $("rising-note").textContent = r ? t("rising_note")(r.recent_days, r.baseline_days, r.items.some((x) => x.incidents_counted)) : "";
  if (!r) return;
  if (!r.items.length) { table.append(h("tbody", {}, h("tr", {}, h("td", { class: "muted" }, t("none_rising"))))); return; }
  const ages = (a) => Object.entries(a).filter(([, n]) => n > 0).map(([k, n]) => `${t("ages")[k] || k} ${n}`).join(state.lang === "zh" ? "，" : ", ");
  table.append(
    h("thead", {}, h("tr", {}, t("rising_cols").map((c, i) => h("th", { scope: "col", class: [2, 3, 4].includes(i) ? "n" : null }, c)))),
    h("tbody", {}, r.items.map((x) => h("tr", { "data-area": x.area },
      h("th", { scope: "row" }, x.name || x.area), h("td", {}, stationName(x.station)),
      h("td", { class: "n" }, String(x.recent)), h("td", { class: "n" }, x.expected.toFixed(1)), h("td", { class: "n" }, x.p_value < 0.0001 ? "<0.0001" : x.p_value.toFixed(4)),
      h("td", {}, ages(x.ages)),
      h("td", {}, x.volunteers.length ? x.volunteers.map((v) => v.name).join(state.lang === "zh" ? "、" : ", ") : h("span", { class: "muted" }, t("no_volunteer"))),
      h("td", {}, x.campaign
        ? [h("a", { href: `/cases?type=prevention&case=${encodeURIComponent(x.campaign.code)}` }, x.campaign.code), " ", h("small", {}, t("reach")(x.campaign))]
        : mayCampaign() ? h("button", { type: "button", class: "open-campaign", "data-area": x.area, onclick: () => openCampaign(x.area) }, t("open_campaign")) : "—")))));
}

async function openCampaign(area) {
  const msg = $("page-message");
  try {
    const out = await change("/api/v1/fraud-warnings/campaigns", { area });
    msg.textContent = t("campaign_opened")(out.case);
  } catch (e) {
    msg.textContent = problem(e);
  }
  await load();
}

function report() {
  const r = state.report;
  const kpis = $("fraud-kpis");
  const table = $("fraud-table");
  kpis.innerHTML = "";
  table.innerHTML = "";
  if (!r) return;
  kpis.append(
    card(num(r.total.warnings), t("warnings"), "fraud-warnings"),
    card(pct(r.reached_in_time_share), t("in_time"), "fraud-in-time"),
    card(pct(r.dissuasion_rate), t("rate"), "fraud-rate"),
    card(num(r.total.loss_prevented_yuan), t("prevented"), "fraud-prevented"),
    card(num(r.total.open), t("open"), "fraud-open"),
    card(num(r.total.overdue), t("overdue"), "fraud-overdue"));
  const row = (x, label) => h("tr", {}, [label || stationName(x.station), label ? "" : x.week, x.warnings, x.reached, x.reached_in_time, x.dissuaded,
    x.already_paid, x.refused, x.not_found, x.open, x.overdue, num(x.loss_prevented_yuan),
    x.median_minutes_to_reach === null ? "—" : x.median_minutes_to_reach.toFixed(1)]
    .map((v, i) => h(i < 2 ? "th" : "td", i < 2 ? { scope: "row" } : { class: "n" }, String(v))));
  table.append(
    h("thead", {}, h("tr", {}, t("cols").map((c, i) => h("th", { scope: "col", class: i >= 2 ? "n" : null }, c)))),
    h("tbody", {}, r.rows.map((x) => row(x))),
    h("tfoot", {}, row(r.total, t("total"))));
}

/// A station's name in the page's language (the report keeps its code).
function stationName(code) {
  const f = (state.stations || []).find((x) => x.code === code);
  return f ? nameOf(f) : code || "—";
}

function render() {
  applyLang();
  $("import-form").hidden = !mayImport();
  worklist();
  rising();
  report();
  const m = $("fraud-method-list");
  m.innerHTML = "";
  m.append(...t("method_items").map((x) => h("li", {}, x)));
}

async function load() {
  const msg = $("page-message");
  try {
    const [open, rep, rise] = await Promise.all([
      api("/api/v1/cases", { type: "fraud", open: "true", limit: 200 }),
      api("/api/v1/fraud-warnings/report", { weeks: $("weeks").value }),
      api("/api/v1/fraud-warnings/rising"),
    ]);
    state.open = open.items.sort((a, b) => Date.parse(a.stage_due_at || a.due_at) - Date.parse(b.stage_due_at || b.due_at));
    state.report = rep;
    state.rising = rise;
  } catch (e) {
    msg.textContent = problem(e);
  }
  render();
}

async function init() {
  state.me = await startPage(() => render());
  const [types, facilities] = await Promise.all([api("/api/v1/case-types"), api("/api/v1/facilities")]);
  state.types = types;
  state.stations = facilities.items.filter((f) => f.kind === "station");
  $("report-form").onsubmit = async (ev) => { ev.preventDefault(); await load(); };
  $("import-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const msg = $("page-message");
    const f = $("import-file").files[0];
    if (!f) return;
    try {
      // The centre's export is CSV whatever the browser calls a .csv file.
      const out = await upload("/api/v1/fraud-warnings", new File([f], f.name, { type: "text/csv" }));
      msg.textContent = t("imported")(out.opened.length, out.already);
      $("import-file").value = "";
    } catch (e) {
      msg.textContent = importProblem(e);
      return;
    }
    await load();
  };
  render();
  await load();
  // Deadlines are minutes: the list is read again as the data changes.
  watchChanges(() => load());
  setInterval(worklist, 30000);
  ready();
}

init().catch((e) => { $("page-message").textContent = problem(e); });
