// Case boards in real Chromium: a citizen's request goes round the loop by
// the buttons of the people who hold it — the duty commander registers and
// dispatches it, urban management starts and reports, the commander sends
// it back once, urban reports again, the commander verifies and closes; a
// volunteer sees only its assignments, with parties masked.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, signedIn, artifacts } from "./helpers.mjs";

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

async function press(page, action) {
  const button = page.locator(`.actions button[data-action="${action}"]`);
  await button.waitFor();
  await button.click();
  await page.locator(`.actions button[data-action="${action}"]`).waitFor({ state: "detached" }).catch(() => {});
}

test("a request is handled, fails verification, is reworked and closed, button by button", async () => {
  const submitted = await (await fetch(`${app.base}/api/v1/public/requests`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ category: "request.sanitation", description: "垃圾三天未清运", address: "解放南路8号" }),
  })).json();
  const path = `/cases?type=request&case=${encodeURIComponent(submitted.code)}`;
  const stageIs = (page, stage) => page.locator(`#case-stage[data-stage="${stage}"]`).waitFor();
  const commander = await signedIn(app, "commander", "demo-commander-2026", "en", path);
  await stageIs(commander.page, "accepted");
  await press(commander.page, "register");
  await stageIs(commander.page, "registered");
  await press(commander.page, "dispatch");
  await stageIs(commander.page, "dispatched");
  assert.match(await commander.page.locator("#case-stage").textContent(), /Urban management/);

  // The department works from its inbox: the task is listed with its deadline.
  const urban = await signedIn(app, "urban", "demo-urban-2026", "en", `/inbox?case=${encodeURIComponent(submitted.code)}`);
  await stageIs(urban.page, "dispatched");
  assert.ok(await urban.page.locator(`#inbox-table tr[data-code="${submitted.code}"]`).count(), "in the department's inbox");
  await press(urban.page, "start");
  await stageIs(urban.page, "handling");
  await press(urban.page, "report");
  await stageIs(urban.page, "reported");

  await commander.page.reload();
  await stageIs(commander.page, "reported");
  await press(commander.page, "rework");
  // The reason, asked in the page's own dialog.
  await commander.page.locator("#reason-text").fill("路面仍有垃圾 rubbish still there");
  await commander.page.locator("#reason-ok").click();
  await stageIs(commander.page, "handling");

  await urban.page.reload();
  await stageIs(urban.page, "handling");
  await press(urban.page, "report");
  await stageIs(urban.page, "reported");

  await commander.page.reload();
  await press(commander.page, "verify");
  await stageIs(commander.page, "verified");
  await press(commander.page, "close");
  // Closed cases leave the open board; the case page still shows them.
  await commander.page.goto(`${app.base}${path}`);
  await stageIs(commander.page, "closed");
  await commander.page.locator('a.badge[data-ledger="verified"]').waitFor({ timeout: 15000 });
  const history = await commander.page.locator(".timeline li").allTextContents();
  assert.equal(history.length, 9);
  assert.ok(history.some((h) => /rework/i.test(h) && h.includes("rubbish still there")));
  await commander.page.screenshot({ path: join(artifacts, "cases-request-closed-en.png"), fullPage: true });
  for (const s of [commander, urban]) { assert.deepEqual(s.errors, []); await s.context.close(); }
});

