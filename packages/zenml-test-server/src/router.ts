/**
 * Route table: `{method, template}` pairs compiled to regexes. Templates use
 * the `{param}` syntax of the OpenAPI paths so the request log and the
 * contract test can name the route a response came from.
 */
import type { IncomingMessage } from 'node:http';
import type { Authenticator, AuthResult } from './auth.js';
import type { ServerConfig } from './config.js';
import type { RunsState } from './runs-control.js';
import type { Query } from './query.js';
import type { Store } from './store/store.js';

export interface AppState {
  store: Store;
  config: ServerConfig;
  auth: Authenticator;
  runs: RunsState;
}

export interface RouteContext {
  app: AppState;
  req: IncomingMessage;
  params: Record<string, string>;
  query: Query;
  /** The request body as JSON; 422 when absent or not JSON. */
  json(): unknown;
  /** The request body as a form (empty when it is not form-encoded). */
  form(): URLSearchParams;
  /** Set for routes that require authentication. */
  auth: AuthResult | null;
  /** Convenience: the authenticated user's id (null on public routes). */
  userId: string | null;
}

export type Reply =
  | { kind: 'json'; status: number; value: unknown; headers?: Record<string, string> }
  | { kind: 'raw'; status: number; body: Buffer; contentType: string; headers?: Record<string, string> }
  | { kind: 'empty'; status: number; headers?: Record<string, string> };

export const json = (value: unknown, status = 200): Reply => ({ kind: 'json', status, value });

export type Handler = (ctx: RouteContext) => Reply | Promise<Reply>;

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  template: string;
  /** Requires a Bearer token (every /api/v1 route except login/info/version). */
  auth: boolean;
  /** Registered only in pro mode (the workload-manager routes, API.md §6.2). */
  proOnly?: boolean;
  handler: Handler;
}

interface Compiled {
  route: Route;
  regex: RegExp;
  names: string[];
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

export class Router {
  private readonly compiled: Compiled[] = [];

  add(routes: Route[]): void {
    for (const route of routes) {
      const names: string[] = [];
      const pattern = route.template
        .split('/')
        .map((seg) => {
          const m = /^\{(\w+)\}$/.exec(seg);
          if (!m) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(m[1] ?? '');
          return '([^/]+)';
        })
        .join('/');
      this.compiled.push({ route, regex: new RegExp(`^${pattern}$`), names });
    }
  }

  match(method: string, pathname: string, pro: boolean): RouteMatch | null {
    for (const c of this.compiled) {
      if (c.route.method !== method.toUpperCase()) continue;
      if (c.route.proOnly && !pro) continue;
      const m = c.regex.exec(pathname);
      if (!m) continue;
      const params: Record<string, string> = {};
      c.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] ?? '');
      });
      return { route: c.route, params };
    }
    return null;
  }

  /** Every registered route (for docs and the contract test). */
  list(): Route[] {
    return this.compiled.map((c) => c.route);
  }
}
