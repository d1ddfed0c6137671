// A SASL response as RFC 9051 §6.2.2 allows it: base64 with padding only at the end, or "=" (in
// an initial response, where an empty string could not be told from none) for zero bytes.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The decoded bytes, or null when the text is not base64 (the command then gets a tagged BAD). */
export function decodeSaslResponse(text: string): Buffer | null {
  if (text === "=") return Buffer.alloc(0);
  return BASE64.test(text) ? Buffer.from(text, "base64") : null;
}
