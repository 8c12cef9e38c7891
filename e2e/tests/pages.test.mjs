// Every page in real Chromium: each demo role signs in and lands on its own
// page with the links its permissions allow; each main page in Chinese and
// English with a screenshot and no serious accessibility problem (axe-core);
// the incidents list and an incident's lifecycle; the command centre's KPI
// cards; the leader's charts; the volunteers' registry and a volunteer's
// masked assignments on a phone; keyboard use of the inbox and the map pin.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, signedIn, signInHere, ready, accessibilityProblems, artifacts } from "./helpers.mjs";

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

// Analysts see incidents, cases and reports, and import incident files.
const ANALYST = ["/", "/incidents", "/imports", "/cases", "/volunteers", "/staffing", "/prevention", "/fraud", "/dashboard", "/public"];
// Police roles also see the station's people and rosters.
const POLICE = ["/", "/incidents", "/cases", "/volunteers", "/staffing", "/prevention", "/fraud", "/roster", "/personnel", "/dashboard", "/public"];
// Role -> the page it lands on from "/", and the header's links (from the policy).
const ROLES = {
  admin: ["/", ["/", "/incidents", "/imports", "/cases", "/inbox", "/volunteers", "/staffing", "/prevention", "/fraud", "/roster", "/personnel", "/dashboard", "/users", "/public"]],
  analyst: ["/", ANALYST],
  commander: ["/", POLICE],
  officer: ["/", POLICE],
  leader: ["/", POLICE],
  urban: ["/inbox", ["/cases", "/inbox", "/public"]],
  mediator: ["/cases", ["/cases", "/volunteers", "/public"]],
  volunteer: ["/volunteers", ["/cases", "/volunteers", "/public"]],
};

for (const [user, [home, links]] of Object.entries(ROLES)) {
  test(`${user} signs in and lands on ${home} with its pages`, async () => {
    const { page, context, errors } = await signedIn(app, user, `demo-${user}-2026`, "en");
    await page.waitForURL((u) => u.pathname === home);
    await ready(page);
    const nav = await page.locator("#nav a").evaluateAll((as) => as.map((a) => new URL(a.href).pathname));
    assert.deepEqual(nav, links);
    assert.equal(await page.locator('#nav a[aria-current="page"]').getAttribute("href"), home);
    assert.match(await page.locator("#who").textContent(), new RegExp(user));
    assert.deepEqual(errors, []);
    await context.close();
  });
}

