// Cases: boards by stage (overdue first) at /cases, and at /inbox a
// department's list of the tasks routed to it, by deadline. A case shows its
// history, masked parties, mediation sessions, the departments' tasks,
// attachments, the actions the signed-in role may take now, and its ledger
// badge. Plain JavaScript, this server only.
"use strict";

const I18N = {
  zh: {
    title: "案件办理", inbox_title: "部门待办", show_closed: "含已办结", overdue: "超期", due: "期限", parties: "当事人",
    types_label: "案件类型",
    calendar_gap: (ys) => `工作日历中没有 ${ys.join("、")} 年的法定节假日安排：期限只避开了周末，可能落在节假日，请核对。`,
    history: "办理经过", actions: "可办理", none: "暂无案件", reason: "说明（理由）", assignee: "指派给：",
    department: "部门", sessions: "调解会议", tasks: "部门任务", attachments: "附件", lead: "主办", joint: "协办",
    no_sessions: "尚无调解会议", no_attachments: "无附件", code: "编号", case_title: "事项", stage: "环节", left: "剩余",
    type: "类型", risk: "风险等级", stage_due: "本环节期限", hours: (n) => `${n} 小时`, days: (n) => `${n} 天`, minutes: (n) => `${n} 分钟`,
    stage_left: (when, left) => `本环节期限 ${when}（${left.startsWith("−") ? `已超时 ${left.slice(1)}` : `剩余 ${left}`}）`, call: "拨打",
    all_departments: "全部部门", what: "事由", where: "地点", category: "类别", pin: "位置", stock: "存量隐患", new_hazard: "新增隐患",
    grades: { low: "低", medium: "中", high: "高", critical: "极高" }, points: (n) => `${n} 分`,
    choose_mediator: "选择调解员", mediator_load: (n) => `在办 ${n} 件`, ok: "确定", cancel: "取消",
    kinds: { officer: "民警", volunteer: "志愿调解员", studio: "调解工作室", village_committee: "村（居）调委会", judicial: "司法所" },
    system_reasons: { "deadline passed": "已超过办理期限" }, escalations: "民转刑预警", escalation: (at, cat) => `${at} 发生${cat}警情`, system: "系统",
    new_case: "新建案件", source: "来源", from_incident: (id) => `110 警情 #${id}`, add_files: "添加附件", upload: "上传", uploaded: "已上传",
    act: {
      open: "受理", assist: "协办反馈", agree: "达成协议", approve_extension: "批准延期", assign: "指派", close: "办结", defer: "缓办", dispatch: "派遣",
      escalate: "上报", fail: "调解不成", list: "列入挂账", rate: "评价", publish: "公开描述", reassign: "改派", refer: "移交", register: "登记",
      reject: "不予受理", report: "办结反馈", request_extension: "申请延期", resume: "恢复办理", return: "退回",
      rework: "返工", session: "调解会议", start: "开始办理", supervise: "督办", verify: "核查通过", visit: "回访", warn: "已告知邻里",
      dissuade: "登记劝阻结果", unreachable: "联系不上，转上门", not_found: "上门未见到本人", answer: "登记回访结果", unreached: "多次联系不上",
    },
  },
  en: {
    title: "Cases", inbox_title: "Department inbox", show_closed: "Include closed", overdue: "overdue", due: "due",
    types_label: "Case types",
    calendar_gap: (ys) => `No public holidays are on file for ${ys.join(", ")}: the deadline skips weekends only and may fall on a holiday; check it.`,
    parties: "Parties", history: "History", actions: "Actions", none: "No cases", reason: "Reason / note",
    assignee: "Assign to:", department: "Department", sessions: "Mediation sessions", tasks: "Department tasks",
    attachments: "Attachments", lead: "lead", joint: "joint", no_sessions: "No sessions yet", no_attachments: "No attachments",
    code: "Code", case_title: "Matter", stage: "Stage", left: "Left", type: "Type", risk: "Risk", stage_due: "Stage due",
    minutes: (n) => `${n} min`, stage_left: (when, left) => `This stage due ${when} (${left.startsWith("−") ? `${left.slice(1)} late` : `${left} left`})`, call: "Call",
    hours: (n) => `${n} h`, days: (n) => `${n} d`, all_departments: "All departments",
    what: "What", where: "Where", category: "Category", pin: "Position", stock: "Existing hazard", new_hazard: "New hazard",
    grades: { low: "low", medium: "medium", high: "high", critical: "critical" }, points: (n) => `${n} points`,
    choose_mediator: "Choose a mediator", mediator_load: (n) => `${n} open`, ok: "OK", cancel: "Cancel",
    kinds: { officer: "police officer", volunteer: "volunteer mediator", studio: "mediation studio", village_committee: "village committee", judicial: "judicial office" },
    system_reasons: {}, escalations: "Escalation warnings (民转刑)", escalation: (at, cat) => `${cat} incident on ${at}`, system: "system",
    new_case: "New case", source: "Source", from_incident: (id) => `110 incident #${id}`, add_files: "Add files", upload: "Upload", uploaded: "uploaded",
    act: {
      open: "Opened", assist: "Report on our part", agree: "Agreement", approve_extension: "Approve extension", assign: "Assign", close: "Close", defer: "Defer",
      dispatch: "Dispatch", escalate: "Escalate", fail: "Mediation failed", list: "List long-term", rate: "Rate", publish: "Publish description",
      reassign: "Reassign", refer: "Refer", register: "Register", reject: "Reject", report: "Report done",
      request_extension: "Request extension", resume: "Resume", return: "Return", rework: "Rework",
      session: "Session", start: "Start", supervise: "Supervise", verify: "Verify", visit: "Follow-up visit", warn: "Neighbours warned",
      dissuade: "Record how it ended", unreachable: "Unreachable: go round", not_found: "Not found at home", answer: "Record the answers", unreached: "Not reached",
    },
  },
};
const INBOX = location.pathname === "/inbox";
const state = { lang: pickLang(), types: [], departments: [], mediators: [], type: null, code: null, me: null, department: null };

