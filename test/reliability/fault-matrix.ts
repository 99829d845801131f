/**
 * The fault matrix: action × fault kind × where. Each scenario injects its fault into a fresh
 * world (faults-world.ts) before the run and removes it before the re-run, if one is needed.
 * Paths are the requests each action makes, in the order a clean run makes them.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FaultSpec } from '@mlops-actions/zenml-test-server';
import { defaultArtifactStore } from '../harness/trained-model.js';
import type { ActionName, Shared, World } from './faults-world.js';

export type FaultKind = '429 Retry-After' | '5xx burst' | '500' | 'reset' | 'reset mid-body' | 'slow' | 'token expiry' | 'storage write';

export interface Scenario {
  action: ActionName;
  kind: FaultKind;
  where: string;
  gs?: boolean;
  /** Env of the faulted run only (the re-run is a plain one). */
  env?: Record<string, string>;
  /**
   * Wait this long before the re-run: a request the client gave up on is still being carried out
   * by the server, and a real re-run starts long after it has finished.
   */
  settleMs?: number;
  /** Puts the fault in place; returns how to take it away again (server faults are cleared anyway). */
  inject(w: World, shared: Shared): (() => void) | void;
}

/** Per-attempt timeout for the slow scenarios, in seconds, and a delay well past it. */
const SLOW = { env: { MLOPS_ACTIONS_REQUEST_TIMEOUT: '1' }, delayMs: 2500 };

const fault =
  (spec: FaultSpec) =>
  (w: World): void =>
    w.zen.faults.inject(spec);

/** Expires every token when the `nth` request arrives, so the action is mid-run when its token dies. */
const expireTokensAt =
  (nth: number) =>
  (w: World): (() => void) => {
    let seen = 0;
    return w.zen.onRequest(() => {
      if (++seen === nth) w.zen.expireTokens();
    });
  };

/** A regular file where the action needs a directory: every write below it fails (works as root, unlike chmod). */
function blockDirectory(path: string): () => void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, 'not a directory\n');
  return () => rmSync(path, { force: true });
}

const RA = { 'Retry-After': '1' };

export const SCENARIOS: Scenario[] = [
  // ---- zenml-login
  { action: 'zenml-login', kind: '429 Retry-After', where: 'POST /login', inject: fault({ method: 'POST', path: '/api/v1/login', status: 429, headers: RA }) },
  { action: 'zenml-login', kind: '5xx burst', where: 'GET /info ×2 503', inject: fault({ path: '/api/v1/info', status: 503, times: 2 }) },

  // ---- export-model (faults on the source server and the exchange)
  { action: 'export-model', kind: '429 Retry-After', where: 'GET /model_versions', inject: fault({ path: '/api/v1/model_versions', status: 429, headers: RA }) },
  { action: 'export-model', kind: '5xx burst', where: 'GET /artifact_versions ×2 502', inject: fault({ path: '/api/v1/artifact_versions', status: 502, times: 2 }) },
  { action: 'export-model', kind: '500', where: 'GET /runs/{id}', inject: fault({ path: '/api/v1/runs/*', status: 500 }) },
  { action: 'export-model', kind: 'reset mid-body', where: 'GET /models', inject: fault({ path: '/api/v1/models', resetMidBody: true }) },
  { action: 'export-model', kind: 'slow', where: 'GET /model_versions/{id}', env: SLOW.env, settleMs: SLOW.delayMs, inject: fault({ path: '/api/v1/model_versions/*', delayMs: SLOW.delayMs }) },
  { action: 'export-model', kind: 'token expiry', where: 'at the 5th request', inject: expireTokensAt(5) },
  {
    action: 'export-model',
    kind: 'storage write',
    where: 'file://: third file of the staging copy',
    inject: (w) => blockDirectory(join(w.exchangeDir ?? '', w.trained?.model ?? '', '.staging', w.trained?.modelVersionId ?? '', 'artifacts', 'sklearn_classifier', 'extra')),
  },
  { action: 'export-model', kind: 'storage write', where: 'gs://: 3rd upload cut mid-body', gs: true, inject: (w) => w.proxy?.setFault({ nth: 3, kind: 'reset' }) },
  { action: 'export-model', kind: 'storage write', where: 'gs://: every upload from the 2nd fails (500)', gs: true, inject: (w) => w.proxy?.setFault({ nth: 2, times: 1000, kind: 'status', status: 500 }) },

  // ---- import-model (faults on the destination server and its artifact store)
  { action: 'import-model', kind: '429 Retry-After', where: 'POST /model_versions', inject: fault({ method: 'POST', path: '/api/v1/model_versions', status: 429, headers: RA }) },
  { action: 'import-model', kind: '5xx burst', where: 'POST /artifact_versions ×2 503', inject: fault({ method: 'POST', path: '/api/v1/artifact_versions', status: 503, times: 2 }) },
  { action: 'import-model', kind: '5xx burst', where: 'POST /model_versions 502 (not re-sent)', inject: fault({ method: 'POST', path: '/api/v1/model_versions', status: 502 }) },
  { action: 'import-model', kind: '500', where: 'POST /run-metadata', inject: fault({ method: 'POST', path: '/api/v1/run-metadata', status: 500 }) },
  { action: 'import-model', kind: 'reset', where: 'POST /artifact_versions', inject: fault({ method: 'POST', path: '/api/v1/artifact_versions', reset: true }) },
  { action: 'import-model', kind: 'reset mid-body', where: 'POST /model_versions (created, answer lost)', inject: fault({ method: 'POST', path: '/api/v1/model_versions', resetMidBody: true }) },
  { action: 'import-model', kind: 'slow', where: 'POST /model_versions (created after the client gave up)', env: SLOW.env, settleMs: SLOW.delayMs, inject: fault({ method: 'POST', path: '/api/v1/model_versions', delayMs: SLOW.delayMs }) },
  { action: 'import-model', kind: 'token expiry', where: 'at the 12th request', inject: expireTokensAt(12) },
  {
    action: 'import-model',
    kind: 'storage write',
    where: 'file://: a file of the copy into the artifact store',
    inject: (w, shared) => {
      const hex = /\/([0-9a-f]{64})\/manifest\.json$/.exec(shared.manifestUri)?.[1] ?? '';
      return blockDirectory(join(defaultArtifactStore(w.zen).path, 'imported', 'readmission-clf', hex, 'sklearn_classifier', 'extra'));
    },
  },

  // ---- promote (in-server, compare-and-swap on v1)
  { action: 'promote', kind: '5xx burst', where: 'PUT ×2 503', inject: fault({ method: 'PUT', path: '/api/v1/model_versions/*', status: 503, times: 2 }) },
  { action: 'promote', kind: '500', where: 'PUT of the candidate (the holder is put back)', inject: (w) => w.zen.faults.inject({ method: 'PUT', path: `/api/v1/model_versions/${w.ids.v2}`, status: 500 }) },
  { action: 'promote', kind: 'reset mid-body', where: 'PUT archiving the holder', inject: (w) => w.zen.faults.inject({ method: 'PUT', path: `/api/v1/model_versions/${w.ids.v1}`, resetMidBody: true }) },
  { action: 'promote', kind: 'token expiry', where: 'at the 4th request', inject: expireTokensAt(4) },
];
