// The city's clock on every page: the same incident, case and public request
// read the same time in a browser set to UTC and one set to Asia/Shanghai —
// the city's time, with the city's offset added where the browser's zone
// differs, so no one reads it as their own.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { start, signedIn, ready } from "./helpers.mjs";

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

/// What `read(page)` shows on `path` to `user` in a browser in zone `timezoneId`.
async function shown(user, path, timezoneId, read) {
  const { page, context, errors } = await signedIn(app, user, `demo-${user}-2026`, "zh", path, { timezoneId });
  await ready(page);
  const text = await read(page);
  assert.deepEqual(errors, []);
  await context.close();
  return text;
}

const pages = [
  ["the incidents list", "commander", "/incidents", async (page) => {
    const cell = page.locator("#incidents tbody tr").first().locator("td").first();
    await cell.waitFor();
    return cell.textContent();
  }],
  ["the command centre's forecast window", "commander", "/", async (page) => {
    const note = page.locator("span").filter({ hasText: /预测时段/ }).last();
    await note.waitFor();
    return note.textContent();
  }],
  ["the staffing window", "commander", "/staffing", async (page) => {
    const window = page.locator("#window");
    await page.locator("#stations tbody tr").first().waitFor();
    return window.textContent();
  }],
  ["a case's deadline", "commander", "/cases?type=dispute", async (page) => {
    const due = page.locator(".card.case small").first();
    await due.waitFor();
    return due.textContent();
  }],
];

for (const [what, user, path, read] of pages) {
  test(`${what} shows the city's time whatever the browser's zone`, async () => {
    const city = await shown(user, path, "Asia/Shanghai", read);
    const away = await shown(user, path, "UTC", read);
    assert.doesNotMatch(city, /UTC/, city);
    const stamp = /\d{4}\/\d{1,2}\/\d{1,2} \d{2}:\d{2}/;
    assert.match(city, stamp);
    assert.equal(away.match(stamp)[0], city.match(stamp)[0], `${away} | ${city}`);
    assert.match(away, /\(UTC\+8\)/);
  });
}
