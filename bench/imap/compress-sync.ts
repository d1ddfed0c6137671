// A client's full sync of the mixed INBOX (every message's UID, FLAGS, size, envelope and body),
// plain and under COMPRESS=DEFLATE (RFC 4978): bytes the network carried, wall time, and the
// server's CPU per MB of response (deflating costs the server what it saves the network).
import { performance } from "node:perf_hooks";
import { treeCpuMs } from "./procs.js";
import { k, open, type Ctx, type Metric, type Workload } from "./workload-kit.js";
import type { Scale } from "./scale.js";

const MB = 1024 * 1024;
const SYNC = "UID FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE BODY.PEEK[])";

interface Sync { ms: number; wireMB: number; dataMB: number; cpuMs: number }

async function fullSync(ctx: Ctx, deflate: boolean): Promise<Sync> {
  const c = await open(ctx, "bench");
  try {
    if (deflate) await c.compress();
    await c.command("SELECT INBOX");
    const root = ctx.server.rootPid();
    const cpu0 = root ? treeCpuMs(root) : 0;
    const wire0 = c.wireBytesIn;
    const t0 = performance.now();
    const done = await c.command(SYNC);
    const ms = performance.now() - t0;
    const cpuMs = root ? treeCpuMs(root) - cpu0 : 0;
    if (done.untaggedCount !== ctx.fx.mixed.crlfSizes.length) {
      ctx.mismatch(`${deflate ? "deflated" : "plain"} sync: ${done.untaggedCount} FETCH responses, want ${ctx.fx.mixed.crlfSizes.length}`);
    }
    const bodies = ctx.fx.mixed.crlfSizes.reduce((a, b) => a + b, 0);
    if (done.literalBytes < bodies) ctx.mismatch(`sync: ${done.literalBytes} literal bytes, want at least ${bodies}`);
    return { ms, wireMB: (c.wireBytesIn - wire0) / MB, dataMB: done.literalBytes / MB, cpuMs };
  } finally {
    await c.logout().catch(() => c.destroy());
  }
}

export const compressSync: Workload = {
  id: "compress-sync",
  metrics: (s: Scale): Metric[] => {
    const box = `INBOX (${k(s.mixedCount)})`;
    const m = (key: string, label: string, unit: string): Metric =>
      ({ key, label, mailbox: box, unit, better: "lower", table: "speed" });
    return [
      m("sync-plain-ms", `full sync (${SYNC}), plain`, "ms"),
      m("sync-deflate-ms", "the same full sync under COMPRESS=DEFLATE", "ms"),
      m("sync-plain-mb", "bytes on the wire for the full sync, plain", "MB"),
      m("sync-deflate-mb", "bytes on the wire for the full sync under COMPRESS", "MB"),
      m("sync-plain-cpu", "server CPU per MB of bodies, plain sync", "ms/MB"),
      m("sync-deflate-cpu", "server CPU per MB of bodies, compressed sync", "ms/MB"),
    ];
  },
  async run(ctx) {
    // one untimed sync first: both servers then read the mail from a warm page cache
    await fullSync(ctx, false);
    const plain = await fullSync(ctx, false);
    const zipped = await fullSync(ctx, true);
    return {
      "sync-plain-ms": plain.ms,
      "sync-deflate-ms": zipped.ms,
      "sync-plain-mb": plain.wireMB,
      "sync-deflate-mb": zipped.wireMB,
      "sync-plain-cpu": plain.cpuMs / plain.dataMB,
      "sync-deflate-cpu": zipped.cpuMs / zipped.dataMB,
    };
  },
};
