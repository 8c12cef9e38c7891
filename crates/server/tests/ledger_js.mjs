// Runs the page's ledger check (assets/ledger.js) under Node's WebCrypto on
// a proof served by the real server: the good proof, a tampered path, a
// forged checkpoint signature and a wrong verifier key. Prints JSON.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const LedgerVerify = require(process.argv[2]);
const proof = JSON.parse(readFileSync(process.argv[3], "utf8"));
const copy = () => JSON.parse(JSON.stringify(proof));
const flip = (b64) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  bytes[5] ^= 1;
  return btoa(String.fromCharCode(...bytes));
};

const tampered = copy();
tampered.proof[0] = flip(tampered.proof[0]);
const forged = copy();
const lines = forged.checkpoint.split("\n");
const sigLine = lines.findIndex((l) => l.startsWith("\u2014 "));
const [dash, name, sig] = lines[sigLine].split(" ");
lines[sigLine] = [dash, name, flip(sig)].join(" ");
forged.checkpoint = lines.join("\n");
const otherKey = proof.vkey.replace(/\+[0-9a-f]{8}\+/, "+00000000+");

console.log(JSON.stringify({
  good: await LedgerVerify.verify(proof, proof.vkey),
  tampered: await LedgerVerify.verify(tampered, tampered.vkey),
  forged: await LedgerVerify.verify(forged, forged.vkey),
  other_key: await LedgerVerify.verify(proof, otherKey),
}));
