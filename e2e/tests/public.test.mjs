// 最多跑一次 in real Chromium: a citizen submits a request on a phone-sized
// screen without an account and keeps the token; the request is handled by
// the department, fails verification, is reworked and closed (through the
// API, as the duty commander and the department); the citizen follows it
// with the token, sees every step, and rates it once.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, artifacts } from "./helpers.mjs";

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

/// Signs in over the API; returns a function that acts on a case.
async function actor(base, username, password) {
  const r = await fetch(`${base}/api/v1/session`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ username, password }),
  });
  assert.equal(r.status, 200);
  const cookie = r.headers.get("set-cookie").split(";")[0];
  const { csrf_token } = await r.json();
  return async (code, action, extra = {}) => {
    const res = await fetch(`${base}/api/v1/cases/${code}/actions`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Cookie: cookie, "X-CSRF-Token": csrf_token },
      body: JSON.stringify({ action, ...extra }),
    });
    assert.equal(res.status, 200, `${username} ${action}: ${await res.text()}`);
  };
}

for (const lang of ["zh", "en"]) {
  test(`a citizen submits, follows and rates a request (${lang})`, async () => {
    const context = await app.browser.newContext({
      viewport: { width: 390, height: 844 }, locale: lang === "zh" ? "zh-CN" : "en-GB", isMobile: true, hasTouch: true,
    });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${app.base}/public`);
    await page.locator("#category option").first().waitFor({ state: "attached" });
    // Before anything else: emergencies go to 110, not to this page.
    const first = await page.locator("main > *").first();
    assert.equal(await first.getAttribute("id"), "emergency");
    assert.match(await first.textContent(), /110/);
    // The map names its areas in the page's language (drawn once the page has its data).
    await page.locator("body[data-ready]").waitFor();
    const labels = await page.locator("#pin-map text.area-label").allTextContents();
    assert.ok(labels.length > 0 && labels.every((l) => /[\u4e00-\u9fff]/.test(l) === (lang === "zh")), `labels: ${labels}`);
    await page.locator("#category").selectOption("request.lighting");
    await page.locator("#description").fill(lang === "zh" ? "小区门口路灯不亮" : "The street light at the gate is out");
    await page.locator("#address").fill("中山西路12号");
    await page.locator("#phone").fill("13800001111");
    await page.locator("#submit button[type=submit]").click();
    const token = (await page.locator("#new-token").textContent()).trim();
    assert.match(token, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    // The whole code: the token shown beside it may contain "SQ-" too.
    const code = (await page.locator("#submit-result").textContent()).match(/SQ-\d+-\d+-\d+/)[0];
    await page.screenshot({ path: join(artifacts, `public-submitted-${lang}.png`), fullPage: true });

    // The loop, through the API: dispatched to urban management, handled, sent back once, closed.
    const commander = await actor(app.base, "commander", "demo-commander-2026");
    const urban = await actor(app.base, "urban", "demo-urban-2026");
    await commander(code, "register");
    await commander(code, "dispatch");
    await urban(code, "start");
    await urban(code, "report");
    await commander(code, "rework", { reason: "路灯仍不亮 still dark at night" });
    await urban(code, "report");
    await commander(code, "verify");
    await commander(code, "close");

    await page.locator("#follow button[type=submit]").click();
    await page.locator('.req-head[data-status="closed"]').waitFor();
    assert.equal(await page.locator(".timeline li").count(), 9, "every step, from acceptance to closure");
    const seen = await page.locator("#status").textContent();
    assert.ok(!seen.includes("commander") && !seen.includes("urban"), "no handler names in the public view");
    await page.locator("#rating").selectOption("5");
    await page.locator("#rate button[type=submit]").click();
    await page.locator("#status").filter({ hasText: "★★★★★" }).waitFor();
    assert.equal(await page.locator("#rate").isHidden(), true, "rated once");
    await page.screenshot({ path: join(artifacts, `public-closed-${lang}.png`), fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test("an unknown token says so", async () => {
  const page = await app.browser.newPage();
  await page.goto(`${app.base}/public?lang=en`);
  await page.locator("#token").fill("AAAA-BBBB-CCCC-DDDD");
  await page.locator("#follow button[type=submit]").click();
  await page.locator("#status").filter({ hasText: "No request with that tracking token" }).waitFor();
  await page.close();
});
