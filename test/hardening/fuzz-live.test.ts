// Live fuzzing of a running asimapd (real root process over TLS, real user process): random and
// mutated command lines and literals in every state. The server must answer every one (tagged or
// untagged BAD/NO, or OK where the mutant is still valid), never hang, never crash, and a second
// connection of the same user keeps working throughout. Bounded: fixed counts, fixed seed.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "../daemon/harness.js";
import { Client as C } from "../daemon/harness.js";
import { expectNoServerBug, freshLoopback, messageFiles, probe, startLive, type Live } from "./live.js";

const SEED = Number(process.env.ASIMAP_FUZZ_SEED ?? 20261128);
const N = Number(process.env.ASIMAP_FUZZ_LINES ?? 120);

const PREAUTH = ["CAPABILITY", "NOOP", "ID (\"name\" \"x\")", "LOGIN fz wrong", "AUTHENTICATE PLAIN", "STARTTLS", "ENABLE UTF8=ACCEPT"];
const AUTHED = [
  "LIST \"\" \"*\"", "LSUB \"\" \"*\"", "STATUS INBOX (MESSAGES UIDNEXT UNSEEN)", "CREATE fz/x", "DELETE fz/x",
  "RENAME fz/x fz/y", "SUBSCRIBE INBOX", "NAMESPACE", "ENABLE CONDSTORE", "EXAMINE one", "GETQUOTAROOT INBOX",
  "GETMETADATA INBOX (DEPTH infinity MAXSIZE 100) (/private /shared/comment)", "SETMETADATA INBOX (/private/fz \"v\" /shared/fz NIL)",
  "SETMETADATA \"\" (/shared/comment {3+}\r\nfz\x00)", "XLIST \"\" \"*\"",
];
const SELECTED = [
  "FETCH 1:* (FLAGS UID RFC822.SIZE)", "FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY[1]<0.10>)",
  "UID FETCH 1:* (ENVELOPE BODYSTRUCTURE)", "SEARCH OR (FROM \"a\" SUBJECT b) NOT (DELETED) LARGER 10",
  "UID SEARCH CHARSET UTF-8 TEXT \"caf\"", "STORE 1 +FLAGS (\\Flagged)", "STORE 1 -FLAGS (\\Flagged)",
  "COPY 1 one", "SORT (DATE REVERSE SUBJECT) UTF-8 ALL", "THREAD REFERENCES UTF-8 ALL", "UID EXPUNGE 999999",
  "FETCH 1 BINARY.PEEK[1]", "CHECK", "UNSELECT",
];

const NASTY = [0x00, 0x80, 0xff, 0x28, 0x29, 0x7b, 0x7d, 0x22, 0x5c, 0x2a, 0x25, 0x5b, 0x5d, 0x20, 0x3a, 0x2c, 0x2b, 0x7e, 0x09, 0x0d];

/** A mutant of a valid line: flipped, inserted, deleted and duplicated bytes. */
function mutants(corpus: string[], n: number, seed: number): Buffer[] {
  const byte = fc.oneof(fc.constantFrom(...NASTY), fc.integer({ min: 0, max: 255 }));
  const op = fc.oneof(
    fc.record({ k: fc.constant("flip" as const), at: fc.nat(), b: byte }),
    fc.record({ k: fc.constant("ins" as const), at: fc.nat(), bs: fc.array(byte, { maxLength: 8 }) }),
    fc.record({ k: fc.constant("del" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 6 }) }),
    fc.record({ k: fc.constant("dup" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 12 }), times: fc.integer({ min: 2, max: 200 }) }),
  );
  const arb = fc.oneof(
    fc.tuple(fc.constantFrom(...corpus), fc.array(op, { minLength: 1, maxLength: 5 })).map(([line, ops]) => {
      let b = [...Buffer.from(`f1 ${line}`, "latin1")];
      for (const o of ops) {
        const at = b.length ? o.at % b.length : 0;
        if (o.k === "flip") b[at] = o.b;
        if (o.k === "ins") b.splice(at, 0, ...o.bs);
        if (o.k === "del") b.splice(at, o.len);
        if (o.k === "dup") b.splice(at, 0, ...Array.from({ length: o.times }, () => b.slice(at, at + o.len)).flat());
      }
      return Buffer.from(b);
    }),
    fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  );
  return fc.sample(arb, { numRuns: n, seed }).map((b) => {
    // one line per probe: no CR/LF inside, and no literal marker at the end (it would swallow
    // the sentinel NOOP as literal data; literals are fuzzed on their own below)
    let s = Buffer.from(b.filter((x) => x !== 0x0a && x !== 0x0d));
    if (s.length && s[s.length - 1] === 0x7d) s = Buffer.concat([s, Buffer.from(" x")]);
    return Buffer.concat([s, Buffer.from("\r\n")]);
  });
}

