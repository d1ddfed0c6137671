// The full-text workload (issue 19): SEARCH of a rare and of a common word and of a subject word
// in one big folder, warm (each server's index built first, each query once untimed), on ours
// (--fts on), Dovecot without an index and Dovecot with fts-xapian; and what building the index
// cost, and its size. Every server must give the same hits on every row.
import { TEXT_TOKEN } from "./message.js";
import { k, m, open, searchHits, timed, type Ctx, type Workload } from "./workload-kit.js";

const MB = 1024 * 1024;

/** A word of the corpus's text pool in most bodies (78,469 of 100,000). */
export const COMMON_WORD = "quaper";
/** A subject word (message.ts's SUBJECT_WORDS), in about one subject in eight. */
export const SUBJECT_WORD = "invoice";

const QUERIES: Array<{ key: string; command: string; rare?: boolean }> = [
  { key: "fts-text", command: `UID SEARCH TEXT "${TEXT_TOKEN}"`, rare: true },
  { key: "fts-body-rare", command: `UID SEARCH BODY "${TEXT_TOKEN}"`, rare: true },
  { key: "fts-body-common", command: `UID SEARCH BODY "${COMMON_WORD}"` },
  { key: "fts-subject", command: `UID SEARCH SUBJECT "${SUBJECT_WORD}"` },
];

/** The first answer to each query in this process (any server's): the others must agree. */
const answers = new Map<string, { server: string; hits: string }>();

function agree(ctx: Ctx, key: string, command: string, hits: number[]): void {
  const id = `${ctx.fx.ftsMailbox} ${key}`;
  const sig = hits.join(" ");
  const first = answers.get(id);
  if (!first) answers.set(id, { server: ctx.server.name, hits: sig });
  else if (first.hits !== sig) {
    ctx.mismatch(`${command}: ${hits.length} hits, ${first.server} had ${first.hits.split(" ").filter(Boolean).length} (other UIDs)`);
  }
}

export const fullText: Workload = {
  id: "fts",
  servers: ["ours", "dovecot", "xapian"],
  metrics(s) {
    const box = `m${k(s.ftsCount)} (${k(s.ftsCount)})`;
    const built = { only: ["ours", "xapian"] as Array<"ours" | "xapian"> };
    return [
      m("fts-text", `UID SEARCH TEXT "${TEXT_TOKEN}" (rare), warm`, box, "ms"),
      m("fts-body-rare", `UID SEARCH BODY "${TEXT_TOKEN}" (rare), warm`, box, "ms"),
      m("fts-body-common", `UID SEARCH BODY "${COMMON_WORD}" (common), warm`, box, "ms"),
      m("fts-subject", `UID SEARCH SUBJECT "${SUBJECT_WORD}", warm`, box, "ms"),
      { ...m("fts-build-wall", "full-text index build, wall time", box, "s"), ...built },
      { ...m("fts-build-cpu", "full-text index build, CPU time", box, "s"), ...built },
      { ...m("fts-build-per-msg", "full-text index build, CPU per message", box, "ms"), ...built },
      { ...m("fts-index-mb", "full-text index on disk", box, "MB", "lower", "memory"), ...built },
    ];
  },
  async run(ctx) {
    const { server, fx } = ctx;
    const count = ctx.scale.ftsCount;
    const out: Record<string, number> = {};
    if (server.name === "ours") {
      // a first build every run: a fresh folder with no index
      await server.stop();
      server.resetUser(fx.fts);
      await server.start();
    }
    if (server.ftsBuild) {
      const t = await open(ctx, fx.fts.name, fx.ftsMailbox);
      const b = await server.ftsBuild(fx.fts.name, fx.ftsMailbox, count, () => t.command(`SEARCH TEXT "${TEXT_TOKEN}"`))
        .finally(() => t.logout().catch(() => t.destroy()));
      out["fts-build-wall"] = b.wallMs / 1000;
      out["fts-build-cpu"] = b.cpuMs / 1000;
      out["fts-build-per-msg"] = b.cpuMs / count;
      out["fts-index-mb"] = b.bytes / MB;
    }
    // a new connection: Dovecot logs out one idle for 30 minutes, and fts-xapian's build takes longer
    const c = await open(ctx, fx.fts.name, fx.ftsMailbox);
    try {
      const want = fx.bulk.textHits.filter((i) => i <= count);
      for (const q of QUERIES) {
        await c.command(q.command); // warm: file cache, decoded messages, the index's pages
        const [ms, r] = await timed(() => c.command(q.command, { collect: true }));
        const hits = searchHits(r);
        if (q.rare && hits.join(" ") !== want.join(" ")) ctx.mismatch(`${q.command}: ${hits.length} hits, expected ${want.length}`);
        agree(ctx, q.key, q.command, hits);
        out[q.key] = ms;
      }
    } finally {
      await c.logout().catch(() => c.destroy());
    }
    return out;
  },
};
