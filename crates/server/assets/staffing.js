// Staffing (警力需求): for the forecast's next shift, day or week, the crews
// each station needs to answer its calls within the target — Erlang C for
// each station alone, then the hypercube model with every station's crews
// answering each other's calls — beside the crews the published roster
// puts on the shift. A station short of crews links to its roster.
"use strict";

const I18N = {
  zh: {
    title: "警力需求", heading: "各派出所所需警组", window_label: "时段", target: "响应目标（分钟）", level: "达标比例（%）",
    compute: "计算", make_forecast: "生成该时段预测", making: "正在生成预测…", method: "口径",
    windows: { shift: "下一班次", day: "下一日", week: "下一周" },
    no_forecast: (w) => `尚无${w}的警情预测。`,
    ended_forecast: (e) => `最新的预测是 ${when(e.window_start)} – ${when(e.window_end)} 的，该时段已过，需生成新的预测。`, no_forecast_ask: "请指挥中心或研判人员生成预测后再看。",
    service: "每起警情占用警组", service_measured: (n) => `据 ${n} 起已处置警情测得`, service_default: "数据不足，取默认值",
    minutes: (m) => `${m.toFixed(1)} 分钟`, all_busy: "全城警组同时全忙的概率", crews_total: "全城所需警组（空间模型）", rostered_total: "已排警组",
    station: "派出所", expected: "预计警情", per_hour: "每小时", load: "工作量", erlang: "所需警组（Erlang C）", in_time: "按时响应",
    own: "本所即时出警", spatial: "所需警组（空间模型）", busy: "警组忙碌", helped: "邻所支援", rostered: "已排警组", short: (n) => `缺 ${n} 组`,
    open_roster: "去排班", none_rostered: "未排", not_met: "空间模型加到上限仍未达标，所列为上限时的警组数。",
    method_items: (r) => [
      `预计警情：所选时段预测中离该所最近的网格之和；每起警情占用警组 ${r.service_minutes.toFixed(1)} 分钟（接警或派警至处警结束，取以往同一周内时段的警情，不足 30 起时取全部）。`,
      `所需警组（Erlang C）：把该所当作孤立的排队系统，使至少 ${(r.level * 100).toFixed(0)}% 的警情等待警组不超过 ${r.target_minutes} 分钟的最少警组数。`,
      `本所即时出警：各所警组相互支援时（Larson 超立方体模型的近似解，各处警情先派最近派出所的警组，再派次近的），该所警情由本所空闲警组立即出警的比例，按 Erlang C 的警组数计算。`,
      `所需警组（空间模型）：从 Erlang C 的警组数起逐轮增加，直到每个所的本所即时出警比例都达到 ${(r.level * 100).toFixed(0)}% 的最少警组数；繁忙邻所的警情会占用本所警组，所以可能多于 Erlang C。`,
      "已排警组：该所已发布排班在本时段第一个班次安排的警组数。",
    ],
  },
  en: {
    title: "Staffing", heading: "Crews each station needs", window_label: "Window", target: "Response target (minutes)", level: "Share on target (%)",
    compute: "Compute", make_forecast: "Make the forecast for this window", making: "Making the forecast…", method: "Definitions",
    windows: { shift: "Next shift", day: "Next day", week: "Next week" },
    no_forecast: (w) => `There is no incident forecast for the ${w.toLowerCase()} yet.`,
    ended_forecast: (e) => `The latest forecast is for ${when(e.window_start)} – ${when(e.window_end)}, which has passed: a new one is needed.`, no_forecast_ask: "Ask the command centre or an analyst to make one.",
    service: "Busy time per call", service_measured: (n) => `measured from ${n} handled calls`, service_default: "too few handled calls: the default",
    minutes: (m) => `${m.toFixed(1)} min`, all_busy: "Chance every crew in the city is busy", crews_total: "Crews needed in the city (spatial model)", rostered_total: "Crews rostered",
    station: "Station", expected: "Expected incidents", per_hour: "Per hour", load: "Load", erlang: "Crews (Erlang C)", in_time: "Answered in time",
    own: "Own crew at once", spatial: "Crews (spatial model)", busy: "Crews busy", helped: "Helped by neighbours", rostered: "Crews rostered", short: (n) => `${n} short`,
    open_roster: "Roster", none_rostered: "none", not_met: "The spatial model reached its limit of rounds without meeting the level; the crews shown are those at the limit.",
    method_items: (r) => [
      `Expected incidents: the forecast's cells nearest the station, summed over the window; each call keeps a crew ${r.service_minutes.toFixed(1)} minutes (receipt or dispatch to the end of handling, over past calls at the same hours of the week, or all calls where fewer than 30).`,
      `Crews (Erlang C): the station as a queue of its own — the fewest crews for at least ${(r.level * 100).toFixed(0)}% of calls to wait at most ${r.target_minutes} minutes for a crew.`,
      "Own crew at once: with the stations' crews answering each other's calls (Larson's hypercube model, approximated; a place calls its nearest station's crews first, then the next station's), the share of the station's calls a free crew of its own answers at once, with Erlang C's crews.",
      `Crews (spatial model): from Erlang C's crews, a crew more each round where a station's own share is below ${(r.level * 100).toFixed(0)}%, until every station reaches it; a busy neighbour's calls take a station's crews away, so this may exceed Erlang C.`,
      "Crews rostered: the crews the station's published roster puts on the window's first shift.",
    ],
  },
};
const state = { lang: pickLang(), me: null, report: null, missing: null, timezone: null };

