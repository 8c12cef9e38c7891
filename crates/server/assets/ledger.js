// Checks a record's ledger proof in the browser, trusting nothing the
// server computed: the leaf hash from the entry's bytes, the RFC 9162
// inclusion proof up to the root, the root and size in the C2SP
// checkpoint, and the checkpoint's Ed25519 signature by the log's key
// (WebCrypto; where the browser lacks Ed25519 the result says so).
// Used by the page and, unchanged, by the server's tests under Node.
"use strict";

const LedgerVerify = (() => {
  const enc = new TextEncoder();
  const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  const concat = (...parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  };
  const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const node = (l, r) => sha256(concat(Uint8Array.of(1), l, r));

  // RFC 9162 section 2.1.3.2; sizes as Numbers (exact below 2^53).
  async function rootFromPath(index, size, leaf, path) {
    if (index >= size) throw new Error("index beyond the tree");
    let fn = index, sn = size - 1, r = leaf;
    for (const p of path) {
      if (p.length !== 32) throw new Error("proof element is not 32 bytes");
      if (sn === 0) throw new Error("proof too long");
      if (fn % 2 === 1 || fn === sn) {
        r = await node(p, r);
        if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      } else {
        r = await node(r, p);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    if (sn !== 0) throw new Error("proof too short");
    return r;
  }

  async function signatureHolds(note, vkey) {
    const split = note.indexOf("\n\n");
    const text = note.slice(0, split + 1);
    const [name, id, key] = [vkey.split("+")[0], vkey.split("+")[1], vkey.split("+").slice(2).join("+")];
    const raw = b64(key);
    if (raw[0] !== 1 || raw.length !== 33) throw new Error("not an Ed25519 verifier key");
    const line = note.slice(split + 2).split("\n").find((l) => l.startsWith(`\u2014 ${name} `));
    if (!line) throw new Error("the checkpoint has no signature by " + name);
    const sig = b64(line.slice(`\u2014 ${name} `.length));
    const keyId = Array.from(sig.slice(0, 4), (b) => b.toString(16).padStart(2, "0")).join("");
    if (keyId !== id) throw new Error("the signature is by another key");
    let k;
    try {
      k = await crypto.subtle.importKey("raw", raw.slice(1), { name: "Ed25519" }, false, ["verify"]);
    } catch (e) {
      return null; // this browser cannot check Ed25519
    }
    return crypto.subtle.verify({ name: "Ed25519" }, k, sig.slice(4), enc.encode(text));
  }

  // proof: the JSON of /api/v1/ledger/proof. Returns {ok, reason, signature}
  // with signature "checked", "unsupported" or "bad".
  async function verify(proof, vkey) {
    try {
      const leaf = await sha256(concat(Uint8Array.of(0), enc.encode(proof.leaf)));
      if (!same(leaf, b64(proof.leaf_hash))) return { ok: false, reason: "the entry does not hash to its leaf" };
      const lines = proof.checkpoint.slice(0, proof.checkpoint.indexOf("\n\n")).split("\n");
      const size = Number(lines[1]);
      if (size !== proof.tree_size) return { ok: false, reason: "the checkpoint is for another size" };
      const root = await rootFromPath(proof.index, size, leaf, proof.proof.map(b64));
      if (!same(root, b64(lines[2]))) return { ok: false, reason: "the proof does not lead to the signed root" };
      const sig = await signatureHolds(proof.checkpoint, vkey);
      if (sig === false) return { ok: false, reason: "the checkpoint signature does not verify", signature: "bad" };
      return { ok: true, signature: sig === null ? "unsupported" : "checked", index: proof.index, size };
    } catch (e) {
      return { ok: false, reason: e.message };
    }
  }

  return { verify };
})();

if (typeof module !== "undefined") module.exports = LedgerVerify;
