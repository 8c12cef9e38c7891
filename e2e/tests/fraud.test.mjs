// 反诈预警劝阻: the anti-fraud centre's warnings imported by a commander,
// worked by a community officer on a phone within minutes (call, go round,
// say how it ended), and read back by station and week.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { start, signedIn, ready, accessibilityProblems, artifacts } from "./helpers.mjs";

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/// Local "YYYY-MM-DD HH:MM" in the city's zone, `minutes` ago.
function localAgo(minutes, timeZone) {
  const parts = new Intl.DateTimeFormat("sv-SE", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
    .format(new Date(Date.now() - minutes * 6e4));
  return parts.replace("T", " ");
}

test("a commander imports the centre's warnings; an officer works one on a phone — unreachable, then dissuaded on a visit (zh); the report counts it (en)", async () => {
  // The officer's area: the warnings are for people living there.
  const officer = await signedIn(app, "officer", "demo-officer-2026", "zh", "/fraud", PHONE);
  await ready(officer.page);
  const { area, timezone } = await officer.page.evaluate(async () => ({
    area: (await (await fetch("/api/v1/me")).json()).user.jurisdiction,
    timezone: (await (await fetch("/api/v1/case-types")).json()).timezone,
  }));
  assert.ok(area, "the demo officer has an area");

  const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "zh", "/fraud");
  await ready(page);
  const file = join(artifacts, "fraud-warnings.csv");
  writeFileSync(file, `预警时间,手机号,姓名,诈骗类型,辖区代码,备注\n${localAgo(2, timezone)},13912345678,测试甲,刷单返利,${area},已添加可疑QQ群\n${localAgo(1, timezone)},13812345679,测试乙,冒充公检法类诈骗,${area},\n`);
  await page.locator("#import-file").setInputFiles(file);
  await page.locator("#import-send").click();
  await page.locator("#page-message").filter({ hasText: "已建立 2 条劝阻任务" }).waitFor();
  // The case the first warning became (the person's number is on it, for the commander).
  const mine = await page.evaluate(async () => {
    const items = (await (await fetch("/api/v1/cases?type=fraud&open=true&limit=500")).json()).items;
    for (const c of items) {
      const v = await (await fetch(`/api/v1/cases/${encodeURIComponent(c.code)}`)).json();
      if (v.case.parties.some((p) => p.phone === "13912345678")) return c.code;
    }
    return null;
  });
  assert.ok(mine, "the warning is a case");
  // The same list again opens nothing twice.
  await page.locator("#import-file").setInputFiles(file);
  await page.locator("#import-send").click();
  await page.locator("#page-message").filter({ hasText: "已建立 0 条劝阻任务，2 条此前已导入" }).waitFor();
  // A wrong row refuses the whole list, saying which and why.
  const bad = join(artifacts, "fraud-warnings-bad.csv");
  writeFileSync(bad, `预警时间,手机号,诈骗类型,辖区代码\n${localAgo(1, timezone)},13700000001,刷单返利,${area}\n${localAgo(1, timezone)},12,刷单返利,${area}\n`);
  await page.locator("#import-file").setInputFiles(bad);
  await page.locator("#import-send").click();
  await page.locator("#page-message").filter({ hasText: "第 2 条预警的手机号有误（12），整批未导入" }).waitFor();
  // Where fraud is rising: the demo's two communities, their older people, a campaign planned in one.
  const rows = page.locator("#rising-table tbody tr[data-area]");
  await rows.first().waitFor();
  assert.ok(await rows.count() >= 1);
  const row = rows.filter({ hasText: "60岁以上" }).first();
  assert.match(await row.textContent(), /60岁以上 \d+/);
  const hot = await row.getAttribute("data-area");
  await row.locator("button.open-campaign").click();
  await page.locator("#page-message").filter({ hasText: /已建立反诈宣传走访 FF-/ }).waitFor();
  await page.locator(`#rising-table tr[data-area="${hot}"] a[href*="type=prevention"]`).waitFor();
  assert.match(await page.locator(`#rising-table tr[data-area="${hot}"]`).textContent(), /0 户已走访，宣讲 0 场 0 人/);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(artifacts, "fraud-commander-zh.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();

  // On the phone: the new warning at the top of the list, minutes left.
  const p = officer.page;
  await p.reload();
  await ready(p);
  const item = p.locator(`#open-warnings li[data-code="${mine}"]`);
  await item.waitFor();
  assert.match(await item.textContent(), /刷单返利类诈骗 · 待电话劝阻 · 剩余 \d+ 分钟/);
  const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page wider than the screen by ${overflow}px`);
  assert.deepEqual(await accessibilityProblems(p), []);
  await p.screenshot({ path: join(artifacts, "fraud-phone-zh.png"), fullPage: true });
  await item.locator("a").tap();
  await p.waitForURL(/\/cases\?type=fraud&case=FZ-/);
  const code = new URL(p.url()).searchParams.get("case");
  await ready(p);
  await p.locator("#case-stage[data-stage=to_call]").waitFor();
  // The officer sees the number in full, as a link to call it, and the minutes left.
  const tel = p.locator("#case-parties a.tel");
  assert.equal(await tel.getAttribute("href"), "tel:13912345678");
  assert.match(await p.locator("#case-stage-due").textContent(), /本环节期限 .+（剩余 \d+ 分钟）/);
  // No answer: go round.
  await p.locator('button[data-action="unreachable"]').tap();
  await p.locator("#reason-text").fill("连续拨打三次无人接听");
  await p.locator("#reason-ok").tap();
  await p.locator("#case-stage[data-stage=to_visit]").waitFor();
  assert.match(await p.locator("#case-stage-due").textContent(), /剩余 (5\d|60) 分钟/);
  // At the door: talked out of paying, ¥30,000 kept.
  await p.locator('button[data-action="dissuade"]').tap();
  await p.locator("#rec-outcome").selectOption("dissuaded");
  await p.locator("#rec-channel").selectOption("visit");
  await p.locator("#rec-loss").fill("30000");
  await p.locator("#rec-note").fill("已协助冻结转账，讲解刷单套路");
  assert.deepEqual(await accessibilityProblems(p), []);
  await p.locator("#rec-save").tap();
  await p.locator("#case-stage[data-stage=closed]").waitFor();
  assert.match(await p.locator("#case-dissuasion li").first().textContent(), /劝阻成功 · 上门劝阻 · 避免损失 30,000 元/);
  await p.screenshot({ path: join(artifacts, "fraud-case-phone-zh.png"), fullPage: true });
  assert.deepEqual(officer.errors, []);
  await officer.context.close();

  // The analyst reads the report in English; the person's number stays masked to them.
  const analyst = await signedIn(app, "analyst", "demo-analyst-2026", "en", "/fraud");
  await ready(analyst.page);
  await analyst.page.locator("#fraud-table tfoot tr").waitFor();
  assert.match(await analyst.page.locator("#fraud-in-time").textContent(), /Reached in time/);
  const report = await analyst.page.evaluate(async () => (await fetch("/api/v1/fraud-warnings/report?weeks=1")).json());
  assert.ok(report.total.dissuaded >= 1 && report.total.loss_prevented_yuan >= 30000, JSON.stringify(report.total));
  assert.equal(await analyst.page.locator("#import-form").isHidden(), false, "the centre's desk imports");
  // Stations by name, as on the dashboard, not by their codes.
  const stations = await analyst.page.locator("#fraud-table tbody th:first-child").allTextContents();
  assert.ok(stations.length > 0 && stations.every((s) => / Police Station$/.test(s)), stations.join(" | "));
  await analyst.page.goto(`${app.base}/cases?type=fraud&case=${code}`);
  await ready(analyst.page);
  const parties = await analyst.page.locator("#case-parties").textContent();
  assert.ok(parties.includes("*") && !parties.includes("13912345678"), parties);
  assert.equal(await analyst.page.locator("#case-parties a.tel").count(), 0);
  assert.match(await analyst.page.locator("#case-dissuasion li").first().textContent(), /Dissuaded · Visit · ¥30,000 loss prevented/);
  assert.deepEqual(analyst.errors, []);
  await analyst.context.close();
});
