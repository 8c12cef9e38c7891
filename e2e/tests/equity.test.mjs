// The equity report beside the forecast and the plan: an analyst on the map
// page reads where the hot cells and patrol time fall against citizens'
// calls, by town and by grid, and sees it follow a new forecast and plan;
// a leader reads it on the dashboard (zh, en).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { start, signedIn, ready, accessibilityProblems } from "./helpers.mjs";

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

const share = /^\d+\.\d%$/;

test("an analyst reads the plan's equity by town and by grid, and it follows a new forecast and plan (zh)", async () => {
  const { page, context, errors } = await signedIn(app, "analyst", "demo-analyst-2026", "zh", "/");
  await ready(page);
  const panel = page.locator("#equity[data-level=town]");
  await panel.waitFor();
  assert.equal(await page.locator("#equity-title").textContent(), "公平性：警力是否跟着群众报警走");
  const api = await page.evaluate(async () => (await fetch("/api/v1/equity?level=town")).json());
  const rows = page.locator("#equity-table tbody tr");
  assert.equal(await rows.count(), api.areas.length, "a row per town");
  // The first row is the town whose patrol time most exceeds its citizens' share, as the API says.
  const first = api.areas[0];
  const cells = await rows.first().locator("td").allTextContents();
  assert.equal(await rows.first().locator("th").textContent(), first.name_zh);
  assert.equal(cells[1], `${(100 * first.patrol_share).toFixed(1)}%`);
  assert.equal(cells[2], `${(100 * first.citizen_share).toFixed(1)}%`);
  for (const c of cells.slice(0, 4)) assert.match(c, share);
  // Flags read as words and colour the row.
  for (const a of api.areas.filter((x) => x.patrol_flag || x.hot_flag)) {
    const row = page.locator(`#equity-table tr[data-code="${a.code}"]`);
    const tds = row.locator("td");
    if (a.hot_flag) assert.match(await tds.nth(0).getAttribute("class"), new RegExp(`flag-${a.hot_flag}`));
    if (a.patrol_flag) assert.match(await tds.nth(1).getAttribute("class"), new RegExp(`flag-${a.patrol_flag}`));
    assert.match(await row.locator("td").last().textContent(), /(热点格|巡逻时间)偏(多|少)/);
  }
  assert.match(await page.locator("#equity-officer").textContent(), /民警自查警情占比.*预测中权重 1\.00/);
  assert.match(await page.locator("#equity-lock b").textContent(), share);
  assert.match(await page.locator("#equity-note").textContent(), new RegExp(`预测 #${api.forecast_id}、部署方案 #${api.plan_id}`));
  assert.deepEqual(await accessibilityProblems(page), []);
  // By grid: finer areas.
  await page.locator("#equity-level").selectOption("grid");
  await page.locator("#equity[data-level=grid]").waitFor();
  assert.ok(await rows.count() > api.areas.length, "more grids than towns");
  assert.match(await rows.first().locator("th").textContent(), /网格/);
  await context.close();
  // A commander runs a new forecast and plan: the panel follows them.
  const c = await signedIn(app, "commander", "demo-commander-2026", "zh", "/");
  await ready(c.page);
  await c.page.locator("#equity[data-level=town]").waitFor();
  const before = Number(await c.page.locator("#equity").getAttribute("data-forecast"));
  await c.page.locator("#run").click();
  await c.page.locator("#run[data-done='1']").waitFor({ timeout: 120000 });
  const after = Number(await c.page.locator("#equity").getAttribute("data-forecast"));
  assert.ok(after > before, `the panel shows the new forecast (${before} -> ${after})`);
  const now = await c.page.evaluate(async () => (await fetch("/api/v1/equity")).json());
  assert.match(await c.page.locator("#equity-note").textContent(), new RegExp(`预测 #${after}、部署方案 #${now.plan_id}`));
  assert.deepEqual([...errors, ...c.errors], []);
  await c.context.close();
});

for (const lang of ["zh", "en"]) {
  test(`a leader reads the equity of the current plan on the dashboard (${lang})`, async () => {
    const { page, context, errors } = await signedIn(app, "leader", "demo-leader-2026", lang, "/dashboard");
    await ready(page);
    await page.locator("#equity[data-level=town]").waitFor();
    assert.equal(await page.locator("#equity-title").textContent(),
      lang === "zh" ? "公平性：警力是否跟着群众报警走" : "Equity: does police strength follow citizens' calls?");
    const head = await page.locator("#equity-table thead th").allTextContents();
    assert.deepEqual(head, lang === "zh"
      ? ["区域", "热点格占比", "巡逻时间占比", "群众报警占比", "民警自查占比", "提示"]
      : ["Area", "Hot cells", "Patrol time", "Citizen calls", "Officer-initiated", "Flag"]);
    const rows = page.locator("#equity-table tbody tr");
    assert.ok(await rows.count() >= 2);
    assert.match(await page.locator("#equity-flagged b").textContent(), lang === "zh" ? /\d+ 个区域偏多、\d+ 个偏少/ : /\d+ over, \d+ under/);
    assert.match(await page.locator("#equity-defs").textContent(), lang === "zh" ? /群众报警占比/ : /citizen share/);
    assert.deepEqual(await accessibilityProblems(page), []);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

for (const lang of ["zh", "en"]) {
  test(`a commander replays the last days and reads the curves beside the ceiling (${lang})`, async () => {
    const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", lang, "/");
    await ready(page);
    const button = page.locator("#accuracy-run");
    await button.waitFor();
    const days = Number(await button.getAttribute("data-days"));
    assert.ok(days >= 7 && days <= 28, `${days}`);
    assert.equal(await button.textContent(), lang === "zh" ? `回测最近 ${days} 天` : `Replay the last ${days} days`);
    await button.click();
    await page.locator(`#accuracy[data-windows="${days}"]`).waitFor({ timeout: 120000 });
    for (const m of ["naive", "fq", "peek"]) await page.locator(`#accuracy-chart polyline[data-model=${m}]`).waitFor();
    assert.equal(await page.locator("#accuracy-chart polyline[data-model=peek]").getAttribute("stroke-dasharray"), "6 4", "the ceiling dashed");
    const legend = await page.locator("#accuracy-chart text.legend").allTextContents();
    assert.deepEqual(legend, lang === "zh"
      ? ["历史计数", "枫桥模型", "上限（偷看未来）"]
      : ["counting (naive)", "Fengqiao model (fq)", "ceiling (peek: sees the future)"]);
    const note = await page.locator("#accuracy-note").textContent();
    assert.match(note, lang === "zh" ? /5% 覆盖时枫桥模型.*历史计数.*95% 区间.*上限在 5% 覆盖时为 \d+\.\d%/ : /At 5 % coverage the Fengqiao model captured .*95 % interval.*The ceiling reaches \d+\.\d% at 5 %/);
    assert.deepEqual(await accessibilityProblems(page), []);
    assert.deepEqual(errors, []);
    await context.close();
  });
}
