// RFC 5322 (and obsolete RFC 822) Date header → ms since the epoch, or null.

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const ZONES: Record<string, number> = {
  ut: 0, gmt: 0, z: 0, edt: -4, est: -5, cdt: -5, cst: -6, mdt: -6, mst: -7, pdt: -7, pst: -8,
};

interface Parsed {
  /** the date and time as written, read as if it were UTC (ms) */
  wall: number;
  /** the zone written with it, minutes east of UTC (0 when missing or unknown) */
  offsetMin: number;
}

function parse(raw: string | null): Parsed | null {
  if (raw === null) return null;
  const s = raw.replace(/\([^)]*\)/g, " ").trim();
  const m = /(?:^|[\s,])(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{4}|[A-Za-z]{1,5})?/.exec(s);
  if (!m) return null;
  const month = MONTHS.indexOf(m[2].toLowerCase());
  if (month < 0) return null;
  let year = parseInt(m[3], 10);
  if (m[3].length <= 2) year += year < 50 ? 2000 : 1900;
  else if (m[3].length === 3) year += 1900;
  let offsetMin = 0;
  const z = m[7];
  if (z && /^[+-]\d{4}$/.test(z)) {
    const sign = z[0] === "-" ? -1 : 1;
    offsetMin = sign * (parseInt(z.slice(1, 3), 10) * 60 + parseInt(z.slice(3), 10));
  } else if (z) offsetMin = (ZONES[z.toLowerCase()] ?? 0) * 60;
  const wall = Date.UTC(year, month, parseInt(m[1], 10), parseInt(m[4], 10), parseInt(m[5], 10), m[6] ? parseInt(m[6], 10) : 0);
  return Number.isFinite(wall) ? { wall, offsetMin } : null;
}

/** The instant the Date header names (ms since the epoch), or null. */
export function parseDate(raw: string | null): number | null {
  const p = parse(raw);
  return p === null ? null : p.wall - p.offsetMin * 60_000;
}

/**
 * The date and time as the header writes them, in the header's own zone, as UTC ms: SEARCH
 * SENTBEFORE/SENTON/SENTSINCE compare this day ("disregarding time and timezone", RFC 3501
 * §6.4.4), so 24-Mar 23:00 +0200 is sent on 24-Mar although it is 25-Mar somewhere else.
 */
export function parseDateAsWritten(raw: string | null): number | null {
  return parse(raw)?.wall ?? null;
}
