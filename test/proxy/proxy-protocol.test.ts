// The PROXY header parser (v1 and v2), the trusted-proxy list and the ID x-originating-ip fields.
import { describe, expect, it } from "vitest";
import { parseProxyHeader, startsWithProxySignature, V2_SIGNATURE } from "../../src/daemon/proxy-protocol.js";
import { TrustedProxies } from "../../src/daemon/trusted-proxies.js";
import { originatingSource } from "../../src/daemon/originating-ip.js";

/** A v2 header: command (0 LOCAL, 1 PROXY), family byte, address block. */
export function v2(cmd: number, fam: number, body: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head[0] = 0x20 | cmd;
  head[1] = fam;
  head.writeUInt16BE(body.length, 2);
  return Buffer.concat([V2_SIGNATURE, head, body]);
}

function tcp4(src: number[], sport: number): Buffer {
  const b = Buffer.alloc(12);
  Buffer.from(src).copy(b, 0);
  Buffer.from([10, 0, 0, 1]).copy(b, 4);
  b.writeUInt16BE(sport, 8);
  b.writeUInt16BE(143, 10);
  return b;
}

const parse = (s: string | Buffer) => parseProxyHeader(typeof s === "string" ? Buffer.from(s, "latin1") : s);

describe("PROXY v1", () => {
  it("reads TCP4 and TCP6 sources and the header's length", () => {
    const h = "PROXY TCP4 198.51.100.7 10.0.0.1 51234 143\r\n";
    expect(parse(h + "a1 LOGIN")).toEqual({ kind: "header", version: 1, length: h.length, source: { addr: "198.51.100.7", port: 51234 } });
    expect(parse("PROXY TCP6 2001:db8::7 2001:db8::1 4000 993\r\n"))
      .toMatchObject({ kind: "header", source: { addr: "2001:db8::7", port: 4000 } });
    expect(parse("PROXY TCP6 ::ffff:192.0.2.9 ::1 4000 993\r\n")).toMatchObject({ source: { addr: "192.0.2.9" } });
  });

  it("UNKNOWN: the proxy speaks for itself", () => {
    expect(parse("PROXY UNKNOWN\r\n")).toEqual({ kind: "header", version: 1, length: 15, source: null });
    expect(parse("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n")).toMatchObject({ kind: "header", source: null });
  });

  it("a header cut short anywhere is incomplete, not wrong", () => {
    const h = "PROXY TCP4 198.51.100.7 10.0.0.1 51234 143\r\n";
    for (let n = 0; n < h.length; n++) expect(parse(h.slice(0, n)).kind, `${n} bytes`).toBe("incomplete");
  });

  it("malformed lines say what is wrong", () => {
    const cases: Array<[string, RegExp]> = [
      ["PROXY TCP4 198.51.100.7 10.0.0.1 51234\r\n", /6 fields/],
      ["PROXY UDP4 198.51.100.7 10.0.0.1 1 2\r\n", /not TCP4/],
      ["PROXY TCP4 2001:db8::7 10.0.0.1 1 2\r\n", /not TCP4 addresses/],
      ["PROXY TCP4 198.51.100.300 10.0.0.1 1 2\r\n", /not TCP4 addresses/],
      ["PROXY TCP4 198.51.100.7 10.0.0.1 65536 143\r\n", /port/],
      ["PROXY TCP4 198.51.100.7 10.0.0.1 0143 143\r\n", /port/],
      ["PROXY TCP4 198.51.100.7  10.0.0.1 1 143\r\n", /6 fields/],
      ["PROXY " + "x".repeat(120), /longer than 107/],
      ["PROXY TCP6 " + "1".repeat(100) + "\r\n", /longer than 107/],
      ["a1 LOGIN alice secret\r\n", /not a PROXY/],
      ["\x16\x03\x01\x02\x00", /not a PROXY/],
    ];
    for (const [text, why] of cases) {
      const r = parse(text);
      expect(r.kind, text).toBe("invalid");
      expect(r.kind === "invalid" && r.reason, text).toMatch(why);
    }
  });
});

