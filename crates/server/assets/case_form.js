// Opening a case from the page: a dialog for the types the signed-in role
// may open, with the category, what happened, the place (an address or a
// pin, resolved by the server to its community and shown for
// confirmation), the parties with their documents, and files sent after the
// case is opened. Opened from an incident, it carries the incident's time,
// place and category, and the server links the two. Uses `state.types` and
// `state.lang` of the cases page.
"use strict";

const FORM_I18N = {
  zh: {
    new_case: "新建案件", case_type: "案件类型", category: "类别", title: "事项（简述）", description: "经过与诉求",
    threats: "有威胁、扬言报复等言行", stock: "存量隐患（以前已发现）", level: "风险等级",
    place: "地点", address: "地址", find: "查找", pin_help: "点击地图放置位置；方向键移动，Delete 清除。",
    resolved: (names) => `归属：${names}`, unresolved: "未能匹配到社区或网格：将归入您的辖区，请核对地址或在地图上点选",
    pinned: (lon, lat) => `已选位置：东经 ${lon.toFixed(5)}，北纬 ${lat.toFixed(5)}`,
    parties: "当事人", add_party: "添加当事人", remove: "移除", role: "身份", name: "姓名", phone: "电话", id_type: "证件类型",
    id_number: "证件号码", vulnerable: "老人、未成年人、残疾人等需关照", files: "附件（照片或 PDF，每个 10 MB 以内）",
    submit: "立案", cancel: "取消", from_incident: (id, at, cat) => `由 110 警情 #${id} 转立（${at}，${cat}）`,
    uploaded: (n) => `已上传 ${n} 个附件`, upload_failed: (name) => `附件“${name}”未上传：`,
    grades: { low: "低", medium: "中", high: "高", critical: "极高" },
  },
  en: {
    new_case: "New case", case_type: "Case type", category: "Category", title: "Matter (in brief)", description: "What happened and what is asked",
    threats: "Threats or talk of revenge were made", stock: "Existing hazard (known before)", level: "Risk level",
    place: "Place", address: "Address", find: "Find", pin_help: "Click the map to place a pin; arrow keys move it, Delete clears it.",
    resolved: (names) => `Belongs to: ${names}`, unresolved: "No community or grid matched: the case goes to your own area; check the address or pin it",
    pinned: (lon, lat) => `Pinned at ${lon.toFixed(5)} E, ${lat.toFixed(5)} N`,
    parties: "Parties", add_party: "Add a party", remove: "Remove", role: "Role", name: "Name", phone: "Phone", id_type: "Document",
    id_number: "Document number", vulnerable: "Elderly, minor, disabled or otherwise vulnerable", files: "Files (photos or PDFs, 10 MB each)",
    submit: "Open the case", cancel: "Cancel", from_incident: (id, at, cat) => `From 110 incident #${id} (${at}, ${cat})`,
    uploaded: (n) => `${n} files uploaded`, upload_failed: (name) => `File "${name}" was not uploaded: `,
    grades: { low: "low", medium: "medium", high: "high", critical: "critical" },
  },
};
const ft = (k) => FORM_I18N[state.lang][k];
const labelled = (text, control) => h("label", {}, h("span", {}, text), control);

/// The types the role may open.
function openableTypes() {
  const role = state.me && state.me.user && state.me.user.role;
  return state.types.filter((ty) => (ty.opened_by || []).includes(role) || role === "admin");
}

function partyRow(lists) {
  const opts = (xs) => xs.map((x) => h("option", { value: x.code }, nameOf(x)));
  const row = h("fieldset", { class: "party" },
    h("legend", {}, ft("parties")),
    labelled(ft("role"), h("select", { name: "role" }, opts(lists.party_roles))),
    labelled(ft("name"), h("input", { name: "name", required: true, maxlength: 50, autocomplete: "off" })),
    labelled(ft("phone"), h("input", { name: "phone", type: "tel", inputmode: "tel", maxlength: 20, autocomplete: "off" })),
    labelled(ft("id_type"), h("select", { name: "id_type" }, opts(lists.id_types))),
    labelled(ft("id_number"), h("input", { name: "id_number", maxlength: 30, autocomplete: "off", spellcheck: "false" })),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "vulnerable" }), h("span", {}, ft("vulnerable"))),
    h("button", { type: "button", class: "remove-party", onclick: () => { row.remove(); renumber(); } }, ft("remove")));
  return row;
}

