// Personnel (警力) in the page: the duty commander keeps a station's roll —
// adds a 辅警, records a sick call that shows on today's line, imports a
// personnel export (a bad row refuses the whole file, in words) — and an
// officer sees only their own station's people, with no tools to change
// them; a leader sees names masked. Each step is checked as stored.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, signedIn, ready, artifacts, accessibilityProblems } from "./helpers.mjs";

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

const roll = (page, station) => page.evaluate(async (s) => (await (await fetch(`/api/v1/personnel?station=${s}`)).json()).items, station);

test("a commander adds a 辅警, records a sick call and imports a roll (zh)", async () => {
  const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "zh", "/personnel");
  await ready(page);
  const station = await page.locator("#station").inputValue();
  assert.equal(station, "PS01");
  assert.ok(Number(await page.locator("#total-officers b").textContent()) >= 20);
  await page.locator("#add-person").click();
  await page.locator("#p-badge").fill("F19001");
  await page.locator("#p-name").fill("陈晓东");
  await page.locator("#p-kind").selectOption("auxiliary");
  await page.locator("#p-team").fill("二中队");
  await page.locator("#p-phone").fill("13955556666");
  await page.locator('#person-dialog input[name=qual][value=driving]').check();
  await page.locator('#person-dialog input[name=shift][value=day]').check();
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.locator("#person-save").click();
  await page.locator('tr[data-badge="F19001"]').waitFor();
  let chen = (await roll(page, station)).find((p) => p.badge === "F19001");
  assert.deepEqual([chen.name, chen.kind, chen.team, chen.qualifications, chen.shifts], ["陈晓东", "auxiliary", "二中队", ["driving"], ["day"]]);

  // A sick call today: the roll says so on today's line.
  await page.locator('tr[data-badge="F19001"] button.leave').click();
  await page.locator("#l-kind").selectOption("sick");
  await page.locator("#leave-save").click();
  await page.locator('tr[data-badge="F19001"] td.today').filter({ hasText: "病假" }).waitFor();
  chen = (await roll(page, station)).find((p) => p.badge === "F19001");
  assert.equal(chen.leave_today, "sick");
  await page.locator("#leave tr[data-leave]").filter({ hasText: "陈晓东" }).waitFor();

  // An export with a bad row adds no one and says why in Chinese; a good one adds everyone.
  const bad = "警号,姓名,人员类别,所属单位\nF19002,林木,辅警,PS01\nF19003,林森,协警,PS01\n";
  await page.locator("#import-file").setInputFiles({ name: "名册.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
  await page.locator("#page-message").filter({ hasText: "有误" }).waitFor();
  assert.equal((await roll(page, station)).some((p) => p.badge === "F19002"), false);
  const good = bad.replace("协警", "辅警");
  await page.locator("#import-file").setInputFiles({ name: "名册.csv", mimeType: "text/csv", buffer: Buffer.from(good) });
  await page.locator("#page-message").filter({ hasText: "新增 2 人" }).waitFor();
  await page.locator('tr[data-badge="F19003"]').waitFor();
  await page.screenshot({ path: join(artifacts, "personnel-zh.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test("an officer sees only their own station and cannot change it; a leader sees names masked (en)", async () => {
  const officer = await signedIn(app, "officer", "demo-officer-2026", "en", "/personnel");
  await ready(officer.page);
  const options = await officer.page.locator("#station option").count();
  assert.equal(options, 1, "one station: the officer's own");
  assert.equal(await officer.page.locator("#write-tools").isHidden(), true);
  assert.equal(await officer.page.locator("#people button.edit").count(), 0);
  const names = await officer.page.locator("#people tbody tr td:nth-child(2)").allTextContents();
  assert.ok(names.length >= 20 && names.every((n) => !n.includes("*")), "an officer sees colleagues' names");
  assert.deepEqual(await accessibilityProblems(officer.page), []);
  await officer.page.screenshot({ path: join(artifacts, "personnel-officer-en.png"), fullPage: true });
  assert.deepEqual(officer.errors, []);
  await officer.context.close();

  const leader = await signedIn(app, "leader", "demo-leader-2026", "en", "/personnel");
  await ready(leader.page);
  assert.ok(await leader.page.locator("#station option").count() > 1);
  const masked = await leader.page.locator("#people tbody tr td:nth-child(2)").first().textContent();
  assert.match(masked, /\*/);
  assert.equal(await leader.page.locator("#people th").first().textContent(), "Badge");
  assert.deepEqual(leader.errors, []);
  await leader.context.close();
});
