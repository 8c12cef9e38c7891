// The leader's dashboard: every card beside the previous period and the
// same period a year before, incidents counted over the same period as the
// cases, the overdue and 督办 list linking to each case, and definitions in
// the page's language. The figures are checked against the API's.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, signedIn, ready, artifacts, accessibilityProblems } from "./helpers.mjs";

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

test("the leader compares periods and sees what is overdue or supervised (zh)", async () => {
  const { page, context, errors } = await signedIn(app, "leader", "demo-leader-2026", "zh", "/dashboard");
  await ready(page);
  const get = (path) => page.evaluate(async (p) => (await fetch(p)).json(), path);
  const [from, to] = [await page.locator("#from").inputValue(), await page.locator("#to").inputValue()];
  // Opened: the card, and its change against the 365 days before, from the API.
  const days = Math.round((Date.parse(to) - Date.parse(from)) / 864e5);
  const before = new Date(Date.parse(from) - days * 864e5).toISOString().slice(0, 10);
  const [now, prev] = await Promise.all([
    get(`/api/v1/reports/cases?from=${from}&to=${to}&by=type`), get(`/api/v1/reports/cases?from=${before}&to=${from}&by=type`),
  ]);
  const all = (r) => r.groups.find((g) => g.group === "all").kpis;
  assert.equal(await page.locator("#card-opened b").textContent(), String(all(now).opened));
  const delta = all(now).opened - all(prev).opened;
  assert.match(await page.locator("#card-opened").textContent(), new RegExp(`较上期 ${delta > 0 ? "\\+" : ""}${delta}`));
  // A rate beside a period without cases says so rather than inventing a change.
  assert.match(await page.locator("#card-on-time").textContent(), /同比 ([+-]?\d+\.\d 个百分点|无可比数据)/);
  // Incidents over the same period.
  const incidents = await get(`/api/v1/incidents/aggregate?from=${from}&to=${to}&by=category`);
  assert.equal(await page.locator("#card-incidents b").textContent(), String(incidents.total));
  // The overdue and 督办 list: every open case that is overdue or supervised, linked.
  const open = await get("/api/v1/cases?open=true&limit=1000");
  const expected = open.items.filter((c) => c.overdue || c.supervisions > 0).length;
  const rows = page.locator("#watch-table tbody tr");
  assert.equal(await rows.count(), Math.min(50, expected));
  assert.ok(expected > 0, "the demo has overdue cases");
  const href = await rows.first().locator("a").getAttribute("href");
  assert.match(href, /^\/cases\?type=\w+&case=/);
  assert.match(await page.locator("#definitions").textContent(), /按期结案率 = /);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(artifacts, "dashboard-compare-zh.png"), fullPage: true });
  await rows.first().locator("a").click();
  await page.locator("#case-stage").waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});
