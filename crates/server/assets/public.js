// The public page: submit a request without an account, follow it with the
// tracking token, rate it once it is closed. Plain JavaScript, this server only.
"use strict";

const T = {
  zh: {
    map_label: "地图",
    title: "群众诉求 · 最多跑一次", submit_title: "提交诉求", category: "类别", description: "描述", address: "地址",
    name: "姓名（可不填）", phone: "电话（可不填）", send: "提交", follow_title: "查询进度", token: "查询码", look: "查询",
    rate: "评价", send_rating: "提交评价", lang: "EN", keep: "已受理。请保存查询码：", due: "预计办结", rated: "已评价",
    status_open: "办理中", status_closed: "已办结", none: "没有找到该查询码的诉求",
    pin_legend: "或在地图上点选位置", pin_help: "点击地图放置位置；也可用方向键移动、Delete 清除。", photo: "照片（可不传；最多 3 张，JPEG、PNG 或 WebP，每张 5 MB 以内）",
    pinned: (names) => `已选位置：${names}`, outside: "所选位置不在本市辖区内，请重新点选或填写地址",
    emergency: "紧急情况请立即拨打 110（报警）、119（火警）、120（急救）。本页面不受理紧急求助。", where: "请填写地址或在地图上点选位置",
    photo_added: "照片已上传", photo_failed: "照片未能上传：",
    alerts_title: "防范提示", alert: (area, cat, until) => `${area}近期发生${cat}，${until}前请关好门窗、留意陌生人员，发现可疑情况请拨打 110。`,
  },
  en: {
    map_label: "Map",
    title: "Citizen requests · come in at most once", submit_title: "Submit a request", category: "Category",
    description: "Description", address: "Address", name: "Name (optional)", phone: "Phone (optional)", send: "Submit",
    follow_title: "Follow a request", token: "Tracking token", look: "Look up", rate: "Rate", send_rating: "Send rating",
    lang: "中文", keep: "Accepted. Keep your tracking token:", due: "Expected by", rated: "Rated",
    status_open: "in progress", status_closed: "closed", none: "No request with that tracking token",
    pin_legend: "…or pin the place on the map", pin_help: "Click the map to place a pin; arrow keys move it, Delete clears it.",
    photo: "Photos (optional; up to 3, JPEG, PNG or WebP, 5 MB each)", pinned: (names) => `Pinned in ${names}`, outside: "That place is outside the city's areas: pin again or give an address",
    emergency: "In an emergency call 110 (police), 119 (fire) or 120 (ambulance) at once. This page does not take emergencies.",
    where: "Give an address or pin the place on the map", photo_added: "photo attached", photo_failed: "The photo was not attached: ",
    alerts_title: "Be on your guard", alert: (area, cat, until) => `${cat} nearby in ${area}: until ${until}, lock doors and windows and watch for strangers; call 110 about anything suspicious.`,
  },
};
const $ = (id) => document.getElementById(id);
let lang = new URLSearchParams(location.search).get("lang") || localStorage.getItem("fq-lang")
  || ((navigator.language || "zh").toLowerCase().startsWith("zh") ? "zh" : "en");
const t = (k) => T[lang][k];
let services = [];
let pin = null;
const state = { features: [] };

/// The pinned place in words: its town and community, as the areas name them.
function placeText() {
  const at = pin && pin.at();
  if (!at) { $("pin-at").textContent = ""; return; }
  const found = MapView.locate(state.features, at);
  const name = (f) => (lang === "zh" ? f.properties.name_zh : f.properties.name_en);
  $("pin-at").textContent = found.length ? t("pinned")(found.slice().reverse().map(name).join(lang === "zh" ? " " : ", ")) : t("outside");
}

// The towns drawn from the server's own boundaries (and base tiles, if the
// deployment has a map server); a click or the keyboard places the pin.
async function drawPinMap() {
  const svg = $("pin-map");
  const map = await call("GET", "/api/v1/public/map");
  pin = MapView.pinPicker(svg, map.features, map.tiles, () => placeText());
  state.features = map.features;
  if (pin) pin.names(lang);
  if (!pin) svg.closest("fieldset").hidden = true;
}

function apply() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
  $("pin-map").setAttribute("aria-label", t("map_label"));
  $("lang").textContent = t("lang");
  placeText();
  if (pin) pin.names(lang);
  const sel = $("category"), keep = sel.value;
  sel.innerHTML = "";
  for (const s of services) {
    const o = document.createElement("option");
    o.value = s.code; o.textContent = lang === "zh" ? s.zh : s.en;
    sel.appendChild(o);
  }
  if (keep) sel.value = keep;
  showAlerts();
}

