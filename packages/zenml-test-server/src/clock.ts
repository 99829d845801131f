/**
 * Timestamps, the way ZenML writes them.
 *
 * ZenML serialises naive UTC datetimes with microseconds and no zone suffix
 * (`2026-11-25T11:37:18.129129`, see the real-0.60 captures). Entities are
 * stored with a microsecond number so that `sort_by=desc:created` has a strict
 * order even when a test creates many entities within one millisecond: each
 * call to `nowMicros()` returns a value strictly greater than the previous one.
 */

let lastMicros = 0;

/** Current time in microseconds since the epoch, strictly increasing per process. */
export function nowMicros(): number {
  const candidate = Date.now() * 1000;
  lastMicros = candidate > lastMicros ? candidate : lastMicros + 1;
  return lastMicros;
}

/** Formats microseconds as ZenML's naive ISO datetime (`YYYY-MM-DDTHH:MM:SS.ffffff`). */
export function formatMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString(); // 2026-11-25T11:37:18.129Z
  const extra = String(micros % 1000).padStart(3, '0');
  return `${iso.slice(0, 23)}${extra}`;
}

export function formatNullableMicros(micros: number | null): string | null {
  return micros === null ? null : formatMicros(micros);
}

/**
 * Parses a datetime filter value. ZenML documents `%Y-%m-%d %H:%M:%S`
 * (FILTERING_DATETIME_FORMAT); ISO strings are accepted as well. Values are
 * naive UTC. Returns null when the text is not a datetime.
 */
export function parseFilterDatetime(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) return null;
  let micros = ms * 1000 + Number(frac.padEnd(6, '0') || '0');
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.replace(/[+:-]/g, '');
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
    micros -= sign * offsetMin * 60 * 1_000_000;
  }
  return micros;
}
