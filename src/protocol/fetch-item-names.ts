// The names FETCH items with a section go back under: `BODY[1.HEADER.FIELDS (From To)]<0>`,
// `BINARY[2]`, `BINARY.SIZE[2]` (RFC 3501 §7.4.2, RFC 3516 §4.2).
import type { Section } from "./ast.js";
import { astring } from "./encode.js";

/** A partial echoes only its origin octet (RFC 3501 §7.4.2). */
const origin = (partial?: { offset: number }): string => (partial ? `<${partial.offset}>` : "");

export function bodySectionName(section: Section, partial?: { offset: number }): string {
  let spec = section.part.join(".");
  if (section.text) spec += (spec ? "." : "") + section.text;
  // field names go back as the astrings they came as: a quoted "From To" is one name
  if (section.fields) spec += ` (${section.fields.map((f) => astring(f).toString("latin1")).join(" ")})`;
  return `BODY[${spec}]${origin(partial)}`;
}

export function binarySectionName(item: "BINARY" | "BINARY.SIZE", part: number[], partial?: { offset: number }): string {
  return `${item}[${part.join(".")}]${origin(partial)}`;
}
