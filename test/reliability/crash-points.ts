/**
 * Kill points: the moments a test SIGKILLs a running action. Either the k-th request of interest
 * arriving at a test server (held there until the child is dead, then processed: the server did
 * the work, the client never heard back), or the k-th file appearing under a directory (an
 * exchange or artifact store), seen by polling every few milliseconds — so the child may have got
 * a little further than the k-th file.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TestServer } from '@mlops-actions/zenml-test-server';
import { PARTIAL_FILE } from './state.js';
import { startBundle, type ChildRun } from './crash-child.js';

export type RequestFilter = (r: { method: string; path: string }) => boolean;

/** Requests that change something on the server (the login exchange does not). */
export const mutating: RequestFilter = (r) => r.method !== 'GET' && !r.path.endsWith('/login');

export type KillAt = { server: TestServer; filter: RequestFilter; nth: number } | { dir: string; nth: number };

export interface KilledRun {
  /** True when the kill landed (the child had not finished by itself). */
  killed: boolean;
  run: ChildRun;
}

/**
 * Calls `onFile(n)` each time a new final (non-temp) file appears under `dir`, n counting from 1.
 * Each path counts once. Polls every few milliseconds: Node 20's recursive fs.watch on Linux
 * misses files created right after their directory, which is exactly how the actions write.
 */
export function watchNewFiles(dir: string, onFile: (n: number, rel: string) => void): { close(): void } {
  const seen = new Set<string>();
  const scan = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return; // removed while we looked
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) scan(p);
      else if (e.isFile() && !PARTIAL_FILE.test(e.name) && !seen.has(p)) {
        seen.add(p);
        onFile(seen.size, relative(dir, p));
      }
    }
  };
  const timer = setInterval(() => scan(dir), 3);
  return {
    close() {
      clearInterval(timer);
      scan(dir);
    },
  };
}

/** Runs the bundle and SIGKILLs it at `at`; a run that ends first is returned unkilled. */
export async function runAndKill(name: string, inputs: Record<string, string>, at: KillAt, env: Record<string, string> = {}): Promise<KilledRun> {
  let watcher: { close(): void } | undefined;
  let removeHook: (() => void) | undefined;
  let killed = false;
  const started = startBundle(name, inputs, env);
  const kill = async (): Promise<void> => {
    if (killed) return;
    killed = started.child.exitCode === null && started.child.signalCode === null;
    await started.kill();
  };
  if ('server' in at) {
    let seen = 0;
    removeHook = at.server.onRequest(async (r) => {
      if (at.filter(r) && ++seen === at.nth) await kill();
    });
  } else {
    watcher = watchNewFiles(at.dir, (n) => {
      if (n === at.nth) void kill();
    });
  }
  try {
    const run = await started.done;
    // The held request is processed once the hook returns: let the server finish it, so that
    // what a test reads next includes its effect.
    if (killed && 'server' in at) await new Promise((r) => setTimeout(r, 50));
    return { killed: killed && run.signal === 'SIGKILL', run };
  } finally {
    watcher?.close();
    removeHook?.();
  }
}
