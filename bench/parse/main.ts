// Parser benchmark: commands per CPU second on a realistic mix, and MB per CPU second on a 10 MB
// APPEND. Build with `npm run build`, then run `node dist/bench/parse/main.js` (BENCH_SECONDS=0.5
// CPU seconds per round by default, 5 rounds after a warm-up; keep runs short, the box is shared).

import os from "node:os";
import { Framer } from "../../src/protocol/framer.js";
import { parseCommand, ParseError } from "../../src/protocol/parse.js";
import { measure, type Rate } from "./measure.js";
import { buildMix } from "./mix.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? "0.5");

function report(label: string, r: Rate): Rate {
  console.log(`${label}: best ${r.best.toFixed(0)}, median ${r.median.toFixed(0)} per CPU second (best wall ${r.wall.toFixed(0)}/s)`);
  return r;
}

const { stream, frames, traceCount, avgBytes } = buildMix();
console.log(`mix: ${frames.length} commands (${traceCount} distinct from the traces), ${avgBytes.toFixed(0)} bytes on average`);

const parseOnly = report("parse only (commands)", measure(() => {
  for (const fr of frames) parseCommand(fr);
  return frames.length;
}, SECONDS));

const framedAndParsed = report("frame + parse (commands, 16 KiB reads)", measure(() => {
  const f = new Framer();
  let n = 0;
  for (let pos = 0; pos < stream.length; pos += 16384) {
    f.push(stream.subarray(pos, pos + 16384));
    for (let e = f.next(); e !== null; e = f.next()) {
      if (e.kind === "frame") {
        try { parseCommand(e.frame); } catch (err) { if (!(err instanceof ParseError)) throw err; }
        n++;
      }
    }
  }
  return n;
}, SECONDS));

// 10 MB APPEND literal arriving in 64 KiB reads
const body = Buffer.alloc(10 * 1024 * 1024, "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n");
const appendStream = Buffer.concat([Buffer.from(`A1 APPEND INBOX (\\Seen) "11-Mar-2024 09:00:00 +0000" {${body.length}+}\r\n`), body, Buffer.from("\r\n")]);
const appendRate = report("APPEND 10 MB literal, frame + parse (MB)", measure(() => {
  const f = new Framer();
  let got = 0;
  for (let pos = 0; pos < appendStream.length; pos += 65536) {
    f.push(appendStream.subarray(pos, pos + 65536));
    for (let e = f.next(); e !== null; e = f.next()) {
      if (e.kind === "frame") {
        const c = parseCommand(e.frame);
        const m = c.name === "APPEND" ? c.messages[0] : undefined;
        if (m && "data" in m) got += m.data.length;
      }
    }
  }
  if (got !== body.length) throw new Error("APPEND literal lost");
  return got / (1024 * 1024);
}, SECONDS));

const r = (x: Rate) => ({ best: Math.round(x.best), median: Math.round(x.median), wall: Math.round(x.wall) });
console.log(JSON.stringify({
  node: process.version, load: os.loadavg()[0].toFixed(1), cpus: os.cpus().length, unit: "per CPU second",
  parseOnly: r(parseOnly), framedAndParsed: r(framedAndParsed), appendMB: r(appendRate), avgCommandBytes: Math.round(avgBytes),
}));
