/**
 * `ZenmlClient`: the one way the suite talks to a ZenML server. It wires the layers together
 * (retry → auth → errors), exposes a typed client (openapi-fetch's types) for everything else,
 * and offers the few lookups every action needs (name → entity, lazy pagination).
 */
import type { Client } from 'openapi-fetch';
import { InputError, IntegrityError, ZenmlApiError } from '../errors.js';
import { createTypedClient, discardBody, LiteRequest, LiteResponse } from '../net/index.js';
import type { z } from '../zod.js';
import type { paths } from '../generated/zenml-api.js';
import { ApiKeyAuth, createAuthedFetch, DEFAULT_PRO_API_URL } from './auth.js';
import {
  toComponent,
  toModel,
  toProject,
  toServerInfo,
  toStack,
  toUserInfo,
  type Component,
  type Model,
  type Project,
  type ServerInfo,
  type Stack,
  type UserInfo,
} from './entities.js';
import { apiErrorFromResponse } from './error-body.js';
import { readJson } from './read-json.js';
import { createRetryingFetch, type FetchLike, type RetryNotice } from './http.js';
import { redactedPath } from './redact.js';
import type { RetryOptions } from './retry.js';
import {
  ComponentResponseSchema,
  ModelResponseSchema,
  PageSchema,
  parseResponse,
  ProjectResponseSchema,
  ServerModelSchema,
  StackResponseSchema,
  UserResponseSchema,
} from './schemas.js';
import { compareZenmlVersions, MIN_SUPPORTED_ZENML_VERSION, parseZenmlVersion } from './version.js';

export interface ZenmlClientOptions {
  serverUrl: string;
  apiKey: string;
  /** Default: the suite's own client over node:http (net/), which does not load undici. */
  fetch?: FetchLike;
  retry?: Partial<RetryOptions>;
  onSecret?: (secret: string) => void;
  /** Told before each wait between retry attempts. */
  onRetry?: (retry: RetryNotice) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** ZenML Pro control plane, for the two-step key exchange. Default: env ZENML_PRO_API_URL, the server's pro_api_url, https://cloudapi.zenml.io. */
  proApiUrl?: string;
  /** Where ZENML_PRO_API_URL is read from; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The typed client (openapi-fetch's interface). Its calls throw ZenmlApiError / TransientError instead of returning `error`. */
export type ZenmlApi = Client<paths>;

export type QueryValue = string | number | boolean | string[] | undefined;
export type Query = Record<string, QueryValue>;

/** Page size for `paginate`: large enough to need few round trips, small enough to stay fast. */
export const DEFAULT_PAGE_SIZE = 100;

/** Routes that take no Bearer token: server info, login, and token-in-query downloads. */
const PUBLIC_PATH = /^\/api\/v1\/(info|version|login)$|^\/health$|\/(data|code)$/;

/**
 * Lists that are project-scoped since 0.80 (API.md §2.3): without `project` the server guesses a
 * default project, which silently reads the wrong data. Requests to these must name one.
 */
const PROJECT_SCOPED_LIST =
  /^\/api\/v1\/(models|model_versions|artifacts|artifact_versions|pipelines|runs|pipeline_snapshots|pipeline_builds|run_templates|schedules|models\/[^/]+\/model_versions)$/;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(s: string): boolean {
  return UUID.test(s);
}

export class ZenmlClient {
  readonly serverUrl: string;
  readonly api: ZenmlApi;
  /** Retrying fetch with auth and error mapping, for calls the typed client cannot express. */
  readonly fetch: FetchLike;

  private readonly http: FetchLike;
  private readonly auth: ApiKeyAuth;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly proApiUrlOption: string | undefined;
  private info: Promise<ServerInfo> | undefined;

