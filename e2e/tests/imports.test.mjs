// Importing incidents from the page (导入警情): an analyst picks a GBK 110
// export saved with Windows line endings, sees it read as GB18030 with the
// 110 format that fits, previews its first rows as incidents and the row
// refused (in Chinese), narrows the area in the mapping and sees more rows
// refused (and a slip in it said with its line), imports it with its progress and follows the link to its
// incidents. In English, a zip of the same export reads the same; an
// officer, who may not import, is not offered the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join, dirname } from "node:path";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { deflateRawSync, crc32 } from "node:zlib";
import { start, signedIn, ready, artifacts, accessibilityProblems } from "./helpers.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const sample = join(here, "../../crates/ingest/testdata/cn_110_gbk.csv");

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

test("an analyst previews and imports a GBK 110 export (zh)", async () => {
  const { page, context, errors } = await signedIn(app, "analyst", "demo-analyst-2026", "zh", "/imports");
  await ready(page);
  await page.locator("#file").setInputFiles(sample);
  await page.locator("#encoding-card").waitFor();
  assert.equal(await page.locator("#encoding-card b").textContent(), "GB18030（自动识别）");
  assert.equal(await page.locator("#profile").inputValue(), "cn-110");
  assert.equal(await page.locator("#parsed-card b").textContent(), "11");
  assert.equal(await page.locator("#rejected-card b").textContent(), "1");
  assert.equal(await page.locator("#incidents tbody tr").count(), 10);
  const first = page.locator("#incidents tbody tr").first();
  assert.equal(await first.locator("td").nth(1).textContent(), "2026-11-03 08:15:27 +08:00");
  assert.equal(await first.locator("td").nth(2).textContent(), "入室盗窃");
  const reject = page.locator("#rejects tbody tr").first();
  assert.equal(await reject.locator("td").first().textContent(), "12");
  assert.equal(await reject.locator("td").nth(2).textContent(), "“2026-13-04 02:40:00”不是可识别的时间");
  assert.equal(await page.locator("#raw thead th").nth(1).textContent(), "接警单号");
  // A format that does not fit says what is missing, in Chinese.
  await page.locator("#profile").selectOption("chicago");
  await page.locator("#problem").filter({ hasText: "文件里没有" }).waitFor();
  assert.match(await page.locator("#problem").textContent(), /^文件里没有“\S+”列（\S+）：请换一种导出格式/);
  assert.equal(await page.locator("#start").isDisabled(), true);
  await page.locator("#profile").selectOption("cn-110");
  await page.locator("#parsed-card b").filter({ hasText: /^11$/ }).waitFor();
  // The bureau's own area only: the mapping edited, more rows refused.
  await page.locator("#mapping-details summary").click();
  const text = await page.locator("#mapping").inputValue();
  await page.locator("#mapping").fill(text.replace("bbox = [73.4, 3.8, 135.1, 53.6]", "bbox = [121.5, 29.85, 121.6, 29.9]"));
  await page.locator("#preview").click();
  await page.locator("#rejected-card b").filter({ hasText: "5" }).waitFor();
  assert.match(await page.locator("#rejects tbody").textContent(), /不在所设范围内/);
  assert.match(await page.locator("#profile option:checked").textContent(), /（已修改）/);
  // A slip in the edited mapping is said in Chinese with where it is.
  await page.locator("#mapping").fill(text.replace("bbox = [73.4", "bbox = [73.4 ,,"));
  await page.locator("#preview").click();
  await page.locator("#page-message").filter({ hasText: "字段对应表第" }).waitFor();
  assert.match(await page.locator("#page-message").textContent(), /^字段对应表第 \d+ 行第 \d+ 列写法有误/);
  await page.locator("#mapping").fill(text.replace("bbox = [73.4, 3.8, 135.1, 53.6]", "bbox = [121.5, 29.85, 121.6, 29.9]"));
  await page.locator("#preview").click();
  await page.waitForFunction(() => document.getElementById("page-message").textContent === "");
  assert.equal(await page.locator("#rejected-card b").textContent(), "5");
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(artifacts, "imports-preview-zh.png"), fullPage: true });
  // Back to the format as built in, into a dataset of its own.
  await page.locator("#profile").selectOption("cn-110");
  await page.locator("#rejected-card b").filter({ hasText: /^1$/ }).waitFor();
  await page.locator("#dataset").fill("宁波110");
  await page.locator("#start").click();
  await page.locator("#run-imported b").waitFor({ timeout: 30000 });
  assert.equal(await page.locator("#run-imported b").textContent(), "11");
  assert.equal(await page.locator("#run-rejected b").textContent(), "1");
  assert.match(await page.locator("#reasons").textContent(), /报警时间：“2026-13-04 02:40:00”不是可识别的时间（第 12 行）/);
  await page.screenshot({ path: join(artifacts, "imports-done-zh.png"), fullPage: true });
  await page.locator("#see-incidents").click();
  await page.waitForURL((u) => u.pathname === "/incidents");
  const datasets = await page.evaluate(async () => (await fetch("/api/v1/datasets")).json());
  assert.equal(datasets.items.find((d) => d.name === "宁波110").incidents, 11);
  assert.deepEqual(errors, []);
  await context.close();
});

/// A zip archive holding `name` deflated, as a zip tool writes one.
function zipOf(name, bytes) {
  const data = deflateRawSync(bytes);
  const nameBytes = Buffer.from(name, "utf8");
  const head = (central) => {
    const b = Buffer.alloc(central ? 46 : 30);
    let o = 0;
    b.writeUInt32LE(central ? 0x02014b50 : 0x04034b50, o); o += 4;
    if (central) { b.writeUInt16LE(20, o); o += 2; }
    b.writeUInt16LE(20, o); o += 2;
    b.writeUInt16LE(0x800, o); o += 2;
    b.writeUInt16LE(8, o); o += 2;
    o += 4;
    b.writeUInt32LE(crc32(bytes), o); o += 4;
    b.writeUInt32LE(data.length, o); o += 4;
    b.writeUInt32LE(bytes.length, o); o += 4;
    b.writeUInt16LE(nameBytes.length, o); o += 2;
    return b;
  };
  const local = Buffer.concat([head(false), nameBytes, data]);
  const central = Buffer.concat([head(true), nameBytes]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(local.length, 16);
  return Buffer.concat([local, central, end]);
}

test("a zip of the same export reads the same (en); an officer is not offered the page", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fq-zip-"));
  const zip = join(dir, "110-export.zip");
  writeFileSync(zip, zipOf("警情.csv", readFileSync(sample)));
  const { page, context, errors } = await signedIn(app, "analyst", "demo-analyst-2026", "en", "/imports");
  await ready(page);
  await page.locator("#file").setInputFiles(zip);
  await page.locator("#encoding-card").waitFor();
  assert.match(await page.locator("#file-info").textContent(), /警情\.csv inside the archive/);
  assert.equal(await page.locator("#encoding-card b").textContent(), "GB18030 (detected)");
  assert.equal(await page.locator("#parsed-card b").textContent(), "11");
  assert.equal(await page.locator("#rejects tbody td").nth(2).textContent(), "“2026-13-04 02:40:00” is not a time it can read");
  assert.deepEqual(errors, []);
  await context.close();

  const officer = await signedIn(app, "officer", "demo-officer-2026", "en", "/imports");
  await officer.page.waitForURL((u) => u.pathname !== "/imports");
  const nav = await officer.page.locator("#nav a").evaluateAll((as) => as.map((a) => new URL(a.href).pathname));
  assert.ok(!nav.includes("/imports"));
  await officer.context.close();
});
