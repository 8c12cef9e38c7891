// Users, for administrators: every account with its role, the area,
// department or mediator it works as, and its state; add an account (its
// one-time password shown once, to hand over in person; it must be changed
// at first sign-in), change its role and scope, disable or enable it,
// reset its password. The server checks each change against the same rules
// as the command line.
"use strict";

const I18N = {
  zh: {
    title: "用户管理", add: "新增用户", list: "用户", username: "用户名", display_name: "姓名", role: "角色", scope: "工作范围",
    status: "状态", actions: "操作", create: "创建", jurisdiction: "辖区", department: "部门", assignee: "对应调解员",
    ok: "正常", disabled: "已停用", locked: "已锁定", must_change: "待修改一次性密码", edit: "修改", save: "保存", cancel: "取消",
    disable: "停用", enable: "启用", reset: "重置密码", otp_title: "一次性密码", close: "关闭",
    otp: (u, p) => `用户 ${u} 的一次性密码：${p}。请当面告知本人；本密码只显示这一次，首次登录时必须改为本人自己的密码。`,
    confirm_disable: (u) => `停用用户 ${u}？其所有登录会话将立即结束。`, confirm_reset: (u) => `重置用户 ${u} 的密码？`,
    keys: "API 令牌与 Open311 密钥", key_kind: "类别", key_name: "用途", key_user: "代表的账号", key_days: "有效天数（可不填）", issue: "签发",
    api_token: "API 令牌", open311_key: "Open311 密钥", made: "签发时间", expires: "到期", never: "不过期", revoke: "吊销",
    secret_title: "新签发的密钥", secret: (s) => `请立即复制并妥善保存：${s}。本页只显示这一次。`, confirm_revoke: (n) => `吊销“${n}”？使用它的系统将立即无法访问。`,
    pool: "调解员库", mediator_name: "名称", kind: "类别", serves: "服务区域", add_mediator: "加入调解员库", everywhere: "全部区域",
    open_cases: "在办", settled: "已调成", retire: "退出调解员库", retired: "已退出", confirm_retire: (n) => `让 ${n} 退出调解员库？其在办案件需另行改派。`,
    kinds: { officer: "社区民警", volunteer: "志愿调解员", studio: "调解工作室", village_committee: "村（居）调委会", judicial: "司法所" },
  },
  en: {
    title: "Users", add: "Add a user", list: "Users", username: "User name", display_name: "Name", role: "Role", scope: "Works within",
    status: "Status", actions: "Actions", create: "Create", jurisdiction: "Jurisdiction", department: "Department", assignee: "Mediator",
    ok: "active", disabled: "disabled", locked: "locked", must_change: "must change one-time password", edit: "Edit", save: "Save",
    cancel: "Cancel", disable: "Disable", enable: "Enable", reset: "Reset password", otp_title: "One-time password", close: "Close",
    otp: (u, p) => `One-time password for ${u}: ${p}. Hand it over in person; it is shown only now and must be changed at first sign-in.`,
    confirm_disable: (u) => `Disable ${u}? Every session of the account ends at once.`, confirm_reset: (u) => `Reset the password of ${u}?`,
    keys: "API tokens and Open311 keys", key_kind: "Kind", key_name: "For", key_user: "Acts as", key_days: "Days valid (optional)", issue: "Issue",
    api_token: "API token", open311_key: "Open311 key", made: "Issued", expires: "Expires", never: "never", revoke: "Revoke",
    secret_title: "New secret", secret: (s) => `Copy it now and keep it safe: ${s}. It is shown only this once.`, confirm_revoke: (n) => `Revoke "${n}"? Systems using it lose access at once.`,
    pool: "Mediator pool", mediator_name: "Name", kind: "Kind", serves: "Serves", add_mediator: "Add to the pool", everywhere: "everywhere",
    open_cases: "Open", settled: "Settled", retire: "Retire", retired: "retired", confirm_retire: (n) => `Retire ${n}? Their open disputes must be reassigned.`,
    kinds: { officer: "Police officer", volunteer: "Volunteer mediator", studio: "Mediation studio", village_committee: "Village committee", judicial: "Judicial office" },
  },
};
const state = { lang: pickLang(), roles: [], policy: {}, areas: [], departments: [], mediators: [], users: [] };

