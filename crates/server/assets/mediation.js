// Mediation as mediators record it: a session's minutes (date, place, who
// attended, what was said and agreed, the next step), an agreement's terms
// (one per line, how and by when, the day it was signed) and a follow-up
// visit's outcome, each a form instead of a free-text box; and the records
// shown back in words. Uses `state.lang` and the case page's helpers.
"use strict";

const MEDIATION_I18N = {
  zh: {
    session: "调解会议记录", agree: "调解协议", visit: "回访记录", held_on: "日期", place: "地点", attendees: "参加人员（每行一人）",
    said: "调解经过（各方陈述）", agreed: "达成的共识（如有）", next_step: "下一步安排", terms: "协议内容（每行一条）",
    performance: "履行方式与期限", signed_on: "签订日期", visited_on: "回访日期", outcome: "履行情况", note: "回访情况说明",
    outcomes: { fulfilled: "已履行", partly: "部分履行", unfulfilled: "未履行", recurred: "纠纷复发" },
    save: "保存", cancel: "取消", print: "打印调解协议书", attended: "参加", by: "记录人",
    warn: "防范告知记录", households: "告知户数", notices: "张贴告示（张）", warn_note: "情况说明（如楼栋、方式）",
    told: (n, k) => `告知 ${n} 户${k ? `，张贴告示 ${k} 张` : ""}`,
    dissuade: "劝阻结果", d_outcome: "结果", channel: "方式", loss_prevented: "避免损失（元）", d_note: "情况说明",
    d_outcomes: { dissuaded: "劝阻成功", already_paid: "已被骗（已转账）", refused: "不听劝阻" }, channels: { phone: "电话劝阻", visit: "上门劝阻" },
    prevented: (n) => `避免损失 ${n.toLocaleString("zh-CN")} 元`,
    answer: "回访记录", satisfaction: "对处置是否满意", safety: "在本地生活是否感到安全（可不答）", reasons: "不满意的原因", comment: "群众原话（可选）",
    satisfactions: { satisfied: "满意", basically: "基本满意", unsatisfied: "不满意" },
    safeties: { "": "未回答", safe: "安全", basically_safe: "基本安全", unsafe: "不安全" },
    why_not: { slow: "出警慢", attitude: "态度差", unsolved: "问题未解决", no_feedback: "无反馈", other: "其他" },
    need_reason: "不满意时请至少勾选一个原因",
  },
  en: {
    session: "Mediation session", agree: "Mediation agreement", visit: "Follow-up visit", held_on: "Date", place: "Place",
    attendees: "Attendees (one per line)", said: "What each side said", agreed: "What was agreed (if anything)", next_step: "Next step",
    terms: "Terms (one per line)", performance: "How and by when", signed_on: "Signed on", visited_on: "Visited on",
    outcome: "Performance", note: "Notes", outcomes: { fulfilled: "Fulfilled", partly: "Partly fulfilled", unfulfilled: "Not fulfilled", recurred: "Dispute recurred" },
    save: "Save", cancel: "Cancel", print: "Print the mediation agreement", attended: "attended", by: "recorded by",
    warn: "Neighbours warned", households: "Households told", notices: "Notices put up", warn_note: "Notes (buildings, how)",
    told: (n, k) => `${n} household${n === 1 ? "" : "s"} told${k ? `, ${k} notice${k === 1 ? "" : "s"} put up` : ""}`,
    dissuade: "How it ended", d_outcome: "Outcome", channel: "Reached by", loss_prevented: "Loss prevented (yuan)", d_note: "Notes",
    d_outcomes: { dissuaded: "Dissuaded", already_paid: "Had already paid", refused: "Would not listen" }, channels: { phone: "Phone call", visit: "Visit" },
    prevented: (n) => `¥${n.toLocaleString("en-GB")} loss prevented`,
    answer: "Callback answers", satisfaction: "Satisfied with how it was handled?", safety: "Do they feel safe where they live? (optional)", reasons: "Why not satisfied",
    comment: "Their words (optional)", satisfactions: { satisfied: "Satisfied", basically: "Basically satisfied", unsatisfied: "Not satisfied" },
    safeties: { "": "Not answered", safe: "Safe", basically_safe: "Basically safe", unsafe: "Not safe" },
    why_not: { slow: "Slow to arrive", attitude: "Attitude", unsolved: "Not solved", no_feedback: "No feedback", other: "Other" },
    need_reason: "Tick at least one reason when not satisfied",
  },
};
const mt = (k) => MEDIATION_I18N[state.lang][k];

