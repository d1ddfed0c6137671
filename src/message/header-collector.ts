// Collects the few header fields the index needs from one part's header block, line by line.
// Values are "binary" strings (one char per byte), unfolded (CR/LF removed, as Dovecot's
// _nolf does), leading whitespace after the colon skipped.

const PART_FIELDS = new Set([
  "content-type",
  "content-transfer-encoding",
  "content-id",
  "content-description",
  "content-disposition",
  "content-language",
  "content-location",
  "content-md5",
]);
const MESSAGE_FIELDS = new Set([
  "date",
  "subject",
  "from",
  "sender",
  "reply-to",
  "to",
  "cc",
  "bcc",
  "in-reply-to",
  "message-id",
  "references",
]);

/** longest value kept per field: absurd headers are counted, not stored */
const MAX_VALUE = 64 * 1024;

export class HeaderCollector {
  readonly fields: Array<[string, string]> = [];
  private current: [string, string] | null = null;

  constructor(private readonly isMessage: boolean) {}

  /** one header line without its line terminator */
  line(buf: Buffer, start: number, end: number): void {
    if (end > start && (buf[start] === 32 || buf[start] === 9)) {
      const cur = this.current;
      if (cur && cur[1].length < MAX_VALUE) cur[1] += clean(buf, start, Math.min(end, start + MAX_VALUE));
      return;
    }
    this.current = null;
    const colon = buf.indexOf(58, start);
    if (colon < 0 || colon >= end) return;
    let nameEnd = colon;
    while (nameEnd > start && (buf[nameEnd - 1] === 32 || buf[nameEnd - 1] === 9)) nameEnd--;
    if (nameEnd - start > 40) return;
    const name = buf.toString("latin1", start, nameEnd).toLowerCase();
    if (!PART_FIELDS.has(name) && !(this.isMessage && MESSAGE_FIELDS.has(name))) return;
    let v = colon + 1;
    while (v < end && (buf[v] === 32 || buf[v] === 9)) v++;
    this.current = [name, clean(buf, v, Math.min(end, v + MAX_VALUE))];
    this.fields.push(this.current);
  }

  first(name: string): string | null {
    for (const f of this.fields) if (f[0] === name) return f[1];
    return null;
  }

  last(name: string): string | null {
    let v: string | null = null;
    for (const f of this.fields) if (f[0] === name) v = f[1];
    return v;
  }

  all(name: string): string[] {
    return this.fields.filter((f) => f[0] === name).map((f) => f[1]);
  }
}

function clean(buf: Buffer, start: number, end: number): string {
  const s = buf.toString("latin1", start, end);
  return s.includes("\r") ? s.replace(/\r/g, "") : s;
}