  constructor(opts: ZenmlClientOptions) {
    this.serverUrl = normaliseServerUrl(opts.serverUrl);
    const apiKey = (opts.apiKey ?? '').trim();
    if (!apiKey) throw new InputError('api-key', 'is empty: set it to the API key of a ZenML service account.');
    this.env = opts.env ?? process.env;
    this.proApiUrlOption = opts.proApiUrl;

    this.http = createRetryingFetch({
      fetch: opts.fetch,
      retry: opts.retry,
      now: opts.now,
      sleep: opts.sleep,
      random: opts.random,
      secrets: () => this.auth.secrets(),
      onRetry: opts.onRetry,
    });
    this.auth = new ApiKeyAuth({
      serverUrl: this.serverUrl,
      apiKey,
      fetch: this.http,
      now: opts.now ?? Date.now,
      onSecret: opts.onSecret ?? (() => undefined),
      proApiUrl: () => this.resolveProApiUrl(),
    });
    const authed = createAuthedFetch(this.auth, this.http);

    // A server behind a path prefix (https://host/zenml) still has /api/v1/... below it.
    const prefix = new URL(this.serverUrl).pathname.replace(/\/$/, '');
    this.fetch = async (input, init) => {
      const request = new LiteRequest(input, init);
      const url = new URL(request.url);
      const route = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
      checkRequest(request.method, url, route);
      const send = PUBLIC_PATH.test(route) ? this.http : authed;
      const res = await send(request.url, await request.toInit());
      if (!res.ok) throw await apiErrorFromResponse(res, request.method, url, this.auth.secrets());
      // A 200 HTML page is a dashboard, SSO or captive proxy answering in the server's place;
      // left alone it would surface later as a JSON syntax error quoting the page.
      if (/text\/html/i.test(res.headers.get('content-type') ?? '')) {
        await discardBody(res);
        throw new IntegrityError(
          `Unexpected response from the ZenML server for ${request.method} ${redactedPath(url)}: an HTML page, not JSON. ` +
            'Check that server-url points at the ZenML server itself (not its dashboard or a login proxy).',
        );
      }
      return res;
    };
    // Typed routes all answer JSON; checking it here turns a proxy's "OK" or a binary body into one
    // clear line instead of a syntax error from deep inside the typed client. Not openapi-fetch's
    // createClient: its request runtime touches the undici-backed globals (net/typed-client.ts).
    this.api = createTypedClient<paths>({
      baseUrl: this.serverUrl,
      fetch: async (input, init) => {
        const request = new LiteRequest(input, init);
        return jsonAnswer(request, await this.fetch(request.url, await request.toInit()));
      },
    });
  }

  /** `GET /api/v1/info` (no auth). Cached for the client's life; a failure is not cached. */
  serverInfo(): Promise<ServerInfo> {
    this.info ??= (async () => {
      let data: unknown;
      try {
        data = (await this.api.GET('/api/v1/info')).data;
      } catch (err) {
        // Every ZenML version serves /info: a 404 here means server-url points elsewhere.
        if (err instanceof ZenmlApiError && err.status === 404) {
          throw new InputError('server-url', `${this.serverUrl} does not look like a ZenML server (GET /api/v1/info answered 404).`);
        }
        throw err;
      }
      return toServerInfo(parseResponse(ServerModelSchema, data, 'GET /api/v1/info'));
    })().catch((err: unknown) => {
      this.info = undefined;
      throw err;
    });
    return this.info;
  }

  /** Refuses servers older than the suite supports, before any key is sent to them. */
  async assertSupportedServer(): Promise<ServerInfo> {
    const info = await this.serverInfo();
    const version = parseZenmlVersion(info.version);
    // An unparseable version (a custom build) gets the benefit of the doubt.
    if (version && compareZenmlVersions(version, MIN_SUPPORTED_ZENML_VERSION) < 0) {
      throw new InputError(
        'server-url',
        `the ZenML server at ${this.serverUrl} runs ${info.version}; the minimum supported version is ` +
          `${MIN_SUPPORTED_ZENML_VERSION} (upgrade the server, or point server-url at one that runs ${MIN_SUPPORTED_ZENML_VERSION} or newer).`,
      );
    }
    return info;
  }

  /** Ensures a valid token (cached per server and key for the whole process). */
  async login(): Promise<void> {
    await this.auth.token();
  }

