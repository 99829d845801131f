/**
 * The secret scanner behind `runBundle` and the secret scenarios: finds a secret in any text a
 * user (or anyone with read access to the repository's runs) could see, in the encodings a
 * dependency or a careless log line would produce. A finding names the surface, the form and a
 * label of the secret, never the secret itself, so a failing test cannot leak what it caught.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TestServer } from '@mlops-actions/zenml-test-server';

/** A secret in play, with a label that is safe to print ("input api-key", "env GITHUB_TOKEN"). */
export interface Secret {
  label: string;
  value: string;
}

export interface Leak {
  /** Where it was found: "stdout", "GITHUB_ENV", "file gate-report.json", "server runMetadata". */
  surface: string;
  /** Which encoding matched: "plain", "base64", "base64url", "url-encoded", "jwt-shaped token"… */
  form: string;
  /** The secret's label (never its value). */
  secret: string;
}

/**
 * Shorter values are not scanned: a 4-character "secret" such as a test's 'abcd' would match
 * ordinary text and make every run fail for nothing. Real keys and tokens are far longer.
 */
export const MIN_SECRET_LENGTH = 8;

/**
 * The forms in which `secret` could leak, by name. Besides the whole-value encodings, the base64
 * "cores" catch a secret embedded in a longer encoded string (`Basic base64(user:secret)`, a
 * JSON body base64-encoded by an SDK): base64 works in 3-byte groups, so the secret's encoding
 * depends on its offset mod 3; for each offset the characters that depend only on the secret
 * are kept.
 */
export function secretFormsByName(secret: string): Record<string, string> {
  const bytes = Buffer.from(secret);
  const forms: Record<string, string> = {
    plain: secret,
    'url-encoded': encodeURIComponent(secret),
    // Some encoders (Python's quote, form bodies) emit lowercase hex escapes.
    'url-encoded (lowercase hex)': encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    'form-encoded': new URLSearchParams({ v: secret }).toString().slice(2),
    'JSON-escaped': JSON.stringify(secret).slice(1, -1),
    base64: bytes.toString('base64'),
    base64url: bytes.toString('base64url'),
  };
  for (let k = 0; k < 3; k++) {
    const enc = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
    const core = enc.slice(k > 0 ? 4 : 0, 4 * Math.floor((k + bytes.length) / 3));
    // A core too short to be specific would match by chance; real secrets give 40+ characters.
    if (core.length >= 16) {
      forms[`base64 (embedded, offset ${k})`] = core;
      forms[`base64url (embedded, offset ${k})`] = core.replace(/\+/g, '-').replace(/\//g, '_');
    }
  }
  return forms;
}

/**
 * A JWT (what ZenML servers, GitHub and Google issue as access tokens) has a recognisable shape.
 * No surface has a reason to show one, so a JWT-shaped string is a leak even when the test did
 * not know the token (e.g. one the server issued and the action never masked).
 */
const JWT_SHAPE = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/;

/** Every (surface, form, secret) found in `surfaces`. */
export function findLeaks(surfaces: Record<string, string>, secrets: readonly Secret[]): Leak[] {
  const scanned = secrets.filter((s) => s.value.length >= MIN_SECRET_LENGTH);
  const leaks: Leak[] = [];
  for (const [surface, text] of Object.entries(surfaces)) {
    if (!text) continue;
    for (const s of scanned) {
      for (const [form, value] of Object.entries(secretFormsByName(s.value))) {
        if (text.includes(value)) {
          leaks.push({ surface, form, secret: s.label });
          break; // one finding per secret and surface is enough to say what leaked where
        }
      }
    }
    if (JWT_SHAPE.test(text) && !leaks.some((l) => l.surface === surface)) leaks.push({ surface, form: 'jwt-shaped token', secret: 'an access token' });
  }
  return leaks;
}

/** One line per leak, safe to print. */
export function describeLeaks(leaks: readonly Leak[]): string {
  return leaks.map((l) => `${l.secret} found in ${l.surface} (${l.form})`).join('; ');
}

/** Throws (loudly, naming surface and form) when there is any leak. */
export function assertNoLeaks(leaks: readonly Leak[], context: string): void {
  if (leaks.length) throw new Error(`Secret leak in ${context}: ${describeLeaks(leaks)}`);
}

/**
 * Every regular file under `dir` (manifests, gate reports, downloaded artifacts…), scanned as
 * text; symlinks are not followed (an exchange must hold none, and following one could scan the
 * whole disk). A missing `dir` has nothing in it.
 */
export function scanTree(dir: string, secrets: readonly Secret[], opts: { skip?: (path: string) => boolean } = {}): Leak[] {
  const surfaces: Record<string, string> = {};
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(d, name);
      if (opts.skip?.(p)) continue;
      const st = lstatSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) surfaces[`file ${relative(dir, p)}`] = readFileSync(p).toString('latin1');
    }
  };
  walk(dir);
  return findLeaks(surfaces, secrets);
}

/**
 * What a ZenML server stored from the actions (model versions, run metadata such as gate reports
 * and promotion history, tags, artifact versions, runs, snapshots…): anyone with read access to
 * the server sees it. The API-key and user tables hold credentials by design and are left out.
 */
export function scanServer(server: TestServer, secrets: readonly Secret[]): Leak[] {
  const surfaces: Record<string, string> = {};
  const skip = new Set(['apiKeys', 'users']);
  for (const [table, value] of Object.entries(server.store)) {
    if (skip.has(table)) continue;
    const rows = value instanceof Map ? [...value.values()] : Array.isArray(value) ? value : undefined;
    if (rows) surfaces[`server ${table}`] = JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
  }
  return findLeaks(surfaces, secrets);
}