// The mediator pool for a case in `area`: those serving it (or everywhere),
// least loaded first, with their workload; resolves to a name or null.
function chooseMediator(area) {
  const pool = state.mediators
    .filter((m) => !m.areas.length || m.areas.some((a) => (area || "").startsWith(a)))
    .slice().sort((x, y) => x.open_cases - y.open_cases || x.name.localeCompare(y.name));
  return new Promise((resolve) => {
    const select = h("select", { id: "mediator", "aria-label": t("choose_mediator") },
      pool.map((m) => h("option", { value: m.name }, `${m.name} · ${t("kinds")[m.kind] || m.kind} · ${t("mediator_load")(m.open_cases)}`)));
    const dialog = h("dialog", { id: "mediator-dialog", "aria-labelledby": "mediator-title" },
      h("h2", { id: "mediator-title" }, t("choose_mediator")), select,
      h("div", { class: "actions" },
        h("button", { type: "button", id: "mediator-ok", onclick: () => { dialog.close(); dialog.remove(); resolve(select.value || null); } }, t("ok")),
        h("button", { type: "button", onclick: () => { dialog.close(); dialog.remove(); resolve(null); } }, t("cancel"))));
    document.body.append(dialog);
    dialog.showModal();
  });
}

/// A small map of where the case is, under its facts (the public map's
/// areas, fetched once a page); nothing when the pin lies off the map.
async function placeMap(panel, at, address) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  for (const [k, v] of [["id", "case-place-map"], ["viewBox", "0 0 300 200"], ["role", "img"], ["aria-label", `${t("where")}${colon()}${address || t("pin")}`]]) svg.setAttribute(k, v);
  const facts = panel.querySelector("#case-facts");
  facts.after(svg);
  const map = state.publicMap || (state.publicMap = await api("/api/v1/public/map"));
  if (!MapView.placeMap(svg, map.features, at, map.tiles, state.lang)) svg.remove();
}

/// The reason an action needs, asked in a dialog of the page's language;
/// resolves to the text, or null if cancelled.
function reasonDialog(action) {
  return new Promise((resolve) => {
    const text = h("textarea", { id: "reason-text", rows: 3, required: true, maxlength: 1000 });
    const dialog = h("dialog", { id: "reason-dialog", class: "form-dialog", "aria-labelledby": "reason-title" },
      h("form", { method: "dialog" },
        h("h2", { id: "reason-title" }, action),
        h("label", {}, h("span", {}, t("reason")), text),
        h("div", { class: "actions" },
          h("button", { type: "submit", id: "reason-ok" }, t("ok")),
          h("button", { type: "button", onclick: () => { dialog.close(); dialog.remove(); resolve(null); } }, t("cancel")))));
    dialog.querySelector("form").onsubmit = (ev) => {
      ev.preventDefault();
      if (!text.value.trim()) return;
      dialog.close();
      dialog.remove();
      resolve(text.value.trim());
    };
    document.body.append(dialog);
    dialog.showModal();
  });
}

