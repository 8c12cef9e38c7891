// Staffing (警力需求) in the page: the duty commander reads, for the next
// shift, the crews each station needs (Erlang C, then the spatial model
// where stations answer each other's calls) beside the crews its published
// roster puts on the shift, and follows a shortfall to the station's
// roster; asks for the next day, has no forecast for it, and makes one
// from the page. An officer, who may not make forecasts, is told whom to ask.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, signedIn, ready, artifacts, accessibilityProblems } from "./helpers.mjs";

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

test("a commander reads each station's crews needed against those rostered, and makes tomorrow's forecast (zh)", async () => {
  const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "zh", "/staffing");
  await ready(page);
  const rows = page.locator("#stations tbody tr");
  await rows.first().waitFor();
  const report = await page.evaluate(async () => (await fetch("/api/v1/staffing")).json());
  assert.equal(await rows.count(), report.stations.length);
  for (const s of report.stations) {
    const row = page.locator(`#stations tr[data-station="${s.code}"]`);
    assert.equal(await row.locator("td.erlang").textContent(), String(s.crews));
    assert.equal(await row.locator("td.spatial").textContent(), String(s.spatial_crews));
    assert.ok(s.spatial_crews >= s.crews);
    // The demo publishes rosters from this Monday: each station has crews on the shift.
    assert.equal(typeof s.rostered_crews, "number");
    const short = s.spatial_crews - s.rostered_crews;
    assert.equal(await row.locator("a.gap").count(), short > 0 ? 1 : 0);
  }
  // The window in the city's zone (the page's browser is in UTC).
  const start = new Date(report.window_start).toLocaleString("zh-CN", { timeZone: report.timezone, dateStyle: "short", timeStyle: "short" });
  assert.ok((await page.locator("#window").textContent()).startsWith(start));
  assert.match(await page.locator("#service span").textContent(), /据 \d+ 起已处置警情测得/);
  // A stricter target needs at least as many crews.
  await page.locator("#target").fill("1");
  await page.locator("#level").fill("99");
  await page.locator("#compute").click();
  await page.waitForFunction((n) => [...document.querySelectorAll("#stations td.erlang")].reduce((a, td) => a + Number(td.textContent), 0) > n,
    report.stations.reduce((a, s) => a + s.crews, 0));
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(artifacts, "staffing-zh.png"), fullPage: true });
  // No forecast for the next day yet: the commander makes one here.
  await page.locator("#window-kind").selectOption("day");
  await page.locator("#page-message").filter({ hasText: "尚无下一日的警情预测" }).waitFor();
  await page.locator("#make-forecast").click();
  await page.locator("#stations tbody tr").first().waitFor({ timeout: 60000 });
  assert.equal(await page.locator("#make-forecast").isHidden(), true);
  const day = await page.evaluate(async () => (await fetch("/api/v1/staffing?window=day")).json());
  assert.equal(day.window, "day");
  assert.equal((new Date(day.window_end) - new Date(day.window_start)) / 3600000, 24);
  assert.deepEqual(errors, []);
  await context.close();
});

test("an officer, who may not make forecasts, is told whom to ask (en)", async () => {
  const { page, context, errors } = await signedIn(app, "officer", "demo-officer-2026", "en", "/staffing?window=week");
  await ready(page);
  await page.locator("#page-message").filter({ hasText: "no incident forecast for the next week yet. Ask the command centre" }).waitFor();
  assert.equal(await page.locator("#make-forecast").isHidden(), true);
  assert.equal(await page.locator("#stations tr").count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});
