// Shared by the signed-in pages: the header (the pages the role may open,
// the language switch, who is signed in), the sign-in dialog, API calls that
// sign in on a 401 (the session cookie is HttpOnly; the CSRF token for
// changes is kept for this tab only), the language, and the ledger badge.
// Each page defines `state` (with `lang`) and may define `I18N` with its
// own words; `t(key)` looks there first, then here.
"use strict";

const COMMON_I18N = {
  zh: {
    role_names: {
      admin: "系统管理员", analyst: "情报分析员", commander: "值班指挥员", officer: "社区民警", department: "职能部门",
      mediator: "调解员", volunteer: "平安志愿者", leader: "领导", citizen: "群众", witness: "见证方", system: "系统",
    },
    nav_label: "页面",
    lang: "EN", sign_in: "登录", username: "用户名", password: "密码", logout: "退出", login_failed: "用户名或密码错误，或账号已锁定、停用",
    set_password: "设置新密码", set_password_why: "这是一次性密码，请先设置您自己的密码（至少 10 位）。", new_password: "新密码",
    new_password_again: "再次输入新密码", password_mismatch: "两次输入的新密码不一致", save: "保存",
    change_password: "修改密码", change_password_why: "输入当前密码和新密码（至少 10 位）；修改后其他已登录的设备需重新登录。", current_password: "当前密码", cancel: "取消",
    nav_map: "指挥中心", nav_incidents: "警情", nav_cases: "案件", nav_inbox: "部门待办", nav_volunteers: "志愿者",
    nav_dashboard: "领导驾驶舱", nav_public: "群众诉求", nav_users: "用户管理", nav_personnel: "警力", nav_roster: "排班", nav_staffing: "警力需求", nav_prevention: "防范", nav_fraud: "反诈预警", nav_imports: "导入警情", loading: "加载中…", none: "暂无数据",
    ledger_checking: "存证校验中…", ledger_ok: "已存证 ✓", ledger_bad: "存证校验失败 ✗", ledger_pending: "尚未存证",
    missing_data: {
      recent_incidents: (d) => `数据集“${d.dataset}”的警情只到 ${when(d.last_incident)}，离所求时段（${when(d.window_start)} 起）太远：请先导入新近的警情。`,
    },
    errors: {
      invalid_input: "填写的内容有误，请核对", invalid_parameter: "填写的内容有误，请核对", invalid_body: "提交的内容格式不正确",
      unknown: "所选类型或类别不在配置中", invalid: "办理信息不完整（如需填写说明）", not_found: "未找到该记录，或您无权查看",
      conflict: "该记录刚被他人修改，请刷新后重试", wrong_stage: "案件当前环节不能进行此操作", closed: "案件已办结，不能再修改",
      out_of_scope: "所选地点或记录超出您的辖区或部门范围", forbidden: "您的角色无权进行此操作",
      unsupported_media_type: "文件类型不支持：仅限 JPEG、PNG、WebP 照片和 PDF 文件", too_many_photos: "附件数量已达上限",
      payload_too_large: "文件太大", wrong_password: "当前密码不正确", busy: "系统繁忙，请稍后再试", throttled: "尝试次数过多，请稍后再试",
      unavailable: "服务器暂时无法办理此事", database_unavailable: "数据库暂时无法访问，请稍后再试", internal: "系统出错，已记录，请联系管理员",
    },
    fields: { new: "新密码", title: "事项", name: "姓名", phone: "电话", id_number: "证件号码", id_type: "证件类型", role: "身份", lon: "位置", lat: "位置", address: "地址", incident_id: "警情" },
    party_n: (n) => `第 ${n} 位当事人的`,
    weak: { too_short: "新密码至少需要 10 位", contains_username: "新密码不能包含用户名", repeated: "新密码不能是同一字符的重复" },
    ledger_title: (r, sig) => `${r.record}：日志第 ${r.index} 条，已由本浏览器核对包含证明至签名检查点（${r.size} 条）${sig ? "及其签名" : "；本浏览器无法核对 Ed25519 签名"}；服务器核对记录与承诺一致。`,
  },
  en: {
    missing_data: {
      recent_incidents: (d) => `The incidents of dataset “${d.dataset}” stop at ${when(d.last_incident)}, too long before the window asked for (from ${when(d.window_start)}): import recent incidents first.`,
    },
    role_names: {
      admin: "Administrator", analyst: "Analyst", commander: "Duty commander", officer: "Community officer", department: "Department",
      mediator: "Mediator", volunteer: "Volunteer", leader: "Leader", citizen: "Citizen", witness: "Witness", system: "System",
    },
    nav_label: "Pages",
    lang: "中文", sign_in: "Sign in", username: "User name", password: "Password", logout: "Sign out",
    login_failed: "Wrong user name or password, or the account is locked or disabled",
    set_password: "Set a new password", set_password_why: "This is a one-time password: set your own first (at least 10 characters).",
    new_password: "New password", new_password_again: "New password again", password_mismatch: "The two new passwords differ", save: "Save",
    change_password: "Change password", change_password_why: "Your current password, then the new one (at least 10 characters); other signed-in devices must sign in again.", current_password: "Current password", cancel: "Cancel", nav_map: "Command centre", nav_incidents: "Incidents", nav_cases: "Cases",
    nav_inbox: "Department inbox", nav_volunteers: "Volunteers", nav_dashboard: "Leader dashboard", nav_public: "Citizen requests", nav_users: "Users", nav_personnel: "Personnel", nav_roster: "Roster", nav_staffing: "Staffing", nav_prevention: "Prevention", nav_fraud: "Anti-fraud", nav_imports: "Import",
    loading: "loading…", none: "Nothing yet",
    ledger_checking: "checking the ledger…", ledger_ok: "verified ✓", ledger_bad: "ledger check failed ✗", ledger_pending: "not in the ledger yet",
    ledger_title: (r, sig) => `${r.record}: entry ${r.index} of the log; this browser checked its inclusion proof up to the signed checkpoint of ${r.size} entries${sig ? " and its signature" : " (this browser cannot check Ed25519 signatures)"}; the server checked that the record matches its commitment.`,
  },
};

