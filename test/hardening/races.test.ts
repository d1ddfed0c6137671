// Races between sessions of one user: a SEARCH running while another session expunges must not
// fail (Dovecot answers OK without the expunged messages; RFC 2180 §4.1.3 allows NO for FETCH of
// an expunged message, not for SEARCH). Bounded: 3 seconds of traffic.
import { describe, expect, it } from "vitest";
import { makeWorld } from "./model-world.js";

describe("session races", () => {
  it("SEARCH TEXT while another session appends and expunges: always OK", async () => {
    const w = await makeWorld();
    try {
      const [a, b] = w.conns;
      for (const c of [a, b]) expect((await c.cmd("SELECT INBOX")).tagged).toMatch(/OK/);
      const body = `Subject: race\r\n\r\n${"race text ".repeat(200)}\r\n`;
      for (let i = 0; i < 20; i++) await b.cmd(`APPEND INBOX {${body.length}+}\r\n${body}`);
      await a.cmd("NOOP");
      const end = Date.now() + 3000;
      const answers: string[] = [];
      await Promise.all([
        (async () => {
          while (Date.now() < end) answers.push((await a.cmd("SEARCH TEXT race")).tagged);
        })(),
        (async () => {
          while (Date.now() < end) {
            await b.cmd(`APPEND INBOX {${body.length}+}\r\n${body}`);
            await b.cmd("STORE 1:2 +FLAGS.SILENT (\\Deleted)");
            await b.cmd("EXPUNGE");
          }
        })(),
      ]);
      expect(answers.length).toBeGreaterThan(5);
      expect(answers.filter((t) => !/^T\d+ OK/.test(t)), "SEARCH answers that were not OK").toEqual([]);
    } finally {
      await w.close();
    }
  });
});
