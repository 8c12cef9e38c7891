// The roster (排班) in the page: the duty commander builds a station's
// roster from the incidents, reads the week — who works which shift, crews
// rostered against crews needed — opens a day's crews (call signs, a sworn
// officer leading each, the duty officer) and publishes it; an officer of
// the station reads the published roster in English without the tools; a
// commander records an officer's wish for days off and the roster built
// next grants it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, signedIn, ready, artifacts, accessibilityProblems } from "./helpers.mjs";

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

test("a commander builds a roster from the incidents, reads a day's crews and publishes it (zh)", async () => {
  const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "zh", "/roster");
  await ready(page);
  // The demo publishes a roster from this Monday; the commander builds the next one.
  await page.locator("#roster-state b").filter({ hasText: "已发布" }).waitFor();
  await page.locator("#weeks").fill("1");
  await page.locator("#build-roster").click();
  await page.locator("#page-message").filter({ hasText: "已生成排班草稿" }).waitFor({ timeout: 60000 });
  const stored = await page.evaluate(async () => {
    const list = (await (await fetch("/api/v1/rosters?station=PS01")).json()).items;
    return (await fetch(`/api/v1/rosters/${list[0].id}`)).json();
  });
  assert.equal(stored.days, 7);
  assert.deepEqual(stored.body.violations, []);
  // Every crew is led by a sworn officer; every shift has its duty officer.
  const kind = new Map(stored.body.people.map((p) => [p.id, p.kind]));
  for (const day of stored.body.teams) for (const team of day) {
    assert.ok(team.duty && kind.get(team.duty) !== "auxiliary");
    for (const c of team.crews) assert.notEqual(kind.get(c.members[0]), "auxiliary");
  }
  assert.equal(await page.locator("#roster-state b").textContent(), "草稿");
  assert.equal(await page.locator("#grid tbody tr[data-person]").count(), stored.body.people.length);
  // A day's crews: call signs of the station, sworn lead first.
  await page.locator("#grid button.day").nth(2).click();
  const crew = page.locator('#crews article[data-shift="night"] li.crew').first();
  await crew.waitFor();
  assert.match(await crew.textContent(), /^鼓楼巡01 /);
  assert.match(await page.locator('#crews article[data-shift="night"]').textContent(), /值班民警：\S+/);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(artifacts, "roster-zh.png"), fullPage: true });
  await page.locator("#publish").click();
  await page.locator("#roster-state b").filter({ hasText: "已发布" }).waitFor();
  assert.equal(await page.locator("#publish").isHidden(), true);
  assert.deepEqual(errors, []);
  await context.close();
});

