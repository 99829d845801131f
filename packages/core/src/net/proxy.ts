/**
 * Which proxy, if any, a request goes through: the variables curl and @actions/http-client read.
 *
 * - an https:// target uses `https_proxy` (else `HTTPS_PROXY`), an http:// target `http_proxy`
 *   (else `HTTP_PROXY`); the lowercase name wins, as in curl;
 * - `no_proxy` (else `NO_PROXY`): entries separated by commas or spaces; `*` bypasses every host;
 *   `example.com` and `.example.com` both match that host and its subdomains; `host:port` matches
 *   that port only; an IP literal matches that address exactly (no CIDR ranges);
 * - nothing is bypassed implicitly, not even localhost.
 *
 * The environment is read on every request (cheap: the parsed form is reused while the variables
 * are unchanged). A proxy URL may carry `user:password@`: that becomes a `Proxy-Authorization:
 * Basic` header and is never put into a message; messages name the proxy by `host:port` only.
 */
import { isIP } from 'node:net';
import { codedError, fetchFailed } from './errors.js';

export interface ProxyRoute {
  /** Host name for node:net (IPv6 without brackets). */
  host: string;
  port: number;
  /** `host:port` as shown in messages: never the credentials. */
  display: string;
  /** `Basic …` when the proxy URL has userinfo. */
  authorization: string | undefined;
  /** Distinguishes pools: proxy and credentials. Internal, never shown. */
  key: string;
}

/** The code of a proxy that cannot be used (bad URL, unsupported scheme) or refused the tunnel. */
export const PROXY_ERROR_CODE = 'ERR_PROXY';

interface NoProxyEntry {
  host: string;
  port: number | undefined;
  ip: boolean;
}

interface Config {
  https: ProxyRoute | Error | undefined;
  http: ProxyRoute | Error | undefined;
  bypassAll: boolean;
  noProxy: NoProxyEntry[];
}

let cachedKey: string | undefined;
let cached: Config | undefined;

function env(lower: string, upper: string): string {
  return (process.env[lower] || process.env[upper] || '').trim();
}

function config(): Config {
  const https = env('https_proxy', 'HTTPS_PROXY');
  const http = env('http_proxy', 'HTTP_PROXY');
  const noProxy = env('no_proxy', 'NO_PROXY');
  const key = `${https}\n${http}\n${noProxy}`;
  if (cached && key === cachedKey) return cached;
  const entries = parseNoProxy(noProxy);
  cached = {
    https: https ? parseProxy(https, 'https_proxy') : undefined,
    http: http ? parseProxy(http, 'http_proxy') : undefined,
    bypassAll: entries === 'all',
    noProxy: entries === 'all' ? [] : entries,
  };
  cachedKey = key;
  return cached;
}

/** Parses a proxy URL; an unusable one becomes an Error whose message never repeats the value. */
function parseProxy(raw: string, name: string): ProxyRoute | Error {
  let url: URL;
  try {
    // curl takes "proxy:3128" as http://proxy:3128.
    url = new URL(raw.includes('://') ? raw : `http://${raw}`);
  } catch {
    return codedError(`the ${name} proxy setting is not a valid URL`, PROXY_ERROR_CODE);
  }
  const display = url.host;
  if (url.protocol === 'https:') {
    return codedError(
      `the ${name} proxy ${display} is an https:// URL (TLS to the proxy), which is not supported for ZenML requests: use an http:// proxy URL`,
      PROXY_ERROR_CODE,
    );
  }
  if (url.protocol !== 'http:' || !url.hostname) {
    return codedError(`the ${name} proxy must be an http:// URL (got a ${url.protocol.replace(/:$/, '')}: URL)`, PROXY_ERROR_CODE);
  }
  let authorization: string | undefined;
  if (url.username || url.password) {
    const decode = (s: string): string => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    };
    authorization = `Basic ${Buffer.from(`${decode(url.username)}:${decode(url.password)}`).toString('base64')}`;
  }
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : 80,
    display,
    authorization,
    key: `${url.hostname}:${url.port || 80}\n${authorization ?? ''}`,
  };
}

function parseNoProxy(raw: string): NoProxyEntry[] | 'all' {
  const out: NoProxyEntry[] = [];
  for (const item of raw.toLowerCase().split(/[\s,]+/)) {
    if (!item) continue;
    if (item === '*') return 'all';
    let host = item;
    let port: number | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(item);
    if (bracketed) {
      host = bracketed[1] as string;
      port = bracketed[2] === undefined ? undefined : Number(bracketed[2]);
    } else if (isIP(item) === 0) {
      // Not a bare IPv6 literal: a trailing ":digits" is a port.
      const m = /^(.*):(\d+)$/.exec(item);
      if (m) {
        host = m[1] as string;
        port = Number(m[2]);
      }
    }
    host = host.replace(/^\*?\./, '').replace(/\.$/, '');
    if (!host) continue;
    out.push({ host, port, ip: isIP(host) !== 0 });
  }
  return out;
}

function defaultPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** Whether `url` is excluded from proxying by `no_proxy`/`NO_PROXY` (`raw` for tests). */
export function bypassesProxy(url: URL, raw?: string): boolean {
  let entries: NoProxyEntry[] | 'all';
  if (raw === undefined) {
    const c = config();
    entries = c.bypassAll ? 'all' : c.noProxy;
  } else entries = parseNoProxy(raw);
  if (entries === 'all') return true;
  const host = url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  const port = defaultPort(url);
  const hostIsIp = isIP(host) !== 0;
  return entries.some((e) => {
    if (e.port !== undefined && e.port !== port) return false;
    if (hostIsIp || e.ip) return hostIsIp && e.ip && sameIp(host, e.host);
    return host === e.host || host.endsWith(`.${e.host}`);
  });
}

/** IP literals compared in their canonical form (the URL parser canonicalizes IPv6 targets). */
function sameIp(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    const canon = (ip: string): string => new URL(`http://${isIP(ip) === 6 ? `[${ip}]` : ip}/`).hostname;
    return canon(a) === canon(b);
  } catch {
    return false;
  }
}

/**
 * The proxy for `url`, or undefined for a direct connection. Throws fetch's network error when
 * the proxy setting cannot be used, rather than silently going around the proxy.
 */
export function proxyFor(url: URL): ProxyRoute | undefined {
  const c = config();
  const route = url.protocol === 'https:' ? c.https : c.http;
  if (route === undefined || bypassesProxy(url)) return undefined;
  if (route instanceof Error) throw fetchFailed(route);
  return route;
}
