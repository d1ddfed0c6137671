// Store benchmark: a 100,000-message MH folder. First open with no state, warm open with
// nothing changed (target ≤ 50 ms), messages() as SELECT pays it (first and later calls), warm
// open after one real `inc`, a flag change on 10,000 messages, 1,000 APPENDs, and the memory of
// a fresh process holding the opened folder. BENCH_STORE_N sets the folder size. Prints a
// Markdown table.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { openUserStore } from "../../src/store/open-store.js";

const N = Number(process.env.BENCH_STORE_N ?? 100_000);
const hold = process.env.BENCH_STORE_HOLD; // child mode: the parent's mail root
const home = hold ? dirname(hold) : mkdtempSync(join(tmpdir(), "asimap-bench-store-"));
const root = join(home, "Mail");
const inbox = join(root, "inbox");
const env = { ...process.env, HOME: home, MH: join(home, ".mh_profile") };
process.env.MH = env.MH;

function ms(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Wall time and this process's CPU time (user + system): the box is shared, CPU is steadier. */
interface Took { wall: number; cpu: number }
async function timed<T>(fn: () => Promise<T> | T): Promise<[T, Took]> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const v = await fn();
  const c = process.cpuUsage(c0);
  return [v, { wall: ms(t0), cpu: (c.user + c.system) / 1000 }];
}

async function open() {
  const store = await openUserStore(root, {});
  const box = await store.mailbox("INBOX");
  return { store, box };
}

/** Child mode: open the folder, load its records, report memory (a fresh process, as the user process). */
async function holdAndMeasure(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const { store, box } = await open();
  const n = box.messages().length;
  gc?.();
  const after = process.memoryUsage();
  console.log(JSON.stringify({ n, rssBefore: before.rss, rss: after.rss, heap: after.heapUsed - before.heapUsed }));
  await store.close();
}

function childMemory(): { n: number; rssBefore: number; rss: number; heap: number } {
  const out = execFileSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url)], {
    env: { ...env, BENCH_STORE_HOLD: root }, encoding: "utf8",
  });
  return JSON.parse(out.trim().split("\n").pop()!);
}

async function main() {
  writeFileSync(join(home, ".mh_profile"), "Path: Mail\nUnseen-Sequence: unseen\n");
  mkdirSync(inbox, { recursive: true });
  const tGen = process.hrtime.bigint();
  for (let i = 1; i <= N; i++) {
    writeFileSync(join(inbox, String(i)),
      `From: sender${i % 97}@example.com\nTo: you@example.com\nSubject: message ${i}\n\nbody ${i}\n`);
  }
  writeFileSync(join(inbox, ".mh_sequences"), `unseen: ${Math.floor(N / 2)}-${N}\nflagged: 1-${Math.floor(N / 10)}\n`);
  const genMs = ms(tGen);
  // let the folder's timestamps age past the racy window, as on a real server
  await new Promise((r) => setTimeout(r, 2200));

  const rows: Array<[string, Took]> = [];
  const [first, firstMs] = await timed(open);
  rows.push([`first open, ${N} messages, no state (readdir + a stat per file; sizes are counted when first asked for)`, firstMs]);
  if (first.box.messages().length !== N) throw new Error(`expected ${N} messages, got ${first.box.messages().length}`);
  await first.store.close();
  await new Promise((r) => setTimeout(r, 2200));

  const warm: Took[] = [];
  for (let i = 0; i < 5; i++) {
    const [w, took] = await timed(open);
    warm.push(took);
    await w.store.close();
  }
  warm.sort((a, b) => a.wall - b.wall);
  rows.push(["warm open, nothing changed (median of 5)", warm[2]]);
  {
    const w = await open();
    const [, took] = await timed(() => w.box.messages());
    rows.push(["first messages() after a warm open (records from the packed snapshot, as SELECT pays)", took]);
    const [, again] = await timed(() => w.box.messages());
    rows.push(["messages() again in the same process (a later SELECT of the open folder)", again]);
    await w.store.close();
  }
  const mem = childMemory();
  if (mem.n !== N) throw new Error(`child saw ${mem.n} messages`);

  const mbox = join(home, "mbox");
  writeFileSync(mbox, "From x@example.com Thu Jan  1 00:00:00 2026\nSubject: new\n\nhello\n\n");
  execFileSync("/usr/bin/mh/inc", ["+inbox", "-file", mbox, "-notruncate", "-silent"], { env });
  const [afterInc, incMs] = await timed(open);
  rows.push(["warm open after one `inc`", incMs]);
  if (afterInc.box.messages().length !== N + 1) throw new Error("inc not seen");

  const uids = afterInc.box.messages().slice(0, 10_000).map((r) => r.uid);
  const [, flagMs] = await timed(() => afterInc.box.storeFlags(uids, "add", ["\\Answered"]));
  rows.push(["flag change on 10,000 messages (+FLAGS \\Answered)", flagMs]);
  const [, syncMs] = await timed(() => afterInc.box.sync());
  rows.push(["sync right after that flag change (re-reads .mh_sequences)", syncMs]);
  await afterInc.store.create("bench-append");
  const target = await afterInc.store.mailbox("bench-append");
  const msg = Buffer.from("From: a@example.com\r\nSubject: appended\r\n\r\nhello\r\n");
  const [, appendMs] = await timed(async () => {
    for (let i = 0; i < 1000; i++) await target.append(msg, i % 2 ? ["\\Seen"] : []);
  });
  rows.push(["APPEND of 1,000 messages, one at a time, to a new folder", appendMs]);
  await afterInc.store.close();

  console.log(`| operation | wall ms | CPU ms |\n| --- | ---: | ---: |`);
  for (const [k, v] of rows) console.log(`| ${k} | ${v.wall.toFixed(1)} | ${v.cpu.toFixed(1)} |`);
  const mb = (b: number) => (b / 1048576).toFixed(1);
  console.log(`\nFresh process holding the opened folder (records loaded): RSS ${mb(mem.rss)} MB `
    + `(${mb(mem.rssBefore)} MB before opening), JS heap for the store ${mb(mem.heap)} MB`);
  console.log(`\n(folder generated in ${genMs.toFixed(0)} ms; Node ${process.version})`);
}

if (hold) {
  holdAndMeasure().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
} else main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => rmSync(home, { recursive: true, force: true }));
