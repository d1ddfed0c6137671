// Generated mail for the full-text tests: words in many scripts, in many charsets and transfer
// encodings, in headers (raw 8-bit and RFC 2047) and bodies (plain, HTML, nested messages).
import fc from "fast-check";
import iconv from "iconv-lite";

export const WORDS = [
  "quokka", "Quokkabench", "hello world", "foo-bar", "Grüße", "STRASSE", "straße", "café", "naïve",
  "ΣΟΦΙΑ", "σοφίας", "Москва", "привет", "日本語テキスト", "İstanbul", "KELVIN", "K-band", "<b>bold</b>",
  "a=b", "x\"y", "zz", "élan", "ÆØÅ", "smörgåsbord", "Ünïcode", "ab", "c", "tab\there",
];

const CHARSETS = ["utf-8", "iso-8859-1", "iso-8859-15", "windows-1252", "iso-8859-7", "koi8-r",
  "windows-1251", "shift_jis", "euc-jp", "gb2312", "big5", "iso-8859-2", "us-ascii"];
type Cte = "8bit" | "quoted-printable" | "base64";

const phrase = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 5 }).map((w) => w.join(" "));

function qp(bytes: Buffer): string {
  let out = "", line = 0;
  for (const b of bytes) {
    const piece = b === 10 ? "\n" : (b >= 33 && b <= 126 && b !== 61) || b === 32 ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, "0")}`;
    if (piece === "\n") { out += "\n"; line = 0; continue; }
    if (line + piece.length > 73) { out += "=\n"; line = 0; }
    out += piece;
    line += piece.length;
  }
  return out;
}

function encodeBody(text: string, charset: string, cte: Cte): { head: string; body: string } {
  const bytes = iconv.encode(text, charset === "us-ascii" ? "latin1" : charset);
  const body = cte === "base64" ? bytes.toString("base64").replace(/.{1,76}/g, "$&\n")
    : cte === "quoted-printable" ? qp(bytes) + "\n" : bytes.toString("latin1") + "\n";
  return { head: `Content-Type: text/plain; charset="${charset}"\nContent-Transfer-Encoding: ${cte}\n`, body };
}

/** A header value: raw UTF-8 (8-bit), or RFC 2047 B or Q in a charset. */
const headerValue = fc.record({ text: phrase, how: fc.constantFrom("raw", "B", "Q"), charset: fc.constantFrom("utf-8", "iso-8859-1", "iso-8859-7", "koi8-r", "shift_jis") })
  .map(({ text, how, charset }) => {
    if (how === "raw") return Buffer.from(text, "utf8").toString("latin1");
    const b = iconv.encode(text, charset);
    const enc = how === "B" ? b.toString("base64")
      : [...b].map((x) => (x >= 33 && x <= 126 && x !== 61 && x !== 63 && x !== 95 ? String.fromCharCode(x) : x === 32 ? "_" : `=${x.toString(16).toUpperCase().padStart(2, "0")}`)).join("");
    return `=?${charset}?${how}?${enc}?=`;
  });

const address = fc.record({ name: headerValue, local: fc.constantFrom("ann", "bob", "quokka", "zelda.q"), dom: fc.constantFrom("example.com", "mÿ.example") })
  .map(({ name, local, dom }) => `${name} <${local}@${dom}>`);

const partOf = (text: fc.Arbitrary<string>) =>
  fc.record({ text, charset: fc.constantFrom(...CHARSETS), cte: fc.constantFrom<Cte>("8bit", "quoted-printable", "base64") });

/** Body text of several lines (long ones too: QP soft breaks, base64 lines cut inside words). */
export const lines = fc.array(fc.tuple(phrase, fc.constantFrom(" ", "\n", "\n\n", " \n", "")), { minLength: 1, maxLength: 12 })
  .map((ws) => ws.map(([w, sep]) => w + sep).join(""));

export interface GenMessage { mbox: string }

/** One message (LF line endings, latin1 string of its bytes), with a unique Message-ID. */
export const message = (id: number, text: fc.Arbitrary<string> = phrase) => fc.record({
  subject: headerValue, from: address, to: address, cc: fc.option(address), bcc: fc.option(address),
  tag: fc.option(headerValue), shape: fc.constantFrom("plain", "alternative", "nested"), parts: fc.array(partOf(text), { minLength: 1, maxLength: 3 }),
}).map((m) => {
  const h = [`From: ${m.from}`, `To: ${m.to}`];
  if (m.cc) h.push(`Cc: ${m.cc}`);
  if (m.bcc) h.push(`Bcc: ${m.bcc}`);
  if (m.tag) h.push(`X-Tag: ${m.tag}`);
  h.push(`Subject: ${m.subject}`, `Message-ID: <gen-${id}@fts.test>`, "MIME-Version: 1.0");
  const leaf = (p: (typeof m.parts)[number]) => { const e = encodeBody(p.text, p.charset, p.cte); return e.head + "\n" + e.body; };
  let body: string;
  if (m.shape === "plain") {
    const e = encodeBody(m.parts[0].text, m.parts[0].charset, m.parts[0].cte);
    return `${h.join("\n")}\n${e.head}\n${e.body}`;
  } else if (m.shape === "alternative") {
    const html = `<html><body><p>${m.parts[0].text}</p></body></html>`;
    const e = encodeBody(html, "utf-8", "quoted-printable");
    body = `Content-Type: multipart/alternative; boundary="b${id}"\n\n--b${id}\n${leaf(m.parts[0])}--b${id}\n${e.head.replace("text/plain", "text/html")}\n${e.body}--b${id}--\n`;
  } else {
    const inner = `Subject: ${m.parts.length > 1 ? "inner " + m.parts[1].text : "inner"}\nFrom: x@y\n${leaf(m.parts[m.parts.length - 1])}`;
    body = `Content-Type: multipart/mixed; boundary="m${id}"\n\n--m${id}\n${leaf(m.parts[0])}--m${id}\nContent-Type: message/rfc822\n\n${Buffer.from(inner, "latin1").toString("latin1")}--m${id}--\n`;
  }
  return `${h.join("\n")}\n${body}`;
});

/** Needles: whole words, pieces of words, pieces across words, short ones, other case. */
export const needle = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.tuple(fc.constantFrom(...WORDS), fc.nat(), fc.integer({ min: 1, max: 8 })).map(([w, s, n]) => [...w].slice(s % w.length, (s % w.length) + n).join("")),
  fc.constantFrom("llo wor", "o w", "ss", "SS", "ü", "ς", "i̇", "k", "=?", "quokka@", "zelda", "ANN", "b>b", "<b>", "example.com", "subject: ", "x-tag"),
  fc.tuple(fc.constantFrom(...WORDS), fc.boolean()).map(([w, up]) => (up ? w.toUpperCase() : w.toLowerCase())),
).filter((s) => s.length > 0 && !s.includes("\r") && !s.includes("\n"));
