// Administration in the page: the administrator adds a community officer
// for an area, hands over the one-time password shown once; the officer
// must set their own password at first sign-in and then works in their
// area; the administrator resets and disables the account. Each step is
// checked as the server stored it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, signedIn, ready, artifacts, accessibilityProblems } from "./helpers.mjs";

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

const stored = (page, username) => page.evaluate(async (u) => (await (await fetch("/api/v1/users")).json()).items.find((x) => x.username === u), username);

test("an administrator creates an officer who must change the one-time password at first sign-in (zh)", async () => {
  const admin = await signedIn(app, "admin", "demo-admin-2026", "zh", "/users");
  const page = admin.page;
  await ready(page);
  await page.locator("#new-username").fill("zhang.wei");
  await page.locator("#new-display").fill("张伟");
  await page.locator("#new-role").selectOption("officer");
  // An officer works within an area: refused without one, in words.
  await page.locator("#new-scope-value").waitFor();
  const area = await page.locator("#new-scope-value option").nth(2).getAttribute("value");
  await page.locator("#new-scope-value").selectOption(area);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.locator("#add-user button[type=submit]").click();
  const otpText = await page.locator("#otp-text").textContent();
  const otp = /一次性密码：(\S+?)。/.exec(otpText)[1];
  await page.screenshot({ path: join(artifacts, "users-created-zh.png"), fullPage: true });
  await page.locator("#otp-close").click();
  await page.locator('tr[data-user="zhang.wei"]').waitFor();
  let u = await stored(page, "zhang.wei");
  assert.deepEqual([u.role, u.jurisdiction, u.must_change, u.display_name], ["officer", area, true, "张伟"]);

  // First sign-in: the one-time password opens only the change of password.
  const officer = await signedIn(app, "zhang.wei", otp, "zh", "/incidents");
  await officer.page.locator("#set-password").waitFor({ state: "visible" });
  await officer.page.locator("#new-pass").fill("zhangwei-own-2026");
  await officer.page.locator("#new-pass-2").fill("zhangwei-own-2026");
  await officer.page.locator("#set-password-form button[type=submit]").click();
  await officer.page.locator("#who").filter({ hasText: "张伟" }).waitFor();
  await ready(officer.page);
  u = await stored(page, "zhang.wei");
  assert.equal(u.must_change, false);

  // Reset: a new one-time password; then disable: the officer is signed out for good.
  page.once("dialog", (d) => d.accept());
  await page.locator('tr[data-user="zhang.wei"] button[data-do="reset"]').click();
  await page.locator("#otp-text").waitFor();
  await page.locator("#otp-close").click();
  assert.equal((await stored(page, "zhang.wei")).must_change, true);
  page.once("dialog", (d) => d.accept());
  await page.locator('tr[data-user="zhang.wei"] button[data-do="toggle"]').click();
  await page.locator('tr[data-user="zhang.wei"] td.status').filter({ hasText: "已停用" }).waitFor();
  assert.equal((await stored(page, "zhang.wei")).disabled, true);
  const after = await officer.page.evaluate(async () => (await fetch("/api/v1/me")).status);
  assert.equal(after, 401, "a disabled account's sessions end");
  assert.deepEqual(admin.errors, []);
  await admin.context.close();
  await officer.context.close();
});

