// Importing incidents (导入警情): an analyst picks a 110 export (CSV, zip or
// gz; UTF-8, GBK or UTF-16), sees how it reads — its encoding, its columns,
// its first rows — picks the export format (a built-in mapping) or edits the
// mapping, previews the first rows as incidents and the rows refused, then
// imports it with its progress; the same rules as `fengqiao import incidents`.
"use strict";

const PROFILE_NAMES = {
  zh: {
    "cn-110": "110 接处警导出（GCJ-02 坐标：高德、腾讯地图）", "cn-110-bd09": "110 接处警导出（BD-09 坐标：百度地图）",
    "cn-110-wgs84": "110 接处警导出（WGS84/CGCS2000 坐标：GPS、警用地理信息）", fengqiao: "枫桥平台导出",
    chicago: "芝加哥公开警情", "chicago-burglary": "芝加哥入室盗窃（研究数据）", cincinnati: "辛辛那提公开警情", houston: "休斯敦公开警情",
    medellin: "麦德林公开警情", "nyc-vehicle": "纽约车辆盗窃", portland: "波特兰警情（竞赛数据）", sf: "旧金山公开警情", vancouver: "温哥华公开警情",
  },
  en: {
    "cn-110": "Chinese 110 export (GCJ-02: Amap, Tencent)", "cn-110-bd09": "Chinese 110 export (BD-09: Baidu)",
    "cn-110-wgs84": "Chinese 110 export (WGS84/CGCS2000: GPS, police GIS)", fengqiao: "Fengqiao's own export",
    chicago: "Chicago open data", "chicago-burglary": "Chicago residential burglary (research)", cincinnati: "Cincinnati open data", houston: "Houston open data",
    medellin: "Medellín open data", "nyc-vehicle": "New York vehicle thefts", portland: "Portland calls (NIJ challenge)", sf: "San Francisco open data", vancouver: "Vancouver open data",
  },
};