test("an officer reads the station's published roster without the tools (en)", async () => {
  const { page, context, errors } = await signedIn(app, "officer", "demo-officer-2026", "en", "/roster");
  await ready(page);
  assert.equal(await page.locator("#build").isHidden(), true);
  await page.locator("#roster-state b").filter({ hasText: "published" }).waitFor();
  assert.match(await page.locator("#basis").textContent(), /Erlang C/);
  const cover = await page.locator("#grid tr.cover td").allTextContents();
  assert.ok(cover.length >= 21 && cover.every((c) => /^\d+\/\d+$/.test(c)));
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(artifacts, "roster-officer-en.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

const rosterNow = (page) => page.evaluate(async () => {
  const list = (await (await fetch("/api/v1/rosters?station=PS01")).json()).items;
  return (await fetch(`/api/v1/rosters/${list[0].id}`)).json();
});

test("an officer asks for a swap, the commander approves it, and a sick call is repaired (zh)", async () => {
  const officer = await signedIn(app, "officer", "demo-officer-2026", "zh", "/roster");
  await ready(officer.page);
  let r = await rosterNow(officer.page);
  const b = r.body;
  const cell = (i, d) => b.assignment[i][d];
  // 换班 candidates: A works a day shift on day k of the first week, B is off then and works on a day e when A is off.
  const sworn = b.people.map((p, i) => [p, i]).filter(([p]) => p.kind !== "auxiliary");
  const candidates = [];
  for (const [pa, a] of sworn) for (const [pb, bb] of sworn) for (let k = 0; k < 7; k++) for (let e = 0; e < 7; e++) {
    if (a !== bb && e !== k && cell(a, k) === 0 && cell(bb, k) === null && cell(a, e) === null && cell(bb, e) === 0) candidates.push([pa, pb, k, e]);
  }
  assert.ok(candidates.length > 0);
  let asked = null;
  for (const [pa, pb, k, e] of candidates.slice(0, 12)) {
    await officer.page.locator(`tr[data-person="${pa.id}"] button.cell[data-day="${k}"]`).click();
    await officer.page.locator("#swap-with").selectOption(String(pb.id));
    await officer.page.locator("#swap-and-day").selectOption(r.body && dayOf(r.first_day, e));
    await officer.page.locator("#swap-note").fill("孩子生病");
    // The last request's message may still show: this one is known by the count of requests.
    const before = (r.body.requests || []).length;
    await officer.page.locator("#swap-send").click();
    await officer.page.locator("#page-message").filter({ hasText: "已提交换班申请" }).waitFor();
    for (let tries = 0; tries < 50 && (r.body.requests || []).length <= before; tries++) {
      r = await rosterNow(officer.page);
      if ((r.body.requests || []).length <= before) await new Promise((done) => setTimeout(done, 100));
    }
    await officer.page.locator("dialog[open]").waitFor({ state: "detached" }).catch(() => {});
    const last = r.body.requests[r.body.requests.length - 1];
    if (last.keeps_rules) { asked = [pa, pb, k, e, last.n]; break; }
  }
  assert.ok(asked, "a swap that keeps the rules");
  const [pa, pb, k, e, n] = asked;
  assert.equal(await officer.page.locator(`#requests tr[data-request="${n}"] button`).count(), 0, "an officer cannot decide");
  await officer.page.screenshot({ path: join(artifacts, "roster-swap-asked-zh.png"), fullPage: true });
  assert.deepEqual(officer.errors, []);
  await officer.context.close();

  const commander = await signedIn(app, "commander", "demo-commander-2026", "zh", "/roster");
  const page = commander.page;
  await ready(page);
  await page.locator(`#requests tr[data-request="${n}"] button.approve`).click();
  await page.locator(`#requests tr[data-request="${n}"]`).filter({ hasText: "已批准" }).waitFor();
  r = await rosterNow(page);
  const ia = r.body.people.findIndex((p) => p.id === pa.id), ib = r.body.people.findIndex((p) => p.id === pb.id);
  assert.deepEqual([r.body.assignment[ia][k], r.body.assignment[ib][k], r.body.assignment[ia][e], r.body.assignment[ib][e]], [null, 0, 0, null]);
  await page.locator("#history li.change.swap").first().waitFor();

  // A sick call: someone working day 3 of the first week is off sick that day; the roster is repaired.
  const sick = r.body.people.findIndex((p, i) => p.kind !== "auxiliary" && r.body.assignment[i][3] !== null);
  const person = r.body.people[sick];
  const shortBefore = r.body.shortfalls.filter((x) => x.day === 3).length;
  await page.locator(`tr[data-person="${person.id}"] button.cell[data-day="3"]`).click();
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.locator("#sick-send").click();
  await page.locator("#page-message").filter({ hasText: "已登记病假并调整" }).waitFor();
  await page.locator(`tr[data-person="${person.id}"] td.on-leave button.cell[data-day="3"]`).waitFor();
  r = await rosterNow(page);
  assert.equal(r.body.assignment[sick][3], null);
  assert.ok(r.body.shortfalls.filter((x) => x.day === 3).length <= shortBefore, "no shift left shorter than it was");
  assert.deepEqual(r.body.violations.filter((v) => !v.includes("minutes (from")), []);
  await page.locator("#history li.change.sick").first().waitFor();
  await page.screenshot({ path: join(artifacts, "roster-repaired-zh.png"), fullPage: true });
  assert.deepEqual(commander.errors, []);
  await commander.context.close();
});

test("a swap that would leave too little rest is said so in Chinese and in English", async () => {
  const officer = await signedIn(app, "officer", "demo-officer-2026", "zh", "/roster");
  await ready(officer.page);
  const r = await rosterNow(officer.page);
  const b = r.body;
  const code = (i, d) => (b.assignment[i][d] === null ? null : b.pattern[b.assignment[i][d]]);
  // A works the evening of day k; B is off that day and works the day shift of day k + 1:
  // given A's evening, B would start at 08:00 eight hours after finishing.
  const sworn = b.people.map((p, i) => [p, i]).filter(([p]) => p.kind !== "auxiliary");
  let pair = null;
  for (const [pa, a] of sworn) for (const [pb, bb] of sworn) for (let k = 0; k < 6 && !pair; k++) {
    if (a !== bb && code(a, k) === "evening" && code(bb, k) === null && code(bb, k + 1) === "day") pair = [pa, pb, k];
  }
  assert.ok(pair, "an evening to give to someone on days the next morning");
  const [pa, pb, k] = pair;
  await officer.page.locator(`tr[data-person="${pa.id}"] button.cell[data-day="${k}"]`).click();
  await officer.page.locator("#swap-with").selectOption(String(pb.id));
  await officer.page.locator("#swap-send").click();
  await officer.page.locator("#page-message").filter({ hasText: "已提交换班申请" }).waitFor();
  const stored = (await rosterNow(officer.page)).body.requests.at(-1);
  assert.equal(stored.keeps_rules, false);
  assert.ok(stored.breaches.some((x) => x.rule === "follows" && x.shift === "day" && x.after === "evening" && x.date === dayOf(r.first_day, k + 1)));
  const row = officer.page.locator(`#requests tr[data-request="${stored.n}"]`);
  assert.match(await row.locator("ul.breaches").textContent(), new RegExp(`${pb.badge}）：${dayOf(r.first_day, k + 1)} 的白班紧接在中班之后，休息不足`));
  assert.doesNotMatch(await row.textContent(), /may not follow|shifts in a row/);
  await officer.page.locator("#lang").click();
  await row.locator("ul.breaches").filter({ hasText: `(${pb.badge}): the Day shift on ${dayOf(r.first_day, k + 1)} comes straight after the Evening shift: too little rest` }).waitFor();
  assert.deepEqual(officer.errors, []);
  await officer.context.close();
});

test("the roster over the Spring Festival marks its public holidays and how they fall to each (zh)", async () => {
  // A draft over the 2026 Spring Festival (15–23 February off): its second week is all holiday.
  app.cli("roster", "build", "--station", "PS01", "--from", "2026-02-09", "--weeks", "4", "--seconds", "1");
  const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "zh", "/roster?station=PS01");
  await ready(page);
  // The newest roster is shown first; chosen again only if it is not (choosing reloads it).
  const option = await page.locator("#roster option").filter({ hasText: "2026-02-09" }).first().getAttribute("value");
  if ((await page.locator("#roster").inputValue()) !== option) await page.locator("#roster").selectOption(option);
  await page.locator("#week option").filter({ hasText: "2026-02-16" }).waitFor({ state: "attached" });
  await page.locator("#week").selectOption("1");
  await page.locator("#grid th.holiday button.day").filter({ hasText: /^02-22/ }).waitFor();
  const marked = await page.locator("#grid th.holiday button.day").allTextContents();
  assert.deepEqual(marked.map((x) => x.slice(0, 5)), ["02-16", "02-17", "02-18", "02-19", "02-20", "02-21", "02-22"]);
  assert.equal(await page.locator("#grid th.holiday .holiday-badge").first().textContent(), "节");
  assert.match(await page.locator("#holidays-sworn").textContent(), /^\d+–\d+民警 · 节假日班次（最少–最多）$/);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(artifacts, "roster-holidays-zh.png") });
  assert.deepEqual(errors, []);
  await context.close();
});