/** Sends each line; demands an answer; reconnects (via `fresh`) where the server hung up with a
 *  BYE or a BAD, which the RFC allows. Returns how many closes there were. */
async function fuzz(lines: Buffer[], fresh: () => Promise<Client>, what: string): Promise<number> {
  let c = await fresh();
  let closes = 0;
  for (const line of lines) {
    const r = await probe(c, line);
    expectNoServerBug(r, `${what}: ${JSON.stringify(line.toString("latin1"))}`);
    if (r.closed) {
      expect(r.lines.some((l) => /^\* BYE|BAD/.test(l)), `closed without a word after ${JSON.stringify(line.toString("latin1"))}`).toBe(true);
      closes++;
      c = await fresh();
    } else if (line.length > 2) {
      // the fuzzed line itself was answered (a tagged or untagged response before the NOOP's)
      expect(r.lines.length, `no answer to ${JSON.stringify(line.toString("latin1"))}`).toBeGreaterThan(0);
    }
  }
  c.close();
  return closes;
}

let live: Live;
let watch: Client;
let pid: number | undefined;

async function watchdogWorks(): Promise<void> {
  expect(live.d.proc.exitCode, "root process alive").toBeNull();
  const r = await probe(watch, "");
  expect(r.closed, "second connection still open").toBe(false);
  expect(live.userPid(), "same user process (no crash)").toBe(pid);
}

async function selected(): Promise<Client> {
  const c = await live.login();
  expect((await c.cmd("SELECT INBOX")).at(-1)).toMatch(/ OK /);
  return c;
}