const I18N = {
  zh: {
    title: "导入警情", step_file: "① 选择警情文件", file_hint: "接处警系统导出的 CSV（可为 zip 或 gz 压缩包），UTF-8、GBK 或 UTF-16 编码均可，自动识别。",
    choose_file: "选择文件", step_mapping: "② 对应字段并预览", profile: "导出格式", encoding: "文字编码", dataset: "导入到数据集",
    mapping_edit: "字段对应表（可修改）", mapping_hint: "每行“用途 = 文件里的列名”；列名可写多个候选，用“|”隔开；列名后加“|”表示可缺。改动后点“按此预览”。",
    preview: "按此预览", start: "开始导入", as_incidents: "读作警情（前 10 条）", rejects_title: "拒收的行（前 20 条）", raw_title: "文件原样（前 10 行）",
    step_run: "③ 导入", uploading: "正在上传…", previewing: "正在预览…", auto: "自动识别", fitting: "与文件相符", others: "其他格式", edited: "（已修改）",
    file_info: (f, p) => `${f.name}，${size(f.size)}${p.zip_member ? `，压缩包内的 ${p.zip_member}` : ""}`,
    read_as: (p) => `${p.encoding}${p.detected ? "（自动识别）" : ""}`, enc_card: "编码", read: "读取行数", parsed: "可导入", rejected: "拒收",
    of_first: (n) => `预览读取前 ${n} 行`, no_rejects: "没有被拒收的行。", no_rows: "没有读出警情。",
    key: "编号", time: "时间（本地）", category: "类别", position: "经度, 纬度（WGS84）", address: "地址", unit: "单位", origin: "来源",
    line: "行", field: "字段", why: "原因", text: "原文", whole_row: "整行",
    origins: { citizen: "群众报警", officer: "民警发现", unknown: "未注明" },
    running: (s) => `已读取 ${s.rows} 行（${size(s.bytes)} / ${size(s.total_bytes)}）`, done: "导入完成。", failed: "导入未完成：",
    imported: "新增", duplicates: "已有（重复）", see: (d) => `查看数据集“${d}”的警情`, reasons: "拒收原因",
    at_line: (l, more) => `（第 ${l} 行${more > 0 ? `，同类还有 ${more} 行` : ""}）`, rejects_file: (f) => `拒收的行已写入服务器上的 ${f}。`,
    problems: {
      missing_column: (d) => `文件里没有“${d.column.split("|").join("”或“")}”列（${ROLES_ZH[d.role] || d.role}）：请换一种导出格式，或在字段对应表里改成文件里的列名。`,
      no_profile: () => "没有与文件的列相符的内置导出格式：请选一种，并在字段对应表里改成文件里的列名。",
      mapping_syntax: (d) => [`字段对应表第 ${d.line} 行第 ${d.column} 列写法有误，请改正后再预览（`, h("span", { translate: "no" }, d.reason), "）。"],
      mapping: (d) => ["字段对应表有误，请改正后再预览（", h("span", { translate: "no" }, d.reason), "）。"],
    },
    kinds: {
      blank: () => "为空", bad_time: (v) => `“${v}”不是可识别的时间`, too_early: () => "时间早于 1970 年", future: (v) => `时间“${v}”在将来`,
      not_number: (v) => `“${v}”不是数字`, zero_position: () => "坐标为 0, 0（未定位）", not_lonlat: (v) => `“${v}”不是经纬度，坐标系可能选错`,
      outside_area: (v) => `位置（${v}）不在所设范围内`, field_count: (v) => { const [n, m] = v.split("/"); return `本行 ${n} 列，表头 ${m} 列`; },
      open_quote: () => "引号未闭合（其后各行照常读取）", not_text: (v) => `不是 ${v} 编码的文字，请换一种编码`,
    },
  },
  en: {
    title: "Import incidents", step_file: "1 · Choose an incident file", file_hint: "A CSV export of the call-handling system (or a zip or gz of one), in UTF-8, GBK or UTF-16: detected.",
    choose_file: "Choose a file", step_mapping: "2 · Match the columns and preview", profile: "Export format", encoding: "Text encoding", dataset: "Import into dataset",
    mapping_edit: "Column mapping (editable)", mapping_hint: "Each line is “role = the file's column”; a column may list alternatives separated by “|”; a trailing “|” lets it be absent. Preview after a change.",
    preview: "Preview", start: "Import", as_incidents: "Read as incidents (first 10)", rejects_title: "Rows refused (first 20)", raw_title: "The file as it is (first 10 rows)",
    step_run: "3 · Import", uploading: "Uploading…", previewing: "Previewing…", auto: "Detect", fitting: "Fits the file", others: "Other formats", edited: " (edited)",
    file_info: (f, p) => `${f.name}, ${size(f.size)}${p.zip_member ? `, ${p.zip_member} inside the archive` : ""}`,
    read_as: (p) => `${p.encoding}${p.detected ? " (detected)" : ""}`, enc_card: "Encoding", read: "Rows read", parsed: "Can be imported", rejected: "Refused",
    of_first: (n) => `The preview reads the first ${n} rows`, no_rejects: "No row refused.", no_rows: "No incident read.",
    key: "ID", time: "Time (local)", category: "Category", position: "Longitude, latitude (WGS84)", address: "Address", unit: "Unit", origin: "Origin",
    line: "Line", field: "Field", why: "Why", text: "Text", whole_row: "row",
    origins: { citizen: "citizen call", officer: "found by police", unknown: "not given" },
    running: (s) => `${s.rows} rows read (${size(s.bytes)} of ${size(s.total_bytes)})`, done: "Import finished.", failed: "The import did not finish: ",
    imported: "New", duplicates: "Already stored", see: (d) => `See the incidents of dataset “${d}”`, reasons: "Why rows were refused",
    at_line: (l, more) => ` (line ${l}${more > 0 ? `, and ${more} more like it` : ""})`, rejects_file: (f) => `The refused rows are in ${f} on the server.`,
    problems: {
      missing_column: (d) => `The file has no column “${d.column.split("|").join("” or “")}” (${d.role}): choose another export format, or write the file's column name in the mapping.`,
      no_profile: () => "No built-in export format fits the file's columns: choose one and write the file's column names in its mapping.",
      mapping_syntax: (d) => [`The mapping is not written right at line ${d.line}, column ${d.column}: ${d.reason}. Correct it and preview again.`],
      mapping: (d) => [`The mapping is wrong: ${d.reason}. Correct it and preview again.`],
    },
    kinds: {
      blank: () => "blank", bad_time: (v) => `“${v}” is not a time it can read`, too_early: () => "before 1970", future: (v) => `“${v}” is in the future`,
      not_number: (v) => `“${v}” is not a number`, zero_position: () => "coordinates 0, 0 (not located)", not_lonlat: (v) => `“${v}” is not a longitude and latitude: is the coordinate system right?`,
      outside_area: (v) => `the position (${v}) is outside the area set`, field_count: (v) => { const [n, m] = v.split("/"); return `${n} fields where the header has ${m}`; },
      open_quote: () => "a quote never closed (the rows after it are read on their own)", not_text: (v) => `not ${v} text: try another encoding`,
    },
  },
};
/// What each column of a mapping is for, in Chinese.
const ROLES_ZH = { x: "经度", y: "纬度", time: "发生时间", id: "编号", unit: "单位", address: "地址", "place type": "场所类型", category: "类别", origin: "来源",
  received: "接警时间", dispatched: "派警时间", arrived: "到场时间", closed: "处警结束时间" };
