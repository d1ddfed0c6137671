// What every workload is made of: its shape (Ctx, Metric, Workload) and the few helpers they share.
import { performance } from "node:perf_hooks";
import { type Completion, ImapClient } from "./client.js";
import type { Fixture } from "./fixture.js";
import type { Scale } from "./scale.js";
import { PASSWORD, type ServerName, type ServerUnderTest } from "./server.js";

export interface Ctx {
  server: ServerUnderTest;
  fx: Fixture;
  scale: Scale;
  /** Notes a result that disagrees with the corpus. */
  mismatch(what: string): void;
}

export interface Metric {
  key: string;
  label: string;
  mailbox: string;
  unit: string;
  better: "lower" | "higher";
  table: "speed" | "memory";
  /** Only these servers give the figure (absent: every server the workload runs on). */
  only?: ServerName[];
}

export interface Workload {
  id: string;
  /** The servers it runs on (absent: ours and Dovecot; the fts-xapian peer only where named). */
  servers?: ServerName[];
  metrics(scale: Scale): Metric[];
  run(ctx: Ctx): Promise<Record<string, number>>;
}

/** A connection logged in as `user` (and with `mailbox` selected). */
export async function open(ctx: Ctx, user: string, mailbox?: string): Promise<ImapClient> {
  const c = await ImapClient.connect({ port: ctx.server.port, timeoutMs: ctx.scale.commandTimeoutMs });
  try {
    await c.login(user, PASSWORD);
    if (mailbox) await c.command(`SELECT ${mailbox}`);
  } catch (e) {
    c.destroy();
    throw e;
  }
  return c;
}

export async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await f();
  return [performance.now() - t0, r];
}

export const DEFAULT_SERVERS: ServerName[] = ["ours", "dovecot"];

/** The numbers of the untagged SEARCH response. */
export function searchHits(c: Completion): number[] {
  const line = c.untagged.find((u) => /^\* SEARCH\b/i.test(u.line))?.line ?? "* SEARCH";
  return line.slice(8).trim().split(/\s+/).filter(Boolean).map(Number);
}

/** A metric row. */
export const m = (
  key: string, label: string, mailbox: string, unit: string,
  better: Metric["better"] = "lower", table: Metric["table"] = "speed",
): Metric => ({ key, label, mailbox, unit, better, table });

/** 1000 → "1k" in mailbox labels */
export const k = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));
