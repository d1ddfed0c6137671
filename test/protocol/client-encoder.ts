// Test-side encoder: a Command -> the bytes a client would send (the inverse of the grammar),
// written independently of src/protocol/encode.ts so round trips check both sides.

import type {
  Command, FetchAtt, SearchKey, SearchReturn, SequenceSet, Section, AppendMessage, CatenateMessage, QresyncParams,
} from "../../src/protocol/ast.js";
import { encodeMailboxName } from "../../src/protocol/mutf7.js";

/** How strings are written: as atoms/quoted where possible, or always as literals. */
export type LiteralStyle = "auto" | "sync" | "nonsync";

class W {
  parts: Buffer[] = [];
  s = "";
  constructor(readonly style: LiteralStyle) {}
  text(t: string): this { this.s += t; return this; }
  lit(b: Buffer, binary = false): this {
    const plus = this.style === "sync" ? "" : "+";
    this.s += `${binary ? "~" : ""}{${b.length}${plus}}\r\n`;
    this.parts.push(Buffer.from(this.s, "latin1"), b);
    this.s = "";
    return this;
  }
  bytes(): Buffer {
    return Buffer.concat([...this.parts, Buffer.from(this.s + "\r\n", "latin1")]);
  }
}

const ATOM = /^[\x21\x23\x24\x26\x27\x2b-\x5b\x5e-\x7a\x7c-\x7e]+$/;
const ASTRING = /^[\x21\x23\x24\x26\x27\x2b-\x5b\x5d-\x7a\x7c-\x7e]+$/;
const QUOTABLE = /^[\x01-\x09\x0b\x0c\x0e-\x7f]*$/;

