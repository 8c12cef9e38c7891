// Prevention (防范): are incidents of a category close in space also close
// in time (the Knox test, as the Near Repeat Calculator runs it), and which
// cocoon alert zone — warn the neighbours within R metres for D days after
// each incident — would have caught how many later incidents, at what
// workload per station. The table a commander chooses a zone from.
"use strict";

const I18N = {
  zh: {
    title: "防范", heading: "近重复分析与预警区", category: "警情类别", from: "起", to: "止",
    space_band: "距离段（米）", space_bands: "距离段数", time_band: "时间段（天）", time_bands: "时间段数",
    distance: "距离", iterations: "随机置换次数", zones: "回测预警区（半径x天数）", analyse: "分析", analysing: "正在分析…",
    distances: { manhattan: "曼哈顿距离（沿街道）", euclidean: "直线距离" },
    ratio_title: "观测值与期望值之比（* p ≤ 0.05，** p ≤ 0.01）", observed_title: "观测对数", zones_title: "预警区回测", method: "口径",
    same_location: "同一地点", up_to_m: (to) => `${to}米以内`, between_m: (a, b) => `${a}至${b}米`, more_than_m: (a) => `${a}米及以上`,
    days_apart: (n) => `相隔${n}天`, days_between: (a, b) => `相隔${a}至${b}天`, days_or_more: (a) => `相隔${a}天及以上`,
    same_day: "当天", within_days: (n) => `${n}天内`,
    near: (band, days) => `距一起警情${band}，${days}再次发生的警情明显偏多。`,
    strongest: (band, days, p) => `最显著的是${band}、${days}：再发生一起警情的可能比无规律时高约${p}%。`,
    no_near: "未发现显著的近重复规律。",
    repeat: (days, p) => `同一地点在警情发生后${days}再次发生明显偏多：可能高约${p}%。`, no_repeat: "同一地点未发现显著的重复规律。",
    summary: (n, pairs, its, s) => `${n}起警情，${pairs}对，日期随机置换${its}次，用时${s}秒。`,
    zone_heads: ["预警区", "", "命中率", "随机命中率", "倍数", "命中 / 总数", "每日开区", "每所每日", "最多一所每日", "每日开启", "每日面积（平方公里）"],
    zone_rule: (r, d) => `${r}米 × ${d}天`, suggested: "（分析建议）",
    use_zone: "设为该类预警区", in_force: "现行预警区", in_force_now: (r, d) => `现行：${r}米 × ${d}天`, none_in_force: "该类别未设预警区",
    rounds_opened: (d) => `近${d}天防范走访（起）`, rounds_warned: "已告知邻里", rounds_on_time: "按时告知", rounds_households: "告知户数", rounds_overdue: "逾期未走访",
    turn_off: "停用该类预警区", saved: (cat, r, d) => `已设定：${cat}警情发生后，周边 ${r} 米内预警 ${d} 天。`, turned_off: (cat) => `已停用${cat}的预警区。`,
    method_items: [
      "每对警情按距离与相隔天数归入一格；期望值是把警情日期在各地点间随机置换后的平均对数，p 值为（1 + 置换后不少于观测值的次数）/（置换次数 + 1），与 Ratcliffe 的近重复计算器（Near Repeat Calculator）相同。",
      "同一地点指距离为零；距离按单精度坐标计算，与计算器一致。时间段按实际相隔天数标注（计算器把“相隔0至6天”标作“0至7天”）。",
      "“明显偏多”指 p ≤ 0.05 且观测值至少为期望值的 1.2 倍；“可能高约”即观测值与期望值之比减一。",
      "预警区回测：每起警情开启以其为圆心的预警区（落在已开启预警区内的则延长该区），命中指其后发生在已开启预警区内的警情；同一时刻的警情不算互相命中。随机命中率为警情时间在各地点间随机置换后的命中率，倍数为两者之比。每所每日按最近的派出所计。",
    ],
  },
  en: {
    title: "Prevention", heading: "Near repeats and alert zones", category: "Category", from: "From", to: "To",
    space_band: "Space band (m)", space_bands: "Space bands", time_band: "Time band (days)", time_bands: "Time bands",
    distance: "Distance", iterations: "Shuffles", zones: "Zones to backtest (radius x days)", analyse: "Analyse", analysing: "Analysing…",
    distances: { manhattan: "Manhattan (along streets)", euclidean: "Straight line" },
    ratio_title: "Observed over expected (* p ≤ 0.05, ** p ≤ 0.01)", observed_title: "Pairs observed", zones_title: "Alert zones, backtested", method: "Definitions",
    same_location: "Same location", up_to_m: (to) => `Up to ${to} m`, between_m: (a, b) => `${a}–${b} m`, more_than_m: (a) => `${a} m or more`,
    days_apart: (n) => `${n} days`, days_between: (a, b) => `${a}–${b} days`, days_or_more: (a) => `${a}+ days`,
    same_day: "on the same day", within_days: (n) => `for up to ${n} days`,
    near: (band, days) => `${band} from an incident, near repeats are over-represented ${days} after it.`,
    strongest: (band, days, p) => `Most over-represented: ${band}, ${days} apart — another incident is about ${p}% more likely than if there were no pattern.`,
    no_near: "No significant near-repeat pattern.",
    repeat: (days, p) => `At the same location, repeats are over-represented ${days} after an incident: about ${p}% more likely.`,
    no_repeat: "No significant repeat pattern at the same location.",
    summary: (n, pairs, its, s) => `${n} incidents, ${pairs} pairs, ${its} shuffles of the dates, ${s} s.`,
    zone_heads: ["Zone", "", "Capture", "By chance", "Lift", "Captured / of", "Zones a day", "Per station a day", "Busiest station a day", "Open a day", "km² a day"],
    zone_rule: (r, d) => `${r} m × ${d} days`, suggested: " (suggested)",
    use_zone: "Use for this category", in_force: "In force", in_force_now: (r, d) => `In force: ${r} m × ${d} days`, none_in_force: "No alert zone for this category",
    rounds_opened: (d) => `Rounds of warnings, last ${d} days`, rounds_warned: "Neighbours warned", rounds_on_time: "Warned on time", rounds_households: "Households told", rounds_overdue: "Overdue, not visited",
    turn_off: "Turn this category's zones off", saved: (cat, r, d) => `Set: after each ${cat}, the neighbours within ${r} m are warned for ${d} days.`, turned_off: (cat) => `Alert zones for ${cat} are off.`,
    method_items: [
      "Each pair of incidents falls in a cell by distance and days apart; expected pairs are the mean over shuffles of the dates among the places, and the p-value is (1 + shuffles with at least the observed pairs) / (shuffles + 1), as in Ratcliffe's Near Repeat Calculator.",
      "The same location is no distance at all; distances are computed on single-precision coordinates, as the calculator does. Time bands are labelled with the days they count (the calculator labels 0–6 days apart “0 to 7”).",
      "Over-represented: p ≤ 0.05 and at least 1.2 times the expected pairs; “more likely” is that ratio less one.",
      "Zones backtested: each incident opens a zone around it (or extends the open zone it falls in); captured are later incidents inside a zone already open, never incidents of the same moment. By chance: the same with the incidents' times shuffled among their places; lift is their ratio. Per station by the nearest station.",
    ],
  },
};
const state = { lang: pickLang(), me: null, report: null, categories: [], timezone: null, rules: [], rounds: null };
const card = (value, label, id) => h("div", { class: "card", id }, h("b", {}, value), h("span", {}, label));
const mayChoose = () => state.me && state.me.permissions.includes("plans.write");
const ruleOf = (code) => state.rules.find((r) => r.category === code);
const num = (n) => n.toLocaleString(state.lang === "zh" ? "zh-CN" : "en");

