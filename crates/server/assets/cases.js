// Case boards by stage (overdue first), a case with its history, parties
// (masked per role), attachments count and the actions the signed-in role
// may take now, with its ledger badge. Plain JavaScript, this server only.
"use strict";

const I18N = {
  zh: {
    title: "案件办理", show_closed: "含已办结", map: "态势图", lang: "EN", sign_in: "登录", username: "用户名", password: "密码",
    logout: "退出", login_failed: "用户名或密码错误", overdue: "超期", due: "期限", parties: "当事人", history: "办理经过",
    actions: "可办理", none: "暂无案件", reason: "说明（理由）：", assignee: "指派给：", department: "部门（空则按规则派遣）：",
    ledger_checking: "存证校验中…", ledger_ok: "已存证 ✓", ledger_bad: "存证校验失败 ✗", ledger_pending: "尚未存证",
    ledger_title: (r, sig) => `${r.record}：日志第 ${r.index} 条，浏览器已核对包含证明${sig ? "及签名" : ""}`,
  },
  en: {
    title: "Cases", show_closed: "Include closed", map: "Map", lang: "中文", sign_in: "Sign in", username: "User name",
    password: "Password", logout: "Sign out", login_failed: "Wrong user name or password", overdue: "overdue", due: "due",
    parties: "Parties", history: "History", actions: "Actions", none: "No cases", reason: "Reason / note:",
    assignee: "Assign to:", department: "Department (empty: by routing):",
    ledger_checking: "checking the ledger…", ledger_ok: "verified ✓", ledger_bad: "ledger check failed ✗",
    ledger_pending: "not in the ledger yet",
    ledger_title: (r, sig) => `${r.record}: entry ${r.index}; this browser checked its inclusion proof${sig ? " and signature" : ""}`,
  },
};
const $ = (id) => document.getElementById(id);
const state = { lang: pickLang(), types: [], type: null, code: null };
const t = (k) => I18N[state.lang][k];

function pickLang() {
  const q = new URLSearchParams(location.search).get("lang");
  if (q === "zh" || q === "en") return q;
  return localStorage.getItem("fq-lang") || ((navigator.language || "zh").toLowerCase().startsWith("zh") ? "zh" : "en");
}

function applyLang() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
  $("lang").textContent = t("lang");
}

const name = (x) => (state.lang === "zh" ? x.zh : x.en);
const when = (x) => (x ? new Date(x).toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB", { dateStyle: "short", timeStyle: "short" }) : "—");
const typeDef = () => state.types.find((x) => x.code === state.type);

function tabs() {
  const nav = $("types");
  nav.innerHTML = "";
  for (const ty of state.types) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = name(ty);
    b.dataset.type = ty.code;
    b.className = ty.code === state.type ? "tab active" : "tab";
    b.onclick = () => { state.type = ty.code; state.code = null; render(); };
    nav.appendChild(b);
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
    const col = document.createElement("div");
    col.className = "column";
    col.dataset.stage = stage.code;
    const h = document.createElement("h3");
    h.textContent = `${name(stage)} (${cards.length})`;
    col.appendChild(h);
    for (const c of cards) {
      const card = document.createElement("button");
      card.type = "button";
      card.className = c.overdue ? "card case overdue" : "card case";
      card.dataset.code = c.code;
      card.innerHTML = `<b></b><span></span><small></small>`;
      card.children[0].textContent = c.title;
      card.children[1].textContent = c.code;
      card.children[2].textContent = `${t("due")} ${when(c.due_at)}${c.overdue ? " · " + t("overdue") : ""}`;
      card.onclick = () => { state.code = c.code; detail(); };
      col.appendChild(card);
    }
    b.appendChild(col);
  }
}

async function detail() {
  const d = $("detail");
  if (!state.code) { d.hidden = true; return; }
  const v = await api(`/api/v1/cases/${encodeURIComponent(state.code)}`);
  const ty = state.types.find((x) => x.code === v.case.case_type);
  const stageName = (code) => { const s = ty && ty.stages.find((x) => x.code === code); return s ? name(s) : code; };
  d.hidden = false;
  d.innerHTML = "";
  const h = document.createElement("h2");
  h.textContent = `${v.case.code} · ${v.case.title}`;
  d.appendChild(h);
  const meta = document.createElement("p");
  meta.id = "case-stage";
  meta.dataset.stage = v.case.state.stage;
  meta.textContent = `${stageName(v.case.state.stage)} · ${t("due")} ${when(v.case.state.due_at)}${v.overdue ? " · " + t("overdue") : ""}`
    + (v.case.state.department ? ` · ${v.case.state.department}` : "") + (v.case.state.assignee ? ` · ${v.case.state.assignee}` : "");
  d.appendChild(meta);
  ledgerBadge(meta, v.ledger_record);
  if (v.case.parties.length) {
    const p = document.createElement("p");
    p.className = "parties";
    p.textContent = `${t("parties")}: ` + v.case.parties.map((x) => `${x.name}${x.phone ? " " + x.phone : ""}`).join("; ");
    d.appendChild(p);
  }
  const acts = document.createElement("div");
  acts.className = "actions";
  for (const a of v.actions) {
    const def = ty.actions.find((x) => x.name === a);
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.action = a;
    b.textContent = a;
    b.onclick = async () => {
      const body = { action: a, version: v.case.state.version };
      if (def.needs_reason) { const r = prompt(t("reason")); if (r === null) return; body.reason = r; }
      if (def.effect === "assign") { const r = prompt(t("assignee")); if (r === null) return; body.assignee = r; }
      try { await change(`/api/v1/cases/${encodeURIComponent(v.case.code)}/actions`, body); }
      catch (e) { alert(e.message); }
      await render();
    };
    acts.appendChild(b);
  }
  d.appendChild(acts);
  const h3 = document.createElement("h3");
  h3.textContent = t("history");
  d.appendChild(h3);
  const ol = document.createElement("ol");
  ol.className = "timeline";
  for (const e of v.events) {
    const li = document.createElement("li");
    li.textContent = `${when(e.at)} ${e.action} → ${stageName(e.to_stage)} · ${e.actor}${e.reason ? " · " + e.reason : ""}`;
    ol.appendChild(li);
  }
  d.appendChild(ol);
}

async function render() {
  applyLang();
  tabs();
  await board();
  await detail();
}

async function init() {
  $("logout").onclick = signOut;
  $("lang").onclick = () => { state.lang = state.lang === "zh" ? "en" : "zh"; localStorage.setItem("fq-lang", state.lang); render(); };
  $("closed").onchange = () => render();
  const me = await api("/api/v1/me");
  showUser(me.user);
  state.types = (await api("/api/v1/case-types")).types;
  state.type = new URLSearchParams(location.search).get("type") || state.types[0].code;
  state.code = new URLSearchParams(location.search).get("case");
  await render();
}

init().catch((e) => { $("board").textContent = e.message; });
