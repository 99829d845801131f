import { z } from '../zod.js';

/**
 * One action input, declared once: how to validate it, where it may fall back to, whether it is a
 * secret, and what the user is told when it is wrong. The input's name is the key under which it is
 * declared; action.yml must declare the same name and default (a test checks both).
 */
export interface InputSpec<T> {
  /**
   * Receives the raw value (`undefined` when empty and no fallback applied) and returns the typed
   * value. May be asynchronous (yamlObject loads its parser only when given a value): parse it
   * with safeParseAsync.
   */
  readonly schema: z.ZodMiniType<T, string | undefined>;
  /** Environment variable read when the input is empty (e.g. what zenml-login exported). */
  readonly env?: string;
  readonly secret?: boolean;
  /** The default, as action.yml spells it (a string). */
  readonly default?: string;
}

export type InputSpecs = Record<string, InputSpec<unknown>>;
export type InputValues<S extends InputSpecs> = { [K in keyof S]: S[K] extends InputSpec<infer T> ? T : never };

type Raw = string | undefined;
type Payload = z.core.ParsePayload;

function spec<T>(schema: z.ZodMiniType<T, Raw>, extra: Omit<InputSpec<T>, 'schema'> = {}): InputSpec<T> {
  return { schema, ...extra };
}

/**
 * Fails the value with `message`. zod/mini hands a transform the bare parse payload (classic zod
 * added an addIssue to it), so the issue goes on its list, as classic's addIssue put it there.
 */
function reject(ctx: Payload, message: string): never {
  ctx.issues.push({ code: 'custom', message, input: ctx.value });
  return z.NEVER;
}

/** The raw value, empty included (`undefined`), through `fn`. */
function fromOptional<T>(fn: (v: Raw, ctx: Payload) => T): z.ZodMiniType<Awaited<T>, Raw> {
  return z.pipe(z.optional(z.string()), z.transform(fn));
}