/// Today in the city's zone, YYYY-MM-DD (the server's calendar zone).

const lines = (text) => text.split("\n").map((x) => x.trim()).filter(Boolean);

/// The form for the record an action of `effect` makes; resolves to
/// `{ reason, details }` or null if cancelled. `parties` prefill attendees.
function recordForm(effect, parties) {
  const field = (key, control) => h("label", {}, h("span", {}, mt(key)), control);
  const today = cityToday();
  const controls = {
    session: () => [
      field("held_on", h("input", { type: "date", id: "rec-held_on", required: true, value: today, max: today })),
      field("place", h("input", { id: "rec-place", required: true, maxlength: 200 })),
      field("attendees", h("textarea", { id: "rec-attendees", rows: 3, required: true }, parties.map((p) => p.name).join("\n"))),
      field("said", h("textarea", { id: "rec-said", rows: 4, required: true, maxlength: 4000 })),
      field("agreed", h("textarea", { id: "rec-agreed", rows: 2, maxlength: 4000 })),
      field("next_step", h("input", { id: "rec-next_step", maxlength: 1000 })),
    ],
    agree: () => [
      field("terms", h("textarea", { id: "rec-terms", rows: 5, required: true })),
      field("performance", h("input", { id: "rec-performance", maxlength: 1000 })),
      field("signed_on", h("input", { type: "date", id: "rec-signed_on", required: true, value: today, max: today })),
    ],
    visit: () => [
      field("visited_on", h("input", { type: "date", id: "rec-visited_on", required: true, value: today, max: today })),
      field("outcome", h("select", { id: "rec-outcome" }, Object.entries(mt("outcomes")).map(([k, v]) => h("option", { value: k }, v)))),
      field("note", h("textarea", { id: "rec-note", rows: 3, maxlength: 2000 })),
    ],
    warn: () => [
      field("households", h("input", { type: "number", id: "rec-households", required: true, min: 0, max: 10000, step: 1, inputmode: "numeric" })),
      field("notices", h("input", { type: "number", id: "rec-notices", min: 0, max: 1000, step: 1, value: 0, inputmode: "numeric" })),
      field("warn_note", h("textarea", { id: "rec-note", rows: 2, maxlength: 2000 })),
    ],
    dissuade: () => [
      field("d_outcome", h("select", { id: "rec-outcome" }, Object.entries(mt("d_outcomes")).map(([k, v]) => h("option", { value: k }, v)))),
      field("channel", h("select", { id: "rec-channel" }, Object.entries(mt("channels")).map(([k, v]) => h("option", { value: k }, v)))),
      field("loss_prevented", h("input", { type: "number", id: "rec-loss", min: 0, max: 100000000, step: 1, value: 0, inputmode: "numeric" })),
      field("d_note", h("textarea", { id: "rec-note", rows: 2, maxlength: 2000 })),
    ],
    answer: () => [
      field("satisfaction", h("select", { id: "rec-satisfaction" }, Object.entries(mt("satisfactions")).map(([k, v]) => h("option", { value: k }, v)))),
      field("safety", h("select", { id: "rec-safety" }, Object.entries(mt("safeties")).map(([k, v]) => h("option", { value: k }, v)))),
      h("fieldset", { id: "rec-reasons" }, h("legend", {}, mt("reasons")),
        Object.entries(mt("why_not")).map(([k, v]) => h("label", { class: "check" }, h("input", { type: "checkbox", value: k, id: `rec-reason-${k}` }), h("span", {}, v)))),
      field("comment", h("textarea", { id: "rec-comment", rows: 2, maxlength: 500 })),
    ],
  }[effect];
  const v = (k) => { const e = $(`rec-${k}`); return e ? e.value.trim() : ""; };
  const read = {
    session: () => {
      const d = { held_on: v("held_on"), place: v("place"), attendees: lines(v("attendees")), said: v("said") };
      if (v("agreed")) d.agreed = v("agreed");
      if (v("next_step")) d.next_step = v("next_step");
      return { reason: d.agreed || null, details: d };
    },
    agree: () => {
      const d = { terms: lines(v("terms")), signed_on: v("signed_on") };
      if (v("performance")) d.performance = v("performance");
      return { reason: d.terms.join("；"), details: d };
    },
    visit: () => {
      const d = { visited_on: v("visited_on"), outcome: v("outcome") };
      if (v("note")) d.note = v("note");
      return { reason: mt("outcomes")[d.outcome], details: d };
    },
    warn: () => {
      const d = { households: Number(v("households")), notices: Number(v("notices") || 0) };
      if (v("note")) d.note = v("note");
      return { reason: null, details: d };
    },
    answer: () => {
      const d = { satisfaction: v("satisfaction") };
      if (v("safety")) d.safety = v("safety");
      const reasons = [...document.querySelectorAll("#rec-reasons input:checked")].map((x) => x.value);
      if (d.satisfaction === "unsatisfied") d.reasons = reasons;
      if (v("comment")) d.comment = v("comment");
      return { reason: null, details: d };
    },
    dissuade: () => {
      const d = { outcome: v("outcome"), channel: v("channel") };
      // Nothing is prevented when the person would not listen.
      if (d.outcome !== "refused" && Number(v("loss") || 0) > 0) d.loss_prevented = Number(v("loss"));
      if (v("note")) d.note = v("note");
      return { reason: null, details: d };
    },
  }[effect];
  return new Promise((resolve) => {
    const error = h("p", { id: "rec-error", role: "alert", class: "error" });
    const dialog = h("dialog", { id: "record-dialog", class: "form-dialog", "aria-labelledby": "record-title" },
      h("form", { id: "record-form", method: "dialog" },
        h("h2", { id: "record-title" }, mt(effect)), controls(), error,
        h("div", { class: "actions" },
          h("button", { type: "submit", id: "rec-save" }, mt("save")),
          h("button", { type: "button", onclick: () => { dialog.close(); dialog.remove(); resolve(null); } }, mt("cancel")))));
    dialog.querySelector("form").onsubmit = (ev) => {
      ev.preventDefault();
      const r = read();
      if (r.details.reasons && !r.details.reasons.length) {
        error.textContent = mt("need_reason");
        return;
      }
      if ((r.details.attendees && !r.details.attendees.length) || (r.details.terms && !r.details.terms.length)) {
        error.textContent = state.lang === "zh" ? "请至少填写一行" : "Give at least one line";
        return;
      }
      dialog.close();
      dialog.remove();
      resolve(r);
    };
    document.body.append(dialog);
    dialog.showModal();
  });
}

