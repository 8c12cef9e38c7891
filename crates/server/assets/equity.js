// The equity panel beside the forecast and the plan (the map page and the
// leader's dashboard): by town, village or grid, the share of the forecast's
// hot cells and of the plan's patrol time against the share of citizen
// calls; the officers' share of the training data; the feedback loop's lock-in.
"use strict";

const EQUITY_I18N = {
  zh: {
    title: "公平性：警力是否跟着群众报警走", level: "按", levels: { town: "镇街", village: "村社区", grid: "网格" },
    cols: ["区域", "热点格占比", "巡逻时间占比", "群众报警占比", "民警自查占比", "提示"],
    over: (w) => `${w}偏多`, under: (w) => `${w}偏少`, hot: "热点格", patrol: "巡逻时间",
    flagged: (o, u) => `${o} 个区域偏多、${u} 个偏少`, flagged_label: "高于 / 低于群众报警占比",
    officer: "民警自查警情占比", officer_note: (w, s) => `预测中权重 ${w}，占训练数据 ${s}`,
    lock: "反馈回路锁定度", lock_note: (w, same, overlap) => `巡逻格中仍是第一天的格（当前设置）；其中 ${overlap} 属真正最繁忙的格。民警自查权重取 ${w} 时：${same}`,
    outside: (n, m, c) => `不在任何区域内：热点格 ${n} 个，巡逻 ${m} 分钟，群众报警 ${c} 起`,
    source: (f, p, from, to) => `预测 #${f}${p ? `、部署方案 #${p}` : "（尚无据此预测的部署方案）"}；群众报警取 ${from} 至 ${to}`,
    no_origin: "警情均未标明来源：以全部警情代替群众报警。",
    defs: "口径：热点格为预测最热的 5% 网格；巡逻时间为方案中各车组巡查停留时长；群众报警占比为预测窗口前一年群众报警（不含民警自查）在各区域的比例。热点格或巡逻时间占比不低于群众报警占比的 1.5 倍（或不高于其 1/1.5）且相差 5 个百分点以上时提示。锁定度按当前设置模拟一年：群众报告一半警情，巡逻发现所到之处其余警情的一半并记入数据。",
    none: "暂无预测：运行预测与部署后此处显示各区域的警力与群众报警对比。",
  },
  en: {
    title: "Equity: does police strength follow citizens' calls?", level: "By", levels: { town: "town", village: "village", grid: "grid" },
    cols: ["Area", "Hot cells", "Patrol time", "Citizen calls", "Officer-initiated", "Flag"],
    over: (w) => `${w} over`, under: (w) => `${w} under`, hot: "hot cells", patrol: "patrol time",
    flagged: (o, u) => `${o} over, ${u} under`, flagged_label: "areas above / below their share of citizen calls",
    officer: "Officer-initiated incidents", officer_note: (w, s) => `weight ${w} in the forecast, ${s} of its training data`,
    lock: "Feedback-loop lock-in", lock_note: (w, same, overlap) => `of patrolled cells stay the first day's (current settings); ${overlap} among the truly busiest. With officer incidents at weight ${w}: ${same}`,
    outside: (n, m, c) => `In no area: ${n} hot cells, ${m} patrol minutes, ${c} citizen calls`,
    source: (f, p, from, to) => `Forecast #${f}${p ? `, plan #${p}` : " (no plan made from it yet)"}; citizen calls ${from} to ${to}`,
    no_origin: "No incident says who reported it: every incident stands in for citizens' calls.",
    defs: "Hot cells are the forecast's hottest 5 % of cells; patrol time is the time the plan's units spend at their stops; the citizen share is each area's share of citizen-reported incidents (officer-initiated ones left out) in the year before the window. Flagged when an area's share of hot cells or patrol time is at least 1.5 times (at most 1/1.5 of) its citizen share and 5 points away from it. Lock-in simulates a year under the current settings: citizens report half of what happens; patrols find half of the rest where they are, and it enters the record.",
    none: "No forecast yet: after “Run forecast & plan” this shows patrol strength against citizens' calls by area.",
  },
};

const te = (key) => EQUITY_I18N[state.lang][key];