function spaceLabel(b, row) {
  if (b.to === 0) return t("same_location");
  if (b.to === null) return t("more_than_m")(b.from);
  return row === 1 ? t("up_to_m")(b.to) : t("between_m")(b.from, b.to);
}

function timeLabel(b) {
  if (b.to === null) return t("days_or_more")(b.from);
  return b.to === b.from + 1 ? t("days_apart")(b.from) : t("days_between")(b.from, b.to - 1);
}

function withinDays(r, c) {
  const last = r.time[c].to - 1;
  return last === 0 ? t("same_day") : t("within_days")(last);
}

function sentences(r) {
  const f = r.findings;
  const out = [];
  const percent = (ratio) => ((ratio - 1) * 100).toFixed(0);
  if (!f.near.length) out.push(t("no_near"));
  for (const [row, c] of f.near) out.push(t("near")(spaceLabel(r.space[row], row), withinDays(r, c)));
  if (f.strongest_near) {
    const [row, c, ratio] = f.strongest_near;
    out.push(t("strongest")(spaceLabel(r.space[row], row), timeLabel(r.time[c]), percent(ratio)));
  }
  if (f.repeat !== null && f.strongest_repeat) out.push(t("repeat")(withinDays(r, f.repeat), percent(f.strongest_repeat[1])));
  else out.push(t("no_repeat"));
  return out;
}

