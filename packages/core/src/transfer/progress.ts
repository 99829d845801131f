/**
 * Progress for long transfers, as actions/cache prints it: done/total, percent and rate, at most
 * every few seconds, so a log shows movement without drowning in lines.
 */
export interface Progress {
  /** Bytes moved since the last call (may be called very often; cheap). */
  add(bytes: number): void;
  /** Prints the final line (always, however short the transfer). */
  done(): void;
}

export interface ProgressOptions {
  label: string;
  /** Total bytes, when known. */
  total?: number;
  log: (line: string) => void;
  intervalMs?: number;
  now?: () => number;
}

export const DEFAULT_PROGRESS_INTERVAL_MS = 5_000;

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/**
 * A transfer's duration, precise enough to divide by: a 64 MiB copy takes well under a second,
 * and "0.1 s" would hide whether it ran at 500 or 900 MiB/s.
 */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

export function createProgress(opts: ProgressOptions): Progress {
  const now = opts.now ?? Date.now;
  const interval = opts.intervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
  const started = now();
  let last = started;
  let moved = 0;

  const line = (): string => {
    const elapsed = Math.max(1, now() - started) / 1000;
    const rate = `${formatBytes(moved / elapsed)}/s`;
    if (opts.total && opts.total > 0) {
      const pct = Math.min(100, (moved / opts.total) * 100).toFixed(1);
      return `${opts.label}: ${formatBytes(moved)} / ${formatBytes(opts.total)} (${pct}%) at ${rate}`;
    }
    return `${opts.label}: ${formatBytes(moved)} at ${rate}`;
  };

  return {
    add(bytes) {
      moved += bytes;
      const t = now();
      if (t - last >= interval) {
        last = t;
        opts.log(line());
      }
    },
    done() {
      opts.log(`${line()} — done in ${formatElapsed(now() - started)}`);
    },
  };
}