const card = (value, label, id) => h("div", { class: "card", id }, h("b", {}, value), h("span", {}, label));

function render() {
  applyLang();
  $("window-kind").innerHTML = "";
  $("window-kind").append(...["shift", "day", "week"].map((w) => h("option", { value: w, selected: w === state.window }, t("windows")[w])));
  const table = $("stations");
  table.innerHTML = "";
  $("totals").innerHTML = "";
  $("method-list").innerHTML = "";
  const msg = $("page-message");
  const mayForecast = state.me.permissions.includes("forecasts.write");
  $("make-forecast").hidden = !(state.missing && mayForecast);
  if (state.missing) {
    const said = state.missing.ended ? t("ended_forecast")(state.missing.ended) : t("no_forecast")(t("windows")[state.window]);
    msg.textContent = said + (mayForecast ? "" : ` ${t("no_forecast_ask")}`);
    $("window").textContent = "";
    return;
  }
  const r = state.report;
  if (!r) return;
  state.timezone = r.timezone;
  msg.textContent = r.spatial_met ? "" : t("not_met");
  $("window").textContent = `${when(r.window_start)} – ${when(r.window_end)}`;
  const spatial = r.stations.reduce((a, s) => a + s.spatial_crews, 0);
  const rostered = r.stations.filter((s) => s.rostered_crews !== null);
  $("totals").append(
    card(t("minutes")(r.service_minutes), `${t("service")} · ${r.service_basis === "measured" ? t("service_measured")(r.measured_calls) : t("service_default")}`, "service"),
    card(String(spatial), t("crews_total"), "spatial-total"),
    rostered.length ? card(String(rostered.reduce((a, s) => a + s.rostered_crews, 0)), t("rostered_total"), "rostered-total") : null,
    card(pct(r.queue_probability), t("all_busy"), "all-busy"));
  const heads = ["station", "expected", "per_hour", "load", "erlang", "in_time", "own", "spatial", "busy", "helped", "rostered"];
  table.append(h("thead", {}, h("tr", {}, heads.map((k, i) => h("th", { class: i ? "n" : null, scope: "col" }, t(k))))));
  const body = h("tbody");
  for (const s of r.stations) {
    const gap = s.rostered_crews === null ? 0 : s.spatial_crews - s.rostered_crews;
    const roster = h("td", { class: "n" }, s.rostered_crews === null ? t("none_rostered") : String(s.rostered_crews));
    if (gap > 0) {
      roster.classList.add("short");
      roster.append(" ", h("a", { href: `/roster?station=${encodeURIComponent(s.code)}`, class: "gap" }, `${t("short")(gap)} · ${t("open_roster")}`));
    }
    body.append(h("tr", { "data-station": s.code },
      h("th", { scope: "row" }, nameOf(s)),
      h("td", { class: "n" }, s.expected_incidents.toFixed(1)),
      h("td", { class: "n" }, s.calls_per_hour.toFixed(2)),
      h("td", { class: "n" }, s.load.toFixed(2)),
      h("td", { class: "n erlang" }, String(s.crews)),
      h("td", { class: "n" }, pct(s.service_level)),
      h("td", { class: "n own" }, pct(s.own_share)),
      h("td", { class: "n spatial" }, String(s.spatial_crews)),
      h("td", { class: "n" }, pct(s.workload)),
      h("td", { class: "n" }, pct(s.helped_share)),
      roster));
  }
  table.append(body);
  $("method-list").append(...t("method_items")(r).map((x) => h("li", {}, x)));
}

async function load() {
  const msg = $("page-message");
  state.missing = null;
  state.report = null;
  try {
    state.report = await api("/api/v1/staffing", { window: state.window, target_minutes: $("target").value, level: Number($("level").value) / 100 });
  } catch (e) {
    if (e.details && e.details.missing === "forecast") state.missing = e.details;
    else { render(); msg.textContent = problem(e); return; }
  }
  render();
}

async function init() {
  state.window = new URLSearchParams(location.search).get("window") || "shift";
  if (!["shift", "day", "week"].includes(state.window)) state.window = "shift";
  state.me = await startPage(() => render());
  if (!state.me.permissions.includes("plans.read")) { location.replace(homeOf(state.me)); return; }
  $("ask").onsubmit = async (ev) => {
    ev.preventDefault();
    state.window = $("window-kind").value;
    await load();
  };
  $("window-kind").onchange = async () => { state.window = $("window-kind").value; await load(); };
  $("make-forecast").onclick = async () => {
    const button = $("make-forecast");
    button.disabled = true;
    $("page-message").textContent = t("making");
    try {
      await change("/api/v1/forecasts", { window: state.window });
      await load();
    } catch (e) {
      $("page-message").textContent = problem(e);
    } finally {
      button.disabled = false;
    }
  };
  await load();
  ready();
}

init().catch((e) => { $("page-message").textContent = problem(e); });
