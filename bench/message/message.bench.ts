// Message model benchmark: messages indexed per second and ENVELOPE+BODYSTRUCTURE renderings
// per second from a cached (JSON round-tripped) index. Run: npx vitest bench bench/message
// or, compiled: node dist/bench/message/message.bench.js
import { bodyStructure, envelope, indexMessage } from "../../src/message/index.js";

function small(): Buffer {
  return Buffer.from(
    "From: Alice <alice@example.com>\nTo: Bob <bob@example.com>\nSubject: Lunch\n" +
      "Date: Fri, 01 Mar 2024 09:15:00 -0800\nMessage-ID: <a@b>\n\nSee you at noon.\n".repeat(1),
  );
}

function attachment(): Buffer {
  const b64 = Buffer.alloc(768 * 1024, 7).toString("base64").replace(/.{76}/g, "$&\n");
  return Buffer.from(
    "From: a@b\nSubject: file\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\nContent-Type: text/plain\n\nhi\n" +
      `--zz\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n${b64}\n--zz--\n`,
  );
}

function deep(): Buffer {
  let body = "Content-Type: text/plain\n\nleaf\n";
  for (let i = 0; i < 30; i++) {
    body = `Content-Type: multipart/mixed; boundary=b${i}\n\n--b${i}\nContent-Type: text/html\n\n<p>x</p>\n--b${i}\n${body}--b${i}--\n`;
  }
  return Buffer.from(`From: a@b\nSubject: deep\n${body}`);
}

function rate(fn: () => void, ms = 400): number {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    fn();
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

export function runMessageBench(): Record<string, number> {
  const out: Record<string, number> = {};
  rate(() => indexMessage(small()), 300); // warm-up: JIT
  for (const [name, msg] of [["small text mail", small()], ["1 MB attachment mail", attachment()], ["deep multipart (30 levels)", deep()]] as const) {
    out[`index ${name} (${msg.length} B) msgs/s`] = rate(() => indexMessage(msg));
  }
  const cached = JSON.parse(JSON.stringify(indexMessage(attachment())));
  const cachedSmall = JSON.parse(JSON.stringify(indexMessage(small())));
  out["ENVELOPE+BODYSTRUCTURE from cached index (2-part mail) /s"] = rate(() => {
    envelope(cached);
    bodyStructure(cached, true);
  });
  out["ENVELOPE+BODYSTRUCTURE from cached index (small mail) /s"] = rate(() => {
    envelope(cachedSmall);
    bodyStructure(cachedSmall, true);
  });
  return out;
}