const requiredText = z.string({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be text') });

/** A non-empty raw value through `fn`; an empty one is 'is required' (readInputs names the fallback). */
function fromRequired<T>(fn: (v: string, ctx: Payload) => T): z.ZodMiniType<Awaited<T>, Raw> {
  return z.pipe(requiredText, z.transform(fn));
}

/** A required non-empty string, trimmed. */
export function requiredString(extra: Omit<InputSpec<string>, 'schema'> = {}): InputSpec<string> {
  return spec(
    z.pipe(
      fromRequired((v) => v.trim()),
      z.string().check(z.minLength(1, 'is required (got only white space)')),
    ),
    extra,
  );
}

/** ZenML's limit on entity names (STR_FIELD_MAX_LENGTH): a longer "name" is a pasted blob. */
export const MAX_NAME_LENGTH = 255;

const nameProblem = (v: string): string | undefined =>
  v.length > MAX_NAME_LENGTH ? `is ${v.length} characters long; ZenML names have at most ${MAX_NAME_LENGTH} (got '${v.slice(0, 40)}…')` : undefined;

/** A required ZenML entity name (a model, a pipeline…), trimmed, at most 255 characters. */
export function requiredName(extra: Omit<InputSpec<string>, 'schema'> = {}): InputSpec<string> {
  return checkedString(nameProblem, extra);
}

/** An optional ZenML entity name; empty or white space means not given. */
export function optionalName(extra: Omit<InputSpec<string | undefined>, 'schema'> = {}): InputSpec<string | undefined> {
  return spec(
    fromOptional((v, ctx) => {
      const t = v?.trim();
      if (!t) return undefined;
      const problem = nameProblem(t);
      if (problem) return reject(ctx, problem);
      return t;
    }),
    extra,
  );
}

/** An optional string; empty or white space means not given. */
export function optionalString(extra: Omit<InputSpec<string | undefined>, 'schema'> = {}): InputSpec<string | undefined> {
  return spec(
    fromOptional((v) => (v === undefined || v.trim() === '' ? undefined : v.trim())),
    extra,
  );
}

/** A string with a default that action.yml declares too. */
export function stringWithDefault(def: string, extra: Omit<InputSpec<string>, 'schema' | 'default'> = {}): InputSpec<string> {
  return spec(
    fromOptional((v) => (v === undefined || v.trim() === '' ? def : v.trim())),
    { ...extra, default: def },
  );
}

const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

/** A boolean in the YAML 1.2 core spellings, as @actions/core's getBooleanInput accepts. */
export function boolean(def: boolean, extra: Omit<InputSpec<boolean>, 'schema' | 'default'> = {}): InputSpec<boolean> {
  return spec(
    fromOptional((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const t = v.trim();
      if (TRUE.includes(t)) return true;
      if (FALSE.includes(t)) return false;
      return reject(ctx, `must be true or false (got '${t.slice(0, 40)}')`);
    }),
    { ...extra, default: String(def) },
  );
}

/** An http(s) URL, normalised without a trailing slash (ZenML 404s on trailing slashes). */
export function httpUrl(extra: Omit<InputSpec<string>, 'schema'> = {}): InputSpec<string> {
  return spec(
    fromRequired((v, ctx) => {
      const t = v.trim();
      if (t === '') return reject(ctx, 'is required');
      // Browsers and proxies stop at a few kB; anything longer is a pasted blob, not a server URL.
      if (t.length > 2048) return reject(ctx, `is ${t.length} characters long; a server URL has at most 2048 (got '${t.slice(0, 60)}…')`);
      let u: URL;
      try {
        u = new URL(t);
      } catch {
        return reject(ctx, `must be an http(s) URL such as https://zenml.example.com (got '${t.slice(0, 80)}')`);
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return reject(ctx, `must use http or https (got '${u.protocol.replace(':', '')}')`);
      if (u.username || u.password) return reject(ctx, 'must not carry credentials; pass the key in api-key');
      return t.replace(/\/+$/, '');
    }),
    extra,
  );
}

/** One of a fixed set of words, with a default. */
export function oneOf<const T extends string>(values: readonly T[], def: T, extra: Omit<InputSpec<T>, 'schema' | 'default'> = {}): InputSpec<T> {
  return spec(
    fromOptional((v, ctx): T => {
      if (v === undefined || v.trim() === '') return def;
      const t = v.trim();
      if ((values as readonly string[]).includes(t)) return t as T;
      return reject(ctx, `must be one of ${values.join(', ')} (got '${t.slice(0, 40)}')`);
    }),
    { ...extra, default: def },
  );
}

/** A list written one per line or comma-separated (as actions/cache's `path`); empty → undefined. */
export function stringList(extra: Omit<InputSpec<string[] | undefined>, 'schema'> = {}): InputSpec<string[] | undefined> {
  return spec(
    fromOptional((v) => {
      const items = (v ?? '')
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter((s) => s !== '');
      return items.length > 0 ? [...new Set(items)] : undefined;
    }),
    extra,
  );
}

/** A required, trimmed value checked by `check` (returns a problem, or undefined when fine). */
export function checkedString(check: (v: string) => string | undefined, extra: Omit<InputSpec<string>, 'schema'> = {}): InputSpec<string> {
  return spec(
    fromRequired((v, ctx) => {
      const t = v.trim();
      const problem = t === '' ? 'is required' : check(t);
      if (problem) return reject(ctx, problem);
      return t;
    }),
    extra,
  );
}

/** An optional http(s) URL (see httpUrl); empty means not given. */
export function optionalHttpUrl(extra: Omit<InputSpec<string | undefined>, 'schema'> = {}): InputSpec<string | undefined> {
  const inner = httpUrl().schema;
  return spec(
    fromOptional((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      const parsed = inner.safeParse(v);
      if (!parsed.success) return reject(ctx, parsed.error.issues[0]?.message ?? 'must be an http(s) URL');
      return parsed.data;
    }),
    extra,
  );
}

/** "accuracy=0.01, f1=0.02" → { accuracy: 0.01, f1: 0.02 }; empty → undefined. */
export function numberMap(extra: Omit<InputSpec<Record<string, number> | undefined>, 'schema'> = {}): InputSpec<Record<string, number> | undefined> {
  return spec(
    fromOptional((v, ctx) => {
      const parts = (v ?? '').split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
      if (parts.length === 0) return undefined;
      const out: Record<string, number> = {};
      for (const part of parts) {
        const m = /^([A-Za-z_][\w.-]*)\s*=\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)$/i.exec(part);
        if (!m) return reject(ctx, `expected metric=number pairs such as "accuracy=0.01, f1=0.02" (got '${part.slice(0, 40)}')`);
        out[m[1] as string] = Number(m[2]);
      }
      return out;
    }),
    extra,
  );
}

/** A mapping written as YAML or JSON (JSON is YAML); empty → undefined. */
export function yamlObject(extra: Omit<InputSpec<Record<string, unknown> | undefined>, 'schema'> = {}): InputSpec<Record<string, unknown> | undefined> {
  return spec(
    fromOptional(async (v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      // The YAML parser takes ~20 ms to load: only a run that passes a mapping pays for it.
      const { parse: parseYaml } = await import('yaml');
      let parsed: unknown;
      try {
        parsed = parseYaml(v);
      } catch (e) {
        const line = (e as { linePos?: { line: number }[] }).linePos?.[0]?.line;
        return reject(ctx, `is not valid YAML or JSON${line ? ` (line ${line})` : ''}`);
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        return reject(ctx, 'must be a mapping of names to values, e.g. "batch_size: 512" or {"batch_size": 512}');
      }
      return parsed as Record<string, unknown>;
    }),
    extra,
  );
}