function dayOf(first, k) {
  const d = new Date(`${first}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + k);
  return d.toISOString().slice(0, 10);
}

test("the next shift's patrol sheet names each unit's crew and its round by area and road (zh), an officer's only their station (en)", async () => {
  const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "zh", "/");
  await ready(page);
  await page.locator("#patrol-sheet").click();
  await page.waitForURL(/\/sheet/);
  await ready(page);
  const unit = page.locator('section[data-station="PS01"] article.unit').first();
  await unit.waitFor();
  assert.match(await unit.locator("b").textContent(), /^鼓楼巡01 · PS01-car-1/);
  assert.match(await unit.textContent(), /组员：\S+（\d+）/);
  assert.match(await page.locator('section[data-station="PS01"] p').first().textContent(), /值班民警：\S+/);
  assert.ok(await unit.locator("ol.round li").count() > 0, "a round of visits");
  // Each leg names its road, read from the addresses of the incidents there.
  for (const leg of await page.locator('section[data-station="PS01"] ol.round li').allTextContents()) {
    assert.match(leg, /^\d\d:\d\d–\d\d:\d\d \S+ · \S+(路|街|大道)( ×\d+)?$/);
  }
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(artifacts, "patrol-sheet-zh.png"), fullPage: true });
  const csv = await page.evaluate(async () => (await fetch(document.querySelector("#csv").href)).text());
  assert.match(csv.split("\n")[0], /^station,call_sign,unit,members/);
  assert.ok(csv.includes("鼓楼巡01"));
  assert.deepEqual(errors, []);
  await context.close();

  const officer = await signedIn(app, "officer", "demo-officer-2026", "en", "/sheet");
  await ready(officer.page);
  assert.equal(await officer.page.locator("section.sheet-station").count(), 1);
  await officer.page.locator("section.sheet-station article.unit").first().waitFor();
  assert.deepEqual(await accessibilityProblems(officer.page), []);
  assert.deepEqual(officer.errors, []);
  await officer.context.close();
});

test("a commander raises 二级勤务 for a typhoon, reads who is on post and on standby, and lowers it (zh); an officer reads it in English", async () => {
  const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "zh", "/roster");
  await ready(page);
  const { today, rosters } = await page.evaluate(async () => ({
    today: (await (await fetch("/api/v1/duty")).json()).today,
    rosters: (await (await fetch("/api/v1/rosters?station=PS01")).json()).items,
  }));
  const [from, to] = [dayOf(today, 1), dayOf(today, 2)];
  // The demo's published roster from this Monday holds tomorrow.
  const target = rosters.find((r) => r.state === "published" && r.first_day <= from && to <= dayOf(r.first_day, r.days - 1));
  assert.ok(target, "a published roster over the next days");
  await page.locator("#roster").selectOption(String(target.id));
  // The dialog takes its days from the roster shown: wait until it is the one picked
  // (the newest, shown first, may not hold these days, and the form would refuse them).
  await page.locator(`#levels[data-roster="${target.id}"] li.muted`).filter({ hasText: "当前为正常勤务" }).waitFor();
  await page.locator("#raise-level").click();
  await page.locator("#level-code").selectOption("2");
  await page.locator("#level-from").fill(from);
  await page.locator("#level-to").fill(to);
  await page.locator("#level-reason").fill("台风“梅花”登陆");
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.locator("#level-send").click();
  // A refusal stays in the dialog: said in the failure, not only as a timeout.
  await page.locator("#page-message").filter({ hasText: "已提升为二级勤务" }).waitFor().catch(async (e) => {
    const invalid = await page.evaluate(() => [...document.querySelectorAll("dialog[open] :invalid")].map((f) => `${f.id}: ${f.validationMessage}`));
    throw new Error(`${e.message}\ndialog: ${await page.locator("dialog[open]").allTextContents()}\ninvalid: ${invalid}`);
  });
  assert.match(await page.locator("#levels li.raised").textContent(), new RegExp(`二级勤务：${from} 至 ${to} · 台风“梅花”登陆`));
  assert.ok(await page.locator("#grid thead th.level").count() >= 1, "the raised days are marked");
  const card = page.locator("#level-day");
  await card.waitFor();
  assert.match(await card.textContent(), /二级勤务在岗 \d+ 人（要求 \d+，可用 \d+）备勤人员：\S+/);
  const stored = await page.evaluate(async (id) => (await fetch(`/api/v1/rosters/${id}`)).json(), target.id);
  const level = stored.body.levels.find((l) => l.state === "raised");
  for (const d of level.days) {
    assert.ok(d.on_post >= d.on_post_wanted, JSON.stringify(d));
    assert.equal(d.standby.length, d.standby_wanted);
    assert.ok(d.standby_wanted > 0);
    const k = Math.round((new Date(`${d.day}T00:00:00Z`) - new Date(`${stored.first_day}T00:00:00Z`)) / 864e5);
    const row = (id) => stored.body.assignment[stored.body.people.findIndex((p) => p.id === id)];
    for (const id of d.standby) assert.equal(row(id)[k], null, "standby is not on a shift");
  }
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(artifacts, "roster-level-zh.png"), fullPage: true });
  assert.deepEqual(errors, []);

  // An officer reads it in English, without the commander's buttons.
  const officer = await signedIn(app, "officer", "demo-officer-2026", "en", `/roster?station=PS01`);
  await ready(officer.page);
  await officer.page.locator("#roster").selectOption(String(target.id));
  await officer.page.locator("#levels li.raised").filter({ hasText: "Level 2: half on post, half on standby" }).waitFor();
  assert.equal(await officer.page.locator("#raise-level").isHidden(), true);
  assert.equal(await officer.page.locator("#levels button.lower").count(), 0);
  assert.deepEqual(await accessibilityProblems(officer.page), []);
  assert.deepEqual(officer.errors, []);
  await officer.context.close();

  await page.locator("#levels li.raised button.lower").click();
  await page.locator("#page-message").filter({ hasText: "二级勤务已恢复正常" }).waitFor();
  await page.locator("#levels li.lowered").waitFor();
  assert.equal(await page.locator("#grid thead th.level").count(), 0);
  await page.locator("#history li.change.level_lowered").first().waitFor();

  // For the whole area at once: every station's published roster over those days.
  await page.locator("#raise-level").click();
  await page.locator("#level-code").selectOption("3");
  await page.locator("#level-from").fill(from);
  await page.locator("#level-to").fill(to);
  await page.locator("#level-reason").fill("台风“梅花”登陆");
  await page.locator("#level-all").check();
  await page.locator("#level-send").click();
  await page.locator("#page-message").filter({ hasText: /已在 \d+ 个派出所提升为三级勤务/ }).waitFor();
  const raisedAt = Number((await page.locator("#page-message").textContent()).match(/已在 (\d+) 个/)[1]);
  assert.ok(raisedAt >= 2, "more than the one station");
  await page.locator("#levels li.raised").filter({ hasText: "三级勤务" }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test("a commander builds the station's roster on 四班三运转: four teams on their cycle and the 机动 group on the peak (zh), read in English", async () => {
  const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "zh", "/roster");
  await ready(page);
  await page.locator("#roster-state b").waitFor();
  const names = await page.locator("#pattern option").allTextContents();
  assert.ok(names.includes("三班倒") && names.includes("四班三运转") && names.includes("24小时值班（做一休三）"), names.join("|"));
  await page.locator("#pattern").selectOption("four_team_three_shift");
  await page.locator("#weeks").fill("2");
  await page.locator("#build-roster").click();
  await page.locator("#page-message").filter({ hasText: "已生成排班草稿" }).waitFor({ timeout: 60000 });
  const full = await page.evaluate(async () => {
    const list = (await (await fetch("/api/v1/rosters?station=PS01")).json()).items;
    const newest = list.reduce((a, x) => (x.id > a.id ? x : a));
    return await (await fetch(`/api/v1/rosters/${newest.id}`)).json();
  });
  const b = full.body;
  assert.equal(b.duty_pattern, "four_team_three_shift");
  assert.deepEqual(b.violations, []);
  assert.equal(b.rotation.teams, 4);
  // Each team works its place in the cycle, two days behind the one before;
  // the cycle is dated, the roster's first day being its day `start`. A day
  // on leave (the sick call an earlier test recorded may fall in these
  // weeks) is off.
  b.rotation.team.forEach((k, i) => {
    if (k === null) return;
    const away = full.leave[b.people[i].id] ?? [];
    for (let d = 0; d < 14; d++) {
      if (away.includes(d)) {
        assert.equal(b.assignment[i][d], null, `person ${i} on leave day ${d}`);
        continue;
      }
      const s = b.assignment[i][d];
      assert.equal(s === null ? null : b.pattern[s], b.rotation.cycle[(b.rotation.start + d + 2 * k) % 8], `person ${i} day ${d}`);
    }
  });
  await page.locator("#roster-pattern b").filter({ hasText: "四班三运转" }).waitFor();
  assert.match(await page.locator("#roster-pattern").textContent(), /4 个班组轮转，每组 \d+ 个警组；机动 \d+ 人/);
  for (const badge of ["A组", "B组", "C组", "D组", "机动"]) {
    assert.ok(await page.locator("#grid .team-badge").filter({ hasText: badge }).count() > 0, badge);
  }
  // The peak shift's hours as the build placed them, with its crews from the 机动 group.
  const peakRow = page.locator("#grid tr.cover th").filter({ hasText: "高峰勤务" });
  assert.match(await peakRow.textContent(), /高峰勤务 \d\d:00–\d\d:00/);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(artifacts, "roster-rotation-zh.png"), fullPage: true });
  await page.locator("#lang").click();
  await page.locator("#roster-pattern b").filter({ hasText: "Four teams on three shifts" }).waitFor();
  assert.match(await page.locator("#roster-pattern").textContent(), /4 teams rotating, \d+ crews each; \d+ flexible/);
  assert.ok(await page.locator("#grid .team-badge").filter({ hasText: "Team A" }).count() > 0);
  assert.ok((await page.locator("#pattern option").allTextContents()).includes("Four teams on three shifts"));
  assert.deepEqual(errors, []);
  await context.close();
});

