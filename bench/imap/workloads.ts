// The workloads, each run the same way against either server. A workload returns named figures;
// a tagged NO/BAD, a dropped connection or a timeout throws (a "protocol error"), and a result
// that disagrees with the corpus (wrong number of FETCH responses, of search hits, of bytes) is
// reported as a mismatch next to its figure.
import { performance } from "node:perf_hooks";
import { Completion, ImapClient, ImapError, withTimeout } from "./client.js";
import { messagePath } from "./corpus.js";
import { manyUserName } from "./fixture.js";
import { k, m, open, searchHits, timed, type Ctx, type Metric, type Workload } from "./workload-kit.js";
import { FROM_TOKEN, TEXT_TOKEN } from "./message.js";
import { rssBytes, sampleMaxRss, sumRss, treePss } from "./procs.js";
import { Rng } from "./rng.js";
import { sleep } from "./server.js";
import fs from "node:fs";
import { compressSync } from "./compress-sync.js";
import { fullText } from "./full-text.js";


const MB = 1024 * 1024;



function fetchCount(c: Completion): number {
  return c.untagged.length ? c.untagged.filter((u) => / FETCH /.test(u.line)).length : c.untaggedCount;
}

function expectCount(ctx: Ctx, what: string, got: number, want: number): void {
  if (got !== want) ctx.mismatch(`${what}: ${got} responses, expected ${want}`);
}

/** Runs `f` on items with at most `limit` at a time (connection storms beyond `limit` are not the point). */
async function pool<T, R>(items: T[], limit: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function closeAll(clients: ImapClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.logout().catch(() => c.destroy())));
}

function crlf(buf: Buffer): Buffer {
  return Buffer.from(buf.toString("latin1").replace(/\r?\n/g, "\r\n"), "latin1");
}



export type { Ctx, Metric, Workload };