function renumber() {
  document.querySelectorAll("#case-form fieldset.party").forEach((f, i) => {
    f.querySelector("legend").textContent = `${ft("parties")} ${i + 1}`;
  });
}

function readParties() {
  return [...document.querySelectorAll("#case-form fieldset.party")].map((f) => {
    const v = (n) => f.querySelector(`[name=${n}]`).value.trim();
    return {
      role: v("role"), name: v("name"), phone: v("phone") || null, id_type: v("id_number") ? v("id_type") : null,
      id_number: v("id_number") || null, address: null, vulnerable: f.querySelector("[name=vulnerable]").checked,
    };
  });
}

/// Opens the dialog for a new case, of `typeCode` if given, prefilled from
/// `incident` (the API's incident) if given; resolves to the new case's
/// code, or null if cancelled.
async function openCaseForm(typeCode, incident) {
  // The cases page already holds the lists; the map is fetched once a page.
  const lists = state.caseTypes || (state.caseTypes = await api("/api/v1/case-types"));
  const types = openableTypes();
  const map = state.publicMap || (state.publicMap = await api("/api/v1/public/map"));
  return new Promise((resolve) => {
    const place = { at: incident && incident.lon !== null && incident.lon !== undefined ? [incident.lon, incident.lat] : null };
    const typeSel = h("select", { id: "form-type" }, types.map((ty) => h("option", { value: ty.code, selected: ty.code === typeCode }, nameOf(ty))));
    const catSel = h("select", { id: "form-category" });
    const extras = h("div", { id: "form-extras" });
    const match = h("p", { id: "place-match", role: "status" });
    const pinAt = h("p", { id: "form-pin-at", class: "muted" });
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    for (const [k, v] of [["id", "case-pin-map"], ["viewBox", "0 0 600 400"], ["role", "application"], ["tabindex", "0"], ["aria-label", ft("place")], ["aria-describedby", "form-pin-help"]]) svg.setAttribute(k, v);
    const parties = h("div", { id: "form-parties" });
    const error = h("p", { id: "form-error", role: "alert", class: "error" });
    const address = h("input", { id: "form-address", maxlength: 200, autocomplete: "off", value: (incident && incident.address) || "" });
    const description = h("textarea", { id: "form-description", rows: 3, maxlength: 4000 });
    const title = h("input", { id: "form-title", required: true, maxlength: 200 });
    const files = h("input", { id: "form-files", type: "file", multiple: true, accept: "image/jpeg,image/png,image/webp,application/pdf" });
    const dialog = h("dialog", { id: "case-form-dialog", class: "form-dialog", "aria-labelledby": "case-form-title" },
      h("form", { id: "case-form", method: "dialog" },
        h("h2", { id: "case-form-title" }, ft("new_case")),
        incident ? h("p", { id: "form-incident" }, ft("from_incident")(incident.id, when(incident.occurred_at), incident.category_name || incident.category)) : null,
        labelled(ft("case_type"), typeSel), labelled(ft("category"), catSel),
        labelled(ft("title"), title), labelled(ft("description"), description), extras,
        h("fieldset", { class: "pin" }, h("legend", {}, ft("place")),
          h("div", { class: "inline" }, labelled(ft("address"), address), h("button", { type: "button", id: "form-find", onclick: () => resolvePlace(true) }, ft("find"))),
          svg, h("p", { id: "form-pin-help", class: "muted" }, ft("pin_help")), pinAt, match),
        h("h3", {}, ft("parties")), parties,
        h("button", { type: "button", id: "add-party", onclick: () => { parties.append(partyRow(lists)); renumber(); } }, ft("add_party")),
        labelled(ft("files"), files), error,
        h("div", { class: "actions" },
          h("button", { type: "submit", id: "form-submit" }, ft("submit")),
          h("button", { type: "button", id: "form-cancel", onclick: () => { dialog.close(); dialog.remove(); resolve(null); } }, ft("cancel")))));

    const ty = () => state.types.find((x) => x.code === typeSel.value);
    function fillType() {
      const t0 = ty();
      catSel.innerHTML = "";
      for (const c of t0.categories) {
        const n = t0.category_names && t0.category_names[c];
        catSel.append(h("option", { value: c }, n ? (state.lang === "zh" ? n[0] : n[1]) : c));
      }
      extras.innerHTML = "";
      if (t0.code === "dispute") extras.append(h("label", { class: "check" }, h("input", { type: "checkbox", id: "form-threats" }), h("span", {}, ft("threats"))));
      if (t0.code === "hazard") {
        extras.append(h("label", { class: "check" }, h("input", { type: "checkbox", id: "form-stock" }), h("span", {}, ft("stock"))),
          labelled(ft("level"), h("select", { id: "form-level" }, ["low", "medium", "high", "critical"].map((g) => h("option", { value: g, selected: g === "medium" }, ft("grades")[g])))));
      }
      parties.hidden = t0.code === "hazard" && !parties.children.length;
    }
    typeSel.onchange = fillType;
    fillType();

    // The server's answer for the pin, else the address: the chain of areas.
    async function resolvePlace(byAddress) {
      const q = !byAddress && place.at ? { lon: place.at[0], lat: place.at[1] } : { address: address.value.trim() };
      if (!q.lon && !q.address) { match.textContent = ""; return; }
      try {
        const r = await api("/api/v1/places/resolve", q);
        match.dataset.code = r.code || "";
        match.textContent = r.code ? ft("resolved")(r.areas.map((a) => (state.lang === "zh" ? a.name_zh : a.name_en)).join(" › ")) : ft("unresolved");
      } catch (e) { match.textContent = problem(e); }
    }
    const picker = MapView.pinPicker(svg, map.features, map.tiles, (at) => {
      place.at = at;
      pinAt.textContent = at ? ft("pinned")(at[0], at[1]) : "";
      resolvePlace(!at);
    }, "case-pin-marker");
    if (!picker) svg.remove();
    if (incident) {
      title.value = incident.category_name || "";
      description.value = ft("from_incident")(incident.id, when(incident.occurred_at), incident.category_name || incident.category);
      if (picker && place.at) picker.set(place.at); else resolvePlace(true);
    }

    dialog.querySelector("form").onsubmit = async (ev) => {
      ev.preventDefault();
      error.textContent = "";
      const t0 = ty();
      const body = {
        type: t0.code, category: catSel.value, title: title.value.trim(), description: description.value.trim(),
        address: address.value.trim() || null, lon: place.at ? place.at[0] : null, lat: place.at ? place.at[1] : null,
        parties: readParties(), incident_id: incident ? incident.id : null,
      };
      if (t0.code === "dispute") body.threats = $("form-threats").checked;
      if (t0.code === "hazard") { body.stock = $("form-stock").checked; body.risk_grade = $("form-level").value; }
      let opened;
      try { opened = await change("/api/v1/cases", body); } catch (e) { error.textContent = problem(e); return; }
      const code = opened.case.code;
      for (const f of files.files) {
        try { await upload(`/api/v1/cases/${encodeURIComponent(code)}/attachments?name=${encodeURIComponent(f.name)}`, f); } catch (e) {
          // The case is open; a file that failed can be added from its panel.
          alert(ft("upload_failed")(f.name) + problem(e));
        }
      }
      dialog.close();
      dialog.remove();
      resolve({ code, type: t0.code });
    };
    document.body.append(dialog);
    dialog.showModal();
  });
}
