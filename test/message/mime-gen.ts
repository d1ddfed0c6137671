// fast-check arbitraries building random MIME messages: random headers, encodings,
// boundaries, nesting (multipart, message/rfc822), LF or CRLF line ends.
import fc from "fast-check";

const word = fc.stringMatching(/^[A-Za-z0-9]{1,8}$/);
const phrase = fc.array(word, { minLength: 1, maxLength: 3 }).map((w) => w.join(" "));
const addr = fc.tuple(fc.option(phrase, { nil: undefined }), word, word).map(([n, l, d]) =>
  n === undefined ? `${l}@${d}.example` : `"${n}" <${l}@${d}.example>`,
);
const addrList = fc.oneof(
  fc.array(addr, { minLength: 1, maxLength: 3 }).map((a) => a.join(", ")),
  fc.tuple(word, fc.array(addr, { maxLength: 2 })).map(([g, a]) => `${g}: ${a.join(", ")};`),
);
const subject = fc.oneof(
  phrase,
  phrase.map((p) => `=?utf-8?q?${p.replace(/ /g, "_")}?=`),
  fc.tuple(phrase, phrase).map(([a, b]) => `${a}\n\t${b}`),
);
const leafType = fc.constantFrom(
  "text/plain",
  "text/html; charset=utf-8",
  "TEXT/PLAIN; CHARSET=ISO-8859-1",
  "application/octet-stream; name=\"a b.bin\"",
  "image/png",
  "text/plain; format=flowed; charset=us-ascii",
  "application/x-thing; title*0*=us-ascii'en'a%20b; title*1=c",
  "broken",
);
const encoding = fc.constantFrom(null, "7bit", "8bit", "base64", "quoted-printable", "Base64", "x-uuencode");
const bodyText = fc.array(fc.oneof(phrase, fc.constant(""), fc.constant("=41=42 soft=")), { maxLength: 5 }).map((l) => l.join("\n"));
const extra = fc.record(
  {
    id: fc.constant("<id@x>"),
    description: phrase,
    disposition: fc.constantFrom("inline", "attachment; filename=\"x.txt\"", "ATTACHMENT; filename*=utf-8''%E2%82%AC.txt"),
    language: fc.constantFrom("en", "en, de"),
    location: fc.constant("http://x.example/a"),
  },
  { requiredKeys: [] },
);

function contentHeaders(e: Record<string, string>): string[] {
  const out: string[] = [];
  if (e.id) out.push(`Content-ID: ${e.id}`);
  if (e.description) out.push(`Content-Description: ${e.description}`);
  if (e.disposition) out.push(`Content-Disposition: ${e.disposition}`);
  if (e.language) out.push(`Content-Language: ${e.language}`);
  if (e.location) out.push(`Content-Location: ${e.location}`);
  return out;
}

export interface Tree {
  text: string;
}

const { node } = fc.letrec<{ node: string; leaf: string; multi: string; msg: string }>((tie) => ({
  node: fc.oneof({ depthSize: "small", withCrossShrink: true }, tie("leaf"), tie("leaf"), tie("multi"), tie("msg")),
  leaf: fc.tuple(leafType, encoding, extra, bodyText).map(([t, enc, e, body]) =>
    [`Content-Type: ${t}`, ...(enc ? [`Content-Transfer-Encoding: ${enc}`] : []), ...contentHeaders(e), "", body].join("\n"),
  ),
  multi: fc
    .tuple(
      fc.constantFrom("mixed", "alternative", "related", "digest", "MIXED"),
      fc.stringMatching(/^[A-Za-z0-9'()+_,.\/:=?-]{1,20}$/),
      fc.array(tie("node"), { maxLength: 3 }),
      fc.boolean(),
      fc.constantFrom("", "preamble\n", "a\n\n"),
      fc.constantFrom("", "epilogue\n"),
    )
    .map(([sub, b, kids, closed, pre, epi]) => {
      const bnd = `b${b}`;
      const parts = kids.map((k) => `--${bnd}\n${k}\n`).join("");
      return `Content-Type: multipart/${sub}; boundary="${bnd}"\n\n${pre}${parts}${closed ? `--${bnd}--\n${epi}` : ""}`;
    }),
  msg: fc.tuple(tie("node"), subject).map(([inner, s]) => `Content-Type: message/rfc822\n\nSubject: ${s}\nFrom: a@b.example\n${inner}`),
}));

export const message = fc
  .tuple(
    fc.record(
      {
        date: fc.constantFrom("Mon, 1 Jan 2001 10:00:00 +0100", "Tue, 2 Feb 99 1:2:3 GMT", "garbage"),
        subject,
        from: addrList,
        to: addrList,
        cc: addrList,
        replyTo: addrList,
        messageId: fc.constantFrom("<a@b>", "<x.y@z> (c)"),
        inReplyTo: fc.constantFrom("<a@b>", "<a@b> <c@d>"),
      },
      { requiredKeys: [] },
    ),
    node,
    fc.boolean(),
  )
  .map(([h, body, crlf]) => {
    const lines: string[] = [];
    if (h.date) lines.push(`Date: ${h.date}`);
    if (h.subject) lines.push(`Subject: ${h.subject}`);
    if (h.from) lines.push(`From: ${h.from}`);
    if (h.to) lines.push(`To: ${h.to}`);
    if (h.cc) lines.push(`Cc: ${h.cc}`);
    if (h.replyTo) lines.push(`Reply-To: ${h.replyTo}`);
    if (h.messageId) lines.push(`Message-ID: ${h.messageId}`);
    if (h.inReplyTo) lines.push(`In-Reply-To: ${h.inReplyTo}`);
    const text = `${lines.join("\n")}${lines.length ? "\n" : ""}MIME-Version: 1.0\n${body}\n`;
    return Buffer.from(crlf ? text.replace(/\n/g, "\r\n") : text, "utf8");
  });
