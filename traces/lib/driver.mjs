// Runs a scripted session (traces/scripts/<name>.mjs) against a server. A script's default
// export is a list of steps, each [connection, text, wait?]:
//   ["a", "A1 SELECT INBOX"]            send a command, wait for its tagged completion
//   ["a", "A3 IDLE", "+"]               send, wait for a "+" continuation
//   ["a", "DONE", "tagged:A3"]          send a line, wait for the completion of tag A3
//   ["a", null, /^\* 4 EXISTS/]         send nothing, wait for a response matching the regexp
//   ["a", "X1 FOO", "none"]             send, do not wait
// Connections are opened (TLS, LOGIN) the first time they are named; literals in commands are
// sent as a client must (waiting for "+" on synchronising ones).
import tls from "node:tls";
import { ResponseFramer } from "../../dist/src/trace/replay/response-splitter.js";
import { splitCommand } from "../../dist/src/trace/replay/literals.js";

class Conn {
  constructor(socket) {
    this.socket = socket;
    this.responses = [];
    this.read = 0; // responses already consumed by a wait
    this.framer = new ResponseFramer();
    this.waiters = new Set();
    socket.on("data", (c) => {
      this.responses.push(...this.framer.push(c));
      for (const w of this.waiters) w();
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      this.closed = true;
      for (const w of this.waiters) w();
    });
  }

  static async open(port, user, password) {
    const s = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false });
    await new Promise((res, rej) => s.once("secureConnect", res).once("error", rej));
    const c = new Conn(s);
    await c.until((r) => r.startsWith("* "));
    c.socket.write(`L0 LOGIN "${user}" "${password}"\r\n`);
    const r = await c.until((x) => x.startsWith("L0 "));
    if (!/^L0 OK/.test(r)) throw new Error(`LOGIN failed: ${r}`);
    return c;
  }

  until(pred, timeoutMs = 10_000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        for (; this.read < this.responses.length; this.read++) {
          if (pred(this.responses[this.read])) {
            const r = this.responses[this.read++];
            done();
            return resolve(r);
          }
        }
        if (this.closed) (done(), reject(new Error("connection closed")));
      };
      const timer = setTimeout(() => (done(), reject(new Error(`timed out; last: ${this.responses.slice(-3).join(" | ")}`))), timeoutMs);
      const done = () => (clearTimeout(timer), this.waiters.delete(check));
      this.waiters.add(check);
      check();
    });
  }

  async send(text) {
    for (const part of splitCommand(text)) {
      if (part.awaitContinuation) await this.until((r) => r.startsWith("+"));
      this.socket.write(part.bytes);
    }
  }
}

export async function runScript(steps, server) {
  const conns = new Map();
  try {
    for (const [name, text, wait] of steps) {
      let c = conns.get(name);
      if (!c) conns.set(name, (c = await Conn.open(server.port, server.user, server.password)));
      if (text !== null) await c.send(text);
      if (wait === "none") continue;
      if (wait instanceof RegExp) await c.until((r) => wait.test(r));
      else if (wait === "+") await c.until((r) => r.startsWith("+"));
      else {
        const tag = typeof wait === "string" && wait.startsWith("tagged:") ? wait.slice(7) : text.split(" ")[0];
        await c.until((r) => r.startsWith(`${tag} `));
      }
    }
  } finally {
    // Give the server a moment to finish writing what the last commands caused.
    await new Promise((r) => setTimeout(r, 200));
    for (const c of conns.values()) c.socket.destroy();
  }
}