// Which scope field a role works within (from the server's policy: officers an area, ...).
const SCOPE_OF = { officer: "jurisdiction", department: "department", mediator: "assignee", volunteer: "assignee" };

function scopeControl(role, value, id) {
  const field = SCOPE_OF[role];
  if (!field) return null;
  const options = {
    jurisdiction: state.areas.map((a) => [a.code, `${nameOf(a)} (${a.code})`]),
    department: state.departments.map((d) => [d.code, nameOf(d)]),
    assignee: state.mediators.map((m) => [m.name, m.name]),
  }[field];
  return h("label", {}, h("span", {}, t(field)),
    h("select", { id, "data-field": field, required: true }, h("option", { value: "" }, "—"),
      options.map(([v, label]) => h("option", { value: v, selected: v === value }, label))));
}

function scopeText(u) {
  if (u.jurisdiction) { const a = state.areas.find((x) => x.code === u.jurisdiction); return a ? nameOf(a) : u.jurisdiction; }
  if (u.department) { const d = state.departments.find((x) => x.code === u.department); return d ? nameOf(d) : u.department; }
  return u.assignee || "—";
}

function statusText(u) {
  if (u.disabled) return t("disabled");
  if (u.locked_until && Date.parse(u.locked_until) > Date.now()) return t("locked");
  if (u.must_change) return t("must_change");
  return t("ok");
}

function showOtp(username, password) {
  const dialog = h("dialog", { id: "otp-dialog", class: "form-dialog", "aria-labelledby": "otp-title" },
    h("h2", { id: "otp-title" }, t("otp_title")),
    h("p", { id: "otp-text" }, t("otp")(username, password)),
    h("button", { type: "button", id: "otp-close", onclick: () => { dialog.close(); dialog.remove(); } }, t("close")));
  document.body.append(dialog);
  dialog.showModal();
}

function renderScopeField() {
  const holder = $("new-scope");
  holder.innerHTML = "";
  const c = scopeControl($("new-role").value, null, "new-scope-value");
  if (c) holder.append(c);
}

