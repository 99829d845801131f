import { InputError } from '../errors.js';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** What parseDuration accepts, for messages. */
export const DURATION_FORM = 'a duration such as 30d, 12h, 90m, 45s, 2w or a number of seconds (3600)';

/** The seconds in "30d", "12h", "90m", "45s", "2w" or "3600"; undefined when the text is none of these. */
export function durationSeconds(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$/i.exec(text);
  if (!m) return undefined;
  const seconds = Number(m[1]) * (UNIT_SECONDS[(m[2] || 's').toLowerCase()] as number);
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds) : undefined;
}

/** "30d", "12h", "90m", "3600" → seconds; InputError naming `input` when the text is not a positive duration. */
export function parseDuration(text: string, input: string): number {
  const seconds = durationSeconds(text);
  if (seconds === undefined) throw new InputError(input, `expected ${DURATION_FORM}, got '${text.trim().slice(0, 60)}'.`);
  return seconds;
}

/** 2592000 → "30d", 5400 → "1h 30m", 45 → "45s": the largest unit and, when not zero, the next one. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const units = [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const;
  const first = units.findIndex(([, size]) => total >= size);
  if (first < 0) return '0s';
  const [unit, size] = units[first] as (typeof units)[number];
  const out = `${Math.floor(total / size)}${unit}`;
  const next = units[first + 1];
  if (!next) return out;
  const n = Math.floor((total % size) / next[1]);
  return n > 0 ? `${out} ${n}${next[0]}` : out;
}
