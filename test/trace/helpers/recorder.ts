// A recording proxy for tests: clients connect to it, it forwards to an IMAP server and writes
// the post-login part of every connection as trace format 1.0 records (RECEIVED = one complete
// client command with literals inline, SEND = one complete server response with its CRLF).
import net from "node:net";
import { ResponseFramer } from "../../../src/trace/replay/response-splitter.js";

interface RecordLine {
  connection: string;
  msg_type: "CONNECT" | "RECEIVED" | "SEND" | "CLOSE";
  data?: string;
  trace_time: number;
}

/** Splits a client byte stream into complete commands (literals included), without CRLF. */
class CommandFramer {
  private buf = Buffer.alloc(0);
  private pos = 0;
  push(chunk: Buffer): string[] {
    this.buf = Buffer.concat([this.buf, chunk]);
    const out: string[] = [];
    for (;;) {
      const crlf = this.buf.indexOf("\r\n", this.pos);
      if (crlf < 0) break;
      const m = /\{(\d+)\+?\}$/.exec(this.buf.subarray(this.pos, crlf).toString("latin1"));
      if (m) {
        if (this.buf.length < crlf + 2 + Number(m[1])) break;
        this.pos = crlf + 2 + Number(m[1]);
        continue;
      }
      out.push(this.buf.subarray(0, crlf).toString("latin1"));
      this.buf = this.buf.subarray(crlf + 2);
      this.pos = 0;
    }
    return out;
  }
}

export interface Recorder {
  port: number;
  /** The trace so far, as the text of a trace file. */
  text(): string;
  close(): Promise<void>;
}

export async function startRecorder(upstreamPort: number, username: string): Promise<Recorder> {
  const started = performance.now();
  const lines: string[] = [JSON.stringify({ trace_format: "1.0", username, trace_time: 0, trace_wall_time: Date.now() })];
  const record = (r: Omit<RecordLine, "trace_time">) =>
    lines.push(JSON.stringify({ ...r, trace_time: (performance.now() - started) / 1000 }));
  let n = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    const id = `client-${String(++n).padStart(8, "0")}`;
    const commands = new CommandFramer();
    const responses = new ResponseFramer();
    let loginTag: string | undefined;
    let loggedIn = false;
    client.on("data", (chunk: Buffer) => {
      for (const cmd of commands.push(chunk)) {
        if (loggedIn) record({ connection: id, msg_type: "RECEIVED", data: cmd });
        else if (/^\S+ LOGIN /i.test(cmd)) loginTag = cmd.split(" ")[0];
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      for (const resp of responses.push(chunk)) {
        if (loggedIn) record({ connection: id, msg_type: "SEND", data: resp + "\r\n" });
        else if (loginTag !== undefined && resp.startsWith(`${loginTag} OK`)) {
          loggedIn = true;
          record({ connection: id, msg_type: "CONNECT" });
        }
      }
      client.write(chunk);
    });
    const end = () => {
      if (loggedIn) record({ connection: id, msg_type: "CLOSE" });
      loggedIn = false;
      client.destroy();
      upstream.destroy();
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    text: () => lines.join("\n") + "\n",
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
