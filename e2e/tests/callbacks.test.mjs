// 110 回访: the duty commander records a callback's answers (an unsatisfied
// one says why and opens a follow-up); the leader reads satisfaction and
// perceived safety with their sample sizes and intervals (zh, en).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, signedIn, ready, accessibilityProblems, artifacts } from "./helpers.mjs";

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

test("a duty commander records an unsatisfied callback and its follow-up opens (zh)", async () => {
  const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "zh", "/cases?type=callback");
  await ready(page);
  const code = await page.evaluate(async () => {
    const items = (await (await fetch("/api/v1/cases?type=callback&open=true&limit=500")).json()).items;
    return items[0].code;
  });
  await page.goto(`${app.base}/cases?type=callback&case=${encodeURIComponent(code)}`);
  await ready(page);
  await page.locator("#case-stage[data-stage=to_call]").waitFor();
  await page.locator('button[data-action="answer"]').click();
  await page.locator("#rec-satisfaction").selectOption("unsatisfied");
  await page.locator("#rec-safety").selectOption("basically_safe");
  await page.locator("#rec-save").click();
  await page.locator("#rec-error").filter({ hasText: "不满意时请至少勾选一个原因" }).waitFor();
  await page.locator("#rec-reason-slow").check();
  await page.locator("#rec-comment").fill("等了四十分钟才到");
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.locator("#rec-save").click();
  await page.locator("#case-stage[data-stage=closed]").waitFor();
  assert.match(await page.locator("ol.timeline").textContent(), /不满意 · 基本安全 · 出警慢 · 等了四十分钟才到/);
  const follow = await page.evaluate(async (c) => {
    const items = (await (await fetch("/api/v1/cases?type=request&limit=500")).json()).items;
    const mine = [];
    for (const x of items.filter((i) => i.category === "request.police_service")) {
      const v = await (await fetch(`/api/v1/cases/${encodeURIComponent(x.code)}`)).json();
      if (v.case.description.includes(c)) mine.push(x.code);
    }
    return mine;
  }, code);
  assert.equal(follow.length, 1, "one follow-up names the callback");
  assert.deepEqual(errors, []);
  await context.close();
});

for (const lang of ["zh", "en"]) {
  test(`a leader reads satisfaction and perceived safety with sample sizes and intervals (${lang})`, async () => {
    const { page, context, errors } = await signedIn(app, "leader", "demo-leader-2026", lang, "/dashboard");
    await ready(page);
    const card = page.locator("#cb-satisfaction");
    await card.waitFor();
    const share = /\d+\.\d% \[\d+\.\d–\d+\.\d%\] n=\d+/;
    assert.match(await card.locator("b").textContent(), share);
    assert.match(await card.textContent(), lang === "zh" ? /回访满意率/ : /Satisfied \(callbacks\)/);
    assert.match(await page.locator("#cb-safety b").textContent(), share);
    const rows = page.locator("#callback-stations tr");
    assert.ok(await rows.count() >= 2, "a row per station");
    assert.match(await rows.first().textContent(), /n=\d+/);
    assert.ok(await page.locator("#callback-months tr").count() >= 1);
    assert.match(await page.locator("#callback-defs").textContent(), lang === "zh" ? /威尔逊置信区间/ : /Wilson interval/);
    assert.deepEqual(await accessibilityProblems(page), []);
    await page.screenshot({ path: join(artifacts, `dashboard-callbacks-${lang}.png`), fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test("an analyst reads last week's draw and its seed, then draws an earlier week once (en)", async () => {
  const { page, context, errors } = await signedIn(app, "analyst", "demo-analyst-2026", "en", "/dashboard");
  await ready(page);
  const result = page.locator("#draw-result");
  // The demo drew last week's sample: its seed, strata and callbacks are shown, and it cannot be drawn again.
  const last = await page.locator("#draw-week").inputValue();
  await page.locator(`#draw-result[data-week="${last}"]`).waitFor();
  const kept = await page.evaluate(async (w) => (await fetch(`/api/v1/callbacks/draws/${w}`)).json(), last);
  assert.match(await page.locator("#draw-seed").textContent(), new RegExp(`Random seed ${kept.seed.slice(0, 16)}… \\((from the ledger checkpoint of size \\d+|no ledger checkpoint yet)\\)`));
  assert.equal(await page.locator("#draw-strata tbody tr").count(), kept.strata.length);
  assert.ok(await page.locator("#draw-run").isDisabled(), "a draw is made once");
  // Two weeks ago: not drawn yet; drawn here, once.
  const earlier = await page.locator("#draw-week option").nth(1).getAttribute("value");
  await page.locator("#draw-week").selectOption(earlier);
  await result.filter({ hasText: "has not been drawn" }).waitFor();
  await page.locator("#draw-share").fill("20");
  await page.locator("#draw-run").click();
  await page.locator(`#draw-result[data-week="${earlier}"]`).waitFor();
  const drawn = await page.evaluate(async (w) => (await fetch(`/api/v1/callbacks/draws/${w}`)).json(), earlier);
  assert.equal(drawn.share, 0.2);
  assert.match(await page.locator("#draw-seed").textContent(), new RegExp(drawn.seed.slice(0, 16)));
  assert.equal(await page.locator("#draw-result a").count(), drawn.callbacks.length);
  assert.ok(await page.locator("#draw-run").isDisabled());
  assert.deepEqual(await accessibilityProblems(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a leader, who does not draw callbacks, is not offered the draw (zh)", async () => {
  const { page, context, errors } = await signedIn(app, "leader", "demo-leader-2026", "zh", "/dashboard");
  await ready(page);
  await page.locator("#cb-satisfaction").waitFor();
  assert.ok(await page.locator("#callback-draw").isHidden());
  assert.deepEqual(errors, []);
  await context.close();
});
