// Is a backend taking connections? nginx, told a backend that is down, just closes the client's
// connection after its LOGIN; asking first lets asimapd-auth answer `NO [UNAVAILABLE]` instead.
// The probe says it is a health check (a PROXY v2 LOCAL header, which a backend that trusts us
// takes without a warning) and hangs up. A backend that answered is believed for a second, so
// a burst of logins costs it one probe.
import { connect } from "node:net";
import { V2_SIGNATURE } from "../daemon/proxy-protocol.js";

const LOCAL_HEADER = Buffer.concat([V2_SIGNATURE, Buffer.from([0x20, 0x00, 0x00, 0x00])]);
const UP_FOR_MS = 1_000;

export class BackendProbe {
  private readonly upUntil = new Map<string, number>();
  constructor(readonly timeoutMs = 2_000, private readonly now: () => number = Date.now) {}

  /** null when the backend accepts connections, else why not. */
  async check(ip: string, port: number): Promise<string | null> {
    const key = `${ip}:${port}`;
    if ((this.upUntil.get(key) ?? 0) > this.now()) return null;
    const why = await new Promise<string | null>((resolve) => {
      const s = connect({ host: ip, port });
      const done = (r: string | null) => {
        clearTimeout(timer);
        s.destroy();
        resolve(r);
      };
      const timer = setTimeout(() => done(`no answer within ${this.timeoutMs} ms`), this.timeoutMs);
      s.once("connect", () => s.end(LOCAL_HEADER, () => done(null)));
      s.once("error", (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
    });
    if (why === null) this.upUntil.set(key, this.now() + UP_FOR_MS);
    else this.upUntil.delete(key);
    return why;
  }
}