const state = { lang: pickLang(), me: null, profiles: [], encodings: [], file: null, look: null, edited: false, job: null };

function size(n) {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} B`;
}

const profileName = (name) => PROFILE_NAMES[state.lang][name] || name;
const fieldName = (f) => (f === "(row)" ? t("whole_row") : f);
/// Why a row was refused, in the page's words.
const why = (r) => {
  const say = t("kinds")[r.kind];
  return say ? say(r.value) : r.reason;
};

function choice() {
  const profile = $("profile").value;
  const encoding = $("encoding").value || null;
  return state.edited ? { mapping: $("mapping").value, encoding } : { profile, encoding };
}

function fillControls() {
  const look = state.look;
  const select = $("profile");
  const chosen = select.value || (look.fitting_profiles[0] || (state.profiles[0] && state.profiles[0].name));
  select.innerHTML = "";
  const fits = state.profiles.filter((p) => look.fitting_profiles.includes(p.name));
  const rest = state.profiles.filter((p) => !look.fitting_profiles.includes(p.name));
  const option = (p) => h("option", { value: p.name, selected: p.name === chosen }, profileName(p.name) + (state.edited && p.name === chosen ? t("edited") : ""));
  if (fits.length) select.append(h("optgroup", { label: t("fitting") }, fits.map(option)));
  select.append(h("optgroup", { label: t("others") }, rest.map(option)));
  const enc = $("encoding");
  const encoding = enc.value;
  enc.innerHTML = "";
  enc.append(h("option", { value: "" }, t("auto")), ...state.encodings.map((e) => h("option", { value: e, selected: e === encoding }, e.toUpperCase())));
}

function setProfile(name) {
  const p = state.profiles.find((x) => x.name === name);
  state.edited = false;
  $("mapping").value = p ? p.mapping : "";
  if (!$("dataset").dataset.touched) $("dataset").value = name === "fengqiao" ? "demo" : name;
}

function table(id, heads, rows) {
  const el = $(id);
  el.innerHTML = "";
  if (!rows.length) return;
  el.append(h("thead", {}, h("tr", {}, heads.map((k) => h("th", { scope: "col" }, k)))));
  el.append(h("tbody", {}, rows));
}

function render() {
  applyLang();
  $("mapping").setAttribute("aria-label", t("mapping_edit"));
  const look = state.look;
  $("mapping-panel").hidden = !look;
  if (!look) return;
  fillControls();
  $("file-info").textContent = t("file_info")(state.file, look);
  const said = look.problem_detail && t("problems")[look.problem_detail.kind];
  $("problem").replaceChildren(...[].concat(said ? said(look.problem_detail) : look.problem || ""));
  const counts = $("preview-counts");
  counts.innerHTML = "";
  const card = (value, label, id) => h("div", { class: "card", id }, h("b", {}, value), h("span", {}, label));
  counts.append(
    card(t("read_as")(look), t("enc_card"), "encoding-card"),
    card(String(look.read), `${t("read")} · ${t("of_first")(1000)}`, "read-card"),
    card(String(look.parsed), t("parsed"), "parsed-card"),
    card(String(look.rejected), t("rejected"), "rejected-card"));
  table("incidents", [t("key"), t("time"), t("category"), t("position"), t("address"), t("unit"), t("origin")],
    look.incidents.map((r) => h("tr", {},
      h("td", {}, r.key), h("td", {}, r.occurred),
      h("td", {}, (state.lang === "zh" ? r.category_zh : r.category_en) || r.category),
      h("td", { class: "n" }, `${r.lon.toFixed(5)}, ${r.lat.toFixed(5)}`),
      h("td", {}, r.address || "—"), h("td", {}, r.unit || "—"), h("td", {}, t("origins")[r.origin] || r.origin))));
  table("rejects", [t("line"), t("field"), t("why"), t("text")],
    look.rejects.map((r) => h("tr", {},
      h("td", { class: "n" }, String(r.line)), h("td", {}, fieldName(r.field)), h("td", {}, why(r)), h("td", { class: "raw-text" }, r.record))));
  if (!look.problem && !look.rejects.length) $("rejects").append(h("caption", {}, t("no_rejects")));
  table("raw", [t("line"), ...look.header], look.rows.map((row, i) => h("tr", {},
    h("td", { class: "n" }, String(i + 2)), row.map((v) => h("td", { class: "raw-text" }, v)))));
  $("start").disabled = Boolean(look.problem) || look.parsed === 0 || Boolean(state.job);
}

async function preview() {
  if (!state.look) return;
  $("page-message").textContent = t("previewing");
  try {
    state.look = await change("/api/v1/imports/preview", { file: state.look.file, ...choice() });
    $("page-message").textContent = "";
  } catch (e) {
    // A mistake in the edited mapping is said with where it is.
    const said = e.details && t("problems")[e.details.kind];
    $("page-message").replaceChildren(...[].concat(said ? said(e.details) : problem(e)));
  }
  render();
}

function mediaType(name) {
  const n = name.toLowerCase();
  if (n.endsWith(".zip")) return "application/zip";
  if (n.endsWith(".gz")) return "application/gzip";
  return "text/csv";
}

async function chooseFile(f) {
  if (!f) return;
  state.file = { name: f.name, size: f.size };
  state.look = null;
  state.job = null;
  $("run-panel").hidden = true;
  $("profile").value = "";
  $("page-message").textContent = t("uploading");
  try {
    state.look = await upload("/api/v1/imports/files", new File([f], f.name, { type: mediaType(f.name) }));
    $("page-message").textContent = "";
    const first = state.look.fitting_profiles[0];
    if (first) setProfile(first);
  } catch (e) {
    $("page-message").textContent = problem(e);
  }
  render();
}

function showRun(s) {
  $("run-panel").hidden = false;
  const bar = $("progress");
  bar.max = Math.max(1, s.total_bytes);
  bar.value = s.state === "running" ? s.bytes : bar.max;
  $("progress-text").textContent = s.state === "running" ? t("running")(s) : "";
  const outcome = $("outcome");
  outcome.innerHTML = "";
  $("reasons").innerHTML = "";
  $("after").innerHTML = "";
  if (s.state === "failed") {
    $("progress-text").textContent = t("failed") + problem(Object.assign(new Error(s.error.message), s.error));
    return;
  }
  if (s.state !== "done") return;
  const r = s.result;
  const card = (value, label, id) => h("div", { class: "card", id }, h("b", {}, String(value)), h("span", {}, label));
  $("progress-text").textContent = t("done");
  outcome.append(card(r.read, t("read"), "run-read"), card(r.imported, t("imported"), "run-imported"),
    card(r.duplicates, t("duplicates"), "run-duplicates"), card(r.rejected, t("rejected"), "run-rejected"));
  const reasons = Object.entries(r.first_rejects || {});
  if (reasons.length) $("reasons").append(h("li", { class: "head" }, t("reasons")),
    ...reasons.map(([key, first]) => h("li", {}, `${r.rejected_by_reason[key]} · ${fieldName(first.field)}${colon()}${why(first)}${t("at_line")(first.line, r.rejected_by_reason[key] - 1)}`)));
  if (r.rejects_file) $("after").append(t("rejects_file")(r.rejects_file), " ");
  $("after").append(h("a", { href: `/incidents?dataset=${encodeURIComponent(r.dataset)}`, id: "see-incidents" }, t("see")(r.dataset)));
}

async function start() {
  const button = $("start");
  button.disabled = true;
  try {
    const s = await change("/api/v1/imports", { file: state.look.file, dataset: $("dataset").value, ...choice() });
    state.job = s.job;
    showRun(s);
    for (;;) {
      await new Promise((r) => setTimeout(r, 400));
      const now = await api(`/api/v1/imports/${s.job}`);
      showRun(now);
      if (now.state !== "running") break;
    }
  } catch (e) {
    $("page-message").textContent = problem(e);
  } finally {
    state.job = null;
    render();
  }
}

async function init() {
  state.me = await startPage(() => { render(); });
  if (!state.me.permissions.includes("incidents.import")) { location.replace(homeOf(state.me)); return; }
  const p = await api("/api/v1/import-profiles");
  state.profiles = p.profiles;
  state.encodings = p.encodings;
  $("file").onchange = (ev) => chooseFile(ev.target.files[0]);
  $("profile").onchange = async () => { setProfile($("profile").value); await preview(); };
  $("encoding").onchange = preview;
  $("mapping").oninput = () => { state.edited = true; };
  $("dataset").oninput = () => { $("dataset").dataset.touched = "1"; };
  $("preview").onclick = preview;
  $("start").onclick = start;
  render();
  ready();
}

init().catch((e) => { $("page-message").textContent = problem(e); });