  /**
   * Sends the login now; the first call that needs a token takes its result over (see
   * ApiKeyAuth.startLogin). Resolves when it has settled, and never rejects: its failure is
   * the first call's to report. Prefer `whileLoggingIn`, which also gives the login the wire first.
   */
  startLogin(): Promise<void> {
    return this.auth.startLogin();
  }

  /** Gives up a login startLogin sent that no call has taken over (runAction does, when a run ends). */
  abandonLogin(): void {
    this.auth.abandonLogin();
  }

  async currentUser(): Promise<UserInfo> {
    const { data } = await this.api.GET('/api/v1/current-user');
    return toUserInfo(parseResponse(UserResponseSchema, data, 'GET /api/v1/current-user'));
  }

  /** By name or UUID (the projects route accepts both). */
  async findProject(nameOrId: string): Promise<Project | undefined> {
    if (!nameOrId.trim()) return undefined;
    const data = await undefinedOn404(
      this.api.GET('/api/v1/projects/{project_name_or_id}', { params: { path: { project_name_or_id: nameOrId } } }),
    );
    return data === undefined ? undefined : toProject(parseResponse(ProjectResponseSchema, data, 'GET /api/v1/projects/{name}'));
  }

  async *listProjects(): AsyncIterable<Project> {
    for await (const p of this.paginate('/api/v1/projects', {}, ProjectResponseSchema)) yield toProject(p);
  }

  /** Stacks are server-wide. Gets take a UUID only, so a name means a filtered list. */
  async findStack(nameOrId: string): Promise<Stack | undefined> {
    if (!nameOrId.trim()) return undefined;
    if (isUuid(nameOrId)) {
      const data = await undefinedOn404(this.api.GET('/api/v1/stacks/{stack_id}', { params: { path: { stack_id: nameOrId } } }));
      if (data !== undefined) return toStack(parseResponse(StackResponseSchema, data, 'GET /api/v1/stacks/{id}'));
    }
    const found = await this.firstNamed('/api/v1/stacks', { hydrate: true }, nameOrId, StackResponseSchema);
    return found && toStack(found);
  }

  async *listStacks(): AsyncIterable<Stack> {
    for await (const s of this.paginate('/api/v1/stacks', {}, StackResponseSchema)) yield toStack(s);
  }

  /** Model names are unique per project, so a name is looked up within `project` (name or UUID). */
  async findModel(project: string, nameOrId: string): Promise<Model | undefined> {
    if (!nameOrId.trim()) return undefined;
    if (isUuid(nameOrId)) {
      const data = await undefinedOn404(this.api.GET('/api/v1/models/{model_id}', { params: { path: { model_id: nameOrId } } }));
      if (data !== undefined) return toModel(parseResponse(ModelResponseSchema, data, 'GET /api/v1/models/{id}'));
    }
    const found = await this.firstNamed('/api/v1/models', { project }, nameOrId, ModelResponseSchema);
    return found && toModel(found);
  }

  /** A stack component of `type` (e.g. `artifact_store`), hydrated so its configuration is there. */
  async findComponent(type: string, nameOrId: string): Promise<Component | undefined> {
    if (!nameOrId.trim()) return undefined;
    if (isUuid(nameOrId)) {
      const data = await undefinedOn404(
        this.api.GET('/api/v1/components/{component_id}', { params: { path: { component_id: nameOrId } } }),
      );
      if (data !== undefined) {
        const c = toComponent(parseResponse(ComponentResponseSchema, data, 'GET /api/v1/components/{id}'));
        return c.type === type ? c : undefined;
      }
    }
    const found = await this.firstNamed('/api/v1/components', { type, hydrate: true }, nameOrId, ComponentResponseSchema);
    return found && toComponent(found);
  }