for (const lang of ["zh", "en"]) {
  test(`a volunteer sees only its assignments, parties masked (${lang})`, async () => {
    const { page, context, errors } = await signedIn(app, "volunteer", "demo-volunteer-2026", lang, "/cases?type=dispute&closed=1");
    await page.locator("#who").filter({ hasText: "volunteer" }).waitFor();
    await page.locator("#board .card.case, #board").first().waitFor();
    const cards = page.locator(".card.case");
    const n = await cards.count();
    for (let i = 0; i < n; i++) {
      await cards.nth(i).click();
      await page.locator("#detail h2").waitFor();
      const parties = await page.locator(".parties").textContent().catch(() => "");
      assert.ok(!parties || parties.includes("*"), `masked: ${parties}`);
      assert.ok(!/1[3-9]\d{9}/.test(parties), `no full phone numbers: ${parties}`);
    }
    const board = await (await context.request.get(`${app.base}/api/v1/cases?type=dispute`)).json();
    assert.ok(board.items.every((c) => c.assignee && c.assignee.includes("志愿")), "only its own assignments");
    await page.screenshot({ path: join(artifacts, `cases-volunteer-${lang}.png`), fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
  });
}

for (const lang of ["zh", "en"]) {
  test(`a dispute's panel says what, where and its risk in words (${lang})`, async () => {
    const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", lang, "/cases?type=dispute");
    const card = page.locator(".card.case").first();
    await card.waitFor();
    await card.click();
    await page.locator("#case-facts").waitFor();
    const what = await page.locator("#case-what").textContent();
    assert.ok(what.trim().length > 0, "the matter is named");
    assert.ok(!/dispute\./.test(what), `a category name, not its key: ${what}`);
    await page.locator("#case-where").waitFor();
    // The small map: the town around the pin, named in the page's language.
    await page.locator("#case-place-map #place-marker").waitFor();
    const [mx, my] = await page.locator("#place-marker").evaluate((m) => m.getAttribute("d").slice(1).split("l")[0].split(",").map(Number));
    assert.ok(mx > 0 && mx < 300 && my > 0 && my < 200, `the pin inside the view: ${mx},${my}`);
    const labels = await page.locator("#case-place-map text.area-label").allTextContents();
    assert.ok(labels.length > 0 && labels.every((l) => (lang === "zh") === /[\u4e00-\u9fff]/.test(l)), `names in ${lang}: ${labels}`);
    const risk = page.locator("#case-risk");
    await risk.waitFor();
    const grade = await risk.getAttribute("data-grade");
    const text = await risk.textContent();
    if (lang === "zh") {
      assert.match(text, /风险等级: (低|中|高|极高)/, text);
      assert.ok(!/\b(low|medium|high|critical)\b/.test(text), `no English grade in Chinese: ${text}`);
    } else {
      assert.ok(text.includes(grade), text);
    }
    const history = await page.locator(".timeline li").allTextContents();
    assert.ok(history.every((h) => !h.includes("system:") && !/ open →/.test(h)), `no internal keys: ${history}`);
    await page.screenshot({ path: join(artifacts, `cases-dispute-panel-${lang}.png`), fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test("a dispute is assigned to a mediator chosen from the pool by workload", async () => {
  const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "zh", "/cases?type=dispute");
  const card = page.locator('.column[data-stage="registered"] .card.case').first();
  await card.waitFor();
  await card.click();
  await page.locator('#case-stage[data-stage="registered"]').waitFor();
  await page.locator('.actions button[data-action="assign"]').click();
  const options = page.locator("#mediator-dialog #mediator option");
  await options.first().waitFor({ state: "attached" });
  const labels = await options.allTextContents();
  assert.ok(labels.length >= 2, `the pool is offered: ${labels}`);
  const loads = labels.map((l) => Number(/在办 (\d+) 件/.exec(l)[1]));
  assert.deepEqual(loads, [...loads].sort((a, b) => a - b), "least loaded first");
  const chosen = await page.locator("#mediator-dialog #mediator").inputValue();
  await page.locator("#mediator-ok").click();
  await page.locator('#case-stage[data-stage="assigned"]').waitFor();
  assert.ok((await page.locator("#case-stage").textContent()).includes(chosen));
  await page.screenshot({ path: join(artifacts, "cases-dispute-assigned-zh.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test("with no case open the board takes the whole width", async () => {
  const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "en", "/cases?type=hazard");
  await page.locator(".card.case").first().waitFor();
  assert.ok(await page.locator("#detail").isHidden());
  const [board, main] = await Promise.all([page.locator("#board").boundingBox(), page.locator("main.cases").boundingBox()]);
  assert.ok(board.width > 0.9 * (main.width - 36), `board ${board.width} of ${main.width}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test("anyone changes their own password from the header and signs in with it", async () => {
  const { page, context, errors } = await signedIn(app, "leader", "demo-leader-2026", "zh", "/cases");
  const button = page.locator("#change-password");
  await button.waitFor();
  assert.equal((await button.textContent()).trim(), "修改密码");
  await button.click();
  await page.locator("#cur-pass").fill("demo-leader-2026");
  await page.locator("#own-new-pass").fill("fengqiao-bridge-2026");
  await page.locator("#own-new-pass-2").fill("fengqiao-bridge-2027");
  await page.locator("#change-password-form button[type=submit]").click();
  assert.match(await page.locator("#change-password-error").textContent(), /不一致/);
  await page.locator("#own-new-pass-2").fill("fengqiao-bridge-2026");
  // The change ends every session; the page signs in again with the new password and reloads.
  await Promise.all([page.waitForEvent("load"), page.locator("#change-password-form button[type=submit]").click()]);
  await page.locator("#who").filter({ hasText: "leader" }).waitFor();
  assert.equal(await page.locator("#login-form").isVisible(), false, "still signed in");
  const login = (password) => fetch(`${app.base}/api/v1/session`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: "leader", password }),
  }).then((r) => r.status);
  assert.equal(await login("fengqiao-bridge-2026"), 200);
  assert.equal(await login("demo-leader-2026"), 401);
  assert.deepEqual(errors, []);
  await context.close();
});
