// Page-load benchmark: each main page on the full demo city (a year of
// incidents), from navigation to the page's data drawn (the `fq-ready`
// mark every page sets), in headless Chromium on this machine. Beside it,
// in the same run, the baseline: navigating to /health (one tiny JSON
// answer, no script). Reports the median of 7 loads after one warm-up, the
// ratio to the 300 ms target and to the baseline.
//
//   cargo build --release && cd e2e && npm run bench
//
// FENGQIAO_BIN picks the binary (default target/release/fengqiao).
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const root = resolve(import.meta.dirname, "../..");
const bin = process.env.FENGQIAO_BIN || join(root, "target/release/fengqiao");
const RUNS = 7, TARGET_MS = 300;

const dir = mkdtempSync(join(tmpdir(), "fq-bench-"));
const data = join(dir, "data");
process.stderr.write("loading the demo city (365 days)…\n");
execFileSync(bin, ["demo", "--no-serve", "--data-dir", data], { stdio: "ignore" });
const port = 20000 + Math.floor(Math.random() * 20000);
const server = spawn(bin, ["serve", "--data-dir", data, "--bind", `127.0.0.1:${port}`], { stdio: "ignore" });
const base = `http://127.0.0.1:${port}`;
for (let i = 0; i < 200; i++) {
  try { if ((await fetch(`${base}/health`)).ok) break; } catch {}
  await new Promise((r) => setTimeout(r, 100));
}
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });

async function session(user) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
  if (user) {
    const r = await context.request.post(`${base}/api/v1/session`, { data: { username: user, password: `demo-${user}-2026` } });
    if (!r.ok()) throw new Error(`cannot sign in as ${user}: ${r.status()}`);
  }
  return context;
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(context, path, readyMark) {
  const page = await context.newPage();
  const times = [];
  for (let i = 0; i <= RUNS; i++) {
    await page.goto(`${base}${path}`);
    let ms;
    if (readyMark) {
      await page.locator("body[data-ready]").waitFor({ timeout: 30000 });
      ms = await page.evaluate(() => performance.getEntriesByName("fq-ready")[0].startTime);
    } else {
      await page.waitForLoadState("load");
      ms = await page.evaluate(() => performance.getEntriesByType("navigation")[0].loadEventEnd);
    }
    if (i > 0) times.push(ms); // the first load warms caches
  }
  await page.close();
  return { median: median(times), min: Math.min(...times), max: Math.max(...times) };
}

const rows = [];
const anon = await session(null);
const baseline = await measure(anon, "/health", false);
rows.push(["/health (baseline)", "-", baseline]);
for (const [path, user] of [["/", "commander"], ["/incidents", "commander"], ["/cases", "commander"], ["/inbox", "urban"],
  ["/volunteers", "commander"], ["/dashboard", "leader"], ["/public", null]]) {
  const context = user ? await session(user) : anon;
  rows.push([path, user || "citizen", await measure(context, path, true)]);
  if (user) await context.close();
}
await browser.close();
server.kill();
rmSync(dir, { recursive: true, force: true });

console.log(`page load to data drawn, median of ${RUNS} (min–max), headless Chromium, full demo city`);
console.log("page".padEnd(20), "as".padEnd(10), "median ms".padStart(10), "min–max".padStart(14), "÷300ms".padStart(8), "÷baseline".padStart(10));
for (const [path, user, r] of rows) {
  console.log(path.padEnd(20), user.padEnd(10), r.median.toFixed(0).padStart(10), `${r.min.toFixed(0)}–${r.max.toFixed(0)}`.padStart(14),
    (r.median / TARGET_MS).toFixed(2).padStart(8), (r.median / baseline.median).toFixed(1).padStart(10));
}
mkdirSync(join(root, "target"), { recursive: true });
writeFileSync(join(root, "target/bench-pages.json"), JSON.stringify({ runs: RUNS, target_ms: TARGET_MS, rows }, null, 2));
const slow = rows.filter(([p, , r]) => !p.includes("baseline") && r.median > TARGET_MS);
console.log(slow.length ? `over the target: ${slow.map((s) => s[0]).join(", ")}` : "every page under the 300 ms target");
