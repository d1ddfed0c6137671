// A file read on demand and parsed again only when it changed (mtime, size or inode: an edit in
// place or a new file renamed over it), as the password file and the shard map are.
import { promises as fsp } from "node:fs";

export class ChangingFile<T> {
  private value: T | undefined;
  private stamp = "";
  constructor(readonly file: string, private readonly parse: (text: string) => T) {}

  /** Throws (with the file's name in the message) when the file cannot be read. */
  async load(): Promise<T> {
    const st = await fsp.stat(this.file);
    const stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    if (stamp !== this.stamp || this.value === undefined) {
      this.value = this.parse(await fsp.readFile(this.file, "utf8"));
      this.stamp = stamp;
    }
    return this.value;
  }
}
