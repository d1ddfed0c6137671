// chown -R: a user process never runs as root, so mail set up by root (the demo, tests) is handed
// to the user that will serve it.
import { chownSync, readdirSync } from "node:fs";
import * as path from "node:path";

export function chownTree(p: string, uid: number, gid: number): void {
  chownSync(p, uid, gid);
  for (const e of readdirSync(p, { withFileTypes: true })) {
    const q = path.join(p, e.name);
    if (e.isDirectory()) chownTree(q, uid, gid);
    else chownSync(q, uid, gid);
  }
}
