import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeMail, RawClient, startServer, type Running } from "./harness.js";

let mail: ReturnType<typeof makeMail>;
let srv: Running;
let c: RawClient;

beforeEach(async () => {
  mail = makeMail();
  process.env.MH = `${mail.home}/.mh_profile`;
  srv = await startServer(mail.root);
  c = await RawClient.connect(srv.port);
});
afterEach(async () => {
  c.close();
  await srv.close();
  mail.cleanup();
});

describe("SELECT and FETCH", () => {
  it("selects INBOX with Dovecot-style untagged data", async () => {
    const r = await c.cmd("SELECT inbox");
    expect(r.tagged).toBe("T1 OK [READ-WRITE] Select completed.");
    expect(r.untagged).toContain("* 8 EXISTS");
    expect(r.untagged).toContain("* 0 RECENT");
    expect(r.untagged).toContain("* OK [UNSEEN 5] First unseen.");
    expect(r.untagged.some((l) => /^\* OK \[UIDVALIDITY \d+\] UIDs valid$/.test(l))).toBe(true);
    expect(r.untagged).toContain("* OK [UIDNEXT 9] Predicted next UID");
    expect(r.untagged[0]).toBe("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)");
  });

  it("fetches flags, sizes and a whole body whose literal size matches", async () => {
    await c.cmd("SELECT INBOX");
    const r = await c.cmd("FETCH 1:2 (UID FLAGS RFC822.SIZE)");
    expect(r.tagged).toBe("T2 OK Fetch completed.");
    expect(r.untagged).toHaveLength(2);
    expect(r.untagged[1]).toMatch(/^\* 2 FETCH \(UID 2 FLAGS \(\\Flagged \\Seen\) RFC822.SIZE \d+\)$/);
    const size = Number(/RFC822.SIZE (\d+)/.exec(r.untagged[0])![1]);
    const b = await c.cmd("FETCH 1 BODY.PEEK[]");
    const m = /^\* 1 FETCH \(BODY\[\] \{(\d+)\}\r\n([\s\S]*)\)$/.exec(b.untagged[0]);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(size);
    expect(m![2].length).toBe(size);
    expect(m![2]).toContain("\r\n");
    expect(m![2].replace(/\r\n/g, "")).not.toContain("\n");
  });
});