const $ = (id) => document.getElementById(id);

function t(key) {
  const own = typeof I18N !== "undefined" ? I18N[state.lang] : null;
  return own && key in own ? own[key] : COMMON_I18N[state.lang][key];
}

/// `?lang=`, then the last choice, then the browser's language.
function pickLang() {
  const q = new URLSearchParams(location.search).get("lang");
  if (q === "zh" || q === "en") return q;
  const saved = localStorage.getItem("fq-lang");
  if (saved === "zh" || saved === "en") return saved;
  return (navigator.language || "zh").toLowerCase().startsWith("zh") ? "zh" : "en";
}

function applyLang() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
  const b = $("lang");
  if (b) { b.textContent = t("lang"); b.lang = state.lang === "zh" ? "en" : "zh-CN"; }
}

const nameOf = (x) => (state.lang === "zh" ? x.zh || x.name_zh : x.en || x.name_en);
/// A moment in the city's zone (`state.timezone`, from the server), not the browser's.
const when = (x) => atCity(x, state.timezone, state.lang);
/// Today's date (YYYY-MM-DD) in the city's zone, not the browser's.
const cityToday = (tz) => new Date().toLocaleDateString("sv-SE", { timeZone: tz || state.timezone || "Asia/Shanghai" });
/// The page language's half of a system text written "中文 / English".
const bilingual = (text) => {
  const parts = String(text || "").split(" / ");
  return parts.length === 2 ? parts[state.lang === "zh" ? 0 : 1] : text;
};
/// Punctuation of the page's language: "：" and "、" in Chinese.
const colon = () => (state.lang === "zh" ? "：" : ": ");
const listed = (items) => items.join(state.lang === "zh" ? "、" : ", ");
const pct = (x) => (x === null || x === undefined || Number.isNaN(x) ? "—" : `${(100 * x).toFixed(1)}%`);

