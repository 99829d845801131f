/**
 * A fault front for an HTTP peer (the Cloud Storage emulator): forwards every request as it is,
 * except that it can fail chosen upload requests — an answer with an error status, or the
 * connection cut in the middle of the upload body — the way a storage write fails part-way
 * through a copy. `node:http` only.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface UploadFault {
  /** 1-based index of the first upload request to fail. */
  nth: number;
  /** How many consecutive uploads from `nth` on fail (default 1). */
  times?: number;
  /** 'status': answer `status` without forwarding; 'reset': read part of the body, then cut the connection. */
  kind: 'status' | 'reset';
  status?: number;
}

export interface FaultProxy {
  /** `http://127.0.0.1:PORT`, to use in place of the peer's host (e.g. STORAGE_EMULATOR_HOST). */
  host: string;
  /** Upload requests seen so far (faulted ones included). */
  uploads(): number;
  /** Uploads that were failed. */
  failed(): number;
  setFault(f: UploadFault | undefined): void;
  stop(): Promise<void>;
}

/** JSON-API media uploads and resumable-session requests of Cloud Storage. */
const isUpload = (req: IncomingMessage): boolean => (req.method === 'POST' || req.method === 'PUT') && (req.url ?? '').startsWith('/upload/');

export async function startFaultProxy(target: string, initial?: UploadFault): Promise<FaultProxy> {
  const to = new URL(target);
  let fault = initial;
  let uploads = 0;
  let failed = 0;
  const sockets = new Set<Socket>();

  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const upstream = httpRequest(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };

  const server: Server = createServer((req, res) => {
    if (!isUpload(req)) return forward(req, res);
    uploads++;
    const f = fault;
    const hit = f !== undefined && uploads >= f.nth && uploads < f.nth + (f.times ?? 1);
    if (!hit) return forward(req, res);
    failed++;
    if (f.kind === 'reset') {
      // Some of the bytes arrive, then the connection dies: a write cut off mid-copy.
      req.once('data', () => req.socket.destroy());
      req.once('end', () => req.socket.destroy());
      return;
    }
    req.resume();
    req.once('end', () => {
      const status = f.status ?? 503;
      const body = JSON.stringify({ error: { code: status, message: `Injected storage fault: HTTP ${status}` } });
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    host: `http://127.0.0.1:${port}`,
    uploads: () => uploads,
    failed: () => failed,
    setFault(f) {
      fault = f;
      uploads = 0;
    },
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
