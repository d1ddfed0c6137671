// The addresses asimapd believes about other clients' addresses (--trusted-proxies): a list of
// IPv4/IPv6 addresses and CIDR ranges, separated by commas or blanks. Only a connection from one
// of them may (and must) begin with a PROXY header, may LOGIN in plaintext, and may name the
// client with ID's x-originating-ip. Empty by default: nobody is trusted.
import { BlockList, isIPv4, isIPv6 } from "node:net";

export class TrustedProxies {
  private readonly list = new BlockList();
  /** the entries as given, for the log */
  readonly entries: string[];

  /** Throws an Error naming the first entry that is neither an address nor a CIDR range. */
  constructor(spec: string | undefined) {
    this.entries = (spec ?? "").split(/[\s,]+/).filter(Boolean);
    for (const e of this.entries) {
      const [addr, bits, extra] = e.split("/");
      const family = isIPv4(addr) ? "ipv4" : isIPv6(addr) ? "ipv6" : null;
      const max = family === "ipv4" ? 32 : 128;
      if (!family || extra !== undefined || (bits !== undefined && !(/^[0-9]{1,3}$/.test(bits) && Number(bits) <= max))) {
        throw new Error(`trusted proxy ${JSON.stringify(e)} is not an IP address or a CIDR range (e.g. 10.0.0.5, 10.0.0.0/24, fd00::/8)`);
      }
      if (bits === undefined) this.list.addAddress(addr, family);
      else this.list.addSubnet(addr, Number(bits), family);
    }
  }

  get none(): boolean {
    return this.entries.length === 0;
  }

  trusts(address: string | undefined): boolean {
    if (!address || this.none) return false;
    const a = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
    if (isIPv4(a)) return this.list.check(a, "ipv4");
    return isIPv6(a) && this.list.check(a, "ipv6");
  }
}