test("a commander records an officer's wish for two days off and another's to work a day, builds the roster and sees both granted (zh)", async () => {
  const { page, context, errors } = await signedIn(app, "commander", "demo-commander-2026", "zh", "/personnel");
  await ready(page);
  const { today } = await page.evaluate(async () => (await fetch("/api/v1/duty")).json());
  const day = (iso, n) => new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
  const weekdayOf = (iso) => (new Date(`${iso}T00:00:00Z`).getUTCDay() + 6) % 7;
  // The week after next: its Tuesday and Wednesday.
  const monday = day(today, 14 - weekdayOf(today));
  // Two officers of the station with no leave or wish that week.
  const [officer, keen] = await page.evaluate(async ([a, b]) => {
    const people = (await (await fetch("/api/v1/personnel?station=PS01")).json()).items;
    const leave = (await (await fetch("/api/v1/leave")).json()).items.filter((l) => !l.cancelled && l.last_day >= a && l.first_day <= b);
    return people.filter((p) => p.kind === "officer" && p.active && !p.leave_today && !leave.some((l) => l.person_id === p.id)).slice(0, 2);
  }, [day(monday, 0), day(monday, 6)]);
  await page.locator(`tr[data-badge="${officer.badge}"] button.leave`).click();
  await page.locator("#l-kind").selectOption("wish_off");
  assert.match(await page.locator("#l-kind option:checked").textContent(), /希望休息/);
  await page.locator("#l-first").fill(day(monday, 1));
  await page.locator("#l-last").fill(day(monday, 2));
  await page.locator("#leave-save").click();
  await page.locator("#leave tr[data-leave]").filter({ hasText: `(${officer.badge})` }).filter({ hasText: "希望休息" }).waitFor();
  // A wish is not leave: the roll still has them available today.
  assert.equal(await page.locator(`tr[data-badge="${officer.badge}"] td.today`).textContent(), "可排班");
  // The other wishes to work the Thursday (希望上班), whichever shift.
  await page.locator(`tr[data-badge="${keen.badge}"] button.leave`).click();
  await page.locator("#l-kind").selectOption("wish_on");
  assert.match(await page.locator("#l-kind option:checked").textContent(), /希望上班/);
  await page.locator("#l-first").fill(day(monday, 3));
  await page.locator("#l-last").fill(day(monday, 3));
  await page.locator("#leave-save").click();
  await page.locator("#leave tr[data-leave]").filter({ hasText: `(${keen.badge})` }).filter({ hasText: "希望上班" }).waitFor();

  await page.goto(`${app.base}/roster`);
  await ready(page);
  await page.locator("#first-day").fill(monday);
  await page.locator("#weeks").fill("1");
  await page.locator("#build-roster").click();
  await page.locator("#page-message").filter({ hasText: "已生成排班草稿" }).waitFor({ timeout: 60000 });
  // The card counts every wish of the week, the demo's own among them.
  const built = await page.evaluate(async () => {
    const list = (await (await fetch("/api/v1/rosters?station=PS01")).json()).items;
    return (await fetch(`/api/v1/rosters/${list[0].id}`)).json();
  });
  assert.equal(built.first_day, monday);
  assert.deepEqual(built.wishes_off[officer.id], [1, 2]);
  assert.deepEqual(built.wishes_on[keen.id], [3]);
  const { granted, wished } = built.wishes_granted;
  assert.ok(wished >= 3 && granted >= 3, JSON.stringify(built.wishes_granted));
  await page.locator("#roster-wishes b").filter({ hasText: `${granted}/${wished}` }).waitFor();
  assert.match(await page.locator("#roster-wishes").textContent(), /排班意愿/);
  for (const d of [1, 2]) {
    const cell = page.locator(`tr[data-person="${officer.id}"] td.wish-granted button.cell[data-day="${d}"]`);
    assert.match(await cell.getAttribute("aria-label"), /希望休息 · 已满足/);
  }
  const worked = page.locator(`tr[data-person="${keen.id}"] td.wish-granted.wish-work button.cell[data-day="3"]`);
  assert.match(await worked.getAttribute("aria-label"), /希望上班 · 已满足/);
  assert.deepEqual(errors, []);
  await context.close();
});