function grid(table, r, cell) {
  table.innerHTML = "";
  table.append(h("thead", {}, h("tr", {}, h("th", { scope: "col" }), r.time.map((b) => h("th", { class: "n", scope: "col" }, timeLabel(b))))));
  const body = h("tbody");
  r.space.forEach((b, i) => body.append(h("tr", {}, h("th", { scope: "row" }, spaceLabel(b, i)), r.time.map((_, j) => cell(i, j)))));
  table.append(body);
}

function render() {
  applyLang();
  $("distance").innerHTML = "";
  const chosen = $("distance").dataset.value || "manhattan";
  $("distance").append(...["manhattan", "euclidean"].map((d) => h("option", { value: d, selected: d === chosen }, t("distances")[d])));
  const sel = $("category");
  const was = sel.value || "criminal.theft.burglary";
  sel.innerHTML = "";
  sel.append(...state.categories.map((c) => h("option", { value: c.code, selected: c.code === was }, `${nameOf(c)} (${c.code})`)));
  const rounds = state.rounds;
  $("rounds").innerHTML = "";
  if (rounds) {
    $("rounds").append(
      card(num(rounds.opened), t("rounds_opened")(rounds.days), "rounds-opened"),
      card(num(rounds.warned), t("rounds_warned"), "rounds-warned"),
      card(rounds.warned ? pct(rounds.warned_on_time / rounds.warned) : "—", t("rounds_on_time"), "rounds-on-time"),
      card(num(rounds.households), t("rounds_households"), "rounds-households"),
      card(num(rounds.overdue), t("rounds_overdue"), "rounds-overdue"));
  }
  $("method-list").innerHTML = "";
  $("method-list").append(...t("method_items").map((x) => h("li", {}, x)));
  const r = state.report;
  for (const id of ["ratio-title", "zones-title", "observed-details"]) $(id).hidden = !r;
  $("findings").innerHTML = "";
  for (const id of ["ratio", "observed", "zone-table"]) $(id).innerHTML = "";
  $("zones-title").hidden = !r || !r.zones.length;
  if (!r) return;
  const rule = ruleOf(r.category);
  $("findings").append(
    h("p", { class: "muted" }, t("summary")(num(r.events), num(r.pairs), r.config.iterations, r.seconds.toFixed(2))),
    h("p", { id: "rule-now" }, rule ? t("in_force_now")(rule.radius_m, rule.days) : t("none_in_force"),
      rule && mayChoose() ? h("button", { type: "button", id: "turn-off", onclick: () => setRule(r.category, null) }, t("turn_off")) : ""),
    h("ul", { id: "sentences" }, sentences(r).map((s) => h("li", {}, s))));
  grid($("ratio"), r, (i, j) => {
    const p = r.p_value[i][j];
    const ratio = r.ratio[i][j];
    const mark = p <= 0.01 ? "**" : p <= 0.05 ? "*" : "";
    const over = mark && ratio !== null && ratio >= 1.2;
    return h("td", { class: `n${over ? " over" : ""}`, title: `p = ${p.toFixed(3)}`, "data-p": p.toFixed(3) }, ratio === null ? "—" : `${ratio.toFixed(2)}${mark}`);
  });
  grid($("observed"), r, (i, j) => h("td", { class: "n" }, num(r.observed[i][j])));
  const zt = $("zone-table");
  zt.innerHTML = "";
  zt.hidden = !r.zones.length;
  $("zones-title").hidden = !r.zones.length;
  if (r.zones.length) {
    zt.append(h("thead", {}, h("tr", {}, t("zone_heads").map((x, i) => h("th", { class: i ? "n" : null, scope: "col" }, x)))));
    const body = h("tbody");
    const s = r.suggested_zone;
    const fixed = (v, d) => (v === null || v === undefined ? "—" : v.toFixed(d));
    for (const z of r.zones) {
      const suggested = s && s.radius_m === z.rule.radius_m && s.days === z.rule.days;
      const rule = ruleOf(r.category);
      const inForce = rule && rule.radius_m === z.rule.radius_m && rule.days === z.rule.days;
      const choose = inForce
        ? h("span", { class: "badge in-force" }, t("in_force"))
        : mayChoose() ? h("button", { type: "button", class: "use-zone", onclick: () => setRule(r.category, z.rule) }, t("use_zone")) : "";
      body.append(h("tr", { "data-zone": `${z.rule.radius_m}x${z.rule.days}`, class: suggested ? "suggested" : null },
        h("th", { scope: "row" }, t("zone_rule")(z.rule.radius_m, z.rule.days), suggested ? t("suggested") : ""),
        h("td", {}, choose),
        h("td", { class: "n capture" }, pct(z.capture)),
        h("td", { class: "n" }, pct(z.capture_by_chance)),
        h("td", { class: "n" }, z.capture_by_chance > 0 ? (z.capture / z.capture_by_chance).toFixed(2) : "—"),
        h("td", { class: "n" }, `${num(z.captured)} / ${num(z.incidents)}`),
        h("td", { class: "n" }, fixed(z.zones_per_day, 1)),
        h("td", { class: "n per-station" }, fixed(z.zones_per_station_day, 2)),
        h("td", { class: "n" }, fixed(z.busiest_station_per_day, 2)),
        h("td", { class: "n" }, fixed(z.open_per_day, 1)),
        h("td", { class: "n" }, fixed(z.area_km2_per_day, 2))));
    }
    zt.append(body);
  }
}

