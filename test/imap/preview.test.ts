// PREVIEW (RFC 8970) on messages appended to a real MH folder: the first text/plain part, else
// the text of the first text/html part; 256 characters at most; "" when there is no text.
import { describe, expect, it } from "vitest";
import { useServer } from "./setup.js";

const t = useServer();
const append = (msg: string) => t.c.cmd(`APPEND INBOX {${Buffer.byteLength(msg)}+}\r\n${msg}`);
async function preview(uid: number, lazy = false): Promise<string> {
  const r = await t.c.cmd(`UID FETCH ${uid} (PREVIEW${lazy ? " (LAZY)" : ""})`);
  const line = r.untagged.join("\n");
  const quoted = /PREVIEW "((?:[^"\\]|\\.)*)"/.exec(line);
  if (quoted) return quoted[1].replace(/\\(.)/g, "$1");
  const lit = /PREVIEW \{(\d+)\}\r\n([\s\S]*)\)$/.exec(line);
  if (!lit) throw new Error(`no PREVIEW in ${line}`);
  return Buffer.from(lit[2], "latin1").subarray(0, Number(lit[1])).toString("utf8");
}

describe("PREVIEW", () => {
  it("is advertised and made from the text a reader sees", async () => {
    expect((await t.c.cmd("CAPABILITY")).untagged[0].split(" ")).toContain("PREVIEW");
    await append("Subject: plain\r\n\r\nHello   there,\r\n\r\nsee you\ttomorrow.\r\n");
    await append(
      "Subject: alt\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n" +
      "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><head><style>p{}</style></head><body><p>Caf&eacute; &amp; <b>cr\u00e8me</b>&#33;</p></body></html>\r\n" +
      "--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nCaf=E9 et cr=E8me\r\n--b--\r\n");
    await append(
      "Subject: html only\r\nContent-Type: text/html\r\n\r\n<div>Only <i>markup</i> &lt;here&gt;</div>\r\n");
    await append(
      "Subject: image\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n");
    await append(`Subject: long\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${
      Buffer.from("\u00e9".repeat(300)).toString("base64").replace(/(.{76})/g, "$1\r\n")}\r\n`);
    await t.c.cmd("SELECT INBOX");
    expect(await preview(9)).toBe("Hello there, see you tomorrow.");
    expect(await preview(10)).toBe("Café et crème"); // the text/plain alternative wins
    expect(await preview(11)).toBe("Only markup <here>");
    expect(await preview(12)).toBe("");
    expect(await preview(13)).toBe("\u00e9".repeat(256));
    expect(await preview(9, true)).toBe("Hello there, see you tomorrow.");
    expect((await t.c.cmd("FETCH 1 (PREVIEW (EAGER))")).tagged).toMatch(/BAD/);
  });
});
