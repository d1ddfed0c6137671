// A range of a message rebuilt with some of its leaf parts rewritten: `edit` gives a leaf's new
// header block and body (or null to leave it); the bytes around them pass through `keep`.
import type { MimePart } from "./model.js";

export interface LeafEdit {
  header: Buffer;
  body: Buffer;
}

export function spliceLeaves(
  data: Buffer, node: MimePart, start: number, end: number,
  edit: (leaf: MimePart) => LeafEdit | null, keep: (b: Buffer) => Buffer = (b) => b,
): Buffer {
  const out: Buffer[] = [];
  let at = start;
  for (const leaf of leaves(node, [])) {
    if (leaf.headerStart < start || leaf.bodyEnd > end) continue;
    const e = edit(leaf);
    if (!e) continue;
    out.push(keep(data.subarray(at, leaf.headerStart)), keep(e.header), keep(data.subarray(leaf.headerEnd, leaf.bodyStart)), e.body);
    at = leaf.bodyEnd;
  }
  if (out.length === 0) return keep(data.subarray(start, end));
  out.push(keep(data.subarray(at, end)));
  return Buffer.concat(out);
}

/** Leaf parts in file order, inside multiparts and message/rfc822 parts too. */
function leaves(p: MimePart, out: MimePart[]): MimePart[] {
  if (p.parts) for (const c of p.parts) leaves(c, out);
  else if (p.message) leaves(p.message, out);
  else out.push(p);
  return out;
}
