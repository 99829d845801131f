/**
 * Turning @google-cloud/storage failures into one line of the suite's taxonomy. Client errors carry
 * the request configuration (Authorization headers included) and sometimes signed URLs, so nothing
 * but the status and a redacted, shortened message is kept: never the error object as a `cause`.
 */
import { InputError, IntegrityError, isMlopsError, TransientError } from '../errors.js';

const INTEGRITY_CODES = new Set(['CONTENT_DOWNLOAD_MISMATCH', 'FILE_NO_UPLOAD', 'FILE_NO_UPLOAD_DELETE']);

function field(e: unknown, name: string): unknown {
  return typeof e === 'object' && e !== null ? (e as Record<string, unknown>)[name] : undefined;
}

/** The HTTP status of a client error, whichever shape it came in (ApiError, GaxiosError, upload error). */
export function gcsStatus(e: unknown): number | undefined {
  for (const v of [field(e, 'code'), field(e, 'status'), field(field(e, 'response'), 'status')]) {
    if (typeof v === 'number' && v >= 100 && v < 600) return v;
    if (typeof v === 'string' && /^[1-5]\d\d$/.test(v)) return Number(v);
  }
  return undefined;
}

/** Removes anything that looks like a credential, and keeps one short line. */
export function redactMessage(message: string): string {
  return message
    .replace(/(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]')
    .replace(/ya29\.[A-Za-z0-9._-]+/g, '[redacted]')
    .replace(/((?:access_token|id_token|refresh_token|token|key|signature|x-goog-signature|x-goog-credential|sig)=)[^&\s"']+/gi, '$1[redacted]')
    .replace(/("(?:access_token|id_token|refresh_token|private_key|client_secret)"\s*:\s*")[^"]*"/gi, '$1[redacted]"')
    .replace(/\s*\n\s*/g, ' ')
    .slice(0, 300);
}

/**
 * One error of the taxonomy for a failed GCS operation. `what` names the target (`gs://b/p/key`),
 * `attempts` is how many tries the client's retry policy allows (it retries idempotent calls itself).
 */
export function wrapGcsError(e: unknown, op: string, what: string, attempts: number): Error {
  if (isMlopsError(e)) return e;
  if (e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError || e instanceof SyntaxError) {
    return e; // our bug or a misuse, not a storage failure: keep the stack
  }
  const status = gcsStatus(e);
  const code = field(e, 'code');
  const raw = e instanceof Error ? e.message : typeof e === 'string' ? e : String(field(e, 'message') ?? 'unknown error');
  const message = redactMessage(raw || 'no message');
  const detail = status !== undefined ? `${status}: ${message}` : typeof code === 'string' ? `${code}: ${message}` : message;

  if (typeof code === 'string' && INTEGRITY_CODES.has(code)) {
    return new IntegrityError(`GCS ${op} ${what}: checksum mismatch (${detail}).`);
  }
  if (/default credentials|could not load the default credentials|unable to detect a project id/i.test(raw)) {
    return new InputError(
      'exchange',
      `GCS ${op} ${what}: no Google Cloud credentials (${message}). Authenticate first, e.g. with google-github-actions/auth.`,
    );
  }
  if (status === 401 || status === 403) {
    return new InputError(
      'exchange',
      `GCS ${op} ${what} was denied (${detail}). Check the workflow's Google Cloud authentication and that its identity may read and write objects in the bucket.`,
    );
  }
  if (status === 404) {
    return new InputError('exchange', `GCS ${op} ${what}: not found (${detail}). Does the bucket exist?`);
  }
  if (status === 408 || status === 429 || (status !== undefined && status >= 500)) {
    return new TransientError(`GCS ${op} ${what} failed (${detail}).`, attempts);
  }
  if (status !== undefined) {
    return new InputError('exchange', `GCS ${op} ${what} failed (${detail}).`);
  }
  // Network failures (ECONNRESET, ETIMEDOUT, ...) and anything else unrecognised: the client has retried what
  // it could.
  return new TransientError(`GCS ${op} ${what} failed (${detail}).`, attempts);
}
