// LITERAL+ or LITERAL- (RFC 7888): a server advertises one, never both (§5). LITERAL+ lets a
// client send any literal without waiting for "+"; LITERAL- (what IMAP4rev2 itself includes,
// RFC 9051 §4.3) only those up to 4096 bytes, larger ones are refused with BAD [TOOBIG].
export const LITERAL_MINUS_MAX = 4096;

export function literalCapability(literalMinus = false): "LITERAL+" | "LITERAL-" {
  return literalMinus ? "LITERAL-" : "LITERAL+";
}

/** The largest `{n+}` the framer accepts. */
export function nonSyncMax(literalMinus = false): number {
  return literalMinus ? LITERAL_MINUS_MAX : Infinity;
}
