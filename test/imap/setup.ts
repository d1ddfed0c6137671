// Per-test fixture: fresh mail, a running engine, one connected client.
import { afterEach, beforeEach } from "vitest";
import { makeMail, RawClient, startServer, type Running } from "./harness.js";

export interface Ctx {
  mail: ReturnType<typeof makeMail>;
  srv: Running;
  c: RawClient;
  clients: RawClient[];
  connect(): Promise<RawClient>;
}

export function useServer(): Ctx {
  const ctx = { clients: [] as RawClient[] } as unknown as Ctx;
  beforeEach(async () => {
    ctx.mail = makeMail();
    process.env.MH = `${ctx.mail.home}/.mh_profile`;
    ctx.srv = await startServer(ctx.mail.root);
    ctx.clients = [];
    ctx.connect = async () => {
      const c = await RawClient.connect(ctx.srv.port);
      ctx.clients.push(c);
      return c;
    };
    ctx.c = await ctx.connect();
  });
  afterEach(async () => {
    for (const c of ctx.clients) c.close();
    await ctx.srv.close();
    ctx.mail.cleanup();
  });
  return ctx;
}
