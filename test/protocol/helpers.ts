// Shared test helpers: run bytes through a real Framer and the parser.

import { Framer, type FramerEvent, type FramerOptions } from "../../src/protocol/framer.js";
import { parseCommand } from "../../src/protocol/parse.js";
import type { Command } from "../../src/protocol/ast.js";

/** All events for `bytes` pushed in the given chunk sizes (cycled), draining after each push. */
export function frameAll(bytes: Buffer, chunkSizes: number[] = [bytes.length || 1], options?: FramerOptions): FramerEvent[] {
  const f = new Framer(options);
  const events: FramerEvent[] = [];
  let pos = 0;
  let i = 0;
  while (pos < bytes.length) {
    const n = Math.max(1, chunkSizes[i++ % chunkSizes.length]);
    f.push(bytes.subarray(pos, pos + n));
    pos += n;
    for (let e = f.next(); e !== null; e = f.next()) events.push(e);
  }
  return events;
}

/** Frames the bytes of exactly one command and parses it. */
export function parseBytes(bytes: Buffer, chunkSizes?: number[]): Command {
  const frames = frameAll(bytes, chunkSizes).filter((e) => e.kind !== "continue");
  if (frames.length !== 1 || frames[0].kind !== "frame") throw new Error("expected one frame, got " + JSON.stringify(frames));
  return parseCommand(frames[0].frame);
}

/** Parses one command given as text (literals inline, CRLF added). */
export function parseText(s: string): Command {
  return parseBytes(Buffer.from(s + "\r\n", "latin1"));
}