/// A session, agreement or visit in words, from its event.
function recordText(e) {
  const d = e.details;
  if (!d) return e.reason || "";
  if (e.action === "session" || d.said) {
    return [`${d.held_on} · ${d.place}`, `${listed(d.attendees)} ${mt("attended")}`, `${mt("said")}${colon()}${d.said}`,
      d.agreed ? `${mt("agreed")}${colon()}${d.agreed}` : null, d.next_step ? `${mt("next_step")}${colon()}${d.next_step}` : null].filter(Boolean).join(" · ");
  }
  if (e.action === "answer" || d.satisfaction) {
    return [mt("satisfactions")[d.satisfaction] || d.satisfaction, d.safety ? mt("safeties")[d.safety] || d.safety : null,
      (d.reasons || []).map((r) => mt("why_not")[r] || r).join(state.lang === "zh" ? "、" : ", ") || null, d.comment || null].filter(Boolean).join(" · ");
  }
  if (e.action === "dissuade" || d.channel) {
    return [mt("d_outcomes")[d.outcome] || d.outcome, mt("channels")[d.channel] || d.channel,
      d.loss_prevented ? mt("prevented")(d.loss_prevented) : null, d.note || null].filter(Boolean).join(" · ");
  }
  if (d.terms) return `${d.signed_on} · ${d.terms.map((x, i) => `${i + 1}. ${x}`).join(" ")}${d.performance ? ` · ${mt("performance")}${colon()}${d.performance}` : ""}`;
  if (d.outcome) return `${d.visited_on} · ${mt("outcomes")[d.outcome] || d.outcome}${d.note ? ` · ${d.note}` : ""}`;
  if (d.households !== undefined) return `${mt("told")(d.households, d.notices || 0)}${d.note ? ` · ${d.note}` : ""}`;
  return e.reason || "";
}