describe("live fuzzing against asimapd", () => {
  beforeAll(async () => {
    live = await startLive();
    watch = await live.login();
    expect((await watch.cmd("SELECT INBOX")).at(-1)).toMatch(/ OK /);
    pid = live.userPid();
    expect(pid).toBeDefined();
  });
  afterAll(async () => {
    watch?.close();
    await live?.close();
  });

  it(`pre-auth (root process, TLS): ${N} random and mutated lines`, async () => {
    await fuzz(mutants(PREAUTH, N, SEED), () => C.tls(live.d.port, "127.0.0.1", freshLoopback()), "pre-auth");
    const c = await live.login(); // logins still work
    c.close();
    await watchdogWorks();
  });

  it(`authenticated: ${N} random and mutated lines`, async () => {
    await fuzz(mutants(AUTHED, N, SEED + 1), () => live.login(), "authenticated");
    await watchdogWorks();
  });

  it(`selected: ${N} random and mutated lines`, async () => {
    await fuzz(mutants(SELECTED, N, SEED + 2), selected, "selected");
    await watchdogWorks();
  });

  it("IDLE: anything but DONE ends the IDLE with an answer; the session goes on", async () => {
    const c = await selected();
    for (const junk of mutants(["DONE", "NOOP", "IDLE"], 25, SEED + 3)) {
      c.write("i1 IDLE\r\n");
      await c.waitFor((l) => l.startsWith("+"));
      const r = await probe(c, junk);
      expectNoServerBug(r, `IDLE ${JSON.stringify(junk.toString("latin1"))}`);
      expect(r.closed).toBe(false);
      expect(r.lines.some((l) => l.startsWith("i1 ")), `IDLE ended after ${JSON.stringify(junk.toString("latin1"))}`).toBe(true);
    }
    c.close();
    await watchdogWorks();
  });

  it("mid-literal: random bytes (CRLF, braces, NUL) inside APPEND literals are just data", async () => {
    const c = await selected();
    const before = messageFiles(live.mail.get("fz")!).length;
    const bodies = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 400 }), { numRuns: 10, seed: SEED + 4 });
    let ok = 0;
    for (const b of bodies) {
      const body = Buffer.concat([Buffer.from("Subject: fuzz\r\n\r\n"), Buffer.from(b)]);
      const r = await probe(c, Buffer.concat([Buffer.from(`a1 APPEND INBOX {${body.length}+}\r\n`), body, Buffer.from("\r\n")]));
      expectNoServerBug(r, "APPEND literal");
      const done = r.lines.find((l) => l.startsWith("a1 "));
      expect(done, "APPEND answered").toMatch(/^a1 (OK|NO|BAD)/);
      if (done!.startsWith("a1 OK")) ok++;
    }
    expect(messageFiles(live.mail.get("fz")!).length).toBe(before + ok);
    // a literal in a command that is not APPEND, and a literal cut off by a closed connection
    const lit = await probe(c, "s1 SEARCH TEXT {7}\r\n\0{1}\r\n)(\r\n");
    expectNoServerBug(lit, "SEARCH literal");
    expect(lit.lines.find((l) => l.startsWith("s1 "))).toMatch(/^s1 (OK|BAD|NO)/);
    const cut = await selected();
    cut.write("a2 APPEND INBOX {5000+}\r\nSubject: half\r\n\r\nonly part of it");
    await new Promise((r) => setTimeout(r, 200));
    cut.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(messageFiles(live.mail.get("fz")!).length, "no half message").toBe(before + ok);
    c.close();
    await watchdogWorks();
  });

  describe("limits and pathological input", () => {
    const cases: [string, () => Buffer | string, RegExp][] = [
      ["SEARCH with 15,000 nested parentheses", () => `p1 SEARCH ${"(".repeat(15000)}ALL${")".repeat(15000)}\r\n`, /^p1 (OK|BAD|NO)/],
      ["SEARCH with 12,000 NOTs", () => `p1 SEARCH ${"NOT ".repeat(12000)}ALL\r\n`, /^p1 (OK|BAD|NO)/],
      ["SEARCH with 5,000 nested ORs", () => `p1 SEARCH ${"OR ALL ".repeat(5000)}ALL\r\n`, /^p1 (OK|BAD|NO)/],
      ["SEARCH with 5,000 nested ORs of needles", () => `p1 SEARCH ${"OR BODY quokka ".repeat(5000)}ALL\r\n`, /^p1 (OK|BAD|NO)/],
      ["FETCH 1:4294967295,*:1", () => "p1 FETCH 1:4294967295,*:1 (FLAGS)\r\n", /^p1 (OK|BAD|NO)/],
      ["UID FETCH 1:4294967296 (out of range)", () => "p1 UID FETCH 1:4294967296 (FLAGS)\r\n", /^p1 BAD/],
      ["100,000-element sequence set", () => `p1 FETCH ${Array.from({ length: 100000 }, (_, i) => i + 1).join(",")} (FLAGS)\r\n`, /^(p1|\*) (BAD|NO)/],
      ["100,000-element flag list", () => `p1 STORE 1 +FLAGS.SILENT (${"\\Seen ".repeat(100000)})\r\n`, /^(p1|\*) (BAD|NO)/],
      ["NUL and 8-bit bytes in a mailbox name", () => Buffer.from("p1 SELECT \"in\0b\xff\xfe\"\r\n", "latin1"), /^p1 (BAD|NO)/],
      ["a 1 MiB line", () => `p1 NOOP ${"x".repeat(1 << 20)}\r\n`, /^(p1|\*) BAD/],
      ["{4294967295} synchronising literal bomb", () => "p1 APPEND INBOX {4294967295}\r\n", /^(p1|\*) (NO|BAD)/],
      ["{99999999999999999999} literal size overflow", () => "p1 APPEND INBOX {99999999999999999999}\r\n", /^(p1|\*) (NO|BAD)/],
      ["literal in a LOGIN-less command with a huge size", () => "p1 SEARCH TEXT {4294967295}\r\n", /^(p1|\*) (NO|BAD)/],
    ];
    for (const [what, payload, want] of cases) {
      it(what, async () => {
        const c = await selected();
        const r = await probe(c, payload());
        expectNoServerBug(r, what);
        expect(r.closed, `${what} closed the connection`).toBe(false);
        expect(r.lines.find((l) => want.test(l)), `${what}: ${JSON.stringify(r.lines.map((l) => l.slice(0, 120)))}`).toBeDefined();
        c.close();
        await watchdogWorks();
      });
    }

    it("{4294967295+} non-synchronising literal bomb: answered and closed (RFC 7888)", async () => {
      const c = await selected();
      c.write("p1 APPEND INBOX {4294967295+}\r\nSubject: x\r\n\r\n");
      expect(await c.closedOrTimeout(10_000), "closed").toBe(true);
      await watchdogWorks();
    });

    it("never-ending {n+}: a literal that never completes holds only its connection", async () => {
      const before = messageFiles(live.mail.get("fz")!).length;
      const c = await selected();
      c.write("p1 APPEND INBOX {20000000+}\r\nSubject: endless\r\n\r\n");
      for (let i = 0; i < 20; i++) c.write("y".repeat(16 * 1024) + "\r\n"); // 320 KiB of 20 MB, then silence
      await watchdogWorks(); // others are served meanwhile
      c.close();
      await new Promise((r) => setTimeout(r, 300));
      expect(messageFiles(live.mail.get("fz")!).length, "nothing half-written kept").toBe(before);
      await watchdogWorks();
    });

    it("pre-auth: over-long line and literal bomb get an answer from the root process", async () => {
      for (const p of [`p1 LOGIN ${"x".repeat(100_000)} y\r\n`, "p1 LOGIN {4294967295}\r\n", Buffer.from("p1 LOGIN \0\xff \x80\r\n", "latin1")]) {
        const c = await C.tls(live.d.port, "127.0.0.1", freshLoopback());
        const r = await probe(c, p);
        expectNoServerBug(r, "pre-auth limit");
        expect(r.lines.some((l) => /^(p1|\*) (BAD|NO)/.test(l)), JSON.stringify(r.lines)).toBe(true);
        c.close();
      }
      await watchdogWorks();
    });
  });
});