const typeDef = (code) => state.types.find((x) => x.code === (code || state.type));
const actionName = (a) => t("act")[a] || a;
const deptName = (code) => { const d = state.departments.find((x) => x.code === code); return d ? nameOf(d) : code; };

// Time left until `due` in words, negative when overdue.
function left(due) {
  const ms = Date.parse(due) - Date.now();
  const hrs = Math.round(Math.abs(ms) / 36e5);
  // Minutes where the deadline is minutes away (an anti-fraud call).
  const text = Math.abs(ms) < 36e5 ? t("minutes")(Math.round(Math.abs(ms) / 6e4)) : hrs >= 48 ? t("days")(Math.round(hrs / 24)) : t("hours")(hrs);
  return ms < 0 ? `−${text}` : text;
}

function tabs() {
  if (INBOX) return;
  const nav = $("types");
  nav.innerHTML = "";
  for (const ty of state.types) {
    nav.append(h("button", {
      type: "button", "data-type": ty.code, class: ty.code === state.type ? "tab active" : "tab",
      "aria-pressed": String(ty.code === state.type),
      onclick: () => { state.type = ty.code; state.code = null; render(); },
    }, nameOf(ty)));
  }
}

async function board() {
  const ty = typeDef();
  const data = await api("/api/v1/cases", { type: state.type, open: $("closed").checked ? "" : "true", limit: 500 });
  const b = $("board");
  b.innerHTML = "";
  if (!data.items.length) { b.textContent = t("none"); return; }
  for (const stage of ty.stages) {
    const cards = data.items.filter((c) => c.stage === stage.code);
    if (!cards.length) continue;
    const col = h("div", { class: "column", "data-stage": stage.code }, h("h3", {}, `${nameOf(stage)} (${cards.length})`));
    for (const c of cards) {
      col.append(h("button", {
        type: "button", class: c.overdue ? "card case overdue" : "card case", "data-code": c.code,
        onclick: () => { state.code = c.code; detail(); },
      }, h("b", {}, c.title), h("span", {}, c.code),
      h("small", {}, `${t("due")} ${when(c.due_at)}${c.overdue ? " · " + t("overdue") : ""}`)));
    }
    b.append(col);
  }
}

// The department's tasks, soonest deadline first; overdue ones on top.
async function inbox() {
  const data = await api("/api/v1/cases", { department: state.department, open: $("closed").checked ? "" : "true", limit: 500 });
  const b = $("board");
  b.innerHTML = "";
  const items = data.items.slice().sort((x, y) => (y.overdue - x.overdue) || Date.parse(x.stage_due_at || x.due_at) - Date.parse(y.stage_due_at || y.due_at));
  if (!items.length) { b.textContent = t("none"); return; }
  const stageName = (c) => { const s = typeDef(c.type).stages.find((x) => x.code === c.stage); return s ? nameOf(s) : c.stage; };
  const rows = items.map((c) => h("tr", {
    class: c.overdue ? "row overdue" : "row", tabindex: "0", "data-code": c.code, "aria-selected": String(c.code === state.code),
    onclick: () => { state.code = c.code; inbox(); detail(); },
    onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); state.code = c.code; inbox(); detail(); } },
  },
  h("td", {}, c.code), h("td", {}, c.title), h("td", {}, nameOf(typeDef(c.type))), h("td", {}, stageName(c)),
  h("td", {}, when(c.stage_due_at || c.due_at)),
  h("td", { class: "n" }, h("span", { class: c.overdue ? "tag late" : "tag" }, left(c.stage_due_at || c.due_at))),
  h("td", {}, c.department ? deptName(c.department) : "—",
    state.department && c.department !== state.department ? h("span", { class: "tag" }, t("joint")) : null)));
  b.append(h("table", { class: "list", id: "inbox-table" },
    h("thead", {}, h("tr", {}, [t("code"), t("case_title"), t("type"), t("stage"), t("stage_due"), t("left"), t("department")].map((x, i) => h("th", { class: i === 5 ? "n" : null, scope: "col" }, x)))),
    h("tbody", {}, rows)));
}

