// LITERAL+ or LITERAL- (RFC 7888 §5): asimapd advertises one, never both, before and after
// login. By default LITERAL+ (any {n+}); with --literal-minus / LITERAL_MINUS, LITERAL- (what
// IMAP4rev2 includes): a {n+} over 4096 bytes gets BAD [TOOBIG], a synchronizing one still works.
import { afterEach, describe, expect, it } from "vitest";
import { Client } from "../daemon/harness.js";
import { makeMail } from "../imap/harness.js";
import { startAsimapd, type E2eServer } from "./server.js";

let mail: ReturnType<typeof makeMail> | undefined;
let server: E2eServer | undefined;
afterEach(async () => {
  await server?.stop();
  mail?.cleanup();
});

const capsOf = (lines: string[]) => lines.join(" ").split(/[ \]]/);
const message = (n: number) => "Subject: big\r\n\r\n" + "x".repeat(n - 18) + "\r\n";

async function loggedIn(env: Record<string, string>): Promise<{ c: Client; greeting: string[] }> {
  mail = makeMail();
  server = await startAsimapd(mail.home, mail.root, env);
  const c = await Client.tls(server.tlsPort);
  const greeting = c.lines.filter((l) => l.startsWith("* OK"));
  const login = await c.cmd("LOGIN tester secret");
  return { c, greeting: [...greeting, ...login] };
}

describe("non-synchronizing literals", () => {
  it("default: LITERAL+ only, and a 5000-byte {n+} is taken", async () => {
    const { c, greeting } = await loggedIn({});
    expect(capsOf(greeting)).toContain("LITERAL+");
    expect(capsOf(greeting)).not.toContain("LITERAL-");
    const caps = capsOf(await c.cmd("CAPABILITY"));
    expect(caps).toContain("LITERAL+");
    expect(caps).not.toContain("LITERAL-");
    const m = message(5000);
    const r = await c.cmd(`APPEND INBOX {${m.length}+}\r\n${m}`);
    expect(r[r.length - 1]).toMatch(/OK \[APPENDUID/);
    c.close();
  });

  it("--literal-minus: LITERAL- only; over 4096 bytes BAD [TOOBIG], up to it and synchronizing ones taken", async () => {
    const { c, greeting } = await loggedIn({ LITERAL_MINUS: "1" });
    expect(capsOf(greeting)).toContain("LITERAL-");
    expect(capsOf(greeting)).not.toContain("LITERAL+");
    const caps = capsOf(await c.cmd("CAPABILITY"));
    expect(caps).toContain("LITERAL-");
    expect(caps).not.toContain("LITERAL+");
    const big = message(5000);
    const refused = await c.cmd(`APPEND INBOX {${big.length}+}\r\n${big}`);
    expect(refused[refused.length - 1]).toMatch(/BAD \[TOOBIG\] .*LITERAL-/);
    // the connection is still in step: the refused literal's bytes were skipped
    expect((await c.cmd("NOOP")).pop()).toMatch(/OK/);
    const small = message(4000);
    expect((await c.cmd(`APPEND INBOX {${small.length}+}\r\n${small}`)).pop()).toMatch(/OK \[APPENDUID/);
    c.write(`s1 APPEND INBOX {${big.length}}\r\n`);
    await c.waitFor((l) => l.startsWith("+"));
    c.write(`${big}\r\n`);
    expect(await c.waitFor((l) => l.startsWith("s1 "))).toMatch(/^s1 OK \[APPENDUID/);
    c.close();
  });
});
