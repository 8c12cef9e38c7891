// Opening cases from the page, as a station officer does: a 110 incident
// about a quarrel becomes a dispute with two parties and a photo, the place
// carried over and confirmed in words; the server's record is checked, not
// only the page. Both languages; the form passes axe-core.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, signedIn, ready, artifacts, accessibilityProblems } from "./helpers.mjs";

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(" a photo of the stairwell")]);

for (const lang of ["zh", "en"]) {
  test(`an officer opens a dispute from an incident with two parties and a photo (${lang})`, async () => {
    const { page, context, errors } = await signedIn(app, "officer", "demo-officer-2026", lang, "/incidents");
    await ready(page);
    const get = (path) => page.evaluate(async (p) => (await fetch(p)).json(), path);
    const incident = (await get("/api/v1/incidents?limit=1")).items[0];
    await page.goto(`${app.base}/incidents?incident=${incident.id}`);
    await page.locator("#incident-to-case a").first().click();
    const dialog = page.locator("#case-form-dialog");
    await dialog.waitFor();
    // The incident's place is carried over and shown in words.
    await page.locator("#place-match").filter({ hasText: lang === "zh" ? "归属" : "Belongs to" }).waitFor();
    assert.match(await page.locator("#form-incident").textContent(), new RegExp(`#${incident.id}`));
    await page.locator("#form-title").fill(lang === "zh" ? "楼上楼下噪声纠纷" : "Noise between flats");
    for (const [name, id, phone] of [["王建国", "11010519491231002X", "13912341340"], ["李秀英", "330203198506074562", "0574-87654321"]]) {
      await page.locator("#add-party").click();
      const row = page.locator("#case-form fieldset.party").last();
      await row.locator("[name=name]").fill(name);
      await row.locator("[name=phone]").fill(phone);
      await row.locator("[name=id_number]").fill(id);
    }
    await page.locator("#case-form fieldset.party").last().locator("[name=role]").selectOption("respondent");
    await page.locator("#form-files").setInputFiles({ name: "现场.jpg", mimeType: "image/jpeg", buffer: JPEG });
    assert.deepEqual(await accessibilityProblems(page), []);
    await page.screenshot({ path: join(artifacts, `case-form-${lang}.png`), fullPage: true });
    // A mistyped ID number: the page says which party and field, in its language.
    await page.locator("#form-submit").click();
    const error = page.locator("#form-error");
    await error.filter({ hasText: lang === "zh" ? "第 2 位当事人的证件号码" : "party 2" }).waitFor();
    await page.locator("#case-form fieldset.party").last().locator("[name=id_number]").fill("330203198506074561");
    await page.locator("#form-submit").click();
    await dialog.waitFor({ state: "detached" });
    await page.locator("#case-stage").waitFor();
    const code = new URL(page.url()).searchParams.get("case");
    assert.ok(code && code.startsWith("JF"), page.url());
    assert.match(await page.locator("#case-source").textContent(), new RegExp(`#${incident.id}`));
    await page.locator(".attachments li").filter({ hasText: "现场.jpg" }).waitFor();
    // What the server stored: the parties with their documents, the photo, both links.
    const stored = await get(`/api/v1/cases/${encodeURIComponent(code)}`);
    assert.equal(stored.case.incident_id, incident.id);
    assert.deepEqual(stored.case.parties.map((p) => [p.role, p.id_type]), [["applicant", "resident_id"], ["respondent", "resident_id"]]);
    assert.deepEqual(stored.attachments.map((a) => [a.file_name, a.media_type, a.added_by]), [["现场.jpg", "image/jpeg", "officer"]]);
    const back = await get(`/api/v1/incidents/${incident.id}`);
    assert.ok(back.cases.some((c) => c.code === code), JSON.stringify(back.cases));
    // A file added later from the panel (a signed paper, as PDF).
    await page.locator("#case-files").setInputFiles({ name: "承诺书.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n%signed\n") });
    await page.locator("#case-upload").click();
    await page.locator(".attachments li").filter({ hasText: "承诺书.pdf" }).waitFor();
    await page.screenshot({ path: join(artifacts, `case-opened-${lang}.png`), fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
  });
}
