// Human-readable report of a replay: one block per command whose responses differ, then the
// count of each kind of difference, then the totals (last, for scripts).
import type { ReplayResult } from "./replay.js";

const MAX_SHOWN = 240;

/** Shows bytes as readable text: CR/LF and other control bytes escaped, long text shortened. */
export function printable(text: string, max = MAX_SHOWN): string {
  const esc = text.replace(/[\x00-\x1f\x7f-\xff]/g, (c) =>
    c === "\r" ? "\\r" : c === "\n" ? "\\n" : c === "\t" ? "\\t" : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
  return esc.length <= max ? esc : `${esc.slice(0, max)}… (${esc.length - max} more)`;
}

export function formatReport(result: ReplayResult): string {
  const out: string[] = [];
  for (const r of result.results) {
    if (r.same) continue;
    const what = r.index < 0 ? "responses after the last command" : `command #${r.index + 1}: ${printable(r.command, 120)}`;
    const where = r.traceLine !== undefined ? ` (trace line ${r.traceLine})` : "";
    out.push(`${r.connection} ${what}${where}`);
    if (r.note) out.push(`  ! ${r.note}`);
    out.push(`  kinds: ${r.kinds.join("; ")}`);
    for (const d of r.diff) out.push(`  ${d.op} ${printable(d.text)}`);
    out.push("");
  }
  if (result.byKind.length > 0) {
    out.push("Differences by kind (commands showing each; a command may show several):");
    for (const [kind, n] of result.byKind) out.push(`${String(n).padStart(6)}  ${kind}`);
    out.push("");
  }
  out.push(`${result.responses} responses, ${result.differ} differ`);
  return out.join("\n");
}
