// Builds realistic messages (as MH stores them: LF line endings): plain text, text+HTML
// alternatives, attachments (base64), forwarded messages, and large attachments up to 20 MB.
import { randomBytes } from "node:crypto";
import { Rng } from "./rng.js";

export type Kind = "plain" | "alternative" | "attachment" | "forward" | "large";

/** A word that appears in a known set of message bodies, for `SEARCH TEXT`. */
export const TEXT_TOKEN = "quokkabench";
/** A sender who wrote a known set of messages, for `SEARCH FROM`. */
export const FROM_TOKEN = "zelda.quarterly";

const FIRST = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy",
  "Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter", "Yuki"];
const LAST = ["Smith", "Jones", "Garcia", "Müller", "Rossi", "Dubois", "Kowalski", "Tanaka",
  "Silva", "Novak", "Larsen", "Okafor", "Haddad", "Ivanova", "Byrne", "Costa"];
const DOMAINS = ["example.com", "example.org", "example.net", "mail.example.edu", "corp.example"];
const SUBJECT_WORDS = ["meeting", "report", "invoice", "draft", "release", "budget", "travel",
  "review", "schedule", "update", "question", "minutes", "patch", "proposal", "photos", "plan"];
const MAILERS = ["Thunderbird 115.3", "Apple Mail (2.3731)", "Mutt/2.2.9", "Outlook 16.0", "nmh-1.8"];

/** Lines of pseudo-text to cut bodies from (built once; slicing is cheap). */
class TextPool {
  readonly text: string;
  readonly lineStarts: number[] = [];
  constructor(rng: Rng, bytes: number) {
    const syll = ["ka", "lo", "mi", "ne", "ru", "ta", "shi", "vo", "per", "qua", "len", "dor",
      "ex", "an", "tis", "mo", "ber", "gal", "u", "i"];
    const words: string[] = [];
    for (let i = 0; i < 3000; i++) {
      let w = "";
      const n = rng.int(1, 4);
      for (let j = 0; j < n; j++) w += rng.pick(syll);
      words.push(w);
    }
    const lines: string[] = [];
    let total = 0;
    let line = "";
    while (total < bytes) {
      const w = rng.pick(words);
      if (line.length + w.length + 1 > 72) {
        lines.push(line);
        total += line.length + 1;
        line = "";
        if (rng.chance(0.1)) {
          lines.push("");
          total += 1;
        }
      }
      line = line ? `${line} ${w}` : w[0].toUpperCase() + w.slice(1);
    }
    let off = 0;
    for (const l of lines) {
      this.lineStarts.push(off);
      off += l.length + 1;
    }
    this.text = lines.join("\n") + "\n";
  }
  /** About `bytes` of whole lines, starting at a random line. */
  slice(rng: Rng, bytes: number): string {
    const start = this.lineStarts[rng.int(0, this.lineStarts.length - 1)];
    let end = Math.min(this.text.length, start + bytes);
    const nl = this.text.indexOf("\n", end);
    end = nl < 0 ? this.text.length : nl + 1;
    let s = this.text.slice(start, end);
    while (s.length < bytes) s += this.text.slice(0, Math.min(this.text.length, bytes - s.length));
    return s.endsWith("\n") ? s : s + "\n";
  }
}

export interface Built {
  bytes: Buffer;
  hasText: boolean;
  fromTarget: boolean;
}

export class MessageFactory {
  private pool: TextPool;
  constructor(private readonly rng: Rng) {
    this.pool = new TextPool(rng, 1 << 20);
  }

