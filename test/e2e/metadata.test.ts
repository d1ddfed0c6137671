// METADATA (RFC 5464) and XLIST end to end: the real asimapd over TLS, --server-admin reaching
// the user process; imapflow (through its raw command interface: it has no METADATA API) and
// Python's imaplib as outside clients.
import { afterEach, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { ImapFlow } from "imapflow";
import { makeMail } from "../imap/harness.js";
import { startAsimapd, type E2eServer } from "./server.js";

let mail: ReturnType<typeof makeMail> | undefined;
let server: E2eServer | undefined;
let flow: ImapFlow | undefined;

const ADMIN = "mailto:postmaster@example.com";

async function serve(): Promise<E2eServer> {
  mail = makeMail();
  server = await startAsimapd(mail.home, mail.root, {}, { args: ["--server-admin", ADMIN] });
  return server;
}

afterEach(async () => {
  await flow?.logout().catch(() => flow?.close());
  await server?.stop();
  mail?.cleanup();
  flow = server = mail = undefined;
});

/** imapflow's exec, which every one of its commands goes through (not in its typings). */
interface Exec {
  exec(command: string, attributes: unknown[], options?: { untagged?: Record<string, (u: unknown) => Promise<void>> }):
    Promise<{ response: { attributes: Array<{ value: string }> }; next: () => void }>;
}

/** The values of one METADATA response as imapflow parsed it: entry → text (null for NIL). */
function entries(untagged: unknown): Record<string, string | null> {
  const list = (untagged as { attributes: [unknown, Array<{ value: string | Buffer } | null>] }).attributes[1];
  const out: Record<string, string | null> = {};
  for (let i = 0; i < list.length; i += 2) {
    const v = list[i + 1];
    out[String(list[i]!.value)] = v === null || v === undefined ? null : Buffer.from(v.value as string | Buffer).toString("utf8");
  }
  return out;
}

describe("METADATA and XLIST end to end", () => {
  it("imapflow: SETMETADATA with a literal value, GETMETADATA of server and mailbox entries", async () => {
    const s = await serve();
    flow = new ImapFlow({
      host: "127.0.0.1", port: s.tlsPort, secure: true, logger: false, tls: { rejectUnauthorized: false },
      auth: { user: "tester", pass: "secret" },
    });
    await flow.connect();
    expect(flow.capabilities.has("METADATA")).toBe(true);
    const raw = flow as unknown as Exec;
    const value = "two lines,\r\nsent by imapflow: ünïcode";
    const setR = await raw.exec("SETMETADATA", [{ type: "ATOM", value: "INBOX" }, [
      { type: "ATOM", value: "/private/comment" }, { type: "LITERAL", value: Buffer.from(value, "utf8") },
      { type: "ATOM", value: "/shared/comment" }, { type: "STRING", value: "shared" },
    ]]);
    setR.next();
    const seen: Array<Record<string, string | null>> = [];
    const getR = await raw.exec("GETMETADATA", [{ type: "ATOM", value: "INBOX" },
      [{ type: "ATOM", value: "/private/comment" }, { type: "ATOM", value: "/shared/comment" }]],
    { untagged: { METADATA: async (u) => { seen.push(entries(u)); } } });
    getR.next();
    expect(seen).toEqual([{ "/private/comment": value, "/shared/comment": "shared" }]);
    seen.length = 0;
    const adminR = await raw.exec("GETMETADATA", [{ type: "STRING", value: "" }, { type: "ATOM", value: "/shared/admin" }],
      { untagged: { METADATA: async (u) => { seen.push(entries(u)); } } });
    adminR.next();
    expect(seen).toEqual([{ "/shared/admin": ADMIN }]);
    // a refusal reaches imapflow as its error, with the tagged NO and its response code
    const refused = await raw.exec("SETMETADATA", [{ type: "STRING", value: "" }, [
      { type: "ATOM", value: "/shared/admin" }, { type: "STRING", value: "mailto:me@example.com" }]])
      .then(() => null, (e: { responseStatus: string; response: { attributes: Array<{ section?: Array<{ value: string }> }> } }) => e);
    expect(refused?.responseStatus).toBe("NO");
    expect(refused?.response.attributes[0].section?.[0].value).toBe("CANNOT");
    expect((await flow.list()).length).toBeGreaterThan(0);
  });

  it("Python imaplib: GETMETADATA, SETMETADATA, NIL, NONEXISTENT, BAD, XLIST", async () => {
    const s = await serve();
    const { stdout } = await promisify(execFile)("python3", [join(import.meta.dirname, "metadata_imaplib.py"), String(s.tlsPort)]);
    const r = JSON.parse(stdout);
    expect(r.admin).toMatchObject({ status: "OK", untagged: [`"" (/shared/admin "${ADMIN}")`] });
    expect(r.set.status).toBe("OK");
    expect(r.get).toMatchObject({
      status: "OK", untagged: ['INBOX (/private/comment "from imaplib" /shared/comment "shared" /private/specialuse NIL)'],
    });
    expect(r.remove.status).toBe("OK");
    expect(r.after.untagged).toEqual(["INBOX (/private/comment NIL)"]);
    expect(r.nonexistent.status).toBe("NO");
    expect(r.nonexistent.text).toMatch(/^\[NONEXISTENT\] /);
    expect(r.bad.status).toBe("BAD");
    expect(r.xlist.status).toBe("OK");
    expect(r.xlist.untagged).toContain('(\\HasNoChildren \\Inbox) "/" INBOX');
    expect(r.xlist.untagged).toContain('(\\HasNoChildren \\Sent) "/" "Sent Messages"');
    expect(r.noop).toBe("OK");
  });
});