/// Fills the panel `#equity` (its level select, cards, table and notes) for a dataset.
async function equityPanel(dataset) {
  const box = $("equity");
  if (!box || !state.me.permissions.includes("forecasts.read")) { if (box) box.hidden = true; return; }
  box.hidden = false;
  // The panel's parts, built once: both pages hold only the empty section.
  if (!$("equity-level")) {
    box.append(
      h("h2", { id: "equity-title" }),
      h("label", {}, h("span", { id: "equity-level-label" }), " ", h("select", { id: "equity-level" })),
      h("section", { class: "summary", id: "equity-cards", "aria-live": "polite" }),
      h("div", { class: "scroll", tabindex: "0", role: "region", "aria-labelledby": "equity-title" }, h("table", { class: "list", id: "equity-table" })),
      h("p", { class: "muted", id: "equity-note" }),
      h("p", { class: "muted small", id: "equity-defs" }));
  }
  const select = $("equity-level");
  if (!select.options.length) {
    for (const l of ["town", "village", "grid"]) select.append(h("option", { value: l }, ""));
    select.onchange = () => equityPanel(dataset);
  }
  [...select.options].forEach((o) => { o.textContent = te("levels")[o.value]; });
  $("equity-title").textContent = te("title");
  $("equity-level-label").textContent = te("level");
  $("equity-defs").textContent = te("defs");
  const cards = $("equity-cards");
  const table = $("equity-table");
  const note = $("equity-note");
  let r;
  try {
    r = await api("/api/v1/equity", { dataset, level: select.value });
  } catch (e) {
    cards.innerHTML = "";
    table.innerHTML = "";
    note.textContent = e.status === 404 ? te("none") : problem(e);
    return;
  }
  cards.innerHTML = "";
  table.innerHTML = "";
  const card = (id, value, label, small) => h("div", { class: "card", id }, h("b", {}, value), h("span", {}, label), small ? h("small", {}, small) : null);
  const lock = r.lock_in;
  cards.append(
    card("equity-flagged", te("flagged")(r.flagged_over, r.flagged_under), te("flagged_label")),
    card("equity-officer", pct(r.officer_share), te("officer"), te("officer_note")(r.officer_weight.toFixed(2), pct(r.officer_share_in_training))),
    card("equity-lock", pct(lock.current.same_as_day_0), te("lock"),
      te("lock_note")(lock.alternative.officer_weight.toFixed(2), pct(lock.alternative.same_as_day_0), pct(lock.current.overlap_with_truth))));
  const flagText = (a) => [[a.hot_flag, te("hot")], [a.patrol_flag, te("patrol")]]
    .filter(([f]) => f).map(([f, w]) => te(f)(w)).join(state.lang === "zh" ? "、" : ", ");
  const rows = r.areas.map((a) => {
    // The share that is out of line is coloured, not the whole row: a town may have too many hot cells and too little patrol.
    const cell = (x, flag) => h("td", { class: flag ? `n flag-${flag}` : "n" }, x === null ? "—" : pct(x));
    return h("tr", { "data-code": a.code, class: a.hot_flag || a.patrol_flag ? "flagged" : null },
      h("th", { scope: "row" }, nameOf(a)),
      cell(a.hot_share, a.hot_flag), cell(a.patrol_share, a.patrol_flag), cell(a.citizen_share), cell(a.officer_share),
      h("td", {}, flagText(a)));
  });
  table.append(
    h("thead", {}, h("tr", {}, te("cols").map((c, i) => h("th", { scope: "col", class: i && i < 5 ? "n" : null }, c)))),
    h("tbody", {}, rows));
  const day = (s) => s.slice(0, 10);
  const o = r.outside;
  note.textContent = [
    te("source")(r.forecast_id, r.plan_id, day(r.period_from), day(r.period_to)),
    r.citizen_basis === "all_incidents" ? te("no_origin") : "",
    o.hot_cells || o.patrol_minutes || o.citizen_incidents ? te("outside")(o.hot_cells, Math.round(o.patrol_minutes), o.citizen_incidents) : "",
  ].filter(Boolean).join(state.lang === "zh" ? "。" : ". ");
  box.dataset.forecast = String(r.forecast_id);
  box.dataset.level = r.level;
}