test("a role that works within a scope cannot be saved without one; the message is in the page's language (en)", async () => {
  const { page, context, errors } = await signedIn(app, "admin", "demo-admin-2026", "en", "/users");
  await ready(page);
  await page.locator('tr[data-user="urban"] button[data-do="edit"]').click();
  await page.locator("#edit-role").selectOption("officer");
  await page.locator("#edit-save").click();
  // The browser's own check stops an empty required field; an area sent empty reaches the server's rule.
  await page.locator("#edit-scope-value").evaluate((s) => s.removeAttribute("required"));
  await page.locator("#edit-save").click();
  await page.locator("#edit-error").filter({ hasText: "jurisdiction" }).waitFor();
  assert.equal((await stored(page, "urban")).role, "department", "nothing changed");
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(artifacts, "users-edit-en.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test("an administrator adds a mediator to the pool and retires one; the assign dialog follows (zh)", async () => {
  const admin = await signedIn(app, "admin", "demo-admin-2026", "zh", "/users");
  const page = admin.page;
  await ready(page);
  await page.locator("#med-name").fill("枫桥调解工作室·张阿姨");
  await page.locator("#med-kind").selectOption("studio");
  await page.locator('#add-mediator button[type=submit]').click();
  await page.locator('#mediators tr[data-mediator="枫桥调解工作室·张阿姨"]').waitFor();
  page.once("dialog", (d) => d.accept());
  await page.locator('#mediators tr[data-mediator="司法所·赵调解员"] button[data-do="retire"]').click();
  await page.locator('#mediators tr[data-mediator="司法所·赵调解员"] td.status').filter({ hasText: "已退出" }).waitFor();
  const pool = await page.evaluate(async () => (await (await fetch("/api/v1/mediators")).json()).items);
  assert.deepEqual(pool.filter((m) => ["枫桥调解工作室·张阿姨", "司法所·赵调解员"].includes(m.name)).map((m) => [m.name, m.kind, m.active]).sort(),
    [["司法所·赵调解员", "judicial", false], ["枫桥调解工作室·张阿姨", "studio", true]]);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(artifacts, "users-mediators-zh.png"), fullPage: true });
  await admin.context.close();

  const { page: cmd, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "zh", "/cases?type=dispute");
  const card = cmd.locator('.column[data-stage="registered"] .card.case').first();
  await card.waitFor();
  await card.click();
  await cmd.locator('.actions button[data-action="assign"]').click();
  const options = await cmd.locator("#mediator-dialog #mediator option").allTextContents();
  assert.ok(options.some((o) => o.startsWith("枫桥调解工作室·张阿姨")), options.join(" | "));
  assert.ok(!options.some((o) => o.startsWith("司法所·赵调解员")), options.join(" | "));
  assert.deepEqual(errors, []);
  await context.close();
});

test("an administrator issues an API token and an Open311 key, and revokes the token (en)", async () => {
  const { page, context, errors } = await signedIn(app, "admin", "demo-admin-2026", "en", "/users");
  await ready(page);
  await page.locator("#key-kind").selectOption("api_token");
  await page.locator("#key-name").fill("110 feed");
  await page.locator("#key-user").selectOption("analyst");
  await page.locator("#key-days").fill("30");
  await page.locator("#add-key button[type=submit]").click();
  const text = await page.locator("#secret-text").textContent();
  const secret = /safe: (\S+?)\. It/.exec(text)[1];
  await page.locator("#secret-close").click();
  // The token works as the analyst until revoked.
  const asToken = () => page.evaluate(async (s) => (await fetch("/api/v1/me", { credentials: "omit", headers: { Authorization: `Bearer ${s}` } })).status, secret);
  assert.equal(await asToken(), 200);
  await page.locator("#key-kind").selectOption("open311_key");
  assert.ok(await page.locator("#key-user-label").isHidden(), "a key acts as no account");
  await page.locator("#key-name").fill("Civic app");
  await page.locator("#add-key button[type=submit]").click();
  await page.locator("#secret-close").click();
  const list = await page.evaluate(async () => (await (await fetch("/api/v1/credentials")).json()).items);
  const token = list.find((c) => c.name === "110 feed");
  assert.deepEqual([token.username, Boolean(token.expires_at), JSON.stringify(list).includes(secret)], ["analyst", true, false]);
  assert.ok(list.some((c) => c.name === "Civic app" && c.id.startsWith("k-")));
  assert.deepEqual(await accessibilityProblems(page), []);
  page.once("dialog", (d) => d.accept());
  await page.locator(`#keys tr[data-key="${token.id}"] button[data-do="revoke"]`).click();
  await page.locator(`#keys tr[data-key="${token.id}"]`).waitFor({ state: "detached" });
  assert.equal(await asToken(), 401, "revoked at once");
  await page.screenshot({ path: join(artifacts, "users-keys-en.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});
