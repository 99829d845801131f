/**
 * Waits for the disk to go quiet before timing start-up: on this kind of VM, the minute after
 * gigabytes were written (an earlier bench, a build) makes every process start slower, by more
 * than the differences the cold-start table measures. Flushes, then waits until Linux reports no
 * I/O stall over the last 10 s (/proc/pressure/io) and nothing dirty, for at most `maxMs`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

function ioStalled(): number | undefined {
  if (!existsSync('/proc/pressure/io')) return undefined;
  const m = /^some avg10=([\d.]+)/m.exec(readFileSync('/proc/pressure/io', 'utf8'));
  return m ? Number(m[1]) : undefined;
}

function dirtyKiB(): number {
  const m = /^Dirty:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** Returns how long it waited (ms) and whether the disk went quiet within `maxMs`. */
export async function settleDisk(maxMs = 90_000): Promise<{ waitedMs: number; quiet: boolean }> {
  const started = Date.now();
  execFileSync('sync');
  for (;;) {
    const stalled = ioStalled();
    if ((stalled === undefined || stalled < 0.5) && dirtyKiB() < 1024) return { waitedMs: Date.now() - started, quiet: true };
    if (Date.now() - started > maxMs) return { waitedMs: Date.now() - started, quiet: false };
    await sleep(1000);
  }
}