// Areas under a cocoon alert zone now: words for the neighbourhood, no place.
let alerts = [];
function showAlerts() {
  const list = $("alerts");
  list.innerHTML = "";
  $("alerts-panel").hidden = !alerts.length;
  for (const a of alerts) {
    const li = document.createElement("li");
    li.dataset.area = a.area.code;
    const name = (x) => (lang === "zh" ? x.name_zh : x.name_en) || x.code;
    li.textContent = t("alert")(name(a.area), name(a.category), when(a.until));
    list.appendChild(li);
  }
}

async function call(method, path, body) {
  const r = await fetch(path, { method, headers: body ? { "Content-Type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
  const data = await r.json();
  if (!r.ok) throw new Error(data.message || r.statusText);
  return data;
}

let cityZone = null;
/// A moment in the city's zone (not the phone's), with the zone's offset when the phone is elsewhere.
const when = (x) => atCity(x, cityZone, lang);

function show(req) {
  const s = $("status");
  s.innerHTML = "";
  const head = document.createElement("p");
  head.className = "req-head";
  head.dataset.status = req.status;
  head.textContent = `${req.code} · ${lang === "zh" ? req.stage.zh : req.stage.en} (${t("status_" + req.status)}) · ${t("due")} ${when(req.due_at)}`;
  s.appendChild(head);
  const list = document.createElement("ol");
  list.className = "timeline";
  for (const h of req.history) {
    const li = document.createElement("li");
    li.textContent = `${when(h.at)} — ${lang === "zh" ? h.stage.zh : h.stage.en}`;
    list.appendChild(li);
  }
  s.appendChild(list);
  if (req.rating) {
    const p = document.createElement("p");
    p.textContent = `${t("rated")}: ${"★".repeat(req.rating)}`;
    s.appendChild(p);
  }
  $("rate").hidden = !req.can_rate;
}

async function init() {
  const offered = await call("GET", "/api/v1/public/services");
  services = offered.items;
  cityZone = offered.timezone;
  // The warnings are extra: a busy server must not cost the citizen the form.
  alerts = (await call("GET", "/api/v1/public/alerts").catch(() => ({ items: [] }))).items;
  apply();
  await drawPinMap();
  $("lang").onclick = () => { lang = lang === "zh" ? "en" : "zh"; localStorage.setItem("fq-lang", lang); apply(); };
  $("submit").onsubmit = async (ev) => {
    ev.preventDefault();
    const out = $("submit-result");
    const at = pin && pin.at();
    if (!$("address").value.trim() && !at) { out.textContent = t("where"); $("address").focus(); return; }
    try {
      const r = await call("POST", "/api/v1/public/requests", {
        category: $("category").value, description: $("description").value, address: $("address").value || null,
        lon: at ? at[0] : null, lat: at ? at[1] : null,
        name: $("name").value || null, phone: $("phone").value || null,
      });
      out.innerHTML = "";
      out.append(`${t("keep")} `);
      const code = document.createElement("strong");
      code.id = "new-token";
      code.textContent = r.token;
      out.append(code, ` (${r.code})`);
      $("token").value = r.token;
      // Up to three photos, each checked by the server.
      for (const photo of [...$("photo").files].slice(0, 3)) {
        const up = await fetch(`/api/v1/public/requests/${encodeURIComponent(r.token)}/photos`, { method: "POST", headers: { "Content-Type": photo.type }, body: photo });
        const body = await up.json();
        const note = document.createElement("span");
        note.className = "photo-result";
        note.dataset.ok = String(up.ok);
        note.textContent = up.ok ? ` · ${t("photo_added")} (${(body.size / 1024).toFixed(0)} KB)` : ` · ${t("photo_failed")}${body.message}`;
        out.append(note);
      }
    } catch (e) { out.textContent = e.message; }
  };
  $("follow").onsubmit = async (ev) => {
    ev.preventDefault();
    try { show(await call("GET", `/api/v1/public/requests/${encodeURIComponent($("token").value.trim())}`)); }
    catch (e) { $("status").textContent = t("none"); $("rate").hidden = true; }
  };
  $("rate").onsubmit = async (ev) => {
    ev.preventDefault();
    try { show(await call("POST", `/api/v1/public/requests/${encodeURIComponent($("token").value.trim())}/rating`, { rating: Number($("rating").value) })); }
    catch (e) { $("status").append(e.message); }
  };
}

init().then(() => { performance.mark("fq-ready"); document.body.dataset.ready = "1"; }).catch((e) => { $("submit-result").textContent = e.message; });
