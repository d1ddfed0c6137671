// APPEND of a literal8 (BINARY, RFC 3516): a part sent with Content-Transfer-Encoding binary
// may hold NULs, bare CRs and LFs, which an MH file (a text file that nmh reads, stored with LF
// line ends) cannot keep. Such a part is stored as base64, as Dovecot does (its
// istream-binary-converter), inside multiparts and message/rfc822 parts too: the part's
// Content-Transfer-Encoding field says base64 and its body becomes base64 in 76-character CRLF
// lines, so BINARY[n] decodes the exact bytes back. Every other byte is left as sent.
import { indexMessage } from "./indexer.js";
import { withEncoding } from "./cte-field.js";
import { spliceLeaves } from "./leaf-splice.js";

const LINE = 76;

/** The message with each binary part in base64 (the same bytes when there is none). */
export function binaryPartsToBase64(data: Buffer): Buffer {
  return spliceLeaves(data, indexMessage(data).root, 0, data.length, (p) =>
    p.encoding.toLowerCase() !== "binary" ? null : {
      header: withEncoding(data.subarray(p.headerStart, p.headerEnd), "base64"),
      body: base64Lines(data.subarray(p.bodyStart, p.bodyEnd)),
    });
}

function base64Lines(body: Buffer): Buffer {
  const b64 = body.toString("base64");
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += LINE) lines.push(b64.slice(i, i + LINE));
  return Buffer.from(lines.join("\r\n"), "latin1");
}