async function detail() {
  const d = $("detail");
  if (!state.code) { d.hidden = true; return; }
  const v = await api(`/api/v1/cases/${encodeURIComponent(state.code)}`);
  const ty = typeDef(v.case.case_type);
  const stageName = (code) => { const s = ty && ty.stages.find((x) => x.code === code); return s ? nameOf(s) : code; };
  const st = v.case.state;
  d.hidden = false;
  d.innerHTML = "";
  d.append(h("h2", {}, `${v.case.code} · ${v.case.title}`));
  const meta = h("p", { id: "case-stage", "data-stage": st.stage },
    `${stageName(st.stage)} · ${t("due")} ${when(st.due_at)}${v.overdue ? " · " + t("overdue") : ""}`
    + (st.department ? ` · ${deptName(st.department)}` : "") + (st.assignee ? ` · ${st.assignee}` : ""));
  d.append(meta);
  if (st.stage_due_at && !st.closed_at) {
    d.append(h("p", { id: "case-stage-due", class: Date.parse(st.stage_due_at) < Date.now() ? "warning" : null }, t("stage_left")(when(st.stage_due_at), left(st.stage_due_at))));
  }
  if ((v.calendar_gaps || []).length) d.append(h("p", { class: "warning", id: "calendar-warning", role: "note" }, t("calendar_gap")(v.calendar_gaps)));
  ledgerBadge(meta, v.ledger_record);
  // What and where: the category, the description, the address and the pin.
  const category = (ty && ty.category_names && ty.category_names[v.case.category]) || null;
  const what = [category ? (state.lang === "zh" ? category[0] : category[1]) : v.case.category];
  if (v.case.case_type === "hazard" && v.case.stock !== null && v.case.stock !== undefined) what.push(t(v.case.stock ? "stock" : "new_hazard"));
  d.append(h("dl", { class: "facts", id: "case-facts" },
    h("dt", {}, t("what")), h("dd", { id: "case-what" }, what.join(" · "), v.case.description ? h("p", { class: "description" }, v.case.description) : null),
    v.case.address || v.case.lon !== null && v.case.lon !== undefined ? [h("dt", {}, t("where")), h("dd", { id: "case-where" },
      v.case.address || "", v.case.lon !== null && v.case.lon !== undefined ? ` (${t("pin")} ${Number(v.case.lon).toFixed(4)}, ${Number(v.case.lat).toFixed(4)})` : "")] : null,
    v.case.incident_id ? [h("dt", {}, t("source")), h("dd", { id: "case-source" },
      h("a", { href: `/incidents?incident=${v.case.incident_id}` }, t("from_incident")(v.case.incident_id)))] : null));
  if (v.case.lon !== null && v.case.lon !== undefined) placeMap(d, [v.case.lon, v.case.lat], v.case.address);
  if (v.case.risk) {
    const grade = t("grades")[v.case.risk.grade] || v.case.risk.grade;
    d.append(h("p", { class: "risk", id: "case-risk", "data-grade": v.case.risk.grade }, `${t("risk")}: ${grade} (${t("points")(v.case.risk.points)})`
      + (v.case.risk.reasons.length ? " · " + v.case.risk.reasons.map((r) => nameOf(r)).join(state.lang === "zh" ? "；" : "; ") : "")));
  }
  const escalations = (v.escalations || []).filter((x) => x.incident_id !== v.case.incident_id);
  if (escalations.length) {
    d.append(h("h3", {}, t("escalations")));
    d.append(h("ul", { class: "escalations", id: "case-escalations" }, escalations.map((x) => h("li", {},
      `${t("escalation")(when(x.occurred_at), (state.lang === "zh" ? x.category_zh : x.category_en) || x.category)} · ${bilingual(x.reason)}`))));
  }
  if (v.case.parties.length) {
    // A number in full is a link to call it (an officer on a phone calls from the page).
    const phone = (x) => (x.phone && !x.phone.includes("*")
      ? [" ", h("a", { href: `tel:${x.phone.replace(/[\s-]/g, "")}`, class: "tel", "aria-label": `${t("call")} ${x.name} ${x.phone}` }, x.phone)]
      : [x.phone ? ` ${x.phone}` : ""]);
    d.append(h("p", { class: "parties", id: "case-parties" }, `${t("parties")}: `,
      v.case.parties.flatMap((x, i) => [i ? "; " : "", x.name, ...phone(x)])));
  }
  const acts = h("div", { class: "actions", role: "group", "aria-label": t("actions") });
  for (const a of v.actions) {
    const def = ty.actions.find((x) => x.name === a);
    acts.append(h("button", {
      type: "button", "data-action": a,
      onclick: async () => {
        const body = { action: a, version: st.version };
        if (["session", "agree", "visit", "warn", "dissuade", "answer"].includes(def.effect)) {
          // Minutes, terms or an outcome, as a form; the reason is their summary.
          const r = await recordForm(def.effect, v.case.parties);
          if (r === null) return;
          Object.assign(body, r);
        } else if (def.needs_reason) { const r = await reasonDialog(actionName(a)); if (r === null) return; body.reason = r; }
        if (def.effect === "assign") {
          const r = state.mediators.length ? await chooseMediator(v.case.jurisdiction) : prompt(t("assignee"));
          if (r === null) return;
          body.assignee = r;
        }
        try { await change(`/api/v1/cases/${encodeURIComponent(v.case.code)}/actions`, body); } catch (e) { alert(problem(e)); }
        if (def.effect === "assign") state.mediators = (await api("/api/v1/case-types")).mediators || [];
        await render();
      },
    }, actionName(a)));
  }
  d.append(acts);
  // Departments' tasks: the lead and any joint departments, with the stage deadline.
  if (st.department || (st.co_departments || []).length) {
    d.append(h("h3", {}, t("tasks")));
    d.append(h("ul", { class: "tasks" },
      st.department ? h("li", {}, `${deptName(st.department)} (${t("lead")}) · ${t("stage_due")} ${when(st.stage_due_at || st.due_at)}`) : null,
      (st.co_departments || []).map((x) => h("li", {}, `${deptName(x)} (${t("joint")})`))));
  }
  // A round of warnings: how many households were told, and how.
  const warned = v.events.filter((e) => e.action === "warn" && e.details);
  if (warned.length) {
    d.append(h("h3", {}, mt("warn")));
    d.append(h("ul", { id: "case-warnings" }, warned.map((e) => h("li", {}, `${when(e.at)} · ${recordText(e)} · `, actorOf(e.actor)))));
  }
  // An anti-fraud warning: how reaching the person ended.
  const dissuaded = v.events.filter((e) => e.action === "dissuade" && e.details);
  if (dissuaded.length) {
    d.append(h("h3", {}, mt("dissuade")));
    d.append(h("ul", { id: "case-dissuasion" }, dissuaded.map((e) => h("li", {}, `${when(e.at)} · ${recordText(e)} · `, actorOf(e.actor)))));
  }
  if (v.case.case_type === "dispute") {
    const sessions = v.events.filter((e) => ["session", "agree", "fail", "visit"].includes(e.action));
    d.append(h("h3", {}, t("sessions")));
    d.append(sessions.length
      ? h("ol", { class: "sessions", id: "case-sessions" }, sessions.map((e) => h("li", { "data-action": e.action },
        h("b", {}, actionName(e.action)), ` · ${recordText(e)} · `, actorOf(e.actor))))
      : h("p", { class: "muted" }, t("no_sessions")));
    if (v.events.some((e) => e.action === "agree")) {
      d.append(h("p", {}, h("a", { class: "button", id: "print-agreement", href: `/agreement?case=${encodeURIComponent(v.case.code)}`, target: "_blank" }, mt("print"))));
    }
  }
  d.append(h("h3", {}, t("attachments")));
  d.append(v.attachments && v.attachments.length
    ? h("ul", { class: "attachments" }, v.attachments.map((a) => h("li", {},
      a.media_type.startsWith("image/") && a.url ? h("a", { href: a.url, target: "_blank" }, a.file_name) : a.file_name,
      ` · ${(a.size / 1024).toFixed(0)} KB · ${a.added_by} · ${when(a.added_at)} · `, h("code", { title: a.sha256 }, a.sha256.slice(0, 12)))))
    : h("p", { class: "muted" }, t("no_attachments")));
  if (!st.closed_at && state.me.permissions.includes("cases.write")) {
    // Photos before and after, signed papers: added while the case is open.
    const input = h("input", { type: "file", id: "case-files", multiple: true, accept: "image/jpeg,image/png,image/webp,application/pdf", "aria-label": t("add_files") });
    const note = h("span", { id: "case-files-note", role: "status" });
    d.append(h("div", { class: "inline" }, input, h("button", {
      type: "button", id: "case-upload",
      onclick: async () => {
        for (const f of input.files) {
          try { await upload(`/api/v1/cases/${encodeURIComponent(v.case.code)}/attachments?name=${encodeURIComponent(f.name)}`, f); } catch (e) { note.textContent = `${f.name}: ${problem(e)}`; return; }
        }
        await detail();
      },
    }, t("upload")), note));
  }
  d.append(h("h3", {}, t("history")));
  // In words: what was done, to which stage, by whom (the system's own steps named as such).
  d.append(h("ol", { class: "timeline" }, v.events.map((e) => h("li", {},
    `${when(e.at)} ${actionName(e.action)} → ${stageName(e.to_stage)} · `, actorOf(e.actor),
    e.details ? ` · ${recordText(e)}` : e.reason ? ` · ${(t("system_reasons") || {})[e.reason] || e.reason}` : ""))));
}

