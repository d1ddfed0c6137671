// Bytes → Unicode in a MIME charset: the one decoder behind SEARCH, SORT and RFC 2047 words.
import iconv from "iconv-lite";

/** Who decodes a charset label: iconv-lite, Node's WHATWG TextDecoder (full ICU has the
 *  stateful ISO-2022 family iconv-lite lacks), or, for none or an unknown one, a guess:
 *  UTF-8, or latin-1 if the bytes are not UTF-8. */
export type CharsetReader = { by: "iconv"; label: string } | { by: "whatwg"; decoder: TextDecoder } | { by: "guess" };

export function charsetReader(charset: string | null | undefined): CharsetReader {
  const cs = (charset ?? "").trim().toLowerCase().replace(/\*.*$/, "");
  if (cs === "" || cs === "us-ascii") return { by: "guess" };
  if (iconv.encodingExists(cs)) return { by: "iconv", label: cs };
  try {
    return { by: "whatwg", decoder: new TextDecoder(cs) };
  } catch {
    return { by: "guess" }; // not a charset Node knows either
  }
}

export function decodeCharset(bytes: Buffer, charset: string | null | undefined): string {
  const r = charsetReader(charset);
  if (r.by === "iconv") return iconv.decode(bytes, r.label);
  if (r.by === "whatwg") return r.decoder.decode(bytes);
  const s = bytes.toString("utf8");
  return s.includes("\ufffd") ? bytes.toString("latin1") : s;
}
