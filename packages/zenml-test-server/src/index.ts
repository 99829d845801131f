/**
 * @mlops-actions/zenml-test-server — a ZenML-compatible in-memory HTTP server
 * for tests and the local demo. It follows ../../../shared/zenml/API.md (ZenML 0.90+ shapes)
 * including its awkward parts; see README.md for what it does not emulate.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Authenticator, decodeApiKey, PRO_API_KEY_PREFIX } from './auth.js';
import type { ServerConfig, ServerMode } from './config.js';
import type { FaultSpec } from './faults.js';
import { FaultInjector } from './faults.js';
import type { Exchange, RequestLogEntry } from './request-log.js';
import { Router } from './router.js';
import type { AppState } from './router.js';
import { allRoutes } from './routes/index.js';
import type { RunsControl, RunsState } from './runs-control.js';
import { createRunsControl } from './runs-control.js';
import type { Seeder } from './seed.js';
import { createSeeder } from './seed.js';
import { createHttpServer, listen, type RequestHook } from './server.js';
import { Store } from './store/store.js';

export type { FaultSpec } from './faults.js';
export type { RequestHook } from './server.js';
export type { AuthKind, Exchange, RequestLogEntry } from './request-log.js';
export type { RunsControl, RunSnapshotInfo, TriggerRecord } from './runs-control.js';
export type { SeededStack, Seeder } from './seed.js';
export type { ServerMode } from './config.js';
export type { ModelStage } from './domain/models.js';
export { EXECUTION_STATUSES, FINISHED_STATUSES } from './domain/status.js';
export { readTar } from './tar.js';
export { Store } from './store/store.js';

export interface TestServerOptions {
  /** 'pro': snapshot runs route, deployment_type cloud, auth scheme EXTERNAL, 1 h tokens. Default 'oss'. */
  mode?: ServerMode;
  /** Reported by /api/v1/info and /api/v1/version (default '0.97.0'). */
  version?: string;
  /** Overrides `expires_in` (seconds; null = tokens never expire). */
  tokenTtlSeconds?: number | null;
  /** Default 0: a free port. The host is always 127.0.0.1. */
  port?: number;
  /** Server name, e.g. 'dev-staging'. */
  name?: string;
  /** Keep every full response in `exchanges` (for contract checks). Default false. */
  recordResponses?: boolean;
  /** Status schedule for triggered runs (see RunsControl.autoProgress). */
  autoProgress?: string[];
  /**
   * Pro only: 'direct' (default) lets /api/v1/login accept ZENPROKEY_ keys;
   * 'control-plane-only' refuses them like older workspaces, so only the
   * two-step exchange through `POST /auth/login` works (API.md §1.4).
   */
  proKeyLogin?: 'direct' | 'control-plane-only';
  /** Pro only: reported as `pro_api_url`. Default: this server's URL (it emulates the control plane). */
  proApiUrl?: string;
}

export interface TestServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** A valid ZENKEY_… key of the seeded service account `ci-bot`. */
  apiKey: string;
  mode: ServerMode;
  /** Creates a new API key (and the service account when missing; default `ci-bot`). */
  createApiKey(serviceAccountName?: string): string;
  /** The same with the `ZENPROKEY_` prefix of Pro organisation keys. */
  createProApiKey(serviceAccountName?: string): string;
  /** Deactivates a key: its tokens get 401 on every request, logins with it fail. */
  deactivateApiKey(key: string): void;
  /** Every token issued so far gets 401 CredentialsNotValid from now on. */
  expireTokens(): void;
  setVersion(v: string): void;
  seed: Seeder;
  faults: { inject(f: FaultSpec): void; clear(): void; pending(): number };
  /** Live log of requests (no header values). Reset with `requests.length = 0`. */
  requests: RequestLogEntry[];
  /** Full responses; only filled with `recordResponses: true`. */
  exchanges: Exchange[];
  /**
   * Calls `hook` for every request once its body has been read, before faults, auth and the
   * route; a returned promise holds the request until it settles (then it is processed as
   * usual, even if the client has gone). Lets a test kill a client at an exact request, or make
   * two clients overlap. Returns a function that removes the hook.
   */
  onRequest(hook: RequestHook): () => void;
  runs: RunsControl;
  /** The in-memory store, for assertions the public API doesn't cover. */
  store: Store;
  close(): Promise<void>;
}

/** Every route the server implements (method, template, pro-only flag): docs and contract checks. */
export function routeTable(): Array<{ method: string; template: string; auth: boolean; proOnly: boolean }> {
  return allRoutes.map((r) => ({ method: r.method, template: r.template, auth: r.auth, proOnly: r.proOnly ?? false }));
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const mode: ServerMode = opts.mode ?? 'oss';
  const config: ServerConfig = {
    mode,
    version: opts.version ?? '0.97.0',
    name: opts.name ?? (mode === 'pro' ? 'test-workspace' : 'zenml-test-server'),
    serverId: randomUUID(),
    // OSS default: no expiry (jwt_token_expire_minutes is None); Pro workspaces: 1 h (API.md §1.1).
    tokenTtlSeconds: opts.tokenTtlSeconds !== undefined ? opts.tokenTtlSeconds : mode === 'pro' ? 3600 : null,
    url: '',
    proKeyLogin: opts.proKeyLogin ?? 'direct',
    proApiUrl: opts.proApiUrl ?? null,
  };
  const store = new Store();
  const runsState: RunsState = {
    defaultSchedule: opts.autoProgress ? { statuses: [...opts.autoProgress], statusReason: null } : null,
    triggers: [],
  };
  const app: AppState = {
    store,
    config,
    auth: new Authenticator(store, () => config.serverId),
    runs: runsState,
  };
  const ownedDirs: string[] = [];
  const seeder = createSeeder(store, ownedDirs);
  const { apiKey } = seeder.defaultData();

  const router = new Router();
  router.add(allRoutes);
  const faults = new FaultInjector();
  const requests: RequestLogEntry[] = [];
  const exchanges: Exchange[] = [];
  const hooks: RequestHook[] = [];
  const http = createHttpServer({ app, router, faults, requests, exchanges: opts.recordResponses ? exchanges : null, hooks });
  const port = await listen(http, opts.port ?? 0);
  config.url = `http://127.0.0.1:${port}`;

  const { apiKey: _a, defaultData: _d, ...publicSeeder } = seeder;
  void _a;
  void _d;

  let closed = false;
  return {
    url: config.url,
    apiKey,
    mode,
    createApiKey: (serviceAccountName = 'ci-bot') => seeder.apiKey(serviceAccountName),
    createProApiKey: (serviceAccountName = 'ci-bot') => seeder.apiKey(serviceAccountName, PRO_API_KEY_PREFIX),
    deactivateApiKey(key: string) {
      const decoded = decodeApiKey(key);
      const rec = decoded ? store.apiKeys.get(decoded.id) : undefined;
      if (!rec) throw new Error('zenml-test-server: unknown API key');
      rec.active = false;
      store.touch(rec);
    },
    expireTokens: () => app.auth.expireAll(),
    setVersion(v: string) {
      config.version = v;
    },
    seed: publicSeeder,
    faults: { inject: (f) => faults.inject(f), clear: () => faults.clear(), pending: () => faults.pending() },
    requests,
    exchanges,
    onRequest(hook: RequestHook) {
      hooks.push(hook);
      return () => {
        const i = hooks.indexOf(hook);
        if (i >= 0) hooks.splice(i, 1);
      };
    },
    runs: createRunsControl(store, runsState),
    store,
    async close() {
      if (closed) return;
      closed = true;
      faults.clear();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      for (const dir of ownedDirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}
