/**
 * A small forward proxy for the net/ tests: absolute-URL requests for http:// targets and CONNECT
 * tunnels for https:// ones, recording what it was asked. `refuse` answers every request and
 * CONNECT with that status instead (e.g. 407).
 */
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface ProxySeen {
  method: string;
  /** The request target: an absolute URL, or host:port for CONNECT. */
  target: string;
  headers: IncomingHttpHeaders;
}

export interface LocalProxy {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  seen: ProxySeen[];
  close: () => Promise<void>;
}

export async function startProxy(opts: { refuse?: number } = {}): Promise<LocalProxy> {
  const seen: ProxySeen[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', target: req.url ?? '', headers: req.headers });
    if (opts.refuse !== undefined) {
      res.writeHead(opts.refuse, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const upstream = request(req.url ?? '', { method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    seen.push({ method: req.method ?? '', target: req.url ?? '', headers: req.headers });
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (opts.refuse !== undefined) {
      client.end(`HTTP/1.1 ${opts.refuse} Refused\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const [host, port] = splitHostPort(req.url ?? '');
    const upstream = connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function splitHostPort(target: string): [string, number] {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(target);
  // localhost: the TLS fixture listens on 127.0.0.1 only.
  const host = m?.[1] === 'localhost' ? '127.0.0.1' : (m?.[1] ?? '127.0.0.1');
  return [host, Number(m?.[2] ?? 443)];
}
