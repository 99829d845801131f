/** A local node:http server for the net/ tests: real sockets, a handler per test, counted connections. */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { LOCALHOST_CERT, LOCALHOST_KEY } from './tls.js';

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  socket: Socket;
}

/** May return anything (e.g. `res.end()`'s result); a rejected promise destroys the response. */
export type Handler = (req: Received, res: ServerResponse, raw: IncomingMessage) => unknown;

export interface LocalServer {
  /** http://127.0.0.1:<port> (https://localhost:<port> with `tls`) */
  url: string;
  /** The same server under another host name: another origin. */
  otherOrigin: string;
  port: number;
  received: Received[];
  /** Connections accepted so far. */
  connections: () => number;
  server: Server;
  close: () => Promise<void>;
}

export async function startServer(handler: Handler, opts: { keepAliveTimeoutMs?: number; tls?: boolean } = {}): Promise<LocalServer> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const listener: RequestListener = (req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(parts), socket: req.socket };
      received.push(r);
      Promise.resolve(handler(r, res, req)).catch((e: unknown) => {
        res.destroy(e instanceof Error ? e : new Error(String(e)));
      });
    });
  };
  // With `tls`, the certificate (tls.ts) is for localhost only.
  const server = opts.tls ? createTlsServer({ cert: LOCALHOST_CERT, key: LOCALHOST_KEY }, listener) : createServer(listener);
  if (opts.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = opts.keepAliveTimeoutMs;
  server.on('connection', (s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: opts.tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`,
    otherOrigin: opts.tls ? `https://127.0.0.1:${port}` : `http://localhost:${port}`,
    port,
    received,
    connections: () => connections,
    server,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
