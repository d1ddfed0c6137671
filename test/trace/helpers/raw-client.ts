// A tiny raw IMAP client for scripted sessions in tests: sends exact bytes, waits for
// continuations and tagged completions. Used to drive recordings.
import net from "node:net";
import { ResponseFramer } from "../../../src/trace/replay/response-splitter.js";
import { splitCommand } from "../../../src/trace/replay/literals.js";

export class RawClient {
  readonly responses: string[] = [];
  private readonly framer = new ResponseFramer();
  private waiters: Array<() => void> = [];
  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (c: Buffer) => {
      this.responses.push(...this.framer.push(c));
      for (const w of this.waiters) w();
    });
    socket.on("error", () => undefined);
  }

  static async connect(port: number): Promise<RawClient> {
    const s = net.connect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => s.once("connect", resolve).once("error", reject));
    const c = new RawClient(s);
    await c.until((r) => r.startsWith("* "));
    return c;
  }

  /** Waits until a response after `from` matches; returns its index. */
  until(pred: (r: string) => boolean, from = 0, timeoutMs = 5000): Promise<number> {
    const waitingFor = new Error("timed out").stack;
    return new Promise((resolve, reject) => {
      const check = () => {
        const i = this.responses.findIndex((r, k) => k >= from && pred(r));
        if (i >= 0) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== check);
          resolve(i);
        }
      };
      const timer = setTimeout(() => reject(new Error(`timed out; got ${JSON.stringify(this.responses.slice(from))}\n${waitingFor}`)), timeoutMs);
      this.waiters.push(check);
      check();
    });
  }

  /** Sends a command (literals split as a client must) and waits for its tagged completion. */
  async command(text: string): Promise<string> {
    const from = this.responses.length;
    const tag = text.split(" ")[0];
    let waited = from;
    for (const part of splitCommand(text)) {
      if (part.awaitContinuation) waited = (await this.until((r) => r.startsWith("+"), waited)) + 1;
      this.socket.write(part.bytes);
    }
    const i = await this.until((r) => r.startsWith(`${tag} `), from);
    return this.responses[i];
  }

  write(text: string): void {
    this.socket.write(Buffer.from(text, "latin1"));
  }

  async login(user: string, password: string): Promise<void> {
    const r = await this.command(`L1 LOGIN ${user} ${password}`);
    if (!r.startsWith("L1 OK")) throw new Error(r);
  }

  close(): void {
    this.socket.destroy();
  }
}
