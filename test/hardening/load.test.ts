// Load against the real asimapd on loopback: many concurrent connections of many users (IDLE
// and active mixed), a slow reader during a large FETCH (back-pressure: bounded memory in the user
// and root processes), a pre-auth flood and slow-loris clients (time and bad-command limits), and
// a soak with steady memory. CI runs the small default; ASIMAP_LOAD=full runs the figures
// (1,000 connections of 50 users, ASIMAP_SOAK_SECONDS, default 1800 with full). Figures are
// printed as `LOAD-FIGURES {json}` lines for BENCHMARKS.md.
import { readFileSync } from "node:fs";
import { connect as tlsConnect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { Client, userProcesses } from "../daemon/harness.js";
import { liveMemory } from "./heap.js";
import { freshLoopback, startLive, type Live } from "./live.js";

const FULL = process.env.ASIMAP_LOAD === "full";
const USERS = FULL ? 50 : 10;
const CONNS = FULL ? 1000 : 200;
const SOAK_S = Number(process.env.ASIMAP_SOAK_SECONDS ?? (FULL ? 1800 : 15));
const MB = 1024 * 1024;
/** A fresh user process grows ~65 MiB in the soak before it plateaus; twice that is a leak. */
const USER_RSS_GROWTH_MB = 128;
/** Live memory the user processes may gain per command once warm: ~8 times what they do now. */
const LIVE_BYTES_PER_COMMAND = 4096;

function rssKb(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]);
  } catch {
    return 0;
  }
}
function figures(name: string, f: object): void {
  console.log(`LOAD-FIGURES ${JSON.stringify({ test: name, full: FULL, ...f })}`);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const users = Array.from({ length: USERS }, (_, i) => `ld${i}`);

/** `n` jobs, at most `k` at a time. */
async function pool<T>(n: number, k: number, job: (i: number) => Promise<T>): Promise<PromiseSettledResult<T>[]> {
  const out: PromiseSettledResult<T>[] = new Array(n);
  let next = 0;
  await Promise.all(Array.from({ length: k }, async () => {
    while (next < n) {
      const i = next++;
      out[i] = await job(i).then((value) => ({ status: "fulfilled" as const, value }), (reason) => ({ status: "rejected" as const, reason }));
    }
  }));
  return out;
}

describe("load", () => {
  let live: Live;
  beforeAll(async () => {
    live = await startLive(users, { ASIMAPD_PREAUTH_TIMEOUT_MS: "3000" }, ["--max-message-size", "32M"]);
  });
  afterAll(async () => live?.close());

  /** the distinct user processes (users of one mail owner share them) */
  const userPids = (l = live) => [...new Set([...userProcesses(l.d.proc.pid!).values()].flat())];
  const userRss = () => {
    const pids = userPids();
    return { count: pids.length, kb: pids.reduce((s, p) => s + rssKb(p), 0) };
  };

  it(`${CONNS} concurrent connections of ${USERS} users, half IDLE, half active; every IDLE hears an APPEND`, async () => {
    // start the user processes first, a few at a time: starting 50 node processes at once on a
    // small machine is a different test (login latency), not this one
    const tw = Date.now();
    await pool(USERS, 4, async (k) => (await live.login(users[k])).close());
    const warmMs = Date.now() - tw;
    const t0 = Date.now();
    const conns = await pool(CONNS, 40, async (i) => {
      const c = await Client.tls(live.d.port, "127.0.0.1", freshLoopback());
      // connection 2k (IDLE) and 2k+1 (active) belong to user k mod USERS
      expect((await c.cmd(`LOGIN ${users[Math.floor(i / 2) % USERS]} pw`)).at(-1)).toMatch(/ OK /);
      expect((await c.cmd("SELECT INBOX")).at(-1)).toMatch(/ OK /);
      if (i % 2 === 0) {
        c.write("idle IDLE\r\n");
        await c.waitFor((l) => l.startsWith("+"));
      }
      return c;
    });
    const setupMs = Date.now() - t0;
    const failed = conns.filter((r) => r.status === "rejected");
    expect(failed.map((f) => String((f as PromiseRejectedResult).reason)).slice(0, 3)).toEqual([]);
    const clients = conns.map((r) => (r as PromiseFulfilledResult<Client>).value);
    // the active half works while everyone is connected
    const t1 = Date.now();
    const active = await pool(CONNS / 2, 50, async (j) => {
      const c = clients[2 * j + 1];
      for (const cmd of ["NOOP", "FETCH 1:* (FLAGS)", "STATUS INBOX (MESSAGES)", "SEARCH UNSEEN"]) expect((await c.cmd(cmd)).at(-1)).toMatch(/ OK /);
    });
    const activeMs = Date.now() - t1;
    expect(active.filter((r) => r.status === "rejected").map((f) => String((f as PromiseRejectedResult).reason)).slice(0, 3)).toEqual([]);
    // one APPEND per user: each IDLE connection of that user is told
    const u = userRss();
    const rootKb = rssKb(live.d.proc.pid!);
    await pool(USERS, 10, async (k) => {
      const c = clients[2 * k + 1]; // an active connection of user k
      const m = "Subject: load\r\n\r\nhello\r\n";
      expect((await c.cmd(`APPEND INBOX {${m.length}+}\r\n${m}`)).at(-1)).toMatch(/ OK /);
    });
    let heard = 0;
    await pool(CONNS / 2, 100, async (j) => {
      await clients[2 * j].waitFor((l) => / EXISTS$/.test(l), 20_000);
      heard++;
    });
    expect(heard).toBe(CONNS / 2);
    const open = clients.filter((c) => !c.closed).length;
    expect(open).toBe(CONNS);
    figures("connections", { connections: open, users: USERS, userProcesses: u.count, userProcessStartMs: warmMs, setupMs, activeRoundMs: activeMs,
      rootRssMB: +(rootKb / 1024).toFixed(1), userRssTotalMB: +(u.kb / 1024).toFixed(1),
      userRssPerProcessMB: +(u.kb / 1024 / u.count).toFixed(1), errors: failed.length });
    for (const c of clients) c.close();
  }, 600_000);

  it("slow reader during a large FETCH: the user and root processes do not buffer the response", async () => {
    const c = await live.login(users[0]);
    const big = Buffer.alloc(16 * MB, "x".repeat(75) + "\r\n");
    const msg = Buffer.concat([Buffer.from("Subject: big\r\n\r\n"), big]);
    c.socket.write(`b1 APPEND INBOX {${msg.length}+}\r\n`);
    c.socket.write(msg);
    c.socket.write("\r\n");
    await c.waitFor((l) => l.startsWith("b1 "), 60_000);
    c.close();
    // a raw TLS client that asks for 4 x 16 MiB and then stops reading
    const s = tlsConnect({ host: "127.0.0.1", port: live.d.port, rejectUnauthorized: false, localAddress: freshLoopback() });
    await new Promise<void>((r) => s.once("secureConnect", () => r()));
    let got = 0;
    s.on("data", (d: Buffer) => (got += d.length));
    s.write(`l1 LOGIN ${users[0]} pw\r\ns1 SELECT INBOX\r\n`);
    await sleep(1500);
    const pid = live.userPid(users[0])!;
    const base = { user: rssKb(pid), root: rssKb(live.d.proc.pid!) };
    const before = got;
    // stop reading as soon as the response has begun (a fixed delay let a fast server send half of it first)
    const begun = new Promise<void>((r) => {
      const check = () => { if (got - before >= MB) { s.pause(); s.off("data", check); r(); } };
      s.on("data", check);
    });
    s.write("f1 FETCH * BODY.PEEK[]\r\nf2 FETCH * BODY.PEEK[]\r\nf3 FETCH * BODY.PEEK[]\r\nf4 FETCH * BODY.PEEK[]\r\n");
    await begun;
    const paused = got - before;
    let peak = { ...base };
    for (let i = 0; i < 12; i++) {
      await sleep(250);
      peak = { user: Math.max(peak.user, rssKb(pid)), root: Math.max(peak.root, rssKb(live.d.proc.pid!)) };
    }
    const pending = 64 * MB - paused;
    s.resume();
    const deadline = Date.now() + 120_000;
    while (got - before < 64 * MB && Date.now() < deadline) await sleep(100);
    expect(got - before).toBeGreaterThan(64 * MB);
    s.destroy();
    const growth = { user: (peak.user - base.user) / 1024, root: (peak.root - base.root) / 1024 };
    figures("slow-reader", { responseMB: 64, unreadWhilePausedMB: +(pending / MB).toFixed(1),
      userRssGrowthMB: +growth.user.toFixed(1), rootRssGrowthMB: +growth.root.toFixed(1) });
    expect(pending, "the reader really fell behind").toBeGreaterThan(32 * MB);
    expect(growth.user, "user process RSS growth (MiB) while 64 MiB are unread").toBeLessThan(40);
    expect(growth.root, "root process RSS growth (MiB) while 64 MiB are unread").toBeLessThan(40);
  }, 300_000);

  it("pre-auth flood and slow-loris clients are cut off at the pre-auth time limit; logins still work", async () => {
    const FLOOD = FULL ? 1000 : 200;
    const t0 = Date.now();
    const flood = (await pool(FLOOD, 100, async (i) => {
      const c = await Client.tls(live.d.port, "127.0.0.1", freshLoopback());
      if (i % 2 === 1) c.write("a"); // slow-loris: a byte now and then, never a line
      return c;
    })).map((r) => (r as PromiseFulfilledResult<Client>).value);
    const loris = setInterval(() => flood.forEach((c, i) => i % 2 === 1 && !c.closed && c.write("a")), 200);
    // a real user gets in meanwhile
    const ok = await live.login(users[1]);
    expect((await ok.cmd("NOOP")).at(-1)).toMatch(/ OK /);
    // bad commands: BYE after 20
    const bad = await Client.tls(live.d.port, "127.0.0.1", freshLoopback());
    for (let i = 0; i < 25; i++) bad.write(`x${i} FROB\r\n`);
    expect(await bad.closedOrTimeout(5000), "closed after too many bad commands").toBe(true);
    expect(bad.lines.some((l) => /BYE/.test(l))).toBe(true);
    // everyone in the flood is gone soon after the 3 s limit, the slow-loris ones too
    let closed = 0;
    await pool(FLOOD, FLOOD, async (i) => {
      if (await flood[i].closedOrTimeout(15_000)) closed++;
    });
    clearInterval(loris);
    const ms = Date.now() - t0;
    figures("preauth-flood", { connections: FLOOD, closedByServer: closed, seconds: +(ms / 1000).toFixed(1), preAuthLimitS: 3 });
    expect(closed).toBe(FLOOD);
    expect((await ok.cmd("NOOP")).at(-1), "the logged-in session was not cut").toMatch(/ OK /);
    ok.close();
  }, 300_000);

  it(`soak (${SOAK_S} s): mixed traffic on ${FULL ? 40 : 12} connections, no errors, memory steady`, async () => {
    const N = FULL ? 40 : 12;
    // A daemon of its own: what the tests before left in the user processes (the slow reader's
    // 16 MiB message in the message cache, evicted when the soak's messages fill it: -31 MiB of
    // live memory in one run) is not the soak's growth, and would hide a leak as big.
    const soakUsers = users.slice(0, 4).map((u) => `s${u}`);
    const soak = await startLive(soakUsers);
    onTestFinished(() => soak.close());
    const clients = await Promise.all(Array.from({ length: N }, async (_, i) => {
      const c = await soak.login(soakUsers[i % soakUsers.length]);
      expect((await c.cmd("SELECT INBOX")).at(-1)).toMatch(/ OK /);
      return c;
    }));
    // Each process on its own: the root's RSS and every user process's, sampled every second.
    const root = soak.d.proc.pid!;
    const samples: Array<{ root: number; users: number[] }> = [];
    const perUser = new Map<number, number[]>();
    const sample = () => {
      const users = userPids(soak).map((p) => {
        const mb = rssKb(p) / 1024;
        perUser.set(p, [...(perUser.get(p) ?? []), mb]);
        return mb;
      });
      samples.push({ root: rssKb(root) / 1024, users });
    };
    sample();
    let errors = 0;
    let raced = 0;
    let commands = 0;
    const end = Date.now() + SOAK_S * 1000;
    const sampler = setInterval(sample, 1000);
    // Live memory (after full collections) of every user process, with the commands answered by then.
    const probe = async () => {
      const before = commands;
      const mem = new Map<number, number>();
      for (const p of userPids(soak)) {
        const m = await liveMemory(p, soak.d.logs);
        mem.set(p, m.heapUsed + m.external);
      }
      return { commands: (before + commands) / 2, mem };
    };
    const warm = sleep(SOAK_S * 1000 / 3).then(probe);
    await Promise.all(clients.map(async (c, i) => {
      let n = 0;
      // This connection's messages, expunged by UID every 5th round: the mailbox stays about as
      // big as it started, so what memory the data needs stays the same and growth means a leak
      // (a plain EXPUNGE of whatever was \Deleted let thousands of messages pile up, and memory
      // grew with them: the limit failed 1 run in 3 on honest growth).
      const mine: string[] = [];
      while (Date.now() < end) {
        const m = `Subject: soak ${i} ${n}\r\n\r\n${"z".repeat(2000)}\r\n`;
        const expunge = n % 5 === 0 && mine.length > 0 ? mine.splice(0).join(",") : undefined;
        const script = [
          `APPEND INBOX {${m.length}+}\r\n${m}`, "NOOP", "FETCH 1:* (FLAGS)", "FETCH * (BODY.PEEK[] ENVELOPE)",
          "STORE * +FLAGS (\\Seen \\Deleted)", "SEARCH TEXT soak",
          ...(expunge ? [`UID STORE ${expunge} +FLAGS.SILENT (\\Deleted)`, `UID EXPUNGE ${expunge}`] : ["CHECK"]),
        ];
        for (const cmd of script) {
          const r = await c.cmd(cmd);
          commands++;
          const uid = /\[APPENDUID \d+ (\d+)\]/.exec(r.at(-1)!);
          if (uid) mine.push(uid[1]);
          // another session's EXPUNGE racing this command: a NO [EXPUNGEISSUED] is allowed by
          // RFC 2180 for FETCH/STORE; SEARCH should not fail so (races.test.ts), counted apart
          if (/ NO \[EXPUNGEISSUED\]/.test(r.at(-1)!)) raced++;
          else if (!/ OK /.test(r.at(-1)!)) errors++;
        }
        if (n % 3 === 0) {
          c.write("i1 IDLE\r\n");
          await c.waitFor((l) => l.startsWith("+"));
          await sleep(200);
          c.write("DONE\r\n");
          await c.waitFor((l) => l.startsWith("i1 "));
        }
        n++;
      }
    }));
    clearInterval(sampler);
    sample();
    const [first, last] = [await warm, await probe()];
    for (const c of clients) c.close();
    const liveGrowth = [...last.mem].reduce((s, [p, m]) => s + (first.mem.has(p) ? m - first.mem.get(p)! : 0), 0);
    const bytesPerCommand = liveGrowth / (last.commands - first.commands);
    // What the measure must tell apart (seen in 40 s runs, 1 s samples): a user process's RSS
    // climbs from ~65 to ~130 MiB over its first ~30 s under this load and then stays flat (V8
    // sizing its heap, the message cache filling to its bound; the same with a 2 MB cache),
    // while the root's stays flat throughout; a leak keeps climbing. The old check (mean of the
    // last quarter minus mean of the first after a quarter's warm-up: 2 samples each in a 15 s
    // run) measured mostly that climb and failed 1 run in 3 (81.5 MiB against 73.4) with no leak.
    // A process's RSS also swings by up to ~100 MiB between collections (after the 32 MB FETCH
    // of the slow-reader test: 94 to 197 within seconds), so its level is taken at the lowest
    // samples, those just after a collection.
    // RSS cannot tell apart a leak of 14 KiB per command (~80 MiB per process in 15 s) from that
    // warm-up: planted in the command dispatch, it passed (RSS growth 89 and 91 MiB, limit 128).
    // So the user processes are judged by their live memory (V8 heap + external, after full
    // collections, logged on SIGUSR2, ./heap.ts) once warm (a third in) and at the end:
    // (1) it may grow by at most LIVE_BYTES_PER_COMMAND per command answered in between. Seen
    // without a leak: 11-12 MiB per process at both, 300-530 bytes per command (as much with the
    // message cache off; 243 over a 60 s run: ~2 KB per message appended and expunged, not
    // explained yet); with the plant: 14,400-15,400. Also: (2) no user process's RSS may grow (lowest
    // sample of its last quarter minus lowest of its first quarter) by more than
    // USER_RSS_GROWTH_MB, twice the warm-up (memory outside V8's accounting: the C addon,
    // SQLite); (3) the root, which holds no mail, may not grow by more than 16 MiB once warm
    // (medians of the second and last quarter); (4) in a long run (ASIMAP_SOAK_SECONDS >= 120,
    // e.g. ASIMAP_LOAD=full) the second half, past the warm-up, may not grow by more than
    // max(24 MiB, 10%).
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const total = (x: { root: number; users: number[] }) => x.root + x.users.reduce((a, b) => a + b, 0);
    const q = Math.max(1, Math.floor(samples.length / 4));
    const growth = (xs: number[]) => {
      const k = Math.max(1, Math.floor(xs.length / 4));
      return Math.min(...xs.slice(-k)) - Math.min(...xs.slice(0, k));
    };
    const userMax = Math.max(...[...perUser.values()].map(growth));
    const rootGrowth = median(samples.slice(-q).map((x) => x.root)) - median(samples.slice(q, 2 * q).map((x) => x.root));
    const half = samples.slice(Math.floor(samples.length / 2));
    const hq = Math.max(1, Math.floor(half.length / 4));
    const lateStart = median(half.slice(0, hq).map(total));
    const lateGrowth = median(half.slice(-hq).map(total)) - lateStart;
    figures("soak", { seconds: SOAK_S, connections: N, commands, errors, expungeRaces: raced,
      userProcessRssGrowthMB: +userMax.toFixed(1), rootRssGrowthMB: +rootGrowth.toFixed(1),
      secondHalfGrowthMB: +lateGrowth.toFixed(1), rssMaxMB: +Math.max(...samples.map(total)).toFixed(1),
      liveGrowthMB: +(liveGrowth / MB).toFixed(1), liveBytesPerCommand: Math.round(bytesPerCommand),
      liveStartMB: [...first.mem.values()].map((m) => +(m / MB).toFixed(1)), liveEndMB: [...last.mem.values()].map((m) => +(m / MB).toFixed(1)) });
    // SOAK_DUMP=1 prints every sample (root/user/user MiB), to see the shape of a failure.
    if (process.env.SOAK_DUMP) console.log("SOAK-SAMPLES", JSON.stringify(samples.map((x) => [x.root, ...x.users].map(Math.round).join("/"))));
    expect(errors).toBe(0);
    expect(bytesPerCommand, "user processes' live memory growth per command once warm (bytes)").toBeLessThan(LIVE_BYTES_PER_COMMAND);
    expect(userMax, "largest growth of a user process's RSS (MiB)").toBeLessThan(USER_RSS_GROWTH_MB);
    expect(rootGrowth, "root RSS growth once warm (MiB)").toBeLessThan(16);
    if (SOAK_S >= 120) expect(lateGrowth, "RSS growth over the second half (MiB)").toBeLessThan(Math.max(24, lateStart * 0.1));
  }, 4_000_000);
});