/// A DOM element: `h("td", {class: "n"}, "text", child, ...)`.
function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) e[k] = v; else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

// Which pages a signed-in user may open, in the header's order.
const PAGES = [
  ["/", "nav_map", (me) => me.permissions.includes("incidents.read")],
  ["/incidents", "nav_incidents", (me) => me.permissions.includes("incidents.read")],
  ["/imports", "nav_imports", (me) => me.permissions.includes("incidents.import")],
  ["/cases", "nav_cases", (me) => me.permissions.includes("cases.read")],
  ["/inbox", "nav_inbox", (me) => Boolean(me.user && me.user.department) || me.permissions.includes("users.admin")],
  ["/volunteers", "nav_volunteers", (me) => me.permissions.includes("volunteers.read") || (me.user && me.user.role === "volunteer")],
  ["/staffing", "nav_staffing", (me) => me.permissions.includes("plans.read")],
  ["/prevention", "nav_prevention", (me) => me.permissions.includes("forecasts.read")],
  // The police's work by area: the roles that read cases and forecasts.
  ["/fraud", "nav_fraud", (me) => me.permissions.includes("cases.read") && me.permissions.includes("forecasts.read")],
  ["/roster", "nav_roster", (me) => me.permissions.includes("personnel.read")],
  ["/personnel", "nav_personnel", (me) => me.permissions.includes("personnel.read")],
  ["/dashboard", "nav_dashboard", (me) => me.permissions.includes("reports.read")],
  ["/users", "nav_users", (me) => me.permissions.includes("users.admin")],
  ["/public", "nav_public", () => true],
];

// Pages opened from a link rather than the header, with who may open them.
const LINKED_PAGES = [
  ["/sheet", (me) => me.permissions.includes("plans.read") && me.permissions.includes("personnel.read")],
];

/// Whether `me` may open the page at `path`; pages not listed are open to
/// every signed-in user (the API still checks every request).
function mayOpen(me, path) {
  const entry = PAGES.find(([p]) => p === path) || LINKED_PAGES.find(([p]) => p === path);
  if (!entry) return true;
  return entry[entry.length - 1](me);
}

/// The page a role starts on when it may not see the one it asked for.
function homeOf(me) {
  const role = me.user && me.user.role;
  if (me.user && me.user.department) return "/inbox";
  if (role === "volunteer") return "/volunteers";
  if (role === "leader") return "/dashboard";
  const first = PAGES.find(([, , may]) => may(me));
  return first ? first[0] : "/public";
}

/// Builds the header's navigation and session controls and the sign-in
/// dialog, signs in if needed, and returns `/api/v1/me`. `rerender` runs
/// after a change of language.
async function startPage(rerender) {
  const header = document.querySelector("header");
  if (!$("nav")) header.querySelector("h1").after(h("nav", { id: "nav" }));
  if (!$("lang")) {
    header.append(h("div", { class: "session" },
      h("button", { id: "lang", type: "button", title: "中文 / English" }),
      h("span", { id: "who" }),
      h("button", { id: "change-password", type: "button", hidden: true, "data-i18n": "change_password" }),
      h("button", { id: "logout", type: "button", hidden: true, "data-i18n": "logout" })));
  }
  $("logout").onclick = signOut;
  $("change-password").onclick = changeOwnPassword;
  $("lang").onclick = async () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    localStorage.setItem("fq-lang", state.lang);
    applyLang();
    navLinks(state.me);
    showUser(state.me && state.me.user);
    await rerender();
  };
  applyLang();
  const me = await api("/api/v1/me");
  state.me = me;
  // A page the role may not open sends it to its own start page instead of
  // a half-loaded page under a permission error; the promise never settles
  // because this page is being left.
  const home = homeOf(me);
  if (!mayOpen(me, location.pathname) && home !== location.pathname) {
    location.replace(home);
    return new Promise(() => {});
  }
  // Every time on every page is the city's, whatever the browser's zone.
  if (!state.timezone && me.city) state.timezone = me.city.timezone;
  showUser(me.user);
  navLinks(me);
  return me;
}

