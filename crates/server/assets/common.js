// Shared by the signed-in pages: API calls that sign in on a 401 through
// the login dialog (the session cookie is HttpOnly; the CSRF token for
// changes is kept for this tab only), and signing out. Each page defines
// `$` and `t(key)` (with sign_in, login_failed, ... in its own table).
"use strict";

async function api(path, params = {}) {
  const u = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") u.searchParams.set(k, v);
  const r = await fetch(u, { credentials: "same-origin" });
  const body = await r.json();
  if (r.status === 401) { await signIn(); return api(path, params); }
  if (!r.ok) throw new Error(body.message || r.statusText);
  return body;
}

// Sign in through the dialog; the session cookie is HttpOnly, the CSRF token
// (for changes) is kept for this tab only.
function signIn() {
  return new Promise((resolve) => {
    const dlg = $("login");
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
      showUser(body.user);
      resolve();
    };
    if (!dlg.open) dlg.showModal();
  });
}

function showUser(user) {
  $("who").textContent = user ? `${user.display_name} (${user.role})` : "";
  $("logout").hidden = !user;
}

async function signOut() {
  await fetch("/api/v1/session", { method: "DELETE", credentials: "same-origin", headers: { "X-CSRF-Token": sessionStorage.getItem("fq-csrf") || "" } });
  sessionStorage.removeItem("fq-csrf");
  location.reload();
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
  if (!r.ok) throw new Error(data.message || r.statusText);
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

