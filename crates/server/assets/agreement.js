// The printable 人民调解协议书 of a mediated dispute, laid out as Article 29
// of the People's Mediation Law has it: the parties, the main facts and
// what is in dispute, the terms agreed and how and by when they are to be
// performed, then the parties' and the mediator's signatures and the
// committee's seal, with the date. Built from the case's agreement record;
// personal data as the signed-in role may see it.
"use strict";

const I18N = {
  zh: {
    title: "人民调解协议书", print: "打印", code: "编号", parties: "当事人", facts: "纠纷主要事实、争议事项",
    agreed_intro: "经调解，各方当事人自愿达成如下协议：", performance: "履行方式、期限", copies: (n) => `本协议书一式 ${n} 份，各方当事人各执一份，人民调解委员会留存一份。`,
    effect: "本协议书自各方当事人签名、盖章或者按指印，人民调解员签名并加盖人民调解委员会印章之日起生效。",
    party_sign: "当事人（签名、盖章或按指印）：", mediator_sign: "人民调解员（签名）：", seal: "人民调解委员会（印章）",
    phone: "电话", no_agreement: "该案件尚未达成调解协议。", date: (d) => { const [y, m, dd] = d.split("-").map(Number); return `${y} 年 ${m} 月 ${dd} 日`; },
    numerals: ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"],
  },
  en: {
    title: "Mediation agreement", print: "Print", code: "No.", parties: "Parties", facts: "Main facts and matters in dispute",
    agreed_intro: "Through mediation the parties have freely agreed as follows:", performance: "How and by when",
    copies: (n) => `This agreement is made in ${n} copies: one for each party and one kept by the People's Mediation Committee.`,
    effect: "It takes effect on the day every party has signed, sealed or fingerprinted it and the mediator has signed it under the committee's seal.",
    party_sign: "Parties (signature, seal or fingerprint):", mediator_sign: "Mediator (signature):", seal: "People's Mediation Committee (seal)",
    phone: "phone", no_agreement: "This case has no mediation agreement yet.", date: (d) => d, numerals: null,
  },
};
const state = { lang: pickLang() };

async function render() {
  applyLang();
  const code = new URLSearchParams(location.search).get("case");
  const [v, types] = await Promise.all([api(`/api/v1/cases/${encodeURIComponent(code)}`), api("/api/v1/case-types")]);
  const paper = $("agreement");
  paper.innerHTML = "";
  const agreement = v.events.filter((e) => e.action === "agree" && e.details).pop();
  if (!agreement) { paper.append(h("p", {}, t("no_agreement"))); return; }
  const d = agreement.details;
  const named = (list, c) => { const x = list.find((y) => y.code === c); return x ? nameOf(x) : c; };
  const c = v.case;
  const n = (i) => (t("numerals") ? `${t("numerals")[i] || i + 1}、` : `${i + 1}. `);
  paper.append(
    h("h2", { class: "doc-title" }, t("title")),
    h("p", { class: "doc-code" }, `${t("code")} ${c.code}`),
    h("h3", {}, t("parties")),
    h("ul", { class: "doc-parties", id: "doc-parties" }, c.parties.map((p) => h("li", {},
      `${named(types.party_roles, p.role)}${colon()}${p.name}`
      + (p.id_number ? `，${p.id_type ? named(types.id_types, p.id_type) : ""} ${p.id_number}` : "")
      + (p.phone ? `，${t("phone")} ${p.phone}` : "")))),
    h("h3", {}, t("facts")),
    h("p", { id: "doc-facts" }, c.description || c.title),
    h("p", {}, t("agreed_intro")),
    h("ol", { class: "doc-terms", id: "doc-terms" }, d.terms.map((x, i) => h("li", {}, `${n(i)}${x}`))),
    d.performance ? h("p", {}, `${t("performance")}${colon()}${d.performance}`) : null,
    h("p", {}, t("copies")(c.parties.length + 1)),
    h("p", {}, t("effect")),
    h("div", { class: "signatures" },
      h("p", {}, t("party_sign"), c.parties.map(() => h("span", { class: "sign-line" }))),
      h("p", {}, t("mediator_sign"), h("span", { class: "sign-line" }, c.state.assignee || "")),
      h("p", {}, t("seal")),
      h("p", { id: "doc-date" }, t("date")(d.signed_on))));
  document.title = `${t("title")} ${c.code}`;
}

async function init() {
  $("print").onclick = () => window.print();
  await startPage(() => render());
  await render();
  ready();
}

init().catch((e) => { $("agreement").textContent = problem(e); });