function navLinks(me) {
  const nav = $("nav");
  if (!nav || !me) return;
  nav.setAttribute("aria-label", t("nav_label"));
  nav.innerHTML = "";
  for (const [path, key, may] of PAGES) {
    if (!may(me)) continue;
    const a = h("a", { href: path }, t(key));
    if (path === location.pathname) a.setAttribute("aria-current", "page");
    nav.append(a);
  }
}

/// Marks the page ready for the browser tests and the page-load benchmark.
function ready() {
  performance.mark("fq-ready");
  document.body.dataset.ready = "1";
}

async function api(path, params = {}) {
  const u = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") u.searchParams.set(k, v);
  const r = await fetch(u, { credentials: "same-origin" });
  const body = await r.json();
  if (r.status === 401 || body.code === "password_change_required") { await signIn(); return api(path, params); }
  if (!r.ok) throw apiError(r, body);
  return body;
}

function loginDialog() {
  if ($("login")) return $("login");
  const dlg = h("dialog", { id: "login", "aria-labelledby": "login-title" },
    h("form", { id: "login-form", method: "dialog" },
      h("h2", { id: "login-title", "data-i18n": "sign_in" }),
      h("label", {}, h("span", { "data-i18n": "username" }), " ",
        h("input", { id: "login-user", name: "username", autocomplete: "username", required: true })),
      h("label", {}, h("span", { "data-i18n": "password" }), " ",
        h("input", { id: "login-pass", name: "password", type: "password", autocomplete: "current-password", required: true })),
      h("p", { id: "login-error", role: "alert" }),
      h("button", { type: "submit", "data-i18n": "sign_in" })));
  document.body.append(dlg);
  return dlg;
}

// Sign in through the dialog; the session cookie is HttpOnly, the CSRF token
// (for changes) is kept for this tab only.
function signIn() {
  return new Promise((resolve) => {
    const dlg = loginDialog();
    applyLang();
    $("login-error").textContent = "";
    $("login-form").onsubmit = async (ev) => {
      ev.preventDefault();
      const r = await fetch("/api/v1/session", {
        method: "POST", headers: { "Content-Type": "application/json" }, credentials: "same-origin",
        body: JSON.stringify({ username: $("login-user").value, password: $("login-pass").value }),
      });
      const body = await r.json();
      if (!r.ok) { $("login-error").textContent = r.status === 401 ? t("login_failed") : body.message; return; }
      sessionStorage.setItem("fq-csrf", body.csrf_token);
      dlg.close();
      // A one-time password opens nothing until it is changed (the server enforces it).
      if (body.must_change_password) {
        await setPassword($("login-user").value, $("login-pass").value);
        return;
      }
      showUser(body.user);
      resolve();
    };
    if (!dlg.open) dlg.showModal();
  });
}

/// The one-time password's change: the new one twice, then sign in with it
/// (changing a password ends every session of the account).
function setPassword(username, current) {
  return new Promise((resolve) => {
    let dlg = $("set-password");
    if (!dlg) {
      dlg = h("dialog", { id: "set-password", "aria-labelledby": "set-password-title" },
        h("form", { id: "set-password-form", method: "dialog" },
          h("h2", { id: "set-password-title", "data-i18n": "set_password" }),
          h("p", { "data-i18n": "set_password_why" }),
          h("label", {}, h("span", { "data-i18n": "new_password" }), " ",
            h("input", { id: "new-pass", type: "password", autocomplete: "new-password", required: true, minlength: 10 })),
          h("label", {}, h("span", { "data-i18n": "new_password_again" }), " ",
            h("input", { id: "new-pass-2", type: "password", autocomplete: "new-password", required: true, minlength: 10 })),
          h("p", { id: "set-password-error", role: "alert" }),
          h("button", { type: "submit", "data-i18n": "save" })));
      document.body.append(dlg);
    }
    applyLang();
    $("set-password-form").onsubmit = async (ev) => {
      ev.preventDefault();
      const next = $("new-pass").value;
      if (next !== $("new-pass-2").value) { $("set-password-error").textContent = t("password_mismatch"); return; }
      try {
        await change("/api/v1/me/password", { current, new: next });
      } catch (e) { $("set-password-error").textContent = problem(e); return; }
      dlg.close();
      $("login-user").value = username;
      $("login-pass").value = next;
      $("login-form").requestSubmit();
      resolve();
    };
    if (!dlg.open) dlg.showModal();
  });
}

