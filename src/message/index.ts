// The message model: everything a client asks about one message, from its bytes.
export type { ImapData, MimeIndex, MimeMessage, MimePart, SectionData } from "./model.js";
export { indexMessage, MimeIndexer, INDEX_VERSION, MAX_NESTED_PARTS, MAX_TOTAL_PARTS } from "./indexer.js";
export { envelope, bodyStructure } from "./render.js";
export { resolveSection, type SectionSpec } from "./section.js";
export { crlfChunks, crlfSize, CrlfConverter, CrlfTransform, partialPieces } from "./crlf.js";
export { baseSubject } from "./subject.js";
export { decode2047 } from "./rfc2047.js";
export { binarySection, binarySize, type BinaryResult } from "./binary.js";
export { bodyText, decodedBody, partCharset } from "./body-text.js";
export { charsetReader, decodeCharset, type CharsetReader } from "./charset.js";
export { decodeTransfer } from "./transfer-decode.js";
export { headerFields } from "./section.js";
