// COMPRESS=DEFLATE (RFC 4978) through a real socket, with node:zlib on the client's side as an
// independent deflate: the OK goes out plain, everything after is deflated both ways; answers
// (IDLE's too) arrive without waiting for more input; large bodies stream; a second COMPRESS is
// refused; corrupt input closes that connection and nothing else.
import { describe, expect, it } from "vitest";
import net from "node:net";
import { constants, createDeflateRaw, createInflateRaw, type DeflateRaw } from "node:zlib";
import { RawClient } from "./harness.js";
import { useServer } from "./setup.js";

const t = useServer();

/** A client speaking deflate after COMPRESS: commands in, decompressed response text out. */
class DeflatingClient {
  private text = "";
  private waiters: Array<() => void> = [];
  private readonly out: DeflateRaw;
  private n = 0;
  closed = false;
  wireIn = 0;

  constructor(readonly sock: net.Socket, early: Buffer) {
    const inflate = createInflateRaw();
    inflate.on("data", (d: Buffer) => { this.text += d.toString("latin1"); this.wake(); });
    inflate.on("error", () => { this.closed = true; this.wake(); });
    sock.on("data", (d: Buffer) => { this.wireIn += d.length; inflate.write(d); });
    sock.on("close", () => { this.closed = true; this.wake(); });
    if (early.length) { this.wireIn += early.length; inflate.write(early); }
    this.out = createDeflateRaw();
    this.out.on("data", (d: Buffer) => sock.write(d));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits until the text holds `re`; returns the text up to and including the match. */
  async until(re: RegExp, ms = 10_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = re.exec(this.text);
      if (m) {
        const upTo = this.text.slice(0, m.index + m[0].length);
        this.text = this.text.slice(m.index + m[0].length);
        return upTo;
      }
      if (this.closed || Date.now() > deadline) throw new Error(`no ${re} in ${JSON.stringify(this.text.slice(-300))}`);
      await new Promise<void>((r) => { this.waiters.push(r); setTimeout(r, 50); });
    }
  }

  send(line: string): void {
    this.out.write(Buffer.from(line + "\r\n", "latin1"));
    this.out.flush(constants.Z_SYNC_FLUSH);
  }

  async cmd(command: string): Promise<string> {
    const tag = `Z${++this.n}`;
    this.send(`${tag} ${command}`);
    return this.until(new RegExp(`(^|\\r\\n)${tag} (OK|NO|BAD)[^\\r]*\\r\\n`));
  }
}

/** Connects, sends COMPRESS DEFLATE plain, reads the plain OK, and returns the deflating client. */
async function compressed(port: number): Promise<DeflatingClient> {
  const sock = net.connect({ port, host: "127.0.0.1" });
  let buf = Buffer.alloc(0);
  const readLine = async (): Promise<string> => {
    for (;;) {
      const i = buf.indexOf("\r\n");
      if (i >= 0) {
        const line = buf.subarray(0, i).toString("latin1");
        buf = buf.subarray(i + 2);
        return line;
      }
      buf = Buffer.concat([buf, await new Promise<Buffer>((r) => sock.once("data", r))]);
    }
  };
  expect(await readLine()).toMatch(/^L0 OK \[CAPABILITY .*COMPRESS=DEFLATE/);
  sock.write("C1 COMPRESS DEFLATE\r\n");
  expect(await readLine()).toBe("C1 OK DEFLATE active.");
  const rest = buf;
  sock.removeAllListeners("data");
  return new DeflatingClient(sock, rest);
}

describe("COMPRESS=DEFLATE", () => {
  it("deflates both ways after the OK; bodies match an uncompressed session's", async () => {
    const z = await compressed(t.srv.port);
    expect(await z.cmd("SELECT INBOX")).toMatch(/\* 8 EXISTS[\s\S]*Z1 OK \[READ-WRITE\]/);
    const zipped = await z.cmd("FETCH 1:* (FLAGS BODY.PEEK[])");
    const plain = await t.c.cmd("EXAMINE INBOX").then(() => t.c.cmd("FETCH 1:* (FLAGS BODY.PEEK[])"));
    const bodies = (s: string) => s.split(/\r\n(?=\* \d+ FETCH)/).length;
    expect(bodies(zipped)).toBe(8);
    expect(zipped.replace(/\r\nZ2 OK[^\r]*\r\n$/, "")).toBe(plain.untagged.join("\r\n"));
    // the bytes on the wire are fewer than the text they carry
    expect(z.wireIn).toBeLessThan(zipped.length);
    expect(await z.cmd("COMPRESS DEFLATE")).toMatch(/Z3 NO \[COMPRESSIONACTIVE\]/);
    expect(await z.cmd("NOOP")).toMatch(/Z4 OK/);
    expect(await z.cmd("LOGOUT")).toMatch(/\* BYE[\s\S]*Z5 OK/);
  });

  it("streams a large body through the compressor with the right size", async () => {
    const big = "Subject: big\r\n\r\n" + Array.from({ length: 40_000 }, (_, i) => `line ${i} ${"x".repeat(i % 70)}`).join("\r\n") + "\r\n";
    const r = await t.c.cmd(`APPEND INBOX {${big.length}+}\r\n${big}`);
    expect(r.tagged).toMatch(/OK/);
    const z = await compressed(t.srv.port);
    await z.cmd("SELECT INBOX");
    const got = await z.cmd("FETCH 9 BODY.PEEK[]");
    expect(got).toContain(`BODY[] {${big.length}}\r\n${big})`);
  });

  it("pushes IDLE updates at once", async () => {
    const z = await compressed(t.srv.port);
    await z.cmd("SELECT INBOX");
    z.send("I1 IDLE");
    await z.until(/\+ idling\r\n/);
    const msg = "Subject: new\r\n\r\nhi\r\n";
    await t.c.cmd(`APPEND INBOX {${msg.length}+}\r\n${msg}`);
    expect(await z.until(/\* 9 EXISTS\r\n/)).toContain("* 9 EXISTS");
    z.send("DONE");
    await z.until(/I1 OK/);
  });

  it("refuses an unknown mechanism with BAD and stays plain", async () => {
    const r = await t.c.cmd("COMPRESS LZW");
    expect(r.tagged).toMatch(/^\S+ BAD Unknown compression mechanism LZW/);
    expect((await t.c.cmd("NOOP")).tagged).toMatch(/OK/);
  });

  it("closes a connection whose compressed input is corrupt, and only that one", async () => {
    const z = await compressed(t.srv.port);
    z.sock.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x13, 0x37]));
    await z.until(/never/, 5_000).catch(() => undefined);
    expect(z.closed).toBe(true);
    const other = await RawClient.connect(t.srv.port);
    expect((await other.cmd("SELECT INBOX")).tagged).toMatch(/OK/);
    other.close();
  });
});