export const WORKLOADS: Workload[] = [
  {
    id: "login-cycle",
    metrics: (s) => [m("login-cycle", "connect + LOGIN + SELECT + LOGOUT", `INBOX (${k(s.mixedCount)})`, "ms/cycle")],
    async run(ctx) {
      const n = ctx.scale.loginCycles;
      // One untimed cycle first: the start of our user process is measured by "many-users".
      await (await open(ctx, "bench", "INBOX")).logout();
      const [ms] = await timed(async () => {
        for (let i = 0; i < n; i++) await (await open(ctx, "bench", "INBOX")).logout();
      });
      return { "login-cycle": ms / n };
    },
  },
  {
    id: "big-mailbox",
    metrics: (s) => [
      m("select-cold", "SELECT, cold (first open, no index/state, fresh server)", `m100k (${k(s.bulkCount)})`, "ms"),
      m("select-warm", "SELECT, warm (second open, new connection)", `m100k (${k(s.bulkCount)})`, "ms"),
      m("fetch-flags", "UID FETCH 1:* (UID FLAGS)", `m100k (${k(s.bulkCount)})`, "ms"),
      m("rss-user-select", "user process after SELECT of the big mailbox", `m100k (${k(s.bulkCount)})`, "MB", "lower", "memory"),
      m("rss-root-select", "root process after SELECT of the big mailbox", `m100k (${k(s.bulkCount)})`, "MB", "lower", "memory"),
    ],
    async run(ctx) {
      const { server, fx } = ctx;
      await server.stop();
      server.resetUser(fx.big);
      await server.start();
      const c = await open(ctx, fx.big.name);
      const [cold] = await timed(() => c.command("SELECT m100k"));
      await sleep(200);
      const rssUser = sumRss(server.userPids(fx.big.name));
      const rssRoot = rssBytes(server.rootPid() ?? -1);
      const c2 = await open(ctx, fx.big.name);
      const [warm] = await timed(() => c2.command("SELECT m100k"));
      const [flags, r] = await timed(() => c2.command("UID FETCH 1:* (UID FLAGS)"));
      expectCount(ctx, "UID FETCH 1:* (UID FLAGS)", r.untaggedCount, fx.big.mailboxes.m100k.count);
      await closeAll([c, c2]);
      const out: Record<string, number> = { "select-cold": cold, "select-warm": warm, "fetch-flags": flags };
      if (rssUser !== undefined) out["rss-user-select"] = rssUser / MB;
      if (rssRoot !== undefined) out["rss-root-select"] = rssRoot / MB;
      return out;
    },
  },
  {
    id: "fetch-10k",
    metrics: (s) => [
      m("fetch-envelope", "FETCH 1:* (ENVELOPE BODYSTRUCTURE)", `m10k (${k(s.midCount)})`, "ms"),
      m("fetch-headers", "FETCH 1:* BODY.PEEK[HEADER.FIELDS (From To Subject Date)]", `m10k (${k(s.midCount)})`, "ms"),
    ],
    async run(ctx) {
      const c = await open(ctx, "bench", "m10k");
      const [env, r1] = await timed(() => c.command("FETCH 1:* (ENVELOPE BODYSTRUCTURE)"));
      expectCount(ctx, "FETCH ENVELOPE BODYSTRUCTURE", r1.untaggedCount, ctx.scale.midCount);
      const [hdr, r2] = await timed(() => c.command("FETCH 1:* BODY.PEEK[HEADER.FIELDS (From To Subject Date)]"));
      expectCount(ctx, "FETCH HEADER.FIELDS", r2.untaggedCount, ctx.scale.midCount);
      await c.logout();
      return { "fetch-envelope": env, "fetch-headers": hdr };
    },
  },
  {
    id: "fetch-big-body",
    metrics: (s) => [
      m("fetch-body-mbps", `BODY.PEEK[] of the ${Math.round(s.bigBytes / MB)} MB message`, "INBOX", "MB/s", "higher"),
      m("rss-root-idle", "root process, one user logged in, idle", "—", "MB", "lower", "memory"),
      m("rss-front-idle", "login/TLS front (Dovecot imap-login), idle", "—", "MB", "lower", "memory"),
      m("rss-user-idle", "user process, logged in, idle", "—", "MB", "lower", "memory"),
      m("rss-user-fetch", `user process, peak during the ${Math.round(s.bigBytes / MB)} MB fetch`, "INBOX", "MB", "lower", "memory"),
      m("rss-root-fetch", `root + front, peak during the ${Math.round(s.bigBytes / MB)} MB fetch`, "INBOX", "MB", "lower", "memory"),
    ],
    async run(ctx) {
      const { server, fx } = ctx;
      const c = await open(ctx, "bench");
      await sleep(200);
      const out: Record<string, number> = {};
      const idleRoot = rssBytes(server.rootPid() ?? -1);
      const idleFront = sumRss(server.frontPids());
      const idleUser = sumRss(server.userPids("bench"));
      if (idleRoot !== undefined) out["rss-root-idle"] = idleRoot / MB;
      if (idleFront !== undefined) out["rss-front-idle"] = idleFront / MB;
      if (idleUser !== undefined) out["rss-user-idle"] = idleUser / MB;
      await c.command("SELECT INBOX");
      const n = fx.mixed.bigIndex;
      const want = fx.mixed.crlfSizes[n - 1];
      const userPids = server.userPids("bench");
      const frontPids = [server.rootPid() ?? -1, ...server.frontPids()];
      const stopUser = sampleMaxRss(() => userPids);
      const stopFront = sampleMaxRss(() => frontPids);
      const [ms, r] = await timed(() => c.command(`FETCH ${n} BODY.PEEK[]`));
      const peakUser = stopUser();
      const peakFront = stopFront();
      if (r.literalBytes !== want) ctx.mismatch(`BODY[] of message ${n}: ${r.literalBytes} bytes, expected ${want}`);
      await c.logout();
      out["fetch-body-mbps"] = r.literalBytes / MB / (ms / 1000);
      if (peakUser !== undefined) out["rss-user-fetch"] = peakUser / MB;
      if (peakFront !== undefined) out["rss-root-fetch"] = peakFront / MB;
      return out;
    },
  },
  {
    id: "search",
    metrics: (s) => [
      m("search-text", `UID SEARCH TEXT "${TEXT_TOKEN}"`, `m10k (${k(s.midCount)})`, "ms"),
      m("search-from", `SEARCH FROM "${FROM_TOKEN}"`, `m10k (${k(s.midCount)})`, "ms"),
    ],
    async run(ctx) {
      const { fx, scale } = ctx;
      const c = await open(ctx, "bench", "m10k");
      const [text, r1] = await timed(() => c.command(`UID SEARCH TEXT "${TEXT_TOKEN}"`, { collect: true }));
      const wantText = fx.bulk.textHits.filter((i) => i <= scale.midCount).length;
      if (searchHits(r1).length !== wantText) ctx.mismatch(`SEARCH TEXT: ${searchHits(r1).length} hits, expected ${wantText}`);
      const [from, r2] = await timed(() => c.command(`SEARCH FROM "${FROM_TOKEN}"`, { collect: true }));
      const wantFrom = fx.bulk.fromHits.filter((i) => i <= scale.midCount).length;
      if (searchHits(r2).length !== wantFrom) ctx.mismatch(`SEARCH FROM: ${searchHits(r2).length} hits, expected ${wantFrom}`);
      await c.logout();
      return { "search-text": text, "search-from": from };
    },
  },
  {
    id: "store",
    metrics: (s) => [m("store-flags", `STORE 1:${k(s.midCount)} +FLAGS (\\Flagged)`, `m10k (${k(s.midCount)})`, "ms")],
    async run(ctx) {
      const c = await open(ctx, "bench", "m10k");
      await c.command("STORE 1:* -FLAGS.SILENT (\\Flagged)");
      const [ms] = await timed(() => c.command(`STORE 1:${ctx.scale.midCount} +FLAGS (\\Flagged)`));
      await c.logout();
      return { "store-flags": ms };
    },
  },
  {
    id: "append",
    metrics: (s) => [m("append", `APPEND of ${k(s.appendCount)} messages, one at a time`, "new folder", "msg/s", "higher")],
    async run(ctx) {
      const n = ctx.scale.appendCount;
      const msgs = Array.from({ length: n }, (_, i) => crlf(fs.readFileSync(messagePath(ctx.fx.bulk, 1 + (i % ctx.fx.bulk.count)))));
      const c = await open(ctx, "bench");
      await c.command("DELETE bench-append").catch(() => undefined);
      await c.command("CREATE bench-append");
      const [ms] = await timed(async () => {
        for (const msg of msgs) await c.append("bench-append", msg, "\\Seen");
      });
      const st = await c.command("STATUS bench-append (MESSAGES)", { collect: true });
      const got = Number(/MESSAGES (\d+)/i.exec(st.untagged[0]?.line ?? "")?.[1] ?? -1);
      if (got !== n) ctx.mismatch(`APPEND: STATUS says ${got} messages, expected ${n}`);
      await c.logout();
      return { append: n / (ms / 1000) };
    },
  },
  {
    id: "idle-fanout",
    metrics: (s) => [
      m("idle-setup", `${s.idleConnections} connections of one user: connect + LOGIN + SELECT + IDLE`, "INBOX (small)", "ms"),
      m("idle-fanout", `IDLE fan-out: APPEND until all ${s.idleConnections} idlers saw EXISTS`, "INBOX (small)", "ms"),
    ],
    async run(ctx) {
      const n = ctx.scale.idleConnections;
      const idlers: Array<{ c: ImapClient; done?: () => Promise<Completion> }> = [];
      try {
        const seen: Array<Promise<void>> = [];
        const [setup] = await timed(() =>
          pool(Array.from({ length: n }, (_, i) => i), 20, async () => {
            const c = await open(ctx, "idler");
            const entry: { c: ImapClient; done?: () => Promise<Completion> } = { c };
            idlers.push(entry);
            const sel = await c.command("SELECT INBOX", { collect: true });
            const exists = Number(/^\* (\d+) EXISTS/m.exec(sel.untagged.map((u) => u.line).join("\n"))?.[1] ?? 0);
            seen.push(
              new Promise<void>((resolve) => {
                const off = c.onUntagged((u) => {
                  const e = /^\* (\d+) EXISTS/i.exec(u.line);
                  if (e && Number(e[1]) > exists) {
                    off();
                    resolve();
                  }
                });
              }),
            );
            entry.done = await c.idle();
          }),
        );
        const writer = await open(ctx, "idler");
        const msg = crlf(fs.readFileSync(messagePath(ctx.fx.bulk, 1)));
        const [fanout] = await timed(async () => {
          await writer.append("INBOX", msg);
          await withTimeout(Promise.all(seen), 30_000, `EXISTS on all ${n} idle connections`);
        });
        await writer.logout();
        // A clean end: DONE, the tagged OK of IDLE, then LOGOUT.
        await Promise.all(idlers.map(async ({ c, done }) => {
          await done?.();
          await c.logout();
        }));
        return { "idle-setup": setup, "idle-fanout": fanout };
      } finally {
        for (const { c } of idlers) c.destroy();
      }
    },
  },
  {
    id: "many-users",
    metrics: (s) => [
      m("many-users", `${s.concurrentUsers} users log in at once (LOGIN + SELECT), fresh server`, "INBOX (small)", "ms"),
      m("pss-many-users", `all server processes with those ${s.concurrentUsers} users logged in, idle (PSS: shared pages split)`,
        "INBOX (small)", "MB", "lower", "memory"),
    ],
    async run(ctx) {
      await ctx.server.stop();
      await ctx.server.start();
      const names = Array.from({ length: ctx.scale.concurrentUsers }, (_, i) => manyUserName(i + 1));
      const [ms, clients] = await timed(() => Promise.all(names.map((u) => open(ctx, u, "INBOX"))));
      await sleep(300);
      const pss = treePss(ctx.server.rootPid() ?? -1);
      await closeAll(clients);
      const out: Record<string, number> = { "many-users": ms };
      if (pss !== undefined) out["pss-many-users"] = pss / MB;
      return out;
    },
  },
  {
    id: "mixed-load",
    metrics: (s) => [m("mixed-load", `mixed load, ${s.mixedClients} clients (select/fetch/store/append/expunge)`, `INBOX (${k(s.mixedLoadCount)})`, "cmd/s", "higher")],
    async run(ctx) {
      const small = Array.from({ length: 20 }, (_, i) => crlf(fs.readFileSync(messagePath(ctx.fx.bulk, i + 1))));
      let commands = 0;
      // Sessions are opened first: the clock covers only the commands.
      const clients = await Promise.all(Array.from({ length: ctx.scale.mixedClients }, () => open(ctx, "mixer")));
      const t0 = performance.now();
      const deadline = t0 + ctx.scale.mixedSeconds * 1000;
      const work = async (c: ImapClient, seed: number) => {
        const rng = new Rng(seed);
        let uidnext = 1;
        const select = async () => {
          const r = await c.command("SELECT INBOX", { collect: true });
          uidnext = Number(/UIDNEXT (\d+)/i.exec(r.untagged.map((u) => u.line).join("\n"))?.[1] ?? 1);
          commands++;
        };
        await select();
        const uid = () => rng.int(1, Math.max(1, uidnext - 1));
        // RFC 2180 §4.1.3 lets a server refuse a FETCH/STORE that touches a message another
        // session expunged (NO [EXPUNGEISSUED]); a client then NOOPs to learn of the EXPUNGE.
        const run = async (cmd: string) => {
          try {
            await c.command(cmd);
          } catch (e) {
            if (!(e instanceof ImapError) || !/\[EXPUNGEISSUED\]/i.test(e.completion?.text ?? "")) throw e;
            await c.command("NOOP");
            commands++;
          }
        };
        while (performance.now() < deadline) {
          const p = rng.next();
          if (p < 0.05) await select();
          else if (p < 0.35) {
            const u = uid();
            await run(`UID FETCH ${u}:${u + 20} (UID FLAGS RFC822.SIZE ENVELOPE)`);
          } else if (p < 0.5) await run(`UID FETCH ${uid()} BODY.PEEK[]`);
          else if (p < 0.7) await run(`UID STORE ${uid()} ${rng.chance(0.5) ? "+" : "-"}FLAGS (\\Seen \\Flagged)`);
          else if (p < 0.85) {
            await c.append("INBOX", rng.pick(small));
            uidnext++;
          } else {
            await run(`UID STORE ${uid()} +FLAGS.SILENT (\\Deleted)`);
            commands++;
            await c.command("EXPUNGE");
          }
          if (p >= 0.05) commands++;
        }
      };
      await Promise.all(clients.map((c, i) => work(c, 100 + i)));
      const seconds = (performance.now() - t0) / 1000;
      await closeAll(clients);
      return { "mixed-load": commands / seconds };
    },
  },
  compressSync,
  fullText,
];
