// The command centre in real Chromium: sign in per role, see the incident
// picture with the next shift's forecast and the deployment plan on the map,
// both carrying a "verified" badge checked in the browser, in both
// languages (chosen from the browser's language), with screenshots.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, signedIn, artifacts } from "./helpers.mjs";

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

for (const lang of ["zh", "en"]) {
  test(`commander sees the map, forecast, plan and verified badges (${lang})`, async () => {
    const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", lang);
    await page.locator("#who").filter({ hasText: "commander" }).waitFor();
    // The page follows the browser's language.
    assert.equal(await page.locator("html").getAttribute("lang"), lang === "zh" ? "zh-CN" : "en");
    await page.locator("#map path.unit").first().waitFor();
    assert.ok((await page.locator("#map path.unit").count()) > 10, "plan units drawn");
    assert.ok((await page.locator("#map path.round").count()) > 10, "visiting rounds drawn");
    // The forecast's and the plan's badges in the map's legend.
    const badges = page.locator("#legend a.badge");
    await page.locator('#legend a.badge[data-ledger]').nth(1).waitFor({ timeout: 15000 });
    assert.equal(await badges.count(), 2);
    for (let i = 0; i < 2; i++) assert.equal(await badges.nth(i).getAttribute("data-ledger"), "verified");
    const cards = await page.locator("#summary .card").count();
    assert.ok(cards >= 3, `summary cards: ${cards}`);
    await page.screenshot({ path: join(artifacts, `command-centre-${lang}.png`) });
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test("a wrong password is refused in the dialog; signing out returns to it", async () => {
  const { page, context } = await signedIn(app, "commander", "not-the-password", "en");
  await page.locator("#login-error").filter({ hasText: "Wrong user name or password" }).waitFor();
  await page.locator("#login-pass").fill("demo-commander-2026");
  await page.locator("#login-form button[type=submit]").click();
  await page.locator("#logout").waitFor({ state: "visible" });
  await page.locator("#logout").click();
  await page.locator("#login").waitFor({ state: "visible" });
  await context.close();
});

for (const [user, password] of [["analyst", "demo-analyst-2026"], ["officer", "demo-officer-2026"], ["leader", "demo-leader-2026"], ["admin", "demo-admin-2026"]]) {
  test(`${user} signs in and sees the incident picture`, async () => {
    const { page, context, errors } = await signedIn(app, user, password, "en");
    await page.locator("#who").filter({ hasText: user }).waitFor();
    await page.locator("#map rect").first().waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test("the duty commander runs a forecast and a plan from the page and exports the plan", async () => {
  const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "en");
  await page.locator("#map path.unit").first().waitFor();
  const before = await (await context.request.get(`${app.base}/api/v1/plans/latest?dataset=demo`)).json();
  await page.locator("#run").click();
  await page.locator('#run[data-done="1"]').waitFor({ timeout: 60000 });
  const after = await (await context.request.get(`${app.base}/api/v1/plans/latest?dataset=demo`)).json();
  assert.ok(after.id > before.id, `a new plan: ${before.id} -> ${after.id}`);
  await page.locator("#map path.unit").first().waitFor();
  const csv = await context.request.get(app.base + (await page.locator("#export-csv").getAttribute("href")));
  assert.equal(csv.status(), 200);
  const lines = (await csv.text()).trim().split("\n");
  assert.equal(lines[0], "unit,type,station,lon,lat,visit,visit_lon,visit_lat,start,end");
  assert.ok(lines.length > 10, `${lines.length} rows`);
  const geo = await (await context.request.get(app.base + (await page.locator("#export-geojson").getAttribute("href")))).json();
  assert.equal(geo.type, "FeatureCollection");
  assert.equal(geo.fengqiao_record, `plan/${after.id}`);
  // A leader reads plans but does not run them.
  const leader = await signedIn(app, "leader", "demo-leader-2026", "en");
  await leader.page.locator("#plan-tools").waitFor();
  assert.equal(await leader.page.locator("#run").isHidden(), true);
  assert.deepEqual(errors, []);
  await leader.context.close();
  await context.close();
});

test("a new account signs in with its one-time password, must set its own, then works (zh)", async () => {
  // The administrator creates the account over the API, as the users page will.
  const login = await fetch(`${app.base}/api/v1/session`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: "admin", password: "demo-admin-2026" }),
  });
  const cookie = login.headers.get("set-cookie").split(";")[0];
  const { csrf_token } = await login.json();
  const created = await fetch(`${app.base}/api/v1/users`, {
    method: "POST", headers: { "Content-Type": "application/json", Cookie: cookie, "X-CSRF-Token": csrf_token },
    body: JSON.stringify({ username: "wang.duty", role: "commander", display_name: "王值班" }),
  });
  assert.equal(created.status, 201);
  const { one_time_password } = await created.json();
  const { page, context, errors } = await signedIn(app, "wang.duty", one_time_password, "zh");
  const dialog = page.locator("#set-password");
  await dialog.waitFor({ state: "visible" });
  assert.match(await dialog.locator("h2").textContent(), /设置新密码/);
  await page.locator("#new-pass").fill("wang-duty-own-2026");
  await page.locator("#new-pass-2").fill("wang-duty-own-2027");
  await dialog.locator("button[type=submit]").click();
  await page.locator("#set-password-error").filter({ hasText: "不一致" }).waitFor();
  await page.locator("#new-pass-2").fill("wang-duty-own-2026");
  await dialog.locator("button[type=submit]").click();
  await page.locator("#who").filter({ hasText: "王值班" }).waitFor();
  await page.locator("#map rect").first().waitFor();
  // The one-time password is spent; the new one is the account's.
  const again = await fetch(`${app.base}/api/v1/session`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: "wang.duty", password: one_time_password }),
  });
  assert.equal(again.status, 401);
  await page.screenshot({ path: join(artifacts, "set-password-zh.png") });
  assert.deepEqual(errors, []);
  await context.close();
});
