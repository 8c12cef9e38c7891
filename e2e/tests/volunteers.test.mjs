// Volunteers in the page: a volunteer records an activity on a phone and
// sees their own hours; a commander registers a volunteer and records an
// activity with who took part and their hours. Checked as the server
// stored them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, signedIn, signInHere, ready, artifacts, accessibilityProblems } from "./helpers.mjs";

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

for (const lang of ["zh", "en"]) {
  test(`a volunteer records an activity on a phone and sees their hours (${lang})`, async () => {
    const context = await app.browser.newContext({ viewport: { width: 390, height: 844 }, locale: lang === "zh" ? "zh-CN" : "en-GB", isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${app.base}/volunteers`);
    await signInHere(page, "volunteer", "demo-volunteer-2026");
    await ready(page);
    const mine = () => page.evaluate(async () => (await fetch("/api/v1/me/volunteering")).json());
    const before = await mine();
    assert.equal(await page.locator("#my-count b").textContent(), String(before.volunteer.activities));
    await page.locator("#record-mine summary").click();
    await page.locator("#mine-kind").selectOption("safety_talk");
    await page.locator("#mine-title").fill(lang === "zh" ? "小区防诈骗宣讲" : "Anti-fraud talk");
    await page.locator("#mine-starts").fill("14:00");
    await page.locator("#mine-ends").fill("16:00");
    await page.locator("#mine-reach").fill("35");
    await page.locator("#mine-hours").fill("2");
    assert.deepEqual(await accessibilityProblems(page), []);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `wider than the phone by ${overflow}px`);
    await page.locator("#mine-save").click();
    await page.locator("#my-count b").filter({ hasText: String(before.volunteer.activities + 1) }).waitFor();
    await page.screenshot({ path: join(artifacts, `volunteer-mine-phone-${lang}.png`), fullPage: true });
    const after = await mine();
    assert.equal(after.volunteer.hours, before.volunteer.hours + 2);
    const added = after.activities.find((a) => !before.activities.some((b) => b.id === a.id));
    assert.equal(added.kind, "safety_talk");
    assert.equal(added.reach, 35);
    assert.deepEqual(added.attendance, [[after.volunteer.id, 2]]);
    // 14:00 in the city's zone (Asia/Shanghai) is 06:00 UTC.
    assert.match(added.starts_at, /T06:00:00Z$/);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test("a commander registers a volunteer and records an activity with who took part (zh)", async () => {
  const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "zh", "/volunteers");
  await ready(page);
  await page.locator("#add-volunteer summary").click();
  await page.locator("#vol-name").fill("赵晓梅");
  await page.locator("#vol-phone").fill("13700001111");
  await page.locator('#volunteer-form [name=skill][value="first_aid"]').check();
  await page.locator("#vol-availability").fill("周末");
  await page.locator("#vol-save").click();
  await page.locator("#registry tbody tr", { hasText: "赵晓梅" }).waitFor();
  const registry = await page.evaluate(async () => (await (await fetch("/api/v1/volunteers")).json()).items);
  const zhao = registry.find((v) => v.name === "赵晓梅");
  assert.deepEqual([zhao.phone, zhao.skills, zhao.availability], ["13700001111", ["first_aid"], "周末"]);
  await page.locator("#add-activity summary").click();
  await page.locator("#act-kind").selectOption("patrol");
  await page.locator("#act-title").fill("夜间平安巡防");
  await page.locator(`#act-people [name=who][value="${zhao.id}"]`).check();
  await page.locator(`#act-people [name=hours][data-id="${zhao.id}"]`).fill("3");
  await page.locator("#act-starts").fill("19:00");
  await page.locator("#act-ends").fill("22:00");
  await page.locator("#act-save").click();
  await page.locator("#activities tbody tr", { hasText: "夜间平安巡防" }).waitFor();
  const after = await page.evaluate(async () => (await (await fetch("/api/v1/volunteers")).json()).items);
  assert.equal(after.find((v) => v.id === zhao.id).hours, 3);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(artifacts, "volunteers-staff-zh.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test("on a laptop set to UTC, an activity after midnight in the city is listed on the city's date (zh)", async () => {
  const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "zh", "/volunteers", { timezoneId: "UTC" });
  await ready(page);
  // Yesterday in the city: its 00:30 is the day before in UTC.
  const { yesterday, label } = await page.evaluate(() => {
    const today = new Date().toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });
    const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - 864e5).toISOString().slice(0, 10);
    return { yesterday, label: new Date(`${yesterday}T12:00:00Z`).toLocaleDateString("zh-CN", { timeZone: "UTC" }) };
  });
  await page.locator("#add-activity summary").click();
  await page.locator("#act-kind").selectOption("patrol");
  await page.locator("#act-title").fill("凌晨平安巡防");
  await page.locator("#act-day").fill(yesterday);
  await page.locator("#act-starts").fill("00:30");
  await page.locator("#act-ends").fill("02:00");
  await page.locator("#act-save").click();
  const row = page.locator("#activities tbody tr", { hasText: "凌晨平安巡防" });
  await row.waitFor();
  const stored = await page.evaluate(async () => (await (await fetch("/api/v1/volunteers/activities")).json()).items
    .find((a) => a.title === "凌晨平安巡防"));
  assert.match(stored.starts_at, /T16:30:00Z$/, "00:30 in the city is 16:30 UTC the day before");
  assert.equal(await row.locator("td").first().textContent(), label);
  assert.deepEqual(errors, []);
  await context.close();
});
