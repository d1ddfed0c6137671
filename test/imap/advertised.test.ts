// What CAPABILITY advertises works (issue 18, deliverable 5): APPENDLIMIT with the default
// limit when none is configured (RFC 7889), WITHIN's YOUNGER and OLDER (RFC 5032).
import { describe, expect, it } from "vitest";
import { DEFAULT_APPEND_LIMIT } from "../../src/protocol/framer.js";
import { useServer } from "./setup.js";

const t = useServer();

describe("APPENDLIMIT without --max-message-size", () => {
  it("advertises the default limit and STATUS tells it", async () => {
    const caps = (await t.c.cmd("CAPABILITY")).untagged[0].split(" ");
    expect(caps).toContain(`APPENDLIMIT=${DEFAULT_APPEND_LIMIT}`);
    expect((await t.c.cmd("STATUS INBOX (APPENDLIMIT)")).untagged).toEqual([`* STATUS INBOX (APPENDLIMIT ${DEFAULT_APPEND_LIMIT})`]);
  });

  it("refuses a message over it with TOOBIG before reading it", async () => {
    const r = await t.c.cmd(`APPEND INBOX {${DEFAULT_APPEND_LIMIT + 1}}`);
    expect(r.tagged).toMatch(/^\S+ NO \[TOOBIG\]/);
    expect((await t.c.cmd("NOOP")).tagged).toMatch(/OK/);
  });
});

describe("WITHIN (RFC 5032)", () => {
  it("is advertised, and YOUNGER and OLDER pick messages by INTERNALDATE", async () => {
    expect((await t.c.cmd("CAPABILITY")).untagged[0].split(" ")).toContain("WITHIN");
    const msg = "From: a@b.example\r\nSubject: within\r\n\r\nbody\r\n";
    const old = await t.c.cmd(`APPEND INBOX "01-Jan-2001 00:00:00 +0000" {${msg.length}+}\r\n${msg}`);
    const fresh = await t.c.cmd(`APPEND INBOX {${msg.length}+}\r\n${msg}`);
    const uidOf = (tagged: string) => Number(/APPENDUID \d+ (\d+)/.exec(tagged)![1]);
    const oldUid = uidOf(old.tagged);
    const freshUid = uidOf(fresh.tagged);
    await t.c.cmd("SELECT INBOX");
    const found = async (q: string) => (await t.c.cmd(`UID SEARCH ${q}`)).untagged[0].split(" ").slice(2).map(Number);
    const younger = await found("YOUNGER 3600");
    expect(younger).toContain(freshUid);
    expect(younger).not.toContain(oldUid);
    const older = await found("OLDER 3600");
    expect(older).toContain(oldUid);
    expect(older).not.toContain(freshUid);
    // RFC 5032 §3: combined with other keys as any search key
    expect(await found(`YOUNGER 3600 SUBJECT within`)).toEqual([freshUid]);
  });
});