  /**
   * Every item of a list endpoint, fetching the next page only when iteration gets there. Items
   * are validated with `item`; project-scoped lists must carry `project`.
   */
  async *paginate<T>(path: string, query: Query, item: z.ZodMiniType<T>): AsyncIterable<T> {
    const pageSchema = PageSchema(item);
    const size = query.size ?? DEFAULT_PAGE_SIZE;
    for (let page = Number(query.page ?? 1); ; page++) {
      const url = this.url(path, { ...query, page, size });
      const res = await this.fetch(url, { headers: { accept: 'application/json' } });
      const body = await readJson(res, `GET ${path}`);
      const p = parseResponse(pageSchema, body, `GET ${path} (page ${page})`);
      for (const it of p.items) yield it;
      // total_pages, not index: a server that ignores `page` must not loop us forever.
      if (p.items.length === 0 || page >= p.total_pages) return;
    }
  }

  /** Absolute URL for `path` + `query` (arrays repeat the key, undefined is left out). */
  url(path: string, query: Query = {}): string {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) qs.append(k, String(one));
    }
    const s = qs.toString();
    return `${this.serverUrl}${path}${s ? `?${s}` : ''}`;
  }

  /** Exact-name lookup through a list filter; `equals:` keeps names that look like filter ops literal. */
  private async firstNamed<T extends { name: string }>(
    path: string,
    query: Query,
    name: string,
    item: z.ZodMiniType<T>,
  ): Promise<T | undefined> {
    for await (const e of this.paginate(path, { ...query, name: `equals:${name}`, size: 10 }, item)) {
      if (e.name === name) return e;
    }
    return undefined;
  }

  private async resolveProApiUrl(): Promise<string> {
    const fromEnv = this.env.ZENML_PRO_API_URL?.trim();
    const chosen =
      this.proApiUrlOption ||
      fromEnv ||
      (await this.serverInfo().then(
        (i) => i.proApiUrl,
        () => undefined,
      )) ||
      DEFAULT_PRO_API_URL;
    return normaliseServerUrl(chosen, 'ZENML_PRO_API_URL');
  }
}

/** http(s) only, no credentials, query or fragment; trailing slashes stripped. */
export function normaliseServerUrl(raw: string, input = 'server-url'): string {
  const value = (raw ?? '').trim();
  const example = 'expected an http(s) URL such as https://zenml.example.com';
  if (!value) throw new InputError(input, `is empty: ${example}.`);
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new InputError(input, `${example}, got '${value.slice(0, 100)}'.`);
  }
  if (u.username || u.password) throw new InputError(input, 'must not contain credentials: pass the API key as api-key.');
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InputError(input, `${example}, got a ${u.protocol} URL.`);
  if (u.search || u.hash) throw new InputError(input, `${example} without a query or fragment.`);
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

/** Guards against the two mistakes a ZenML server answers with confusing results (API.md §2.5, §2.3). */
function checkRequest(method: string, url: URL, route: string): void {
  if (url.pathname.length > 1 && url.pathname.endsWith('/')) {
    throw new Error(`BUG: ZenML paths never end with '/' (the server answers 404): ${method} ${url.pathname}`);
  }
  if (method === 'GET' && PROJECT_SCOPED_LIST.test(route) && !url.searchParams.get('project')) {
    throw new Error(`BUG: project-scoped list ${url.pathname} needs the 'project' query parameter`);
  }
}

async function undefinedOn404<T>(call: Promise<{ data?: T }>): Promise<T | undefined> {
  try {
    return (await call).data;
  } catch (err) {
    if (err instanceof ZenmlApiError && err.status === 404) return undefined;
    throw err;
  }
}

/** The answer with its JSON checked (typed routes only; API pages are small, so buffering is fine). */
async function jsonAnswer(request: LiteRequest, res: Response): Promise<Response> {
  if (res.status === 204) return res;
  const text = await res.text();
  if (text.trim() !== '') {
    try {
      JSON.parse(text);
    } catch {
      const type = res.headers.get('content-type') || 'no content type';
      throw new IntegrityError(
        `Unexpected response from the ZenML server for ${request.method} ${redactedPath(new URL(request.url))}: not JSON (${type}). ` +
          'Check that server-url points at the ZenML server itself and that no proxy answers in its place.',
      );
    }
  }
  const init = { status: res.status, statusText: res.statusText, headers: res.headers, url: res.url, redirected: res.redirected };
  return LiteResponse.fromExchange(new TextEncoder().encode(text), init);
}
