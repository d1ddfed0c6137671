// Runs a real nmh command (/usr/bin/mh) on a test's mail, as its owner would.
import { execFileSync } from "node:child_process";
import { join } from "node:path";

export function nmh(home: string, cmd: string, args: string[]): string {
  return execFileSync(`/usr/bin/mh/${cmd}`, args, {
    env: { ...process.env, HOME: home, MH: join(home, ".mh_profile") },
    encoding: "utf8",
  });
}