/// A role's name in the page's language.
const roleName = (r) => (t("role_names") || {})[r] || r;

function showUser(user) {
  // The name is the account's own (data, in any script); the role is said in the page's language.
  const who = $("who");
  who.innerHTML = "";
  if (user) who.append(h("span", { translate: "no" }, user.display_name), state.lang === "zh" ? `（${roleName(user.role)}）` : ` (${roleName(user.role)})`);
  $("logout").hidden = !user;
  $("change-password").hidden = !user;
  if (user) state.username = user.username;
}

/// One's own password, changed at will: the current one and the new one
/// twice; the change ends every session, so the page signs in again with it.
function changeOwnPassword() {
  let dlg = $("change-password-dialog");
  if (!dlg) {
    dlg = h("dialog", { id: "change-password-dialog", "aria-labelledby": "change-password-title" },
      h("form", { id: "change-password-form", method: "dialog" },
        h("h2", { id: "change-password-title", "data-i18n": "change_password" }),
        h("p", { "data-i18n": "change_password_why" }),
        h("label", {}, h("span", { "data-i18n": "current_password" }), " ",
          h("input", { id: "cur-pass", type: "password", autocomplete: "current-password", required: true })),
        h("label", {}, h("span", { "data-i18n": "new_password" }), " ",
          h("input", { id: "own-new-pass", type: "password", autocomplete: "new-password", required: true, minlength: 10 })),
        h("label", {}, h("span", { "data-i18n": "new_password_again" }), " ",
          h("input", { id: "own-new-pass-2", type: "password", autocomplete: "new-password", required: true, minlength: 10 })),
        h("p", { id: "change-password-error", role: "alert" }),
        h("button", { type: "submit", "data-i18n": "save" }), " ",
        h("button", { type: "button", id: "change-password-cancel", "data-i18n": "cancel", onclick: () => dlg.close() })));
    document.body.append(dlg);
  }
  applyLang();
  $("change-password-error").textContent = "";
  $("change-password-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const next = $("own-new-pass").value;
    if (next !== $("own-new-pass-2").value) { $("change-password-error").textContent = t("password_mismatch"); return; }
    try {
      await change("/api/v1/me/password", { current: $("cur-pass").value, new: next });
    } catch (e) { $("change-password-error").textContent = problem(e); return; }
    const r = await fetch("/api/v1/session", {
      method: "POST", headers: { "Content-Type": "application/json" }, credentials: "same-origin",
      body: JSON.stringify({ username: state.username, password: next }),
    });
    if (r.ok) sessionStorage.setItem("fq-csrf", (await r.json()).csrf_token);
    dlg.close();
    location.reload();
  };
  if (!dlg.open) dlg.showModal();
}

async function signOut() {
  await fetch("/api/v1/session", { method: "DELETE", credentials: "same-origin", headers: { "X-CSRF-Token": sessionStorage.getItem("fq-csrf") || "" } });
  sessionStorage.removeItem("fq-csrf");
  location.reload();
}

/// An error of the API as a sentence in the page's language: its code's
/// sentence and, for a field, which one (the English message as it came).
function problem(e) {
  // What is missing, said in the page's language with its particulars.
  const missing = e.details && (t("missing_data") || {})[e.details.missing];
  if (missing) return missing(e.details);
  if (state.lang !== "zh" || !e.code) return e.message;
  const weak = e.details && e.details.reason && t("weak")[e.details.reason];
  if (weak) return `${weak}。`;
  const sentence = (t("errors") || {})[e.code];
  const param = (e.details && e.details.parameter) || "";
  const party = /^parties\[(\d+)\]\.(\w+)$/.exec(param);
  const field = party ? t("party_n")(Number(party[1]) + 1) + (t("fields")[party[2]] || party[2]) : t("fields")[param];
  if (field && (e.code === "invalid_input" || e.code === "invalid_parameter")) return `${field}有误，请核对。`;
  return sentence ? `${sentence}。` : e.message;
}

