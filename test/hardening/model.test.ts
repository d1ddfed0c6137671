// Model-based test: random sequences of IMAP commands on two connections, with nmh commands
// interleaved, against the engine in-process over real sockets and real MH files. After every
// step the server's answers (STATUS, LIST) and the files on disk (message files and
// .mh_sequences) must agree with a small in-memory model.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { commands } from "./model-commands.js";
import { NAMES, diskFlags, diskMessages, initialModel, makeWorld, show, status, type Model, type World } from "./model-world.js";

/** RUNS sequences of up to STEPS commands (CI default; ASIMAP_MODEL_RUNS raises it). */
const RUNS = Number(process.env.ASIMAP_MODEL_RUNS ?? 30);
const STEPS = 20;

/** the mailboxes commands touch; the store's special-use ones are checked at the end only */
const TOUCHED = new Set(["INBOX", ...NAMES]);

async function checkAll(m: Model, w: World, step: string, all = false): Promise<void> {
  const list = await w.checker.cmd('LIST "" "*"');
  const names = list.untagged.filter((l) => l.startsWith("* LIST")).map((l) => /"\/" (.*)$/.exec(l)![1].replace(/"/g, ""));
  expect(names.sort(), `LIST after ${step}`).toEqual([...m.boxes.keys()].sort());
  for (const [name, box] of m.boxes) {
    if (!all && !TOUCHED.has(name)) continue;
    const st = await status(w.checker, `"${name}"`);
    expect({ n: st.messages, next: st.uidNext, v: st.uidValidity }, `STATUS ${name} after ${step}`)
      .toEqual({ n: box.msgs.length, next: box.uidNext, v: box.uidValidity });
    const disk = [...diskMessages(w, name)].sort((a, b) => a[0] - b[0]);
    expect(disk.map(([, id]) => id), `files of ${name} after ${step}`).toEqual(box.msgs.map((x) => x.id));
    disk.forEach(([num], i) => {
      expect(show(diskFlags(w, name, num)), `.mh_sequences of ${name}/${num} after ${step}`).toBe(show(box.msgs[i].flags));
    });
  }
}

/** Runs a sequence of commands with the invariant checked after each. */
async function runSequence(cmds: Iterable<fc.AsyncCommand<Model, World, true>>): Promise<void> {
  const w = await makeWorld();
  try {
    const m = await initialModel(w);
    for (const c of cmds) {
      if (!c.check(m)) continue;
      w.log.push(c.toString());
      if (process.env.MODEL_DEBUG) console.log("STEP", c.toString());
      try {
        await c.run(m, w);
        await checkAll(m, w, c.toString());
      } catch (e) {
        (e as Error).message += `\n  steps: ${w.log.join(" ; ")}`;
        throw e;
      }
    }
    await checkAll(m, w, "the end", true);
  } finally {
    await w.close();
  }
}

describe("model-based: IMAP on two connections and nmh agree with the model", () => {
  it(`${RUNS} random sequences of up to ${STEPS} steps`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: STEPS, size: "max" }), async (cmds) => {
        await runSequence(cmds);
      }),
      { numRuns: RUNS, endOnFailure: !!process.env.CI },
    );
  }, 600_000);
});
