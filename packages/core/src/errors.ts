/**
 * The suite's one error taxonomy. Every failure an action reports is one of these, so that the
 * action wrapper can print one line that says whose it is to fix, and never a stack trace for
 * a user mistake.
 */

/** Base class: `oneLine()` is what the user sees in the failed step. */
export type ErrorKind = 'input' | 'api' | 'transient' | 'integrity' | 'rejected';

export abstract class MlopsError extends Error {
  abstract readonly kind: ErrorKind;
  oneLine(): string {
    return this.message.replace(/\s*\n\s*/g, ' ');
  }
}

/**
 * The user's to fix: a missing, malformed or inconsistent input or configuration.
 * The message names the input and says what was expected.
 */
export class InputError extends MlopsError {
  readonly kind = 'input' as const;
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(`Input '${input}': ${message}`);
    this.name = 'InputError';
  }
}

/** The ZenML server answered with an error status that retrying will not change. */
export class ZenmlApiError extends MlopsError {
  readonly kind = 'api' as const;
  constructor(
    readonly status: number,
    readonly method: string,
    /** Path and query as sent, with any `token=` query value redacted. */
    readonly path: string,
    /** ZenML exception class from the error body (`detail[0]`), when the body carried one. */
    readonly exceptionClass: string | undefined,
    /** The server's message, as parsed from whichever error body shape it used. */
    readonly serverMessage: string,
    /** A sentence that tells the user what to do, when we know it. */
    readonly hint?: string,
  ) {
    const cls = exceptionClass ? `${exceptionClass}: ` : '';
    const fix = hint ? ` ${hint}` : '';
    super(`ZenML API ${method} ${path} failed with ${status} (${cls}${serverMessage || 'no message'}).${fix}`);
    this.name = 'ZenmlApiError';
  }
}

/**
 * A failure that might have gone away by itself (connection refused/reset, timeout, 429, 502-504)
 * and did not within the retry policy's deadline.
 */
export class TransientError extends MlopsError {
  readonly kind = 'transient' as const;
  constructor(
    message: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/** Data that does not match what it claims to be (digests, sizes, schemas, paths). */
export class IntegrityError extends MlopsError {
  readonly kind = 'integrity' as const;
  constructor(message: string) {
    super(message);
    this.name = 'IntegrityError';
  }
}

/** A policy said no: not a malfunction, a decision (the gate's reasons are the message). */
export class RejectedError extends MlopsError {
  readonly kind = 'rejected' as const;
  constructor(message: string) {
    super(message);
    this.name = 'RejectedError';
  }
}

export function isMlopsError(e: unknown): e is MlopsError {
  return e instanceof MlopsError;
}
