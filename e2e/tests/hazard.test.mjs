// A hazard round the loop by the people who hold it, in real Chromium: a
// station officer opens it from the page with a photo and a typed address
// (matched to its community for confirmation), registers it; the duty
// commander dispatches it to the housing department, whose clerk starts
// it, uploads photos before and after the repair and reports back; the
// officer verifies and closes. And a citizen's request with only a typed
// address reaches the board of the station of that area.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, signedIn, ready, artifacts } from "./helpers.mjs";

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

const jpeg = (text) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(text)]);
const caseOf = (page, code) => page.evaluate(async (c) => (await fetch(`/api/v1/cases/${encodeURIComponent(c)}`)).json(), code);

async function press(page, action) {
  const button = page.locator(`.actions button[data-action="${action}"]`);
  await button.waitFor();
  await button.click();
}

/// A housing department clerk's account, made by the administrator over
/// the API, signed in with its one-time password and given its own.
async function housingClerk() {
  const admin = await signedIn(app, "admin", "demo-admin-2026", "zh", "/users");
  await ready(admin.page);
  const made = await admin.page.evaluate(async () => (await fetch("/api/v1/users", {
    method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": sessionStorage.getItem("fq-csrf") },
    body: JSON.stringify({ username: "housing", role: "department", department: "housing", display_name: "住建局 李" }),
  })).json());
  await admin.context.close();
  const clerk = await signedIn(app, "housing", made.one_time_password, "zh", "/inbox");
  await clerk.page.locator("#set-password").waitFor({ state: "visible" });
  await clerk.page.locator("#new-pass").fill("Zhujian-lou-2026");
  await clerk.page.locator("#new-pass-2").fill("Zhujian-lou-2026");
  await clerk.page.locator("#set-password-form button[type=submit]").click();
  await ready(clerk.page);
  return clerk;
}

test("a hazard is opened by an officer, handled by the department with before and after photos, verified and closed (zh)", async () => {
  const officer = await signedIn(app, "officer", "demo-officer-2026", "zh", "/cases?type=hazard");
  await ready(officer.page);
  const page = officer.page;
  await page.locator("#new-case").click();
  await page.locator("#form-type").selectOption("hazard");
  await page.locator("#form-category").selectOption("hazard.building");
  await page.locator("#form-title").fill("居民楼外墙瓷砖松动");
  await page.locator("#form-description").fill("新典路88号3栋外墙瓷砖松动，有坠落风险");
  await page.locator("#form-level").selectOption("high");
  await page.locator("#form-address").fill("鼓楼街道彩虹社区新典路88号3栋");
  await page.locator("#form-find").click();
  await page.locator("#place-match").filter({ hasText: "彩虹社区" }).waitFor();
  await page.locator("#form-files").setInputFiles({ name: "外墙.jpg", mimeType: "image/jpeg", buffer: jpeg("wall") });
  await page.locator("#form-submit").click();
  await page.locator('#case-stage[data-stage="accepted"]').waitFor();
  const code = new URL(page.url()).searchParams.get("case");
  let v = await caseOf(page, code);
  assert.equal(v.case.risk_grade, "high");
  assert.equal(v.attachments.length, 1);
  await press(page, "register");
  await page.locator('#case-stage[data-stage="registered"]').waitFor();

  const commander = await signedIn(app, "commander", "demo-commander-2026", "zh", `/cases?type=hazard&case=${encodeURIComponent(code)}`);
  await press(commander.page, "dispatch");
  await commander.page.locator('#case-stage[data-stage="dispatched"]').waitFor();
  assert.match(await commander.page.locator("#case-stage").textContent(), /住房/);

  const clerk = await housingClerk();
  await clerk.page.locator(`#inbox-table tr[data-code="${code}"]`).click();
  await press(clerk.page, "start");
  await clerk.page.locator('#case-stage[data-stage="handling"]').waitFor();
  for (const name of ["整改前.jpg", "整改后.jpg"]) {
    await clerk.page.locator("#case-files").setInputFiles({ name, mimeType: "image/jpeg", buffer: jpeg(name) });
    await clerk.page.locator("#case-upload").click();
    await clerk.page.locator(".attachments li").filter({ hasText: name }).waitFor();
  }
  await press(clerk.page, "report");
  await clerk.page.locator('#case-stage[data-stage="reported"]').waitFor();
  await clerk.page.screenshot({ path: join(artifacts, "hazard-reported-zh.png"), fullPage: true });

  await page.reload();
  await press(page, "verify");
  await page.locator('#case-stage[data-stage="verified"]').waitFor();
  await press(page, "close");
  await page.locator('#case-stage[data-stage="closed"]').waitFor();
  v = await caseOf(page, code);
  assert.equal(v.case.state.stage, "closed");
  assert.deepEqual(v.attachments.map((a) => [a.file_name, a.added_by]), [["外墙.jpg", "officer"], ["整改前.jpg", "housing"], ["整改后.jpg", "housing"]]);
  assert.deepEqual(v.events.map((e) => e.action), ["open", "register", "dispatch", "start", "report", "verify", "close"]);
  for (const s of [officer, commander, clerk]) { assert.deepEqual(s.errors, []); await s.context.close(); }
});

test("a citizen's request with only a typed address reaches that area's station board", async () => {
  const context = await app.browser.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
  const citizen = await context.newPage();
  await citizen.goto(`${app.base}/public`);
  await ready(citizen);
  await citizen.locator("#category").selectOption("request.road");
  await citizen.locator("#description").fill("彩虹社区门口路面塌陷");
  await citizen.locator("#address").fill("鼓楼街道彩虹社区新典路88号门口");
  await citizen.locator("#submit button[type=submit]").click();
  await citizen.locator("#new-token").waitFor();
  const code = (await citizen.locator("#submit-result").textContent()).match(/SQ-[\d-]+/)[0];
  await context.close();
  const officer = await signedIn(app, "officer", "demo-officer-2026", "zh", "/cases?type=request");
  await officer.page.locator(`.card.case[data-code="${code}"]`).waitFor();
  const v = await caseOf(officer.page, code);
  const me = await officer.page.evaluate(async () => (await fetch("/api/v1/me")).json());
  assert.ok(v.case.jurisdiction.startsWith(me.user.jurisdiction), `${v.case.jurisdiction} within ${me.user.jurisdiction}`);
  assert.deepEqual(officer.errors, []);
  await officer.context.close();
});
