// RFC 5256 §2.1 base subject, on an already decoded subject.

function stripTrailers(s: string): string {
  // (2) remove trailing "(fwd)" and whitespace, repeatedly
  for (;;) {
    const t = s.replace(/[ \t]+$/, "");
    if (/\(fwd\)$/i.test(t)) s = t.slice(0, -5);
    else return t;
  }
}

const BLOB = "\\[[^\\[\\]]*\\][ \\t]*";
const LEADER = new RegExp(`^(?:${BLOB})*(?:re|fwd?)[ \\t]*(?:${BLOB})?:`, "i");
const BLOB_ONLY = new RegExp(`^${BLOB}`);

export function baseSubject(subject: string): string {
  // (1) whitespace runs → one space
  let s = subject.replace(/[\t\r\n ]+/g, " ");
  for (;;) {
    s = stripTrailers(s);
    // (3)+(4): remove leaders and blobs until nothing changes
    for (;;) {
      const before = s;
      s = s.replace(/^[ \t]+/, "");
      const lead = LEADER.exec(s);
      if (lead) s = s.slice(lead[0].length);
      else {
        const blob = BLOB_ONLY.exec(s);
        if (blob && s.length > blob[0].length) s = s.slice(blob[0].length);
      }
      if (s === before) break;
    }
    // (5) [fwd: ...] wrapper
    if (/^\[fwd:/i.test(s) && s.endsWith("]")) {
      s = s.slice(5, -1);
      continue;
    }
    return s.trim();
  }
}
