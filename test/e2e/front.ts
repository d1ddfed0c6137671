// TEST-ONLY stand-in for the root process (src/daemon): a greeting, CAPABILITY, NOOP, LOGOUT and
// LOGIN for one user, then the connection is handed to the IMAP engine in this process.
// Replace with the real root listener once it can run the user server in-process.
import net from "node:net";
import type { UserServer } from "../../src/imap/api.js";

const PRE_CAPS = "IMAP4rev1 LITERAL+ ID";

export async function startFront(server: UserServer, user: string, password: string): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const listener = net.createServer((sock) => {
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    sock.write(`* OK [CAPABILITY ${PRE_CAPS}] asimap test front ready.\r\n`);
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      let lf: number;
      while ((lf = buf.indexOf(10)) >= 0) {
        const line = buf.subarray(0, lf).toString("latin1").replace(/\r$/, "");
        buf = buf.subarray(lf + 1);
        const [tag, cmd, ...args] = line.split(" ");
        const name = (cmd ?? "").toUpperCase();
        if (name === "CAPABILITY") sock.write(`* CAPABILITY ${PRE_CAPS}\r\n${tag} OK Capability completed.\r\n`);
        else if (name === "NOOP") sock.write(`${tag} OK NOOP completed.\r\n`);
        else if (name === "ID") sock.write(`* ID NIL\r\n${tag} OK ID completed.\r\n`);
        else if (name === "LOGOUT") sock.end(`* BYE Logging out\r\n${tag} OK Logout completed.\r\n`);
        else if (name === "LOGIN") {
          const [u, p] = args.map((a) => a.replace(/^"(.*)"$/, "$1"));
          if (u !== user || p !== password) {
            sock.write(`${tag} NO [AUTHENTICATIONFAILED] Authentication failed.\r\n`);
            continue;
          }
          sock.off("data", onData);
          if (buf.length) sock.unshift(buf);
          server.attach(sock, { v: 1, user, remote: `${sock.remoteAddress}:${sock.remotePort}`, tag, command: "LOGIN", tls: false });
          return;
        } else sock.write(`${tag ?? "*"} BAD Not supported by the test front.\r\n`);
      }
    };
    sock.on("data", onData);
  });
  await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
  return {
    port: (listener.address() as net.AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => listener.close(() => r()));
    },
  };
}
