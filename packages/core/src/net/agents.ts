/**
 * Connection pools shared by every request of the process: an action makes a few dozen requests to
 * one or two hosts, and reusing the TLS connection saves a handshake on each.
 *
 * Node's agent unrefs a socket when it goes back to the pool, so idle connections never keep a
 * finished action's process alive (net.test.ts checks this).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import type { Agent as HttpsAgent, AgentOptions as HttpsAgentOptions } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { CONNECT_TIMEOUT_CODE, CONNECT_TIMEOUT_MS } from './connect-limit.js';
import { codedError } from './errors.js';
import { PROXY_ERROR_CODE, type ProxyRoute } from './proxy.js';

/**
 * How long an idle connection is kept. Below the 5 s of uvicorn (ZenML's server) so that we drop
 * a connection before the server does: a request written into a connection the server is closing
 * fails with a reset, and a creating POST is then not sent again (zenml/retry.ts mayResend). A
 * shorter `Keep-Alive: timeout=` hint from the server is honoured by the agent itself.
 */
export const IDLE_CONNECTION_MS = 4_000;

let http: HttpAgent | undefined;
let https: HttpsAgent | undefined;
/** One pool per proxy (and its credentials) for https targets reached through a CONNECT tunnel. */
const tunnels = new Map<string, HttpsAgent>();

export interface Transport {
  request: typeof httpRequest;
  agent: HttpAgent;
}

/**
 * node:https (and the TLS stack under it) costs about 8 ms to load: only a process that talks to
 * an https:// URL pays it.
 */
export async function transportFor(secure: boolean): Promise<Transport> {
  if (!secure) return { request: httpRequest, agent: (http ??= new HttpAgent({ keepAlive: true, timeout: IDLE_CONNECTION_MS })) };
  const mod = await import('node:https');
  return { request: mod.request, agent: (https ??= new mod.Agent({ keepAlive: true, timeout: IDLE_CONNECTION_MS })) };
}

/**
 * The pool for https targets behind an http:// proxy: each new connection is a CONNECT tunnel
 * through the proxy, then TLS to the target over it (SNI and certificate checks for the target,
 * as on a direct connection). Pooled like the direct one, so two requests share one tunnel.
 */
export async function tunnelTransport(proxy: ProxyRoute): Promise<Transport> {
  const mod = await import('node:https');
  let agent = tunnels.get(proxy.key);
  if (!agent) {
    agent = new (tunnelAgentClass(mod.Agent))({ keepAlive: true, timeout: IDLE_CONNECTION_MS }, proxy);
    tunnels.set(proxy.key, agent);
  }
  return { request: mod.request as typeof httpRequest, agent: agent as unknown as HttpAgent };
}


type ConnectOptions = HttpsAgentOptions & { host?: string | null; port?: number | string | null };
type Created = (err: Error | null, socket?: Duplex) => void;

let TunnelAgent: (new (opts: HttpsAgentOptions, proxy: ProxyRoute) => HttpsAgent) | undefined;

function tunnelAgentClass(Base: typeof HttpsAgent): new (opts: HttpsAgentOptions, proxy: ProxyRoute) => HttpsAgent {
  TunnelAgent ??= class extends Base {
    readonly #proxy: ProxyRoute;
    constructor(opts: HttpsAgentOptions, proxy: ProxyRoute) {
      super(opts);
      this.#proxy = proxy;
    }

    // node:http's Agent accepts a connection handed over later through the callback.
    override createConnection(options: ConnectOptions, created: Created): undefined {
      const proxy = this.#proxy;
      const target = `${bracketed(String(options.host ?? 'localhost'))}:${String(options.port ?? 443)}`;
      const headers: Record<string, string> = { host: target };
      if (proxy.authorization) headers['proxy-authorization'] = proxy.authorization;
      let settled = false;
      const finish = (err: Error | null, socket?: Duplex): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        created(err, socket);
      };
      const connect = httpRequest({ host: proxy.host, port: proxy.port, method: 'CONNECT', path: target, headers, agent: false });
      const timer = setTimeout(() => {
        connect.destroy(codedError(`the proxy ${proxy.display} did not open a tunnel to ${target} within ${CONNECT_TIMEOUT_MS / 1000}s`, CONNECT_TIMEOUT_CODE));
      }, CONNECT_TIMEOUT_MS);
      connect.once('connect', (res: IncomingMessage, socket: Socket, head: Buffer) => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300 || head.length > 0) {
          socket.destroy();
          const why = head.length > 0 ? 'sent data before the tunnel was ready' : `answered ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`;
          finish(codedError(`the proxy ${proxy.display} refused a tunnel to ${target}: it ${why}`, PROXY_ERROR_CODE));
          return;
        }
        try {
          // https.Agent's own connect: TLS with the target's name, certificate checks and session cache.
          const tls = super.createConnection({ ...options, socket } as ConnectOptions) as Duplex;
          finish(null, tls);
        } catch (err) {
          socket.destroy();
          finish(err instanceof Error ? err : new Error(String(err)));
        }
      });
      // Not expected for CONNECT (node:http reports every answer as 'connect'), but never hang.
      connect.once('response', (res: IncomingMessage) => {
        res.destroy();
        finish(codedError(`the proxy ${proxy.display} refused a tunnel to ${target}: it answered ${res.statusCode ?? 0}`, PROXY_ERROR_CODE));
      });
      connect.once('error', (err) => finish(err));
      connect.end();
      return undefined;
    }
  };
  return TunnelAgent;
}

function bracketed(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Ends every connection of the pools, idle or in use; the next request opens new ones. For tests. */
export function resetConnectionPools(): void {
  http?.destroy();
  https?.destroy();
  http = undefined;
  https = undefined;
  for (const agent of tunnels.values()) agent.destroy();
  tunnels.clear();
}