// A page a role may not open, reached by a bookmark or a typed address, sends
// it to its own start page: no permission error, no page left half-loaded.
const REFUSED = [["urban", "/roster", "/inbox"], ["officer", "/users", "/"], ["mediator", "/sheet", "/cases"], ["volunteer", "/dashboard", "/volunteers"]];
for (const [user, path, home] of REFUSED) {
  test(`${user} opening ${path} lands on ${home}`, async () => {
    const { page, context, errors } = await signedIn(app, user, `demo-${user}-2026`, "zh");
    await ready(page);
    await page.goto(`${app.base}${path}`);
    await page.waitForURL((u) => u.pathname === home);
    await ready(page);
    assert.equal(await page.locator("[role=alert]:visible").filter({ hasText: /\S/ }).count(), 0);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

// The main pages, who shows them, and what must be on them once ready.
const PAGES = [
  ["command-centre", "/", "commander", "#kpi-visibility b"],
  ["incidents", "/incidents", "commander", "#incidents tbody tr"],
  ["cases", "/cases?type=dispute", "commander", "#board .card.case"],
  ["inbox", "/inbox", "urban", "#inbox-table tbody tr"],
  ["volunteers", "/volunteers", "commander", "#registry tbody tr"],
  ["dashboard", "/dashboard", "leader", "#chart-months rect.bar"],
  ["users", "/users", "admin", "#users tbody tr"],
  ["staffing", "/staffing", "commander", "#stations tbody tr"],
  ["prevention", "/prevention", "analyst", "#sentences li"],
  ["fraud", "/fraud", "commander", "#fraud-table tbody tr"],
  ["imports", "/imports", "analyst", "#file"],
];

for (const lang of ["zh", "en"]) {
  for (const [name, path, user, shows] of PAGES) {
    test(`${name} page in ${lang}: screenshot, no serious accessibility problem`, async () => {
      const { page, context, errors } = await signedIn(app, user, `demo-${user}-2026`, lang, path);
      await ready(page);
      await page.locator(shows).first().waitFor({ state: "attached" });
      assert.equal(await page.locator("html").getAttribute("lang"), lang === "zh" ? "zh-CN" : "en");
      const title = await page.locator("h1 [data-i18n]").textContent();
      assert.equal(/[\u4e00-\u9fff]/.test(title), lang === "zh", `heading in ${lang}: ${title}`);
      await page.screenshot({ path: join(artifacts, `page-${name}-${lang}.png`), fullPage: true });
      assert.deepEqual(await accessibilityProblems(page), []);
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
  for (const [name, path, user] of [["public", "/public", null], ["volunteer-phone", "/volunteers", "volunteer"]]) {
    test(`${name} page on a phone in ${lang}: screenshot, no serious accessibility problem`, async () => {
      const context = await app.browser.newContext({ viewport: { width: 390, height: 844 }, locale: lang === "zh" ? "zh-CN" : "en-GB", isMobile: true, hasTouch: true });
      const page = await context.newPage();
      const errors = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${app.base}${path}`);
      if (user) await signInHere(page, user, `demo-${user}-2026`);
      await ready(page);
      // Nothing wider than the phone's screen.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `page wider than the screen by ${overflow}px`);
      await page.screenshot({ path: join(artifacts, `page-${name}-${lang}.png`), fullPage: true });
      assert.deepEqual(await accessibilityProblems(page), []);
      if (user === "volunteer") {
        const cards = await page.locator(".card.assignment .parties").allTextContents();
        assert.ok(cards.length > 0, "the volunteer's assignments are listed");
        for (const c of cards) {
          assert.ok(c.includes("*"), `masked: ${c}`);
          assert.ok(!/1[3-9]\d{9}/.test(c), `no full phone number: ${c}`);
        }
        assert.equal(await page.locator("#registry-panel").isHidden(), true, "no registry for volunteers");
      }
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
}

for (const lang of ["zh", "en"]) {
  test(`an officer's day on a phone: their cases and incidents fit the screen (${lang})`, async () => {
    const context = await app.browser.newContext({ viewport: { width: 390, height: 844 }, locale: lang === "zh" ? "zh-CN" : "en-GB", isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${app.base}/cases?type=dispute`);
    await signInHere(page, "officer", "demo-officer-2026");
    await ready(page);
    const wider = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(await wider() <= 1, `cases wider than the phone by ${await wider()}px`);
    await page.locator(".card.case").first().click();
    await page.locator("#case-stage").waitFor();
    // The case opened comes first, above the board.
    const [detail, board] = await Promise.all([page.locator("#detail").boundingBox(), page.locator("#board").boundingBox()]);
    assert.ok(detail.y < board.y, `detail at ${detail.y}, board at ${board.y}`);
    assert.ok(await wider() <= 1, `case panel wider than the phone by ${await wider()}px`);
    assert.deepEqual(await accessibilityProblems(page), []);
    await page.screenshot({ path: join(artifacts, `page-officer-cases-phone-${lang}.png`), fullPage: true });
    await page.goto(`${app.base}/incidents`);
    await ready(page);
    await page.locator("#incidents tbody tr").first().waitFor();
    assert.ok(await wider() <= 1, `incidents wider than the phone by ${await wider()}px`);
    await page.screenshot({ path: join(artifacts, `page-officer-incidents-phone-${lang}.png`), fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test("incidents: filter by category, open one, see its lifecycle and ledger badge", async () => {
  const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "en", "/incidents");
  await ready(page);
  const all = await page.locator("#total").textContent();
  await page.locator("#category").selectOption("dispute");
  await page.locator("#filters button[type=submit]").click();
  await page.waitForFunction((before) => document.getElementById("total").textContent !== before, all);
  const categories = await page.locator("#incidents tbody tr td:nth-child(2)").allTextContents();
  assert.ok(categories.length > 0);
  const names = (await (await context.request.get(`${app.base}/api/v1/categories`)).json()).items
    .filter((c) => c.code.startsWith("dispute")).map((c) => c.en);
  for (const c of categories) assert.ok(names.includes(c), `a dispute: ${c}`);
  await page.locator("#incidents tbody tr").first().click();
  await page.locator("#lifecycle li").first().waitFor();
  assert.equal(await page.locator("#lifecycle li").count(), 5);
  assert.ok(await page.locator('#lifecycle li[data-step="arrived"]:not(.missing)').count());
  await page.locator('#detail a.badge[data-ledger="verified"]').waitFor({ timeout: 20000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test("command centre: KPI cards score the last shift's plan on its real incidents", async () => {
  const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "en");
  await ready(page);
  const k = await (await context.request.get(`${app.base}/api/v1/kpis/shift?dataset=demo`)).json();
  const shown = (id) => page.locator(`#${id} b`).textContent();
  assert.equal(await shown("kpi-visibility"), `${(100 * k.visibility_rate).toFixed(1)}%`);
  assert.equal(await shown("kpi-handling"), `${(100 * k.handling_rate).toFixed(1)}%`);
  assert.equal(await shown("kpi-incidents"), `${k.incidents} / ${k.forecast_expected.toFixed(1)}`);
  assert.match(await page.locator("#kpi-visibility span").textContent(), /200 m/);
  await page.locator('#kpis a.badge[data-ledger="verified"]').waitFor({ timeout: 20000 });
  assert.equal(await page.locator("#map image").count(), 0, "no base tiles unless configured");
  assert.deepEqual(errors, []);
  await context.close();
});

test("leader dashboard: cards agree with the report, charts drawn", async () => {
  const { page, context, errors } = await signedIn(app, "leader", "demo-leader-2026", "en", "/dashboard");
  await ready(page);
  const from = await page.locator("#from").inputValue(), to = await page.locator("#to").inputValue();
  const report = await (await context.request.get(`${app.base}/api/v1/reports/cases?by=month&from=${from}&to=${to}`)).json();
  const all = report.groups.find((g) => g.group === "all").kpis;
  assert.equal(await page.locator("#card-opened b").textContent(), String(all.opened));
  const r = all.on_time_closure;
  assert.equal(await page.locator("#card-on-time b").textContent(), r.den ? `${(100 * r.num / r.den).toFixed(1)}%` : "—");
  for (const chart of ["chart-months", "chart-areas", "chart-departments"]) {
    assert.ok(await page.locator(`#${chart} rect.bar`).count() > 0, chart);
  }
  // Incidents over the same period as the cases: a line if there are any, else a word saying so.
  const incidents = await (await context.request.get(`${app.base}/api/v1/incidents/aggregate?by=day&from=${from}&to=${to}`)).json();
  if (incidents.total > 0) assert.ok(await page.locator("#chart-incidents path").count() > 0);
  else assert.match(await page.locator("#chart-incidents svg").textContent(), /No data/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("keyboard: the department works its inbox without a mouse", async () => {
  const { page, context, errors } = await signedIn(app, "urban", "demo-urban-2026", "en", "/inbox");
  await ready(page);
  let focused = "";
  for (let i = 0; i < 40 && focused !== "TR"; i++) {
    await page.keyboard.press("Tab");
    focused = await page.evaluate(() => document.activeElement.tagName);
  }
  assert.equal(focused, "TR", "table rows take the focus");
  const code = await page.evaluate(() => document.activeElement.dataset.code);
  await page.keyboard.press("Enter");
  await page.locator("#detail h2").filter({ hasText: code }).waitFor();
  // On to the case's action buttons.
  for (let i = 0; i < 80 && !(await page.evaluate(() => document.activeElement.closest(".actions"))); i++) await page.keyboard.press("Tab");
  assert.ok(await page.evaluate(() => Boolean(document.activeElement.closest(".actions"))), "actions are reachable by Tab");
  assert.deepEqual(errors, []);
  await context.close();
});

test("public page: a pin placed by keyboard, a photo, and the photo on the case", async () => {
  const context = await app.browser.newContext({ viewport: { width: 390, height: 844 }, locale: "en-GB" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${app.base}/public`);
  await ready(page);
  await page.locator("#description").fill("Broken street light 路灯不亮");
  await page.locator("#pin-map").focus();
  await page.keyboard.press("Enter");
  await page.locator("#pin-marker").waitFor();
  const first = await page.locator("#pin-marker").getAttribute("d");
  // The place in words (its town and community), not as degrees.
  assert.match(await page.locator("#pin-at").textContent(), /Pinned in|已选位置/);
  assert.doesNotMatch(await page.locator("#pin-at").textContent(), /\d+\.\d{3}/);
  await page.keyboard.press("ArrowRight");
  assert.notEqual(await page.locator("#pin-marker").getAttribute("d"), first, "arrow keys move the pin");
  await page.keyboard.press("Delete");
  assert.equal(await page.locator("#pin-marker").count(), 0);
  // Submitting with neither an address nor a pin is refused on the page.
  await page.locator("#submit button[type=submit]").click();
  assert.match(await page.locator("#submit-result").textContent(), /address or pin/);
  await page.locator("#pin-map").click({ position: { x: 180, y: 110 } });
  const png = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8ffff3f0005fe02fea7d605cf0000000049454e44ae426082", "hex");
  await page.locator("#photo").setInputFiles({ name: "light.png", mimeType: "image/png", buffer: png });
  await page.locator("#submit button[type=submit]").click();
  await page.locator('.photo-result[data-ok="true"]').waitFor();
  const token = await page.locator("#new-token").textContent();
  const mine = await (await context.request.get(`${app.base}/api/v1/public/requests/${token}`)).json();
  assert.deepEqual(errors, []);
  await context.close();

  const staff = await signedIn(app, "commander", "demo-commander-2026", "en", `/cases?type=request&case=${encodeURIComponent(mine.code)}`);
  const link = staff.page.locator(".attachments a");
  await link.waitFor();
  assert.equal(await link.textContent(), "photo-1.png");
  const served = await staff.context.request.get(`${app.base}${await link.getAttribute("href")}`);
  assert.deepEqual(Buffer.from(await served.body()), png);
  const v = await (await staff.context.request.get(`${app.base}/api/v1/cases/${encodeURIComponent(mine.code)}`)).json();
  assert.ok(v.case.jurisdiction, "routed by the pin to an area");
  assert.equal(v.case.address, null);
  assert.deepEqual(staff.errors, []);
  await staff.context.close();
});
