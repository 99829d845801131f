/**
 * Fault injection: lets a test make the next N matching requests fail in the
 * ways real networks and servers do (status bursts, Retry-After, slowness,
 * connection resets before or in the middle of a response).
 */

export interface FaultSpec {
  /** Only requests with this method (case-insensitive); any method when omitted. */
  method?: string;
  /** Exact pathname (query excluded), a prefix ending in `*`, or a RegExp tested on the pathname. */
  path: string | RegExp;
  /** How many matching requests this fault applies to (default 1). */
  times?: number;
  /** Answer with this status instead of running the route. */
  status?: number;
  /** JSON body for `status` (default: a ZenML-style error body for ≥400). */
  body?: unknown;
  /** Extra response headers, e.g. `{'Retry-After': '2'}`. */
  headers?: Record<string, string>;
  /** Wait this long before doing anything else (a delay-only fault then runs the route normally). */
  delayMs?: number;
  /** Destroy the socket without sending a response. */
  reset?: boolean;
  /** Send the status line, headers and part of the body, then destroy the socket. */
  resetMidBody?: boolean;
  /** Raw body text instead of JSON (e.g. an HTML error page from a proxy). */
  rawBody?: string;
  /** Content type for `rawBody` (default text/plain). */
  contentType?: string;
}

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
}

export class FaultInjector {
  private active: ActiveFault[] = [];

  inject(spec: FaultSpec): void {
    this.active.push({ spec, remaining: spec.times ?? 1 });
  }

  clear(): void {
    this.active = [];
  }

  /** Number of fault applications still pending. */
  pending(): number {
    return this.active.reduce((n, f) => n + f.remaining, 0);
  }

  /** The first fault matching this request, consuming one of its applications. */
  take(method: string, pathname: string): FaultSpec | null {
    for (const f of this.active) {
      if (f.remaining <= 0) continue;
      if (f.spec.method && f.spec.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!matches(f.spec.path, pathname)) continue;
      f.remaining -= 1;
      this.active = this.active.filter((a) => a.remaining > 0);
      return f.spec;
    }
    return null;
  }
}

function matches(pattern: string | RegExp, pathname: string): boolean {
  if (pattern instanceof RegExp) {
    pattern.lastIndex = 0;
    return pattern.test(pathname);
  }
  if (pattern.endsWith('*')) return pathname.startsWith(pattern.slice(0, -1));
  return pathname === pattern;
}

/** Default body of an injected error status, shaped like ZenML's. */
export function defaultFaultBody(status: number): unknown {
  if (status === 429) return { detail: 'Minute request limit exceeded.' };
  if (status >= 500) return { detail: ['RuntimeError', `Injected fault: HTTP ${status}`] };
  if (status >= 400) return { detail: ['ValueError', `Injected fault: HTTP ${status}`] };
  return null;
}