async function list() {
  const data = await api("/api/v1/users");
  state.users = data.items;
  const table = $("users");
  table.innerHTML = "";
  table.append(h("thead", {}, h("tr", {}, [t("username"), t("display_name"), t("role"), t("scope"), t("status"), t("actions")].map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, state.users.map((u) => h("tr", { "data-user": u.username },
      h("td", { translate: "no" }, u.username), h("td", { translate: "no" }, u.display_name), h("td", {}, roleName(u.role)), h("td", {}, scopeText(u)),
      h("td", { class: "status" }, statusText(u)),
      h("td", { class: "actions" },
        h("button", { type: "button", "data-do": "edit", onclick: () => edit(u) }, t("edit")),
        h("button", { type: "button", "data-do": "toggle", onclick: () => toggle(u) }, u.disabled ? t("enable") : t("disable")),
        h("button", { type: "button", "data-do": "reset", onclick: () => reset(u) }, t("reset")))))));
}

async function toggle(u) {
  if (!u.disabled && !confirm(t("confirm_disable")(u.username))) return;
  try { await change(`/api/v1/users/${encodeURIComponent(u.username)}`, { disabled: !u.disabled }); } catch (e) { alert(problem(e)); }
  await list();
}

async function reset(u) {
  if (!confirm(t("confirm_reset")(u.username))) return;
  try {
    const r = await change(`/api/v1/users/${encodeURIComponent(u.username)}`, { reset_password: true });
    showOtp(u.username, r.one_time_password);
  } catch (e) { alert(problem(e)); }
  await list();
}

function edit(u) {
  const roleSel = h("select", { id: "edit-role" }, state.roles.map((r) => h("option", { value: r, selected: r === u.role }, roleName(r))));
  const scopeHolder = h("span", { id: "edit-scope" });
  const error = h("p", { id: "edit-error", role: "alert", class: "error" });
  const fill = () => { scopeHolder.innerHTML = ""; const c = scopeControl(roleSel.value, u[SCOPE_OF[roleSel.value]], "edit-scope-value"); if (c) scopeHolder.append(c); };
  roleSel.onchange = fill;
  fill();
  const dialog = h("dialog", { id: "edit-dialog", class: "form-dialog", "aria-labelledby": "edit-title" },
    h("form", { method: "dialog", id: "edit-form" },
      h("h2", { id: "edit-title" }, `${t("edit")} · `, h("span", { translate: "no" }, u.username)),
      h("label", {}, h("span", {}, t("role")), roleSel), scopeHolder, error,
      h("div", { class: "actions" }, h("button", { type: "submit", id: "edit-save" }, t("save")),
        h("button", { type: "button", onclick: () => { dialog.close(); dialog.remove(); } }, t("cancel")))));
  dialog.querySelector("form").onsubmit = async (ev) => {
    ev.preventDefault();
    const body = { role: roleSel.value, jurisdiction: null, department: null, assignee: null };
    const s = $("edit-scope-value");
    if (s) body[s.dataset.field] = s.value || null;
    try { await change(`/api/v1/users/${encodeURIComponent(u.username)}`, body); } catch (e) { error.textContent = problem(e); return; }
    dialog.close();
    dialog.remove();
    await list();
  };
  document.body.append(dialog);
  dialog.showModal();
}

// API tokens (for systems acting as an account) and Open311 keys (civic apps).
async function keys() {
  const data = await api("/api/v1/credentials");
  const table = $("keys");
  table.innerHTML = "";
  table.append(h("thead", {}, h("tr", {}, [t("key_kind"), t("key_name"), t("key_user"), t("made"), t("expires"), t("actions")].map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, data.items.map((c) => h("tr", { "data-key": c.id },
      h("td", {}, t(c.id.startsWith("t-") ? "api_token" : "open311_key")), h("td", {}, c.name), h("td", {}, c.username || "—"),
      h("td", {}, when(c.created_at)), h("td", {}, c.expires_at ? when(c.expires_at) : t("never")),
      h("td", {}, h("button", { type: "button", "data-do": "revoke", onclick: async () => {
        if (!confirm(t("confirm_revoke")(c.name))) return;
        try { await change(`/api/v1/credentials/${c.id}/revoke`, {}); } catch (e) { alert(problem(e)); }
        await keys();
      } }, t("revoke")))))));
}

function keyFields() {
  const token = $("key-kind").value === "api_token";
  $("key-user-label").hidden = !token;
  $("key-days-label").hidden = !token;
}

// The mediator pool: who mediates, where, their workload; add and retire.
async function pool() {
  const data = await api("/api/v1/mediators");
  const area = (c) => { const a = state.areas.find((x) => x.code === c); return a ? nameOf(a) : c; };
  const table = $("mediators");
  table.innerHTML = "";
  table.append(h("thead", {}, h("tr", {}, [t("mediator_name"), t("kind"), t("serves"), t("open_cases"), t("settled"), t("status"), t("actions")].map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, data.items.map((m) => h("tr", { "data-mediator": m.name },
      h("td", {}, m.name), h("td", {}, t("kinds")[m.kind] || m.kind), h("td", {}, m.areas.length ? m.areas.map(area).join("、") : t("everywhere")),
      h("td", { class: "n" }, m.open_cases), h("td", { class: "n" }, m.settled_cases), h("td", { class: "status" }, m.active ? t("ok") : t("retired")),
      h("td", {}, m.active ? h("button", { type: "button", "data-do": "retire", onclick: async () => {
        if (!confirm(t("confirm_retire")(m.name))) return;
        try { await change(`/api/v1/mediators/${m.id}/retire`, {}); } catch (e) { alert(problem(e)); }
        await pool();
      } }, t("retire")) : null)))));
}

async function render() {
  applyLang();
  const kind = $("med-kind"), keepKind = kind.value;
  kind.innerHTML = "";
  for (const [k, v] of Object.entries(t("kinds"))) kind.append(h("option", { value: k }, v));
  if (keepKind) kind.value = keepKind;
  const where = $("med-area"), keepArea = where.value;
  where.innerHTML = "";
  where.append(h("option", { value: "" }, t("everywhere")), ...state.areas.map((a) => h("option", { value: a.code }, nameOf(a))));
  where.value = keepArea;
  const sel = $("new-role"), keep = sel.value;
  sel.innerHTML = "";
  for (const r of state.roles) sel.append(h("option", { value: r }, roleName(r)));
  if (keep) sel.value = keep;
  renderScopeField();
  await list();
  const kk = $("key-kind"), keepKk = kk.value;
  kk.innerHTML = "";
  for (const k of ["api_token", "open311_key"]) kk.append(h("option", { value: k }, t(k)));
  if (keepKk) kk.value = keepKk;
  const ku = $("key-user"), keepKu = ku.value;
  ku.innerHTML = "";
  for (const u of state.users.filter((x) => !x.disabled)) ku.append(h("option", { value: u.username }, `${u.username} (${roleName(u.role)})`));
  if (keepKu) ku.value = keepKu;
  keyFields();
  await Promise.all([pool(), keys()]);
}

async function init() {
  await startPage(() => render());
  const [types, areas] = await Promise.all([api("/api/v1/case-types"), api("/api/v1/jurisdictions")]);
  // Accounts people sign in with: the system's own and citizens' are not made here.
  state.roles = types.roles.filter((r) => r !== "system" && r !== "citizen");
  state.departments = types.departments;
  state.mediators = types.mediators || [];
  state.areas = areas.features.map((f) => f.properties).filter((a) => a.level !== "grid");
  $("new-role").onchange = renderScopeField;
  $("key-kind").onchange = keyFields;
  $("add-key").onsubmit = async (ev) => {
    ev.preventDefault();
    $("key-error").textContent = "";
    const kind = $("key-kind").value;
    const body = kind === "api_token"
      ? { kind, name: $("key-name").value.trim(), username: $("key-user").value, days: $("key-days").value ? Number($("key-days").value) : null }
      : { kind, name: $("key-name").value.trim() };
    let r;
    try { r = await change("/api/v1/credentials", body); } catch (e) { $("key-error").textContent = problem(e); return; }
    const dialog = h("dialog", { id: "secret-dialog", class: "form-dialog", "aria-labelledby": "secret-title" },
      h("h2", { id: "secret-title" }, t("secret_title")), h("p", { id: "secret-text" }, t("secret")(r.secret)),
      h("button", { type: "button", id: "secret-close", onclick: () => { dialog.close(); dialog.remove(); } }, t("close")));
    document.body.append(dialog);
    dialog.showModal();
    $("add-key").reset();
    keyFields();
    await keys();
  };
  $("add-mediator").onsubmit = async (ev) => {
    ev.preventDefault();
    $("med-error").textContent = "";
    const body = { name: $("med-name").value.trim(), kind: $("med-kind").value, areas: $("med-area").value ? [$("med-area").value] : [] };
    try { await change("/api/v1/mediators", body); } catch (e) { $("med-error").textContent = problem(e); return; }
    $("add-mediator").reset();
    state.mediators = (await api("/api/v1/case-types")).mediators || [];
    await render();
  };
  $("add-user").onsubmit = async (ev) => {
    ev.preventDefault();
    $("add-error").textContent = "";
    const body = { username: $("new-username").value.trim(), role: $("new-role").value, display_name: $("new-display").value.trim() || null };
    const s = $("new-scope-value");
    if (s) body[s.dataset.field] = s.value || null;
    try {
      const r = await change("/api/v1/users", body);
      showOtp(r.user.username, r.one_time_password);
      $("add-user").reset();
      renderScopeField();
    } catch (e) { $("add-error").textContent = problem(e); return; }
    await list();
  };
  await render();
  ready();
}

init().catch((e) => { $("users").textContent = problem(e); });