/// Who acted: the account's name as it is (data) and its role in the page's
/// language ("demo:officer" → demo（社区民警）); the system as such.
function actorOf(a) {
  if (!a) return "";
  const [user, role] = a.split(":");
  if (user === "system") return t("system");
  if (!role) return h("span", { translate: "no" }, user);
  return h("span", {}, h("span", { translate: "no" }, user), state.lang === "zh" ? `（${roleName(role)}）` : ` (${roleName(role)})`);
}

async function render() {
  applyLang();
  $("types").setAttribute("aria-label", t("types_label"));
  if (INBOX) document.querySelector("[data-i18n=title]").textContent = t("inbox_title");
  tabs();
  await (INBOX ? inbox() : board());
  await detail();
}

async function init() {
  $("closed").onchange = () => render();
  const me = await startPage(() => render());
  const types = await api("/api/v1/case-types");
  state.caseTypes = types;
  state.types = types.types;
  state.departments = types.departments;
  state.mediators = types.mediators || [];
  state.timezone = types.timezone;
  const q = new URLSearchParams(location.search);
  state.type = q.get("type") || state.types[0].code;
  state.code = q.get("case");
  if (INBOX) {
    state.department = (me.user && me.user.department) || q.get("department") || null;
    if (!(me.user && me.user.department)) {
      // Those who see every department choose one.
      const sel = h("select", { id: "department", "aria-label": t("department") },
        h("option", { value: "" }, t("all_departments")),
        state.departments.map((x) => h("option", { value: x.code, selected: x.code === state.department }, nameOf(x))));
      sel.onchange = () => { state.department = sel.value || null; state.code = null; render(); };
      $("types").append(sel);
    }
  }
  if (!INBOX && openableTypes().length) {
    const button = h("button", { type: "button", id: "new-case", "data-i18n": "new_case", onclick: () => newCase(state.type) }, t("new_case"));
    $("types").after(button);
  }
  await render();
  if (q.get("new")) {
    // Opened from an incident's page: its time, place and category carried over.
    const id = q.get("incident");
    let incident = null;
    if (id) {
      const [v, cats] = await Promise.all([api(`/api/v1/incidents/${encodeURIComponent(id)}`), api("/api/v1/categories")]);
      incident = v.incident;
      const c = cats.items.find((x) => x.code === incident.category);
      incident.category_name = c ? nameOf(c) : incident.category;
    }
    ready();
    await newCase(q.get("new"), incident);
    return;
  }
  ready();
}

async function newCase(type, incident) {
  const opened = await openCaseForm(type, incident);
  if (!opened) return;
  state.type = opened.type;
  state.code = opened.code;
  history.replaceState(null, "", `/cases?type=${opened.type}&case=${encodeURIComponent(opened.code)}`);
  await render();
}

init().catch((e) => { $("board").textContent = e.message; });