function quote(latin1: string): string {
  return '"' + latin1.replace(/["\\]/g, "\\$&") + '"';
}

/** an IMAP string of bytes: quoted when possible, else a literal */
function str(w: W, b: Buffer): void {
  const t = b.toString("latin1");
  if (w.style === "auto" && QUOTABLE.test(t) && !t.includes("\0")) w.text(quote(t));
  else w.lit(b);
}

function astr(w: W, b: Buffer): void {
  const t = b.toString("latin1");
  if (w.style === "auto" && ASTRING.test(t)) w.text(t);
  else str(w, b);
}

const utf8 = (s: string): Buffer => Buffer.from(s, "utf8");
const mbox = (w: W, name: string): void => astr(w, Buffer.from(encodeMailboxName(name), "latin1"));

function seqSet(s: SequenceSet): string {
  if (s.kind === "saved") return "$";
  return s.ranges.map((r) => (r.start === r.end ? String(r.start) : `${r.start}:${r.end}`)).join(",");
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number, k = 2): string => String(n).padStart(k, "0");

function date(d: Date): string {
  return `${d.getUTCDate()}-${MONTHS[d.getUTCMonth()]}-${pad(d.getUTCFullYear(), 4)}`;
}

/** date-time in the zone `offsetMin` east of UTC */
export function dateTime(d: Date, offsetMin = 0): string {
  const l = new Date(d.getTime() + offsetMin * 60000);
  const sign = offsetMin < 0 ? "-" : "+";
  const o = Math.abs(offsetMin);
  const day = l.getUTCDate() < 10 ? " " + l.getUTCDate() : String(l.getUTCDate());
  return `"${day}-${MONTHS[l.getUTCMonth()]}-${pad(l.getUTCFullYear(), 4)} ${pad(l.getUTCHours())}:${pad(l.getUTCMinutes())}:${pad(l.getUTCSeconds())} ${sign}${pad(Math.floor(o / 60))}${pad(o % 60)}"`;
}

function flags(fs: string[]): string {
  return "(" + fs.join(" ") + ")";
}

function section(w: W, s: Section): void {
  w.text("[");
  const p = s.part.join(".");
  w.text(p);
  if (s.text !== undefined) {
    if (p) w.text(".");
    w.text(s.text);
    if (s.fields) {
      w.text(" (");
      s.fields.forEach((f, i) => { if (i) w.text(" "); astr(w, utf8(f)); });
      w.text(")");
    }
  }
  w.text("]");
}

function fetchAtt(w: W, a: FetchAtt): void {
  switch (a.kind) {
    case "BODY[]":
      w.text(a.peek ? "BODY.PEEK" : "BODY");
      section(w, a.section);
      if (a.partial) w.text(`<${a.partial.offset}.${a.partial.length}>`);
      return;
    case "BINARY[]":
      w.text(`${a.peek ? "BINARY.PEEK" : "BINARY"}[${a.part.join(".")}]`);
      if (a.partial) w.text(`<${a.partial.offset}.${a.partial.length}>`);
      return;
    case "BINARY.SIZE":
      w.text(`BINARY.SIZE[${a.part.join(".")}]`);
      return;
    default:
      w.text(a.kind);
  }
}

function searchKey(w: W, k: SearchKey): void {
  switch (k.kind) {
    case "BCC": case "BODY": case "CC": case "FROM": case "SUBJECT": case "TEXT": case "TO":
      w.text(k.kind + " "); astr(w, k.value); return;
    case "HEADER":
      w.text("HEADER "); astr(w, utf8(k.field)); w.text(" "); astr(w, k.value); return;
    case "KEYWORD": case "UNKEYWORD":
      w.text(`${k.kind} ${k.flag}`); return;
    case "BEFORE": case "ON": case "SINCE": case "SENTBEFORE": case "SENTON": case "SENTSINCE":
      w.text(`${k.kind} ${date(k.date)}`); return;
    case "LARGER": case "SMALLER":
      w.text(`${k.kind} ${k.size}`); return;
    case "YOUNGER": case "OLDER":
      w.text(`${k.kind} ${k.seconds}`); return;
    case "UID":
      w.text("UID " + seqSet(k.set)); return;
    case "SEQ":
      w.text(seqSet(k.set)); return;
    case "NOT":
      w.text("NOT "); searchKey(w, k.key); return;
    case "OR":
      w.text("OR "); searchKey(w, k.left); w.text(" "); searchKey(w, k.right); return;
    case "AND":
      w.text("("); keys(w, k.keys); w.text(")"); return;
    case "MODSEQ":
      w.text("MODSEQ ");
      if (k.entry) w.text(`${quote(k.entry.name)} ${k.entry.type} `);
      w.text(String(k.modseq));
      return;
    default:
      w.text(k.kind);
  }
}

function keys(w: W, ks: SearchKey[]): void {
  ks.forEach((k, i) => { if (i) w.text(" "); searchKey(w, k); });
}

function ret(w: W, r: SearchReturn[] | undefined): void {
  if (r !== undefined) w.text(` RETURN (${r.map((o) => (typeof o === "string" ? o : `PARTIAL ${o.partial[0]}:${o.partial[1]}`)).join(" ")})`);
}

function qresync(q: QresyncParams): string {
  let s = `QRESYNC (${q.uidValidity} ${q.modseq}`;
  if (q.knownUids) s += " " + seqSet(q.knownUids);
  if (q.seqMatch) s += ` (${seqSet(q.seqMatch.seqs)} ${seqSet(q.seqMatch.uids)})`;
  return s + ")";
}

function appendMessage(w: W, m: AppendMessage | CatenateMessage, offsetMin: number): void {
  w.text(" ");
  if (m.flags.length) w.text(flags(m.flags) + " ");
  if (m.date) w.text(dateTime(m.date, offsetMin) + " ");
  if (!("catenate" in m)) {
    w.lit(m.data, m.binary);
    return;
  }
  w.text("CATENATE (");
  m.catenate.forEach((p, i) => {
    if (i > 0) w.text(" ");
    if (p.kind === "TEXT") w.text("TEXT ").lit(p.data, p.binary);
    else astr(w.text("URL "), utf8(p.url));
  });
  w.text(")");
}

/** The client bytes for a command, CRLF-terminated, literals inline. */
export function encodeCommand(c: Command, style: LiteralStyle = "auto", zone = 0): Buffer {
  const w = new W(style);
  w.text(c.tag + " ");
  const uid = (u: boolean): string => (u ? "UID " : "");
  switch (c.name) {
    case "CAPABILITY": case "NOOP": case "LOGOUT": case "STARTTLS": case "NAMESPACE": case "IDLE":
    case "CHECK": case "CLOSE": case "UNSELECT":
      w.text(c.name); break;
    case "ID":
      w.text("ID ");
      if (c.params === null) w.text("NIL");
      else {
        w.text("(");
        c.params.forEach(([k, v], i) => {
          if (i) w.text(" ");
          str(w, utf8(k)); w.text(" ");
          if (v === null) w.text("NIL"); else str(w, utf8(v));
        });
        w.text(")");
      }
      break;
    case "AUTHENTICATE":
      w.text("AUTHENTICATE " + c.mechanism);
      if (c.initialResponse !== undefined) w.text(" " + (c.initialResponse === "" ? "=" : c.initialResponse));
      break;
    case "LOGIN":
      w.text("LOGIN "); astr(w, utf8(c.userid)); w.text(" "); astr(w, utf8(c.password)); break;
    case "COMPRESS":
      w.text("COMPRESS " + c.mechanism); break;
    case "ENABLE":
      w.text("ENABLE " + c.capabilities.join(" ")); break;
    case "SELECT": case "EXAMINE": {
      w.text(c.name + " "); mbox(w, c.mailbox);
      const ps: string[] = [];
      if (c.condstore) ps.push("CONDSTORE");
      if (c.qresync) ps.push(qresync(c.qresync));
      if (ps.length) w.text(` (${ps.join(" ")})`);
      break;
    }
    case "CREATE":
      w.text("CREATE "); mbox(w, c.mailbox);
      if (c.specialUse) w.text(` (USE ${flags(c.specialUse)})`);
      break;
    case "DELETE": case "SUBSCRIBE": case "UNSUBSCRIBE":
      w.text(c.name + " "); mbox(w, c.mailbox); break;
    case "RENAME":
      w.text("RENAME "); mbox(w, c.from); w.text(" "); mbox(w, c.to); break;
    case "LIST": {
      w.text("LIST ");
      if (c.extended) w.text(`(${c.selection.join(" ")}) `);
      mbox(w, c.reference); w.text(" ");
      const pat = (p: string): void => {
        const t = encodeMailboxName(p);
        if (w.style === "auto" && /^[\x21\x23-\x27\x2a-\x5b\x5d-\x7a\x7c-\x7e]+$/.test(t)) w.text(t);
        else str(w, Buffer.from(t, "latin1"));
      };
      if (c.patterns.length === 1 && !c.extended) pat(c.patterns[0]);
      else { w.text("("); c.patterns.forEach((p, i) => { if (i) w.text(" "); pat(p); }); w.text(")"); }
      const r = c.returnOpts;
      const opts: string[] = [];
      if (r.subscribed) opts.push("SUBSCRIBED");
      if (r.children) opts.push("CHILDREN");
      if (r.specialUse) opts.push("SPECIAL-USE");
      if (r.status) opts.push(`STATUS (${r.status.join(" ")})`);
      if (opts.length) w.text(` RETURN (${opts.join(" ")})`);
      break;
    }
    case "XLIST":
      w.text("XLIST "); mbox(w, c.reference); w.text(" "); str(w, Buffer.from(encodeMailboxName(c.patterns[0]), "latin1")); break;
    case "GETMETADATA": {
      w.text("GETMETADATA ");
      const opts = [...(c.maxSize !== undefined ? [`MAXSIZE ${c.maxSize}`] : []), `DEPTH ${c.depth}`];
      w.text(`(${opts.join(" ")}) `); mbox(w, c.mailbox); w.text(" (");
      c.entries.forEach((e, i) => { if (i) w.text(" "); astr(w, utf8(e)); });
      w.text(")");
      break;
    }
    case "SETMETADATA":
      w.text("SETMETADATA "); mbox(w, c.mailbox); w.text(" (");
      c.entries.forEach(([e, v], i) => {
        if (i) w.text(" ");
        astr(w, utf8(e)); w.text(" ");
        if (v === null) w.text("NIL");
        else if (v.includes(0)) w.lit(v, true); // a NUL: literal8 (RFC 5464's value)
        else str(w, v);
      });
      w.text(")");
      break;
    case "LSUB":
      w.text("LSUB "); mbox(w, c.reference); w.text(" "); str(w, Buffer.from(encodeMailboxName(c.pattern ?? ""), "latin1")); break;
    case "STATUS":
      w.text("STATUS "); mbox(w, c.mailbox); w.text(` (${c.items.join(" ")})`); break;
    case "APPEND":
      w.text("APPEND "); mbox(w, c.mailbox);
      for (const m of c.messages) appendMessage(w, m, zone);
      break;
    case "EXPUNGE":
      w.text(c.uid ? "UID EXPUNGE " + seqSet(c.set) : "EXPUNGE"); break;
    case "SEARCH":
      w.text(uid(c.uid) + "SEARCH");
      ret(w, c.return);
      if (c.charset !== undefined) { w.text(" CHARSET "); astr(w, utf8(c.charset)); }
      w.text(" "); keys(w, c.keys);
      break;
    case "FETCH": {
      w.text(`${uid(c.uid)}FETCH ${seqSet(c.set)} (`);
      c.atts.forEach((a, i) => { if (i) w.text(" "); fetchAtt(w, a); });
      w.text(")");
      const mods: string[] = [];
      if (c.changedSince !== undefined) mods.push(`CHANGEDSINCE ${c.changedSince}`);
      if (c.vanished) mods.push("VANISHED");
      if (mods.length) w.text(` (${mods.join(" ")})`);
      break;
    }
    case "STORE": {
      w.text(`${uid(c.uid)}STORE ${seqSet(c.set)} `);
      if (c.unchangedSince !== undefined) w.text(`(UNCHANGEDSINCE ${c.unchangedSince}) `);
      w.text(`${c.op === "add" ? "+" : c.op === "remove" ? "-" : ""}FLAGS${c.silent ? ".SILENT" : ""} ${flags(c.flags)}`);
      break;
    }
    case "COPY": case "MOVE":
      w.text(`${uid(c.uid)}${c.name} ${seqSet(c.set)} `); mbox(w, c.mailbox); break;
    case "SORT":
      w.text(uid(c.uid) + "SORT");
      ret(w, c.return);
      w.text(` (${c.criteria.map((k) => (k.reverse ? "REVERSE " : "") + k.key).join(" ")}) `);
      astr(w, utf8(c.charset)); w.text(" "); keys(w, c.keys);
      break;
    case "CANCELUPDATE":
      w.text(`CANCELUPDATE ${c.tags.map((t) => `"${t}"`).join(" ")}`); break;
    case "THREAD":
      w.text(`${uid(c.uid)}THREAD ${c.algorithm} `); astr(w, utf8(c.charset)); w.text(" "); keys(w, c.keys);
      break;
  }
  return w.bytes();
}

export { ATOM };
