// The message model (src/message) computes a message's MimeIndex; the store only caches it.
import type { MimeIndex } from "../message/types.js";
import { StoreError } from "./types.js";

export interface Indexer {
  indexMessage(data: Buffer): MimeIndex;
  /** the `v` of the indexes it produces: a cached index of another version is recomputed */
  version: number;
}

let loaded: Promise<Indexer> | null = null;

/**
 * The message model's `indexMessage`, loaded once. The specifier is a variable so the store
 * builds while src/message is being written; the cache version is read from a probe index.
 */
export function loadIndexer(): Promise<Indexer> {
  loaded ??= (async () => {
    const spec = "../message/index.js";
    let mod: { indexMessage?: (d: Buffer) => MimeIndex };
    try {
      mod = (await import(spec)) as typeof mod;
    } catch (e) {
      loaded = null;
      throw new StoreError("SERVERBUG", `message model not available: ${String(e)}`);
    }
    const fn = mod.indexMessage;
    if (typeof fn !== "function") throw new StoreError("SERVERBUG", "message model has no indexMessage");
    const version = fn(Buffer.from("Subject: probe\n\nx\n")).v;
    return { indexMessage: fn, version };
  })();
  return loaded;
}
