/**
 * Object keys: relative POSIX paths. This is the traversal guard the import side relies on, so it
 * rejects everything that could name something outside a store's root, or that a store would
 * interpret differently from another.
 */
import { IntegrityError } from '../errors.js';

export const MAX_KEY_BYTES = 1024;

/** `"key"` JSON-escaped (so control characters are visible) and shortened for messages. */
export function describeKey(key: string): string {
  const shown = key.length > 120 ? `${key.slice(0, 117)}...` : key;
  return JSON.stringify(shown);
}

/** Why `key` is not a safe relative POSIX key, or undefined when it is. */
export function keyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return 'is not a string';
  if (key.length === 0) return 'is empty';
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return `is longer than ${MAX_KEY_BYTES} bytes`;
  if (key.includes('\0')) return 'contains a NUL character';
  if (key.includes('\\')) return 'contains a backslash';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(key)) return 'contains a control character';
  if (/\p{Cs}/u.test(key)) return 'is not valid UTF-8 (lone surrogate)';
  if (key.startsWith('/')) return 'is absolute';
  if (/^[A-Za-z]:/.test(key)) return 'starts with a drive letter';
  for (const seg of key.split('/')) {
    if (seg === '') return 'has an empty path segment';
    if (seg === '..') return "has a '..' segment";
    if (seg === '.') return "has a '.' segment";
  }
  return undefined;
}

/** Throws IntegrityError unless `key` is a safe relative POSIX key; returns it. */
export function checkKey(key: string): string {
  const problem = keyProblem(key);
  if (problem) {
    throw new IntegrityError(`Unsafe exchange key ${describeKey(String(key))}: it ${problem}.`);
  }
  return key;
}

/**
 * A list prefix: '' (everything), a key, or a key followed by '/'. Same rules as keys otherwise.
 */
export function checkPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  const body = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  const problem = keyProblem(body);
  if (problem) {
    throw new IntegrityError(`Unsafe exchange list prefix ${describeKey(String(prefix))}: it ${problem}.`);
  }
  return prefix;
}
