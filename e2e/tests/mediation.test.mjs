// Mediation as mediators work, in real Chromium: the commander registers a
// dispute and assigns it from the pool; the mediator records two sessions
// (date, place, attendees, what was said) and an agreement with its terms,
// prints the 调解协议书, and records the follow-up visit. Each record is
// checked as the server stored it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, signedIn, ready, artifacts, accessibilityProblems } from "./helpers.mjs";

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

const MEDIATOR = "老娘舅工作室·李师傅";

async function press(page, action) {
  const button = page.locator(`.actions button[data-action="${action}"]`);
  await button.waitFor();
  await button.click();
}

test("a mediator records two sessions and an agreement, prints it and records the follow-up (zh)", async () => {
  const commander = await signedIn(app, "commander", "demo-commander-2026", "zh", "/cases?type=dispute");
  await ready(commander.page);
  const opened = await commander.page.evaluate(async () => {
    const r = await fetch("/api/v1/cases", {
      method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": sessionStorage.getItem("fq-csrf") },
      body: JSON.stringify({
        type: "dispute", category: "dispute.neighbour", title: "楼上装修噪声纠纷", description: "楼上夜间装修，楼下多次交涉未果",
        address: "彩虹社区新典路88号", parties: [
          { role: "applicant", name: "王建国", phone: "13912341340", id_type: "resident_id", id_number: "11010519491231002X", address: null, vulnerable: false },
          { role: "respondent", name: "李秀英", phone: "13812345678", id_type: null, id_number: null, address: null, vulnerable: false }],
      }),
    });
    return r.json();
  });
  const code = opened.case.code;
  const path = `/cases?type=dispute&case=${encodeURIComponent(code)}`;
  await commander.page.goto(`${app.base}${path}`);
  await press(commander.page, "register");
  await commander.page.locator('#case-stage[data-stage="registered"]').waitFor();
  await press(commander.page, "assign");
  await commander.page.locator("#mediator-dialog #mediator").selectOption(MEDIATOR);
  await commander.page.locator("#mediator-ok").click();
  await commander.page.locator('#case-stage[data-stage="assigned"]').waitFor();

  const { page, context, errors } = await signedIn(app, "mediator", "demo-mediator-2026", "zh", path);
  await page.locator('#case-stage[data-stage="assigned"]').waitFor();
  for (const [place, said] of [["彩虹社区调解室", "双方陈述：楼下称夜间噪声影响老人休息；楼上称工期紧"], ["王建国家中", "实地查看后双方同意晚十点后停工"]]) {
    await press(page, "session");
    await page.locator("#record-dialog").waitFor();
    assert.equal(await page.locator("#rec-attendees").inputValue(), "王建国\n李秀英", "attendees prefilled from the parties");
    await page.locator("#rec-place").fill(place);
    await page.locator("#rec-said").fill(said);
    await page.locator("#rec-next_step").fill("约定下次见面");
    if (place === "彩虹社区调解室") assert.deepEqual(await accessibilityProblems(page), []);
    await page.locator("#rec-save").click();
    await page.locator("#case-sessions li", { hasText: place }).waitFor();
  }
  await press(page, "agree");
  await page.locator("#rec-terms").fill("李秀英每日晚十点至次日早七点不进行装修施工\n王建国不再就此事报警或上门争吵");
  await page.locator("#rec-performance").fill("自签订之日起履行，装修期间有效");
  await page.locator("#rec-save").click();
  await page.locator('#case-stage[data-stage="agreed"]').waitFor();
  await page.screenshot({ path: join(artifacts, "case-mediation-zh.png"), fullPage: true });

  // The printable agreement: parties, facts, the terms numbered, signature lines.
  const href = await page.locator("#print-agreement").getAttribute("href");
  const doc = await context.newPage();
  await doc.goto(`${app.base}${href}`);
  await ready(doc);
  const terms = await doc.locator("#doc-terms li").allTextContents();
  assert.deepEqual(terms, ["一、李秀英每日晚十点至次日早七点不进行装修施工", "二、王建国不再就此事报警或上门争吵"]);
  assert.match(await doc.locator("#doc-parties").textContent(), /申请人：王建国，居民身份证 11010519491231002X/);
  assert.match(await doc.locator("#agreement").textContent(), /一式 3 份/);
  assert.deepEqual(await accessibilityProblems(doc), []);
  await doc.screenshot({ path: join(artifacts, "agreement-zh.png"), fullPage: true });
  await doc.close();

  await press(page, "visit");
  await page.locator("#rec-outcome").selectOption("fulfilled");
  await page.locator("#rec-note").fill("回访双方，已按协议履行");
  await page.locator("#rec-save").click();
  await page.locator("#case-sessions li", { hasText: "已履行" }).waitFor();

  // What the server stored: the minutes, the terms and the outcome.
  const stored = await page.evaluate(async (c) => (await fetch(`/api/v1/cases/${encodeURIComponent(c)}`)).json(), code);
  const records = stored.events.filter((e) => e.details).map((e) => [e.action, e.actor]);
  assert.deepEqual(records, [["session", "mediator"], ["session", "mediator"], ["agree", "mediator"], ["visit", "mediator"]]);
  const [first, , agreement, visit] = stored.events.filter((e) => e.details).map((e) => e.details);
  assert.deepEqual(first.attendees, ["王建国", "李秀英"]);
  assert.equal(first.place, "彩虹社区调解室");
  assert.equal(agreement.terms.length, 2);
  assert.equal(visit.outcome, "fulfilled");
  assert.equal(stored.case.state.sessions, 2);
  assert.deepEqual(errors, []);
  assert.deepEqual(commander.errors, []);
  await context.close();
  await commander.context.close();
});

