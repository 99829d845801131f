/**
 * Header lists with fetch's observable behaviour (case-insensitive names, values combined with
 * ", ", sorted iteration, `set-cookie` kept apart) without touching the global `Headers`, whose
 * first use loads undici.
 */

/** Anything a caller may hand over as headers: our own, undici's, pairs, or a plain record. */
export type HeadersSource =
  | HeadersLike
  | Iterable<readonly [string, string] | readonly string[]>
  | Readonly<Record<string, string | ReadonlyArray<string> | undefined>>;

/** What this module reads from a header list it did not create (undici's, or ours). */
export interface HeadersLike {
  get(name: string): string | null;
  forEach(callback: (value: string, name: string) => void): void;
}

/** RFC 9110 token characters: what a header name may consist of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Leading and trailing HTTP whitespace, which fetch strips from values. */
const EDGE_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;
/** Characters that would split or end a header line. */
const FORBIDDEN_IN_VALUE = /[\0\r\n]/;

function checkedName(name: string): string {
  const n = String(name);
  if (!TOKEN.test(n)) throw new TypeError(`Invalid header name: ${JSON.stringify(n.slice(0, 100))}`);
  return n.toLowerCase();
}

/** The value is never quoted in the error: headers carry credentials. */
function checkedValue(name: string, value: string): string {
  const v = String(value).replace(EDGE_WHITESPACE, '');
  if (FORBIDDEN_IN_VALUE.test(v)) throw new TypeError(`Invalid value for header '${name}': it contains a line break or NUL`);
  return v;
}

export class LiteHeaders implements Headers {
  /** Lower-case name → values in the order they were added. */
  readonly #values = new Map<string, string[]>();

  constructor(init?: HeadersSource | null) {
    if (init === undefined || init === null) return;
    if (isHeadersLike(init)) {
      init.forEach((value, name) => this.append(name, value));
      // `forEach` on fetch's Headers combines `set-cookie`; the separate values are still there.
      const cookies = (init as { getSetCookie?: () => string[] }).getSetCookie?.();
      if (cookies && cookies.length > 1) {
        this.#values.delete('set-cookie');
        for (const c of cookies) this.append('set-cookie', c);
      }
      return;
    }
    if (isIterable(init)) {
      for (const pair of init) {
        if (pair.length !== 2) throw new TypeError('Header pairs must have exactly a name and a value');
        this.append(pair[0] as string, pair[1] as string);
      }
      return;
    }
    for (const [name, value] of Object.entries(init)) {
      // Arrays become "a,b" as in fetch (a record's values are converted to one string each).
      if (value !== undefined) this.append(name, String(value));
    }
  }

  append(name: string, value: string): void {
    const key = checkedName(name);
    const v = checkedValue(key, value);
    const list = this.#values.get(key);
    if (list) list.push(v);
    else this.#values.set(key, [v]);
  }

  set(name: string, value: string): void {
    const key = checkedName(name);
    this.#values.set(key, [checkedValue(key, value)]);
  }

  get(name: string): string | null {
    return this.#values.get(checkedName(name))?.join(', ') ?? null;
  }

  has(name: string): boolean {
    return this.#values.has(checkedName(name));
  }

  delete(name: string): void {
    this.#values.delete(checkedName(name));
  }

  getSetCookie(): string[] {
    return [...(this.#values.get('set-cookie') ?? [])];
  }

  forEach(callback: (value: string, name: string, parent: LiteHeaders) => void, thisArg?: unknown): void {
    for (const [name, value] of this) callback.call(thisArg, value, name, this);
  }

  *entries(): IterableIterator<[string, string]> {
    const names = [...this.#values.keys()].sort();
    for (const name of names) {
      const values = this.#values.get(name) ?? [];
      // Cookies cannot be combined with ", " (their dates contain commas): fetch lists each.
      if (name === 'set-cookie') for (const v of values) yield [name, v];
      else yield [name, values.join(', ')];
    }
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /** For node:http: one value per name (cookies as a list), names in lower case. */
  toNodeHeaders(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const [name, values] of this.#values) out[name] = name === 'set-cookie' ? [...values] : values.join(', ');
    return out;
  }

  get [Symbol.toStringTag](): string {
    return 'Headers';
  }
}

function isHeadersLike(x: object): x is HeadersLike {
  return typeof (x as Partial<HeadersLike>).get === 'function' && typeof (x as Partial<HeadersLike>).forEach === 'function';
}

function isIterable(x: object): x is Iterable<readonly string[]> {
  return typeof (x as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function';
}
