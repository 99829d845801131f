/**
 * Which URLs may be fetched at all. Node's fetch refuses some before connecting, and the suite's
 * messages (and tests) rely on that refusal, e.g. "network error: bad port" for port 9.
 */
import { fetchFailed } from './errors.js';

/** The Fetch standard's "bad port" list: ports of other protocols a browser must never talk HTTP to. */
const BAD_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113,
  115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556,
  563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667,
  6668, 6669, 6679, 6697, 10080,
]);

/** Parses an absolute URL as fetch's Request constructor does (same message, the cause says why). */
export function parseUrl(input: string | URL): URL {
  if (input instanceof URL) return new URL(input.href);
  try {
    return new URL(input);
  } catch (cause) {
    throw new TypeError(`Failed to parse URL from ${input}`, { cause });
  }
}

/** Refuses credentials in the URL at construction, as fetch does (they belong in a header). */
export function checkConstructible(url: URL): void {
  if (url.username || url.password) {
    throw new TypeError('Request cannot be constructed from a URL that includes credentials');
  }
}

/** Checked on every hop, redirects included. Throws what fetch would: a network error with the reason as cause. */
export function checkFetchable(url: URL): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw fetchFailed(new Error(`unsupported URL scheme '${url.protocol.replace(/:$/, '')}': only http and https are fetched`));
  }
  const port = url.port === '' ? undefined : Number(url.port);
  if (port !== undefined && BAD_PORTS.has(port)) throw fetchFailed(new Error('bad port'));
}
