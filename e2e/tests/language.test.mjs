// Chinese that reads as Chinese: every role signs in in zh-CN and opens
// every page (those it may not open too), with its definitions unfolded, a
// record opened (a case's panel, an incident) and the dialogs it can open
// (changing one's password, a new case, adding a person or leave, raising a
// duty level); no Latin word may show outside a short allow-list of codes
// and names of formats (API, CSV, GeoJSON, encodings, file types, units).
// Data is data: user names, IDs and codes (anything with a digit) and
// elements marked translate="no" are not words of the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { start, signedIn, ready } from "./helpers.mjs";

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

const ROLES = ["admin", "analyst", "commander", "officer", "leader", "urban", "mediator", "volunteer"];
const PAGES = ["/", "/incidents", "/imports", "/cases", "/inbox", "/volunteers", "/staffing", "/roster", "/personnel", "/dashboard", "/users", "/sheet", "/public"];
const ALLOW = ["API", "CSV", "GeoJSON", "JSON", "GBK", "UTF", "zip", "gz", "JPEG", "PNG", "WebP", "PDF", "MB", "KB", "UTC", "WGS", "GCJ",
  "BD", "SHA", "Erlang", "Larson", "CDN", "Delete", "XXXX"];
// Buttons that open a dialog, where the page has them.
const DIALOGS = ["#change-password", "#new-case", "#add-person", "#add-leave", "#raise-level"];

/// The Latin words the page shows (text, titles, labels, placeholders), with where.
function latinWords(page) {
  return page.evaluate((allow) => {
    const skip = (e) => e.closest("code, script, style, [translate=no], [lang=en], textarea, option, #lang");
    const out = [];
    const take = (text, where) => {
      for (const tok of text.split(/[^A-Za-z0-9_'.:+\/-]+/)) {
        if (!/[A-Za-z]{2,}/.test(tok) || /\d/.test(tok) || /^https?:/.test(tok)) continue;
        for (const w of tok.match(/[A-Za-z]+/g)) if (w.length > 1 && !allow.includes(w)) out.push(`“${w}” in ${where}: ${text.trim().slice(0, 80)}`);
      }
    };
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walk.nextNode()) {
      const e = walk.currentNode.parentElement;
      if (!e || skip(e) || e.closest("[hidden]")) continue;
      const st = getComputedStyle(e);
      if (st.display === "none" || st.visibility === "hidden") continue;
      take(walk.currentNode.textContent, `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}`);
    }
    for (const e of document.querySelectorAll("[title],[aria-label],[placeholder],[alt]")) {
      if (skip(e)) continue;
      for (const a of ["title", "aria-label", "placeholder", "alt"]) if (e.getAttribute(a)) take(e.getAttribute(a), `${e.tagName.toLowerCase()}[${a}]`);
    }
    return [...new Set(out)];
  }, ALLOW);
}

const unfold = (page) => page.evaluate(() => document.querySelectorAll("details").forEach((d) => { d.open = true; }));
const settle = () => new Promise((r) => setTimeout(r, 400));

for (const role of ROLES) {
  test(`${role}: every page and dialog in zh-CN has no Latin word outside the allow-list`, async () => {
    const { page, context, errors } = await signedIn(app, role, `demo-${role}-2026`, "zh");
    await ready(page);
    const found = [];
    for (const path of PAGES) {
      await page.goto(`${app.base}${path}`);
      // A page the role may not open sends it to its own: that one is checked as it lands.
      await page.waitForFunction(() => document.body.dataset.ready === "1", null, { timeout: 15000 }).catch(() => {});
      await settle();
      await unfold(page);
      const at = new URL(page.url()).pathname;
      for (const w of await latinWords(page)) found.push(`${at}: ${w}`);
      for (const record of [".card.case", "#incidents tbody tr", "#inbox-table tbody tr"]) {
        const first = page.locator(record).first();
        if (!(await first.count())) continue;
        await first.click();
        await settle();
        await unfold(page);
        for (const w of await latinWords(page)) found.push(`${at} (${record} opened): ${w}`);
      }
      for (const opener of DIALOGS) {
        const button = page.locator(opener);
        if (!(await button.count()) || !(await button.isVisible())) continue;
        await button.click();
        await page.locator("dialog[open]").first().waitFor({ timeout: 5000 }).catch(() => {});
        await settle();
        for (const w of await latinWords(page)) found.push(`${at} (dialog ${opener}): ${w}`);
        await page.keyboard.press("Escape");
        await settle();
      }
    }
    assert.deepEqual([...new Set(found)], []);
    assert.deepEqual(errors, []);
    await context.close();
  });
}
