/** Shared by the promote tests (not part of the library). */
import { startTestServer, type TestServer } from '@mlops-actions/zenml-test-server';
import type { RunContext } from '../action/github-context.js';
import { ZenmlClient } from '../zenml/index.js';

export const MODEL = 'readmission-clf';

export const RUN: RunContext = {
  actor: 'release-bot',
  repository: 'acme/ml',
  commit: '2222222222222222222222222222222222222222',
  workflowRunUrl: 'https://github.com/acme/ml/actions/runs/7',
  at: '2025-03-01T10:00:00.000Z',
};

/** RUN at a later time (events are ordered by `at`). */
export function runAt(minute: number): RunContext {
  return { ...RUN, at: `2025-03-01T10:${String(minute).padStart(2, '0')}:00.000Z` };
}

export interface PromoteEnv {
  server: TestServer;
  client: ZenmlClient;
  /** A second client (own token cache entry is shared; own connection pool), for races. */
  other: ZenmlClient;
}

const open: TestServer[] = [];

export async function promoteEnv(opts: { name?: string } = {}): Promise<PromoteEnv> {
  const server = await startTestServer({ name: opts.name ?? 'production' });
  open.push(server);
  const make = (): ZenmlClient =>
    new ZenmlClient({ serverUrl: server.url, apiKey: server.apiKey, retry: { deadlineMs: 1000, baseMs: 5, capMs: 20, maxAttempts: 2 } });
  return { server, client: make(), other: make() };
}

export async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map((s) => s.close()));
}

/** Versions 1..n of MODEL with the given stages (null: none). Returns their ids in order. */
export function seedVersions(server: TestServer, stages: Array<'staging' | 'production' | 'archived' | null>, runMetadata: Array<Record<string, unknown> | undefined> = []): string[] {
  server.seed.model({ name: MODEL });
  return stages.map((stage, i) =>
    server.seed.modelVersion({ model: MODEL, ...(stage ? { stage, force: stage === 'archived' } : {}), ...(runMetadata[i] ? { runMetadata: runMetadata[i] } : {}) }),
  );
}

/** Stage of each version, by number: { 1: 'archived', 2: 'production' }. */
export function stages(server: TestServer): Record<number, string | null> {
  const out: Record<number, string | null> = {};
  for (const v of server.store.modelVersions.values()) out[v.number] = v.stage;
  return out;
}

/** Every request that could change the server (logins are reads for this purpose). */
export function writes(server: TestServer): string[] {
  return server.requests.filter((r) => r.method !== 'GET' && r.path !== '/api/v1/login').map((r) => `${r.method} ${r.path}`);
}

export function logger(): { lines: string[]; log: (l: string) => void } {
  const lines: string[] = [];
  return { lines, log: (l) => lines.push(l) };
}

/** The rejection of `p` (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}
