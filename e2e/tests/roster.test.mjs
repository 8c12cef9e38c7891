// The roster (排班) in the page: the duty commander builds a station's
// roster from the incidents, reads the week — who works which shift, crews
// rostered against crews needed — opens a day's crews (call signs, a sworn
// officer leading each, the duty officer) and publishes it; an officer of
// the station reads the published roster in English without the tools.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, signedIn, ready, artifacts, accessibilityProblems } from "./helpers.mjs";

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

test("a commander builds a roster from the incidents, reads a day's crews and publishes it (zh)", async () => {
  const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "zh", "/roster");
  await ready(page);
  await page.locator("#totals").filter({ hasText: "尚无排班" }).waitFor();
  await page.locator("#weeks").fill("2");
  await page.locator("#build-roster").click();
  await page.locator("#page-message").filter({ hasText: "已生成排班草稿" }).waitFor({ timeout: 60000 });
  const stored = await page.evaluate(async () => {
    const list = (await (await fetch("/api/v1/rosters?station=PS01")).json()).items;
    return (await fetch(`/api/v1/rosters/${list[0].id}`)).json();
  });
  assert.equal(stored.days, 14);
  assert.deepEqual(stored.body.violations, []);
  // Every crew is led by a sworn officer; every shift has its duty officer.
  const kind = new Map(stored.body.people.map((p) => [p.id, p.kind]));
  for (const day of stored.body.teams) for (const team of day) {
    assert.ok(team.duty && kind.get(team.duty) !== "auxiliary");
    for (const c of team.crews) assert.notEqual(kind.get(c.members[0]), "auxiliary");
  }
  assert.equal(await page.locator("#roster-state b").textContent(), "草稿");
  assert.equal(await page.locator("#grid tbody tr[data-person]").count(), stored.body.people.length);
  // A day's crews: call signs of the station, sworn lead first.
  await page.locator("#grid button.day").nth(2).click();
  const crew = page.locator('#crews article[data-shift="night"] li.crew').first();
  await crew.waitFor();
  assert.match(await crew.textContent(), /^鼓楼巡01 /);
  assert.match(await page.locator('#crews article[data-shift="night"]').textContent(), /值班民警：\S+/);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(artifacts, "roster-zh.png"), fullPage: true });
  await page.locator("#publish").click();
  await page.locator("#roster-state b").filter({ hasText: "已发布" }).waitFor();
  assert.equal(await page.locator("#publish").isHidden(), true);
  assert.deepEqual(errors, []);
  await context.close();
});

test("an officer reads the station's published roster without the tools (en)", async () => {
  const { page, context, errors } = await signedIn(app, "officer", "demo-officer-2026", "en", "/roster");
  await ready(page);
  assert.equal(await page.locator("#build").isHidden(), true);
  await page.locator("#roster-state b").filter({ hasText: "published" }).waitFor();
  assert.match(await page.locator("#basis").textContent(), /Erlang C/);
  const cover = await page.locator("#grid tr.cover td").allTextContents();
  assert.ok(cover.length >= 21 && cover.every((c) => /^\d+\/\d+$/.test(c)));
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(artifacts, "roster-officer-en.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});
