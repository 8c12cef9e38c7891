// A fresh Fengqiao (demo city, real server on a free port) and a headless
// Chromium for each test file; screenshots go to target/e2e-artifacts/.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const root = resolve(import.meta.dirname, "../..");
const bin = process.env.FENGQIAO_BIN || join(root, "target/ci/fengqiao");
export const artifacts = join(root, "target/e2e-artifacts");

async function freePort() {
  return new Promise((ok) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/// `serveArgs`: more flags for `fengqiao serve` (e.g. `--tiles`).
export async function start(serveArgs = []) {
  const dir = mkdtempSync(join(tmpdir(), "fq-e2e-"));
  const data = join(dir, "data");
  execFileSync(bin, ["demo", "--no-serve", "--days", "10", "--data-dir", data], { stdio: "ignore" });
  const port = await freePort();
  // The server's own words (warnings, store errors) kept beside the screenshots.
  mkdirSync(artifacts, { recursive: true });
  const log = openSync(join(artifacts, `server-${port}.log`), "w");
  const server = spawn(bin, ["serve", "--data-dir", data, "--bind", `127.0.0.1:${port}`, ...serveArgs], {
    stdio: ["ignore", log, log],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox"],
  });
  return {
    base,
    browser,
    /// Runs the `fengqiao` binary on this server's data directory (another process).
    cli: (...args) => execFileSync(bin, ["--data-dir", data, ...args], { encoding: "utf8" }),
    async stop() {
      await browser.close();
      server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/// A page signed in as `user` in language `lang` (zh or en), at `path`.
export async function signedIn(app, user, password, lang, path = "/", options = {}) {
  const context = await app.browser.newContext({
    viewport: { width: 1366, height: 768 },
    locale: lang === "zh" ? "zh-CN" : "en-GB",
    ...options,
  });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // Anything the page's Content-Security-Policy refused is a fault of the page.
  page.on("console", (m) => { if (m.text().includes("Content Security Policy")) errors.push(m.text()); });
  await page.goto(`${app.base}${path}`);
  await page.locator("#login-user").fill(user);
  await page.locator("#login-pass").fill(password);
  await page.locator("#login-form button[type=submit]").click();
  return { page, context, errors };
}

/// Signs in through the dialog on the page already open.
export async function signInHere(page, user, password) {
  await page.locator("#login-user").fill(user);
  await page.locator("#login-pass").fill(password);
  await page.locator("#login-form button[type=submit]").click();
}

/// The page has loaded its data (each page marks <body data-ready>).
export async function ready(page) {
  await page.locator("body[data-ready]").waitFor({ timeout: 20000 });
}

const axeSource = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/// WCAG 2 A/AA problems axe-core finds on the page, serious or worse.
export async function accessibilityProblems(page) {
  // Evaluated through the debugger protocol: the page's CSP rightly refuses inline scripts.
  await page.evaluate(readFileSync(axeSource, "utf8"));
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}
