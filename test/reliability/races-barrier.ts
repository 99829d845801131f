/**
 * Makes concurrent runs truly overlap at a chosen request: the first `count` requests that match
 * are held on the test server until all `count` have arrived (or `timeoutMs` passed, so a run
 * that took another path cannot hang the test), then released together. Later matches pass.
 */
import type { TestServer } from '@mlops-actions/zenml-test-server';

export interface Barrier {
  /** How many requests were held and released together (count when the overlap happened). */
  readonly met: () => number;
  remove(): void;
}

export function barrier(server: TestServer, match: (r: { method: string; path: string }) => boolean, count: number, timeoutMs = 5000): Barrier {
  let arrived = 0;
  let release: () => void = () => undefined;
  const all = new Promise<void>((r) => (release = r));
  let timer: NodeJS.Timeout | undefined;
  const remove = server.onRequest(async (r) => {
    if (arrived >= count || !match(r)) return;
    arrived++;
    if (arrived === count) release();
    else timer ??= setTimeout(release, timeoutMs);
    await all;
  });
  return {
    met: () => arrived,
    remove() {
      if (timer) clearTimeout(timer);
      release();
      remove();
    },
  };
}