  build(index: number, kind: Kind, size: number): Built {
    const r = this.rng;
    const fromTarget = r.chance(0.01);
    let hasText = r.chance(0.002) || index === 1;
    const from = fromTarget
      ? `Zelda Quarterly <${FROM_TOKEN}@bench.example>`
      : person(r);
    const date = new Date(Date.UTC(2019, 0, 1) + index * 7 * 60_000 + r.int(0, 59_999));
    const subjectWords = [r.pick(SUBJECT_WORDS), r.pick(SUBJECT_WORDS), `#${index}`];
    const subject = r.chance(0.1)
      ? `=?UTF-8?B?${Buffer.from(`Grüße: ${subjectWords.join(" ")}`).toString("base64")}?=`
      : `${r.chance(0.3) ? "Re: " : ""}${subjectWords.join(" ")}`;
    const domain = r.pick(DOMAINS);
    const h: string[] = [
      `Return-Path: <bounce-${index}@${domain}>`,
      `Received: from mx${r.int(1, 9)}.${domain} (mx.${domain} [192.0.2.${r.int(1, 254)}])`,
      `\tby mail.bench.example with ESMTPS id ${r.int(1e8, 9e8).toString(36)}`,
      `\tfor <owner@bench.example>; ${rfcDate(date)}`,
      `Date: ${rfcDate(date)}`,
      `From: ${from}`,
      `To: ${person(r)}${r.chance(0.3) ? `, ${person(r)}` : ""}`,
    ];
    if (r.chance(0.25)) h.push(`Cc: ${person(r)}`);
    h.push(`Subject: ${subject}`, `Message-ID: <${index}.${r.int(1e6, 9e6)}@${domain}>`);
    if (subject.startsWith("Re: ")) {
      const parent = `<${Math.max(1, index - r.int(1, 50))}.ref@${domain}>`;
      h.push(`In-Reply-To: ${parent}`, `References: ${parent}`);
    }
    h.push(`X-Mailer: ${r.pick(MAILERS)}`, "MIME-Version: 1.0");
    const headerBytes = h.join("\n").length + 60;
    const room = Math.max(200, size - headerBytes);
    const text = (n: number) => {
      let t = this.pool.slice(r, n);
      if (hasText) t = `See ${TEXT_TOKEN} notes below.\n` + t;
      return t;
    };
    let body: string;
    const boundary = `=_bench_${index}_${r.int(1e6, 9e6)}`;
    switch (kind) {
      case "plain":
        h.push("Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit");
        body = text(room);
        break;
      case "alternative": {
        const t = text(Math.floor(room * 0.4));
        const html = `<html><body>\n${t.split("\n\n").map((p) => `<p>${p}</p>`).join("\n")}\n</body></html>\n`;
        h.push(`Content-Type: multipart/alternative; boundary="${boundary}"`);
        body = multipart(boundary, [
          ["Content-Type: text/plain; charset=utf-8", t],
          ["Content-Type: text/html; charset=utf-8", html],
        ]);
        break;
      }
      case "attachment":
      case "large": {
        const t = text(Math.min(4000, Math.floor(room * 0.1)));
        const attBytes = Math.max(100, Math.floor((room - t.length - 400) * 0.75));
        const [ctype, name] = r.pick([
          ["application/pdf", "report.pdf"],
          ["image/jpeg", "photo.jpg"],
          ["application/zip", "archive.zip"],
        ] as const);
        h.push(`Content-Type: multipart/mixed; boundary="${boundary}"`);
        body = multipart(boundary, [
          ["Content-Type: text/plain; charset=utf-8", t],
          [
            `Content-Type: ${ctype}; name="${name}"\nContent-Disposition: attachment; filename="${name}"\nContent-Transfer-Encoding: base64`,
            base64Lines(randomBytes(attBytes)),
          ],
        ]);
        break;
      }
      case "forward": {
        const built = this.build(index, "alternative", Math.floor(room * 0.8));
        hasText ||= built.hasText;
        const inner = built.bytes.toString("utf8");
        h.push(`Content-Type: multipart/mixed; boundary="${boundary}"`);
        body = multipart(boundary, [
          ["Content-Type: text/plain; charset=utf-8", text(Math.floor(room * 0.15))],
          ["Content-Type: message/rfc822", inner],
        ]);
        break;
      }
    }
    return {
      bytes: Buffer.from(`${h.join("\n")}\n\n${body}`, "utf8"),
      hasText,
      fromTarget,
    };
  }
}

function person(r: Rng): string {
  const f = r.pick(FIRST);
  const l = r.pick(LAST);
  const addr = `${f}.${l}`.toLowerCase().replace(/ü/g, "ue") + `@${r.pick(DOMAINS)}`;
  return /[^\x20-\x7e]/.test(l)
    ? `=?UTF-8?Q?${f}_${encodeQ(l)}?= <${addr}>`
    : `${f} ${l} <${addr}>`;
}

function encodeQ(s: string): string {
  return [...Buffer.from(s, "utf8")]
    .map((b) => (b >= 0x21 && b <= 0x7e && b !== 0x3d && b !== 0x3f && b !== 0x5f
      ? String.fromCharCode(b)
      : `=${b.toString(16).toUpperCase().padStart(2, "0")}`))
    .join("");
}

function rfcDate(d: Date): string {
  return d.toUTCString().replace("GMT", "+0000");
}

function multipart(boundary: string, parts: Array<[string, string]>): string {
  let s = "This is a multi-part message in MIME format.\n";
  for (const [head, content] of parts) {
    s += `\n--${boundary}\n${head}\n\n${content}`;
    if (!content.endsWith("\n")) s += "\n";
  }
  return `${s}\n--${boundary}--\n`;
}

function base64Lines(data: Buffer): string {
  const b = data.toString("base64");
  const lines: string[] = [];
  for (let i = 0; i < b.length; i += 76) lines.push(b.slice(i, i + 76));
  return lines.join("\n") + "\n";
}
