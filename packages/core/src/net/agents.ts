/**
 * Connection pools shared by every request of the process: an action makes a few dozen requests to
 * one or two hosts, and reusing the TLS connection saves a handshake on each.
 *
 * Node's agent unrefs a socket when it goes back to the pool, so idle connections never keep a
 * finished action's process alive (net.test.ts checks this).
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';

/**
 * How long an idle connection is kept. Below the 5 s of uvicorn (ZenML's server) so that we drop
 * a connection before the server does: a request written into a connection the server is closing
 * fails with a reset, and a creating POST is then not sent again (zenml/retry.ts mayResend). A
 * shorter `Keep-Alive: timeout=` hint from the server is honoured by the agent itself.
 */
export const IDLE_CONNECTION_MS = 4_000;

let http: HttpAgent | undefined;
let https: HttpsAgent | undefined;

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

/** Ends every connection of the pools, idle or in use; the next request opens new ones. For tests. */
export function resetConnectionPools(): void {
  http?.destroy();
  https?.destroy();
  http = undefined;
  https = undefined;
}