describe("PROXY v2", () => {
  it("reads TCP4 and TCP6 sources, skipping TLVs", () => {
    const tlv = Buffer.from([0x04, 0x00, 0x02, 0xab, 0xcd]); // PP2_TYPE_NOOP
    const h = v2(1, 0x11, Buffer.concat([tcp4([203, 0, 113, 5], 40000), tlv]));
    expect(parse(Buffer.concat([h, Buffer.from("rest")])))
      .toEqual({ kind: "header", version: 2, length: h.length, source: { addr: "203.0.113.5", port: 40000 } });
    const six = Buffer.alloc(36);
    Buffer.from("20010db8000000000000000000000007", "hex").copy(six, 0);
    six.writeUInt16BE(5555, 32);
    expect(parse(v2(1, 0x21, six))).toMatchObject({ source: { addr: "2001:db8::7", port: 5555 } });
    const mapped = Buffer.alloc(36);
    Buffer.from("00000000000000000000ffffc0000209", "hex").copy(mapped, 0);
    expect(parse(v2(1, 0x21, mapped))).toMatchObject({ source: { addr: "192.0.2.9" } });
  });

  it("LOCAL, UNSPEC and unix sockets: no client address", () => {
    expect(parse(v2(0, 0x11, tcp4([1, 2, 3, 4], 1)))).toMatchObject({ kind: "header", source: null });
    expect(parse(v2(0, 0x00, Buffer.alloc(0)))).toEqual({ kind: "header", version: 2, length: 16, source: null });
    expect(parse(v2(1, 0x00, Buffer.alloc(0)))).toMatchObject({ kind: "header", source: null });
    expect(parse(v2(1, 0x31, Buffer.alloc(216)))).toMatchObject({ kind: "header", source: null });
  });

  it("a header cut short anywhere is incomplete", () => {
    const h = v2(1, 0x11, tcp4([203, 0, 113, 5], 40000));
    for (let n = 0; n < h.length; n++) expect(parse(h.subarray(0, n)).kind, `${n} bytes`).toBe("incomplete");
  });

  it("malformed headers say what is wrong", () => {
    const bad = (h: Buffer, why: RegExp) => {
      const r = parse(h);
      expect(r.kind).toBe("invalid");
      expect(r.kind === "invalid" && r.reason).toMatch(why);
    };
    const ok = v2(1, 0x11, tcp4([1, 2, 3, 4], 1));
    const v3 = Buffer.from(ok);
    v3[12] = 0x31;
    bad(v3, /version 3/);
    const cmd2 = Buffer.from(ok);
    cmd2[12] = 0x22;
    bad(cmd2, /command 2/);
    bad(v2(1, 0x12, tcp4([1, 2, 3, 4], 1)), /not a TCP stream/); // UDP
    bad(v2(1, 0x11, Buffer.alloc(8)), /shorter than its addresses/);
    bad(v2(1, 0x21, Buffer.alloc(20)), /shorter than its addresses/);
    const huge = Buffer.concat([V2_SIGNATURE, Buffer.from([0x21, 0x11, 0xff, 0xff])]);
    bad(huge, /too long/);
  });

  it("only a whole signature counts as one", () => {
    expect(startsWithProxySignature(V2_SIGNATURE)).toBe(true);
    expect(startsWithProxySignature(Buffer.from("PROXY TCP4"))).toBe(true);
    expect(startsWithProxySignature(V2_SIGNATURE.subarray(0, 11))).toBe(false);
    expect(startsWithProxySignature(Buffer.from("a1 PROXY"))).toBe(false);
  });
});

describe("trusted proxies", () => {
  it("addresses and CIDR ranges, IPv4 (mapped too) and IPv6", () => {
    const t = new TrustedProxies("127.0.0.1, 10.1.0.0/16 fd00::/8,::1");
    expect(t.trusts("127.0.0.1")).toBe(true);
    expect(t.trusts("::ffff:127.0.0.1")).toBe(true);
    expect(t.trusts("127.0.0.2")).toBe(false);
    expect(t.trusts("10.1.255.3")).toBe(true);
    expect(t.trusts("10.2.0.1")).toBe(false);
    expect(t.trusts("fd12::5")).toBe(true);
    expect(t.trusts("::1")).toBe(true);
    expect(t.trusts("fe80::1")).toBe(false);
    expect(t.trusts(undefined)).toBe(false);
  });

  it("off by default: nobody is trusted", () => {
    expect(new TrustedProxies(undefined).trusts("127.0.0.1")).toBe(false);
    expect(new TrustedProxies("").none).toBe(true);
  });

  it("a wrong entry is a clear error", () => {
    for (const e of ["nginx", "10.0.0.0/33", "fd00::/129", "10.0.0.1/8/2", "10.0.0/8", "10.0.0.0/x"]) {
      expect(() => new TrustedProxies(`127.0.0.1,${e}`), e).toThrow(/is not an IP address or a CIDR range/);
    }
  });
});

describe("ID x-originating-ip", () => {
  it("reads the address and port, case-insensitively", () => {
    expect(originatingSource([["X-Originating-IP", "198.51.100.7"], ["x-originating-port", "4242"]]))
      .toEqual({ addr: "198.51.100.7", port: 4242 });
    expect(originatingSource([["x-originating-ip", "[2001:db8::1]"]])).toEqual({ addr: "2001:db8::1", port: 0 });
  });

  it("names nobody without a usable address", () => {
    expect(originatingSource(null)).toBeNull();
    expect(originatingSource([["name", "imapflow"]])).toBeNull();
    expect(originatingSource([["x-originating-ip", "somewhere"]])).toBeNull();
    expect(originatingSource([["x-originating-ip", null]])).toBeNull();
  });
});
