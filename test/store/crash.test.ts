// A writer process killed with SIGKILL at random points: the store reopens consistent and
// nothing half-written is visible.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { openUserStore } from "../../src/store/open-store.js";
import { makeMhHome, transpileStore, type MhHome } from "./helpers.js";

let build: string;
let h: MhHome;

function transpile(): string {
  const out = transpileStore();
  writeFileSync(join(out, "writer.mjs"), `
    import { openUserStore } from "./src/store/open-store.js";
    const store = await openUserStore(process.argv[2], {});
    const box = await store.mailbox("INBOX");
    for (let i = 0; ; i++) {
      const tag = process.pid + "-" + i;
      const body = "x".repeat(1 + (i * 7919) % 20000);
      await box.append(Buffer.from("Subject: " + tag + "\\r\\n\\r\\n" + body + "\\r\\nEND " + tag + "\\r\\n"),
        i % 3 ? ["\\\\Seen"] : []);
      const uids = box.messages().map((r) => r.uid);
      await box.storeFlags(uids.filter((u) => u % 2 === i % 2), i % 4 ? "add" : "remove", ["\\\\Flagged", "k" + (i % 3)]);
      if (i % 5 === 4) await box.expunge(uids.slice(0, 2));
      process.stdout.write("ok " + i + "\\n");
    }
  `);
  return out;
}

beforeAll(() => {
  build = transpile();
  h = makeMhHome("Unseen-Sequence: unseen\n");
});
afterAll(() => {
  rmSync(build, { recursive: true, force: true });
  h.cleanup();
});

function runAndKill(afterLines: number, extraMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(build, "writer.mjs"), h.root], {
      env: h.env, stdio: ["ignore", "pipe", "pipe"],
    });
    let lines = 0;
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.stdout.on("data", (d: Buffer) => {
      lines += d.toString().split("\n").length - 1;
      if (lines >= afterLines) setTimeout(() => child.kill("SIGKILL"), extraMs);
    });
    child.on("exit", (code, signal) => (signal === "SIGKILL" ? resolve() : reject(new Error(`writer exited ${code}: ${err}`))));
  });
}

async function checkConsistent(): Promise<number> {
  const db = new Database(join(h.root, ".asimap-state.sqlite"), { readonly: true });
  expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
  db.close();
  const store = await openUserStore(h.root, {});
  try {
    const box = await store.mailbox("INBOX");
    const recs = box.messages();
    const dir = join(h.root, "inbox");
    const files = readdirSync(dir);
    expect(files.filter((f) => f.startsWith(".asimap-tmp-"))).toEqual([]);
    const nums = files.filter((f) => /^\d+$/.test(f)).map(Number).sort((a, b) => a - b);
    expect(recs.map((r) => r.num).sort((a, b) => a - b)).toEqual(nums);
    for (let i = 1; i < recs.length; i++) expect(recs[i].uid).toBeGreaterThan(recs[i - 1].uid);
    if (recs.length) expect(box.uidNext).toBeGreaterThan(recs[recs.length - 1].uid);
    for (const r of recs) {
      const text = readFileSync(join(dir, String(r.num)), "latin1");
      const tag = /^Subject: (\S+)\n/.exec(text)?.[1];
      expect(text.endsWith(`\nEND ${tag}\n`), `message ${r.num} is whole`).toBe(true);
      expect(r.size).toBe(text.length + text.split("\n").length - 1);
    }
    for (const u of box.expungedSince(0)) expect(box.get(u)).toBeUndefined();
    return recs.length;
  } finally {
    await store.close();
  }
}

describe("crash safety", () => {
  it("reopens consistent after SIGKILL at random points", async () => {
    let seed = 12345;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let round = 0; round < 6; round++) {
      await runAndKill(1 + rnd(4), rnd(40));
      await checkConsistent();
    }
    expect(await checkConsistent()).toBeGreaterThan(0);
  });
});
