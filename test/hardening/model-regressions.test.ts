// Shrunk counterexamples and hand-picked sequences of the model-based test, kept as regular tests.
import { describe, expect, it } from "vitest";
import {
  Append, CopyMove, Create, Delete, Expunge, FetchFlags, Idle, Inc, Mark, Pack, Rename, Rmm, Select, Store,
} from "./model-commands.js";
import { diskFlags, diskMessages, initialModel, makeWorld, show, status } from "./model-world.js";

type Step = { check(m: never): boolean; run(m: never, w: never): Promise<void> };

async function play(steps: Step[]): Promise<void> {
  const w = await makeWorld();
  try {
    const m = await initialModel(w);
    for (const s of steps) {
      expect(s.check(m as never), `precondition of ${String(s)}`).toBe(true);
      await s.run(m as never, w as never);
      for (const [name, box] of m.boxes) {
        expect((await status(w.checker, `"${name}"`)).messages, `${name} after ${String(s)}`).toBe(box.msgs.length);
        const disk = [...diskMessages(w, name)].sort((a, b) => a[0] - b[0]);
        expect(disk.map(([, id]) => id)).toEqual(box.msgs.map((x) => x.id));
        disk.forEach(([num], i) => expect(show(diskFlags(w, name, num))).toBe(show(box.msgs[i].flags)));
      }
    }
  } finally {
    await w.close();
  }
}

describe("model-based regressions", () => {
  it("a connection that deletes its own selected mailbox (made by RENAME INBOX) is deselected", async () => {
    await play([new Rename(0, "INBOX", "b"), new Select(1, "b"), new Delete(1, "b")]);
  });

  it("another connection's selected mailbox renamed away: it is told BYE", async () => {
    await play([new Create(0, "a"), new Append(0, "a", ["\\Seen"]), new Select(1, "a"), new Rename(0, "a", "c"),
      new Select(1, "c"), new FetchFlags(1)]);
  });

  it("inc, rmm and folder -pack keep UIDs and flags; IMAP sees the packed folder", async () => {
    await play([new Inc(3), new Store(0, [1], "+", ["\\Flagged", "todo"]), new Rmm("INBOX", 0), new Pack("INBOX"),
      new FetchFlags(1), new Mark("INBOX", 1, "seen"), new FetchFlags(0), new Idle(1)]);
  });

  it("COPY keeps \\Deleted; EXPUNGE on one connection, MOVE back on the other", async () => {
    await play([new Append(0, "INBOX", ["\\Deleted"]), new Append(1, "INBOX", []), new Create(0, "a"),
      new CopyMove(0, [0, 1], "a", false), new Expunge(1), new Select(0, "a"), new CopyMove(0, [1], "INBOX", true),
      new FetchFlags(1), new FetchFlags(0)]);
  });

  it("an expunged APPEND does not come back when its number is given to the next message", async () => {
    // the APPEND's guard copy (kept against nmh inc writing over it) once restored it as new mail
    await play([new Append(1, "INBOX", ["\\Seen", "\\Flagged", "\\Deleted", "todo"]), new Expunge(0), new Create(0, "b"),
      new Idle(1), new Rename(1, "b", "c")]);
  });
});
