// Prevention (防范) in the page: an analyst reads whether burglaries close
// in space are also close in time (the Knox test), in words and in the
// table of observed over expected pairs, and which cocoon alert zone would
// have caught how many later burglaries at what workload per station; asks
// for another zone and reads it in English. A volunteer is not shown it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, signedIn, ready, artifacts, accessibilityProblems } from "./helpers.mjs";

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

test("an analyst reads the near-repeat findings and chooses an alert zone from the backtest (zh, then en)", async () => {
  const { page, context, errors } = await signedIn(app, "analyst", "demo-analyst-2026", "zh", "/prevention");
  await ready(page);
  await page.locator("#sentences li").first().waitFor();
  assert.equal(await page.locator("#category").inputValue(), "criminal.theft.burglary");
  const query = await page.evaluate(() => {
    const v = (id) => document.getElementById(id).value;
    return new URLSearchParams({ category: v("category"), from: v("from"), to: v("to"), space_band: v("space-band"), space_bands: v("space-bands"),
      time_band: v("time-band"), time_bands: v("time-bands"), distance: v("distance"), iterations: v("iterations"), zones: v("zones") }).toString();
  });
  // The period ends today in the city's zone (the browser is in UTC).
  const today = new Date().toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });
  assert.equal(await page.locator("#to").inputValue(), today);
  const report = await page.evaluate(async (q) => (await fetch(`/api/v1/near-repeat?${q}`)).json(), query);
  assert.ok(report.events > 10, `${report.events} burglaries`);
  // Every cell of the ratio table is the API's, with its significance mark.
  const cells = page.locator("#ratio tbody tr");
  assert.equal(await cells.count(), report.space.length);
  for (let i = 0; i < report.space.length; i++) {
    for (let j = 0; j < report.time.length; j++) {
      const td = cells.nth(i).locator("td").nth(j);
      const ratio = report.ratio[i][j];
      const p = report.p_value[i][j];
      const mark = p <= 0.01 ? "**" : p <= 0.05 ? "*" : "";
      assert.equal(await td.textContent(), ratio === null ? "—" : `${ratio.toFixed(2)}${mark}`, `cell ${i},${j}`);
    }
  }
  assert.equal(await page.locator("#ratio tbody tr").first().locator("th").textContent(), "同一地点");
  assert.equal(await page.locator("#ratio thead th").nth(1).textContent(), "相隔0至6天");
  // The words say what the findings say.
  const said = await page.locator("#sentences").textContent();
  assert.ok(report.findings.near.length ? said.includes("明显偏多") : said.includes("未发现显著的近重复规律"), said);
  // One row a zone asked for (and the suggested one, marked), per station figures from the demo's stations.
  for (const z of ["100x7", "200x7", "400x14"]) {
    const row = page.locator(`#zone-table tr[data-zone="${z}"]`);
    assert.equal(await row.count(), 1, z);
    const zone = report.zones.find((x) => `${x.rule.radius_m}x${x.rule.days}` === z);
    assert.equal(await row.locator("td.capture").textContent(), `${(100 * zone.capture).toFixed(1)}%`);
    assert.equal(await row.locator("td.per-station").textContent(), zone.zones_per_station_day.toFixed(2));
  }
  assert.equal(await page.locator("#zone-table tr.suggested").count(), report.suggested_zone ? 1 : 0);
  // The rounds of warnings of the last 30 days, as the API counts them.
  const rounds = (await page.evaluate(async () => (await fetch("/api/v1/alert-zones")).json())).rounds;
  assert.ok(rounds.opened > 0 && rounds.households > 0);
  assert.equal(await page.locator("#rounds-opened b").textContent(), rounds.opened.toLocaleString("zh-CN"));
  assert.equal(await page.locator("#rounds-households b").textContent(), rounds.households.toLocaleString("zh-CN"));
  assert.equal(await page.locator("#rounds-opened span").textContent(), "近30天防范走访（起）");
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(artifacts, "prevention-zh.png"), fullPage: true });
  // Another zone, in English.
  await page.locator("#zones").fill("150x5");
  await page.locator("#analyse").click();
  await page.locator('#zone-table tr[data-zone="150x5"]').waitFor();
  await page.locator("#lang").click();
  await page.locator("#nr-title").filter({ hasText: "Near repeats and alert zones" }).waitFor();
  const words = await page.locator("#sentences").textContent();
  assert.match(words, /near-repeat|near repeats/);
  assert.equal(await page.locator('#zone-table tr[data-zone="150x5"] th').textContent().then((s) => s.startsWith("150 m × 5 days")), true);
  // A setting out of bounds is refused in words, and nothing is shown stale.
  await page.locator("#space-band").evaluate((e) => { e.removeAttribute("max"); e.value = "9000"; });
  await page.locator("#analyse").click();
  await page.locator("#page-message").filter({ hasText: "space band 9000" }).waitFor();
  assert.equal(await page.locator("#ratio tbody tr").count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a volunteer is not shown the analysis", async () => {
  const { page, context, errors } = await signedIn(app, "volunteer", "demo-volunteer-2026", "en", "/prevention");
  await page.waitForURL((u) => u.pathname === "/volunteers");
  assert.equal(await page.locator('nav a[href="/prevention"]').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a commander sees the cocoon alert zones on the command centre's map, and turns them off (zh)", async () => {
  const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "zh", "/");
  await ready(page);
  const zones = await page.evaluate(async () => (await fetch("/api/v1/alert-zones")).json());
  assert.ok(zones.items.length > 0, "the demo's last days have burglaries");
  await page.locator("circle.alert-zone").first().waitFor({ state: "attached" });
  assert.equal(await page.locator("circle.alert-zone").count(), zones.items.length);
  assert.equal(await page.locator('circle.alert-zone[data-category="criminal.theft.burglary"]').count(), zones.items.length);
  await page.locator("#legend").filter({ hasText: `防范预警区（近期警情周边，提醒邻里）${zones.items.length} 个` }).waitFor();
  // Its tooltip says until when, on the city's clock.
  const tip = await page.locator("circle.alert-zone title").first().textContent();
  assert.match(tip, /^入室盗窃 · \d+ 起 · 至 /);
  await page.locator("#zones").uncheck();
  await page.waitForFunction(() => document.querySelectorAll("circle.alert-zone").length === 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the public page warns the areas under a zone, without a place (zh, then en)", async () => {
  const context = await app.browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${app.base}/public`);
  await page.locator("body[data-ready]").waitFor();
  const alerts = await page.evaluate(async () => (await fetch("/api/v1/public/alerts")).json());
  assert.ok(alerts.items.length > 0);
  const items = page.locator("#alerts li");
  assert.equal(await items.count(), alerts.items.length);
  const first = await items.first().textContent();
  assert.ok(first.includes(alerts.items[0].area.name_zh) && first.includes("入室盗窃") && first.includes("110"), first);
  await page.locator("#lang").click();
  assert.match(await items.first().textContent(), /^Burglary nearby in /);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a commander puts the zone chosen from the backtest in force, turns it off and back (zh)", async () => {
  const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "zh", "/prevention");
  await ready(page);
  await page.locator("#sentences li").first().waitFor();
  // Burglary's built-in zone is in force and marked in its row.
  assert.equal(await page.locator("#rule-now").textContent().then((s) => s.startsWith("现行：200米 × 7天")), true);
  assert.equal(await page.locator('#zone-table tr[data-zone="200x7"] .in-force').count(), 1);
  await page.locator('#zone-table tr[data-zone="100x7"] button.use-zone').click();
  await page.locator("#page-message").filter({ hasText: "已设定：入室盗窃警情发生后，周边 100 米内预警 7 天。" }).waitFor();
  assert.equal(await page.locator('#zone-table tr[data-zone="100x7"] .in-force').count(), 1);
  assert.equal(await page.locator('#zone-table tr[data-zone="200x7"] button.use-zone').count(), 1);
  let zones = await page.evaluate(async () => (await fetch("/api/v1/alert-zones")).json());
  assert.deepEqual(zones.rules, [{ category: "criminal.theft.burglary", radius_m: 100, days: 7 }]);
  assert.ok(zones.items.every((z) => z.radius_m === 100));
  await page.locator("#turn-off").click();
  await page.locator("#page-message").filter({ hasText: "已停用入室盗窃的预警区。" }).waitFor();
  assert.equal(await page.locator("#rule-now").textContent(), "该类别未设预警区");
  zones = await page.evaluate(async () => (await fetch("/api/v1/alert-zones")).json());
  assert.deepEqual([zones.rules, zones.items], [[], []]);
  await page.locator('#zone-table tr[data-zone="200x7"] button.use-zone').click();
  await page.locator('#zone-table tr[data-zone="200x7"] .in-force').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test("a round of warnings is worked in the case page: households told, then done (zh)", async () => {
  const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "zh", "/cases?type=prevention");
  await ready(page);
  const list = await page.evaluate(async () => (await fetch("/api/v1/cases?type=prevention&stage=accepted&limit=50")).json());
  assert.ok(list.items.length > 0, "the demo leaves some rounds to visit");
  const code = list.items[0].code;
  assert.match(code, /^FF-/);
  await page.goto(`${app.base}/cases?type=prevention&case=${encodeURIComponent(code)}`);
  await page.locator('#case-stage[data-stage="accepted"]').waitFor();
  await page.locator('.actions button[data-action="warn"]').click();
  await page.locator("#record-title").filter({ hasText: "防范告知记录" }).waitFor();
  await page.locator("#rec-households").fill("18");
  await page.locator("#rec-notices").fill("1");
  await page.locator("#rec-note").fill("3栋、5栋逐户敲门");
  await page.locator("#rec-save").click();
  await page.locator('#case-stage[data-stage="warned"]').waitFor();
  assert.match(await page.locator("#case-warnings li").first().textContent(), /告知 18 户，张贴告示 1 张 · 3栋、5栋逐户敲门/);
  await page.locator('.actions button[data-action="close"]').click();
  await page.locator('#case-stage[data-stage="closed"]').waitFor();
  const stored = await page.evaluate(async (c) => (await fetch(`/api/v1/cases/${encodeURIComponent(c)}`)).json(), code);
  assert.deepEqual(stored.events.find((e) => e.action === "warn").details, { households: 18, notices: 1, note: "3栋、5栋逐户敲门" });
  assert.deepEqual(errors, []);
  await context.close();
});
