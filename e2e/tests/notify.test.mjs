// Notifications in a real deployment: the server started with a channel
// file sends a dispatch made in the page to the department's robot webhook
// (a receiver started by this test), in the robot's text format; so does a
// commander's 督办 pressed in the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { start, signedIn, ready } from "./helpers.mjs";

let app, receiver;
const received = [];
before(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => { body += c; });
    req.on("end", () => { received.push({ path: req.url, body }); res.end("{\"errcode\":0}"); });
  });
  await new Promise((ok) => receiver.listen(0, "127.0.0.1", ok));
  const dir = mkdtempSync(join(tmpdir(), "fq-notify-"));
  const file = join(dir, "notify.toml");
  writeFileSync(file, `[[channels]]
name = "urban-robot"
kind = "webhook"
url = "http://127.0.0.1:${receiver.address().port}/robot/send?access_token=t"
departments = ["urban"]
`);
  app = await start(["--notify", file]);
});
after(async () => { await app?.stop(); receiver?.close(); });

test("a dispatch made in the page reaches the department's robot webhook", async () => {
  const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "zh", "/cases?type=request");
  await ready(page);
  const opened = await page.evaluate(async () => (await fetch("/api/v1/cases", {
    method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": sessionStorage.getItem("fq-csrf") },
    body: JSON.stringify({ type: "request", category: "request.sanitation", title: "垃圾三天未清运", address: "解放南路8号" }),
  })).json());
  const code = opened.case.code;
  await page.goto(`${app.base}/cases?type=request&case=${encodeURIComponent(code)}`);
  for (const action of ["register", "dispatch"]) {
    await page.locator(`.actions button[data-action="${action}"]`).click();
    await page.locator(`#case-stage[data-stage="${action === "register" ? "registered" : "dispatched"}"]`).waitFor();
  }
  let message;
  for (let i = 0; i < 100 && !message; i++) {
    message = received.find((r) => r.body.includes(code));
    if (!message) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(message, `the webhook heard of ${code}: ${JSON.stringify(received)}`);
  assert.equal(message.path, "/robot/send?access_token=t");
  const v = JSON.parse(message.body);
  assert.equal(v.msgtype, "text");
  assert.match(v.text.content, /请办理/);
  // The commander presses 督办 before the deadline: the department hears
  // to hurry, not that the deadline has passed.
  await page.locator('.actions button[data-action="supervise"]').click();
  let urged;
  for (let i = 0; i < 100 && !urged; i++) {
    urged = received.find((r) => r.body.includes(code) && r.body.includes("督办"));
    if (!urged) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(urged, `the webhook heard of the 督办: ${JSON.stringify(received)}`);
  const urgedText = JSON.parse(urged.body).text.content;
  assert.match(urgedText, /请加快办理/);
  assert.doesNotMatch(urgedText, /已超过/);
  // The outbox says it was sent, on the first attempt.
  const admin = await signedIn(app, "admin", "demo-admin-2026", "zh", "/users");
  await ready(admin.page);
  const outbox = await admin.page.evaluate(async () => (await (await fetch("/api/v1/notifications")).json()).items);
  const mine = outbox.filter((n) => n.case_code === code).map((n) => [n.event, n.attempts, Boolean(n.sent_at)]);
  assert.deepEqual(mine.sort(), [["dispatch", 1, true], ["supervise", 1, true]]);
  assert.deepEqual(errors, []);
  await context.close();
  await admin.context.close();
});
