// The command centre is live: an incident imported by another process (the
// command line, as a 110 system's feed would be) appears on an open page
// without a reload; while nothing changes the page's polls are answered 304.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { start, signedIn, ready, artifacts } from "./helpers.mjs";

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

test("a new incident appears on an open command centre without a reload", async () => {
  const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "zh", "/");
  await ready(page);
  const polls = [];
  page.on("response", (r) => { if (r.url().endsWith("/api/v1/changes")) polls.push(r.status()); });
  await page.waitForFunction(() => document.querySelectorAll("#latest li").length > 0);
  // Wait for a poll that found nothing new.
  for (let i = 0; i < 40 && !polls.includes(304); i++) await page.waitForTimeout(250);
  assert.ok(polls.includes(304), `unchanged polls are 304: ${polls}`);
  const dir = mkdtempSync(join(tmpdir(), "fq-live-"));
  const now = new Date(Date.now() - 60_000).toLocaleString("sv-SE", { timeZone: "Asia/Shanghai" });
  const csv = join(dir, "110.csv");
  writeFileSync(csv, "警情编号,发案时间,接警时间,派警时间,到场时间,处警结束时间,警情类别,警情来源,经度,纬度,发生地址,场所类型,处警单位\n"
    + `LIVE-1,${now},${now},,,,打架斗殴,110报警,121.55,29.87,新典路88号,住宅,\n`);
  const mapping = join(dir, "map.toml");
  writeFileSync(mapping, readFileSync(new URL("../../crates/demo/src/demo_mapping.toml", import.meta.url)));
  app.cli("import", "incidents", csv, "--map", mapping);
  const fresh = page.locator("#latest li.new");
  await fresh.first().waitFor({ timeout: 20000 });
  assert.match(await fresh.first().textContent(), /打架斗殴|斗殴/);
  await page.screenshot({ path: join(artifacts, "command-centre-live-zh.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});