test("in English: the assign and reason dialogs pass axe, a session and an agreement are recorded and printed", async () => {
  const commander = await signedIn(app, "commander", "demo-commander-2026", "en", "/cases?type=dispute");
  await ready(commander.page);
  const opened = await commander.page.evaluate(async () => (await fetch("/api/v1/cases", {
    method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": sessionStorage.getItem("fq-csrf") },
    body: JSON.stringify({
      type: "dispute", category: "dispute.neighbour", title: "Parking space quarrel", description: "Two neighbours claim the same space",
      address: "彩虹社区新典路90号", parties: [
        { role: "applicant", name: "Zhang Wei", phone: null, id_type: null, id_number: null, address: null, vulnerable: false },
        { role: "respondent", name: "Liu Yang", phone: null, id_type: null, id_number: null, address: null, vulnerable: false }],
    }),
  })).json());
  const code = opened.case.code;
  const path = `/cases?type=dispute&case=${encodeURIComponent(code)}`;
  await commander.page.goto(`${app.base}${path}`);
  await press(commander.page, "register");
  await commander.page.locator('#case-stage[data-stage="registered"]').waitFor();
  await press(commander.page, "assign");
  await commander.page.locator("#mediator-dialog #mediator").waitFor();
  assert.deepEqual(await accessibilityProblems(commander.page), [], "the mediator dialog");
  await commander.page.locator("#mediator-dialog #mediator").selectOption(MEDIATOR);
  await commander.page.locator("#mediator-ok").click();
  await commander.page.locator('#case-stage[data-stage="assigned"]').waitFor();

  const { page, context, errors } = await signedIn(app, "mediator", "demo-mediator-2026", "en", path);
  await page.locator('#case-stage[data-stage="assigned"]').waitFor();
  await press(page, "session");
  await page.locator("#rec-place").fill("Community mediation room");
  await page.locator("#rec-said").fill("Each claims the space; both agree to take turns");
  await page.locator("#rec-save").click();
  await page.locator("#case-sessions li", { hasText: "Community mediation room" }).waitFor();
  await press(page, "agree");
  assert.match(await page.locator("#record-dialog h2").textContent(), /Mediation agreement/);
  await page.locator("#rec-terms").fill("Zhang Wei parks on odd days\nLiu Yang parks on even days");
  await page.locator("#rec-performance").fill("From signing, for a year");
  await page.screenshot({ path: join(artifacts, "agreement-dialog-en.png"), fullPage: true });
  await page.locator("#rec-save").click();
  await page.locator('#case-stage[data-stage="agreed"]').waitFor();
  await page.screenshot({ path: join(artifacts, "case-mediation-en.png"), fullPage: true });
  const href = await page.locator("#print-agreement").getAttribute("href");
  const doc = await context.newPage();
  await doc.goto(`${app.base}${href}`);
  await ready(doc);
  assert.equal((await doc.locator("#doc-terms li").allTextContents()).length, 2);
  await doc.screenshot({ path: join(artifacts, "agreement-en.png"), fullPage: true });
  await doc.close();

  // The commander refers a failed mediation to court: the reason dialog.
  const other = await commander.page.evaluate(async () => (await fetch("/api/v1/cases", {
    method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": sessionStorage.getItem("fq-csrf") },
    body: JSON.stringify({ type: "dispute", category: "dispute.neighbour", title: "Fence line", address: "彩虹社区新典路92号" }),
  })).json());
  const otherPath = `/cases?type=dispute&case=${encodeURIComponent(other.case.code)}`;
  await commander.page.goto(`${app.base}${otherPath}`);
  await press(commander.page, "register");
  await commander.page.locator('#case-stage[data-stage="registered"]').waitFor();
  await press(commander.page, "assign");
  await commander.page.locator("#mediator-dialog #mediator").selectOption(MEDIATOR);
  await commander.page.locator("#mediator-ok").click();
  await commander.page.locator('#case-stage[data-stage="assigned"]').waitFor();
  await page.goto(`${app.base}${otherPath}`);
  await press(page, "session");
  await page.locator("#rec-place").fill("Community mediation room");
  await page.locator("#rec-attendees").fill("Chen Jie\nZhou Min");
  await page.locator("#rec-said").fill("No common ground");
  await page.locator("#rec-save").click();
  await page.locator('#case-stage[data-stage="mediating"]').waitFor();
  await press(page, "fail");
  await page.locator("#reason-dialog").waitFor();
  assert.deepEqual(await accessibilityProblems(page), [], "the reason dialog");
  await page.locator("#reason-text").fill("Both sides refuse any compromise");
  await page.locator("#reason-ok").click();
  await page.locator('#case-stage[data-stage="failed"]').waitFor();
  assert.deepEqual(errors, []);
  assert.deepEqual(commander.errors, []);
  await context.close();
  await commander.context.close();
});
