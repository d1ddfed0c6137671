// The HTTP side of asimapd-auth: nginx asks with a GET whose headers carry the login (any path
// answers the same) and reads the answer from the response headers of a 200.
import { createServer, type Server } from "node:http";
import type { AuthService, AuthServiceLogger } from "./auth-service.js";
import { readNginxRequest } from "./nginx-request.js";

export type ListenOn = { socket: string } | { address: string; port: number };

export function createAuthHttpServer(service: AuthService, log: AuthServiceLogger & { error(o: object, m?: string): void }): Server {
  return createServer((req, res) => {
    const r = readNginxRequest(req.headers);
    service.answer(r, (req.socket.remoteAddress ?? "unknown").replace(/^::ffff:/, "")).then(
      (headers) => res.writeHead(200, headers).end(),
      (e: unknown) => {
        log.error({ user: r.user, err: (e as Error).message }, "auth request failed");
        res.writeHead(200, { "Auth-Status": "Temporary server problem, try again later", "Auth-Wait": "1" }).end();
      });
  });
}

/** Resolves with the port (0 for a unix socket) once the server listens. */
export function listenOn(server: Server, on: ListenOn): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    const done = () => {
      server.off("error", reject);
      const a = server.address();
      resolve(typeof a === "object" && a ? a.port : 0);
    };
    if ("socket" in on) server.listen(on.socket, done);
    else server.listen(on.port, on.address, done);
  });
}
