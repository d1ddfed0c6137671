// IMAP URLs as CATENATE reads them (RFC 5092, relative only): what each names, and every way one
// is refused (each refusal's text becomes NO [BADURL]'s).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseMessagePartUrl, UrlError } from "../../src/protocol/imap-url.js";

const p = parseMessagePartUrl;

describe("a message part URL", () => {
  it("names a mailbox, its UIDVALIDITY, a UID, a section and a partial (keys in any case)", () => {
    expect(p("/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1.MIME")).toEqual({
      mailbox: "Drafts", uidValidity: 385759045, uid: 20, section: { part: [1], text: "MIME" },
    });
    expect(p("/INBOX/;uid=7")).toEqual({ mailbox: "INBOX", uid: 7, section: { part: [] } });
    expect(p("/a/b/;UID=1/;SECTION=HEADER/;PARTIAL=10.20")).toEqual({
      mailbox: "a/b", uid: 1, section: { part: [], text: "HEADER" }, partial: { offset: 10, length: 20 },
    });
    expect(p("/x/;UID=1/;PARTIAL=5")).toMatchObject({ partial: { offset: 5 } });
  });

  it("decodes %-encoded UTF-8 in the mailbox and the section (HEADER.FIELDS through the grammar)", () => {
    expect(p("/Caf%C3%A9%20au%20lait/;UID=3")).toMatchObject({ mailbox: "Café au lait" });
    expect(p("/x/;UID=1/;SECTION=2.HEADER.FIELDS%20(From%20%22To%22)")).toMatchObject({
      section: { part: [2], text: "HEADER.FIELDS", fields: ["From", "To"] },
    });
  });

  it("relative to the selected mailbox: no mailbox given", () => {
    expect(p(";UID=5/;SECTION=TEXT")).toEqual({ uid: 5, section: { part: [], text: "TEXT" } });
  });

  it("refuses what it cannot read, saying why", () => {
    const why = (url: string): string => {
      try {
        p(url);
      } catch (e) {
        if (e instanceof UrlError) return e.message;
        throw e;
      }
      return "accepted";
    };
    expect(why("imap://joe@example.com/INBOX/;UID=1")).toBe("Only relative IMAP URLs of this server and user are supported");
    expect(why("//example.com/INBOX/;UID=1")).toBe("Only relative IMAP URLs of this server and user are supported");
    expect(why("/INBOX/;UID=1;URLAUTH=anonymous:internal:00")).toBe("URLAUTH is not supported");
    expect(why("/INBOX/;UID=1;EXPIRE=2030-01-01T00:00:00Z;URLAUTH=anonymous:internal:00")).toBe("URLAUTH is not supported");
    expect(why("/INBOX/;UID=1;FOO=1")).toBe("Invalid IMAP URL");
    for (const bad of ["/INBOX", "/INBOX/;UID=0", "/INBOX/;UID=x", "/INBOX?ALL", "", "INBOX/;UID=1", "/;UID=1"]) {
      expect(why(bad), bad).toMatch(/^Invalid IMAP URL/);
    }
    expect(why("/INBOX/;UID=99999999999")).toBe("Invalid IMAP URL: not a message or message part URL");
    expect(why("/INBOX/;UID=4294967296")).toBe("UID out of range");
    expect(why("/%E9/;UID=1")).toBe("Invalid %-encoding in the mailbox name");
    for (const bad of ["", "BOGUS", "1.", "0", "HEADER.FIELDS", "%C3%A9"]) expect(why(`/x/;UID=1/;SECTION=${bad}`), bad).toBe("Invalid section");
    expect(why("/x/;UID=1/;SECTION=%FF")).toBe("Invalid %-encoding in the section");
  });
});

describe("any string as a URL", () => {
  const urlish = fc.string({
    unit: fc.constantFrom(..."/;=.%()\" 0123456789AZaz\x00\xff\u00e9]".split(""), ";UID=", ";UIDVALIDITY=", "/;SECTION=",
      "/;PARTIAL=", "HEADER.FIELDS", "MIME", "TEXT", "%20", "%C3%A9", "%ZZ", ";URLAUTH=", "imap://", "INBOX"),
    maxLength: 40,
  });
  it("property: names a message part or is refused with a UrlError, never anything else", () => {
    fc.assert(fc.property(urlish, (url) => {
      try {
        const u = p(url);
        expect(u.uid).toBeGreaterThan(0);
      } catch (e) {
        if (!(e instanceof UrlError)) throw e;
      }
    }), { numRuns: 3000 });
  });
});