/// Puts a zone (or none) in force for `category`, then reads the rules again.
async function setRule(category, rule) {
  const msg = $("page-message");
  const cat = state.categories.find((c) => c.code === category);
  try {
    await change("/api/v1/alert-zones/rules", rule ? { category, radius_m: rule.radius_m, days: rule.days } : { category });
    state.rules = (await api("/api/v1/alert-zones")).rules;
    render();
    msg.textContent = rule ? t("saved")(cat ? nameOf(cat) : category, rule.radius_m, rule.days) : t("turned_off")(cat ? nameOf(cat) : category);
  } catch (e) {
    msg.textContent = problem(e);
  }
}

async function load() {
  const msg = $("page-message");
  const button = $("analyse");
  button.disabled = true;
  msg.textContent = t("analysing");
  try {
    const zones = await api("/api/v1/alert-zones");
    state.rules = zones.rules;
    state.rounds = zones.rounds;
    state.report = await api("/api/v1/near-repeat", {
      category: $("category").value, from: $("from").value, to: $("to").value,
      space_band: $("space-band").value, space_bands: $("space-bands").value,
      time_band: $("time-band").value, time_bands: $("time-bands").value,
      distance: $("distance").value, iterations: $("iterations").value,
      zones: $("zones").value.replace(/\s+/g, ""),
    });
    msg.textContent = "";
  } catch (e) {
    state.report = null;
    msg.textContent = problem(e);
  } finally {
    button.disabled = false;
  }
  render();
}

async function init() {
  state.me = await startPage(() => render());
  const cats = await api("/api/v1/categories");
  state.categories = cats.items;
  const today = cityToday(state.timezone);
  const back = new Date(`${today}T00:00:00Z`);
  back.setUTCDate(back.getUTCDate() - 89);
  $("to").value = today;
  $("from").value = back.toISOString().slice(0, 10);
  $("distance").onchange = () => { $("distance").dataset.value = $("distance").value; };
  $("ask").onsubmit = async (ev) => {
    ev.preventDefault();
    await load();
  };
  render();
  await load();
  ready();
}

init().catch((e) => { $("page-message").textContent = problem(e); });
