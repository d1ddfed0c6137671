// FETCH RFC822.SIZE over a folder whose sizes were never counted reads every file; it does so in
// time slices, so another session of the same user is answered while it runs: the NOOP's OK
// arrives before the FETCH's tagged OK (an unsliced FETCH answers it only after finishing).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeMail, RawClient, startServer, type Running } from "./harness.js";

const N = 4000;

let mail: ReturnType<typeof makeMail>;
let srv: Running;
let a: RawClient;
let b: RawClient;

/** Message i: LF line ends on disk, so its RFC822.SIZE (CRLF form) is its length + its lines. */
function message(i: number): string {
  return `From: m${i}@example.org\nSubject: message ${i}\n\n${"body line\n".repeat(i % 7)}end ${i}\n`;
}
const crlfSize = (t: string) => t.length + (t.match(/\n/g)?.length ?? 0);

beforeEach(async () => {
  mail = makeMail();
  process.env.MH = `${mail.home}/.mh_profile`;
  const dir = join(mail.root, "many");
  mkdirSync(dir);
  for (let i = 1; i <= N; i++) writeFileSync(join(dir, String(i)), message(i));
  srv = await startServer(mail.root);
  a = await RawClient.connect(srv.port);
  b = await RawClient.connect(srv.port);
});
afterEach(async () => {
  a.close();
  b.close();
  await srv.close();
  mail.cleanup();
});

describe("FETCH RFC822.SIZE of never-counted messages", () => {
  it("lets another session's NOOP be answered before the FETCH completes, with every size right", async () => {
    expect((await a.cmd("SELECT many")).tagged).toMatch(/OK/);
    // watch A's raw stream for the FETCH's tagged completion, independent of the reader
    let seen = "";
    let fetchDoneAt = -1;
    const events: string[] = [];
    a.sock.on("data", (d: Buffer) => {
      seen = (seen + d.toString("latin1")).slice(-64);
      if (fetchDoneAt < 0 && /\r\nf1 OK /.test(seen)) { fetchDoneAt = events.length; events.push("fetch OK"); }
    });
    a.write("f1 FETCH 1:* (FLAGS RFC822.SIZE)\r\n");
    // the FETCH is under way once its first response arrives; then the other session asks
    await a.until(/^\* 1 FETCH /);
    const noop = await b.cmd("NOOP");
    expect(noop.tagged).toMatch(/^\S+ OK/);
    events.push("noop OK");
    const lines = await a.until(/^f1 /);
    expect(lines[lines.length - 1]).toMatch(/^f1 OK/);
    expect(events).toEqual(["noop OK", "fetch OK"]);
    // every size counted, in order (the first response was taken by until above)
    const sizes = new Map<number, number>();
    for (const l of lines) {
      const m = /^\* (\d+) FETCH \(FLAGS \([^)]*\) RFC822\.SIZE (\d+)\)$/.exec(l);
      if (m) sizes.set(Number(m[1]), Number(m[2]));
    }
    expect(sizes.size).toBe(N - 1);
    for (let i = 2; i <= N; i++) expect(sizes.get(i)).toBe(crlfSize(message(i)));
  });
});
