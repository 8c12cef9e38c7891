// A deployment with its own map server: `fengqiao serve --tiles URL` puts
// Web Mercator base tiles under the map's own layers on the command centre
// and on the public page. Without the setting (every other test) the pages
// fetch nothing but this server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, signedIn, ready, artifacts } from "./helpers.mjs";

const TEMPLATE = "http://tiles.example.test/{z}/{x}/{y}.png";
// One light-grey pixel, stretched over each tile.
const PNG = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8ffff3f0005fe02fea7d605cf0000000049454e44ae426082", "hex");

let app;
before(async () => { app = await start(["--tiles", TEMPLATE]); });
after(async () => { await app?.stop(); });

async function served(context) {
  const asked = [];
  await context.route("http://tiles.example.test/**", (route) => {
    asked.push(new URL(route.request().url()).pathname);
    return route.fulfill({ status: 200, contentType: "image/png", body: PNG });
  });
  return asked;
}

// Tile x, y at zoom z holding (lon, lat), as every Web Mercator tile server counts them.
function tileOf(lon, lat, z) {
  const n = 2 ** z, r = (lat * Math.PI) / 180;
  return [Math.floor(((lon + 180) / 360) * n), Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n)];
}

test("the command centre draws the deployment's base tiles under its layers", async () => {
  const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "en");
  const asked = await served(context);
  await ready(page);
  await page.locator("#map g.tiles image").first().waitFor({ state: "attached" });
  // The tiles come first, under the incident cells and the plan.
  assert.equal(await page.locator("#viewport > g:first-child").getAttribute("class"), "tiles");
  const hrefs = await page.locator("#map g.tiles image").evaluateAll((is) => is.map((i) => i.getAttribute("href")));
  const zs = new Set(hrefs.map((h) => Number(h.split("/")[3])));
  assert.equal(zs.size, 1, "one zoom level");
  const z = [...zs][0];
  assert.ok(z >= 10 && z <= 16, `a city-scale zoom: ${z}`);
  // The tile under a station is among those drawn.
  const station = (await (await context.request.get(`${app.base}/api/v1/facilities`)).json()).items[0];
  const [x, y] = tileOf(station.lon, station.lat, z);
  assert.ok(hrefs.includes(`http://tiles.example.test/${z}/${x}/${y}.png`), `tile ${z}/${x}/${y} drawn`);
  await page.waitForTimeout(300);
  assert.ok(asked.length > 0, "tiles were fetched from the configured server");
  assert.match(await page.locator("#footer-note").textContent(), /tiles\.example\.test/, "the footer names the tile server");
  await page.screenshot({ path: join(artifacts, "command-centre-tiles-en.png") });
  assert.deepEqual(errors, []);
  await context.close();
});

test("the public page's map has the base tiles too", async () => {
  const context = await app.browser.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
  const asked = await served(context);
  const page = await context.newPage();
  await page.goto(`${app.base}/public`);
  await ready(page);
  assert.ok(await page.locator("#pin-map g.tiles image").count() > 0);
  await page.waitForTimeout(300);
  assert.ok(asked.length > 0);
  await context.close();
});
