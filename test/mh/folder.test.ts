import { describe, expect, it, beforeEach, afterEach } from "vitest";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addMessage, listNumbers, packFolder, readSequences, updateSequences } from "../../src/mh/folder.js";
import { parseSequences } from "../../src/mh/sequences.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "asimap-folder-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("MH folder", () => {
  it("lists message numbers, ignoring ,N backups, dot files and other names", async () => {
    for (const n of ["3", "1", "20", ",4", ".5", "0", "07", "x", ".mh_sequences", "2~"]) writeFileSync(join(dir, n), "");
    expect(await listNumbers(dir)).toEqual([1, 3, 20]);
  });

  it("adds with the next number, the internal date as mtime, and no temporary left", async () => {
    writeFileSync(join(dir, "4"), "x");
    const date = new Date("2020-01-02T03:04:05.678Z");
    const a = await addMessage(dir, Buffer.from("Subject: a\n\nb\n"), date);
    expect(a.num).toBe(5);
    expect(a.guard).toBeNull();
    expect(readFileSync(join(dir, "5"), "utf8")).toBe("Subject: a\n\nb\n");
    expect(statSync(join(dir, "5")).mtime.getTime()).toBe(date.getTime());
    expect(readdirSync(dir).sort()).toEqual(["4", "5"]);
  });

  it("never gives two concurrent writers the same number", async () => {
    const got = await Promise.all(
      Array.from({ length: 40 }, (_, i) => addMessage(dir, Buffer.from(`m${i}\n`), new Date()).then((a) => a.num)),
    );
    expect(new Set(got).size).toBe(40);
    expect(await listNumbers(dir)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const bodies = new Set(got.map((n) => readFileSync(join(dir, String(n)), "utf8")));
    expect(bodies.size).toBe(40);
  });

  it("keeps a separate guard copy when asked", async () => {
    const a = await addMessage(dir, Buffer.from("x\n"), new Date(), 0, true);
    writeFileSync(join(dir, String(a.num)), "written over by inc\n");
    expect(readFileSync(a.guard!, "utf8")).toBe("x\n");
  });

  it("packs and renumbers the sequences with the files", async () => {
    for (const n of [2, 5, 9]) writeFileSync(join(dir, String(n)), `m${n}`);
    const seqs = parseSequences("cur: 9\nflagged: 2 9\n");
    await packFolder(dir, seqs);
    expect(await listNumbers(dir)).toEqual([1, 2, 3]);
    expect(readFileSync(join(dir, "3"), "utf8")).toBe("m9");
    expect([...seqs.get("flagged")!].sort()).toEqual([1, 3]);
  });

  it("updates .mh_sequences with or without nmh's fcntl lock", async () => {
    writeFileSync(join(dir, ".mh_sequences"), "cur: 1\n");
    await updateSequences(dir, { lock: null }, (s) => void s.set("a", new Set([1, 2])));
    await updateSequences(dir, { lock: { timeoutMs: 500, warn: () => {} } }, (s) => void s.set("b", new Set([3])));
    expect(readFileSync(join(dir, ".mh_sequences"), "utf8")).toBe("cur: 1\na: 1-2\nb: 3\n");
    expect((await readSequences(dir)).seqs.get("b")).toEqual(new Set([3]));
    expect(readdirSync(dir)).toEqual([".mh_sequences"]);
  });
});