/// An API error from a response: its message, code and details kept.
function apiError(r, body) {
  const e = new Error((body && body.message) || r.statusText);
  Object.assign(e, { status: r.status, code: body && body.code, details: body && body.details });
  return e;
}

/// A change (POST) with the CSRF token; signs in first if needed.
async function change(path, body) {
  const r = await fetch(path, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": sessionStorage.getItem("fq-csrf") || "" },
    body: JSON.stringify(body),
  });
  const data = r.status === 204 ? {} : await r.json();
  if (r.status === 401) { await signIn(); return change(path, body); }
  if (!r.ok) throw apiError(r, data);
  return data;
}

/// Calls `onChange(now, before)` when the server's data changes (polling
/// `/api/v1/changes` with its ETag: a 304 costs nothing), while the page
/// is visible and no dialog is open.
function watchChanges(onChange, every = 5000) {
  let etag = null, before = null, busy = false;
  const poll = async () => {
    if (busy || document.hidden || document.querySelector("dialog[open]")) return;
    busy = true;
    try {
      const r = await fetch("/api/v1/changes", { credentials: "same-origin", headers: etag ? { "If-None-Match": etag } : {} });
      if (r.status === 200) {
        const now = await r.json();
        etag = r.headers.get("ETag");
        if (before) await onChange(now, before);
        before = now;
      }
    } catch { /* offline for a moment: the next poll tries again */ }
    busy = false;
  };
  poll();
  return setInterval(poll, every);
}

/// A file sent as it is (its type as Content-Type) with the CSRF token.
async function upload(path, file) {
  const r = await fetch(path, {
    method: "POST", credentials: "same-origin", body: file,
    headers: { "Content-Type": file.type || "application/octet-stream", "X-CSRF-Token": sessionStorage.getItem("fq-csrf") || "" },
  });
  const data = await r.json();
  if (r.status === 401) { await signIn(); return upload(path, file); }
  if (!r.ok) throw apiError(r, data);
  return data;
}

// A "verified" badge for a stored record, checked in this browser (ledger.js).
async function ledgerBadge(parent, record, tries = 0) {
  const a = parent.querySelector("a.badge") || document.createElement("a");
  a.removeAttribute("data-ledger");
  a.className = "badge";
  a.href = `/api/v1/ledger/proof?record=${encodeURIComponent(record)}&format=text`;
  a.target = "_blank";
  a.textContent = t("ledger_checking");
  parent.appendChild(a);
  let proof;
  try {
    proof = await api("/api/v1/ledger/proof", { record });
  } catch (e) {
    // Not yet in a signed checkpoint (the server signs every few seconds).
    a.textContent = t("ledger_pending");
    a.title = e.message;
    if (tries < 10) setTimeout(() => ledgerBadge(parent, record, tries + 1), 2000);
    return;
  }
  // A newer version awaits the next signed checkpoint: say so, and look again.
  if (proof.newer_version_pending) {
    a.textContent = t("ledger_pending");
    if (tries < 10) setTimeout(() => ledgerBadge(parent, record, tries + 1), 2000);
    return;
  }
  const r = await LedgerVerify.verify(proof, proof.vkey || "");
  const ok = r.ok && proof.record_matches_entry;
  a.classList.add(ok ? "ok" : "bad");
  a.dataset.ledger = ok ? "verified" : "failed";
  a.textContent = ok ? t("ledger_ok") : t("ledger_bad");
  a.title = ok ? t("ledger_title")({ record, index: r.index, size: r.size }, r.signature === "checked")
    : (r.reason || "the record no longer matches its ledger entry");
}
