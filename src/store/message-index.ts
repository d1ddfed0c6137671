// The message model (src/message) computes a message's MimeIndex; the store only caches it,
// keyed by the model's INDEX_VERSION so a newer model recomputes old entries.
export { indexMessage, INDEX_VERSION, crlfSize } from "../message/index.js";
