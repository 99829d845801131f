/**
 * A hostile middlebox for the secret scenarios: it stands between an action and a real peer
 * (the ZenML test server, the GitHub API stand-in) and, for the requests a rule picks, answers
 * an error whose body quotes the request back — its Authorization header, its body (a login's
 * form carries the API key), its URL — the way a debugging proxy or a chatty error page does.
 * Everything else is passed through, and the access tokens the peer issues on the way are kept:
 * they are secrets in play the test could not otherwise know.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface EchoRule {
  method?: string;
  path: RegExp;
  status: number;
  /** How many matching requests get the echo (default: all). */
  times?: number;
  /** The shape of the error body: ZenML's `detail` or GitHub's `message`. */
  shape?: 'zenml' | 'github';
  /** Destroy the connection after the headers, mid-body (the echo half sent). */
  cutMidBody?: boolean;
}

export interface EchoProxy {
  url: string;
  /** Access tokens seen in the peer's login answers (`access_token`), in order. */
  tokens: string[];
  /** How many requests were answered with an echo. */
  echoed: number;
  setRules(rules: EchoRule[]): void;
  close(): Promise<void>;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startEchoProxy(target: string): Promise<EchoProxy> {
  const upstream = new URL(target);
  let rules: (EchoRule & { left: number })[] = [];
  const state = { tokens: [] as string[], echoed: 0 };

  const echo = (rule: EchoRule, req: IncomingMessage, body: Buffer, res: ServerResponse): void => {
    state.echoed++;
    const quoted = `you sent ${req.method} ${req.url} with Authorization: ${req.headers.authorization ?? '(none)'}; headers ${JSON.stringify(req.headers)}; body ${body.toString('utf8')}`;
    const payload = rule.shape === 'github' ? { message: `Bad credentials: ${quoted}`, documentation_url: 'https://docs.github.com/rest' } : { detail: ['AuthorizationException', `Echo: ${quoted}`] };
    const text = JSON.stringify(payload);
    res.writeHead(rule.status, { 'content-type': 'application/json', 'x-echo-authorization': req.headers.authorization ?? '' });
    if (rule.cutMidBody) {
      res.write(text.slice(0, Math.floor(text.length / 2)));
      setTimeout(() => res.destroy(), 10);
      return;
    }
    res.end(text);
  };

  const pass = (req: IncomingMessage, body: Buffer, res: ServerResponse): void => {
    const up = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (upRes) => {
        const chunks: Buffer[] = [];
        upRes.on('data', (c: Buffer) => chunks.push(c));
        upRes.on('end', () => {
          const out = Buffer.concat(chunks);
          if (/\/login$/.test(req.url?.split('?')[0] ?? '')) {
            try {
              const token = (JSON.parse(out.toString('utf8')) as { access_token?: unknown }).access_token;
              if (typeof token === 'string') state.tokens.push(token);
            } catch {
              // not a token answer
            }
          }
          const headers = { ...upRes.headers };
          delete headers['transfer-encoding'];
          headers['content-length'] = String(out.length);
          res.writeHead(upRes.statusCode ?? 502, headers);
          res.end(out);
        });
      },
    );
    up.on('error', () => res.destroy());
    up.end(body);
  };

  const server = createServer((req, res) => {
    void readAll(req).then((body) => {
      const path = req.url?.split('?')[0] ?? '';
      const rule = rules.find((r) => r.left > 0 && (!r.method || r.method === req.method) && r.path.test(path));
      if (rule) {
        rule.left--;
        echo(rule, req, body, res);
      } else pass(req, body, res);
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get tokens() {
      return state.tokens;
    },
    get echoed() {
      return state.echoed;
    },
    setRules(next) {
      rules = next.map((r) => ({ ...r, left: r.times ?? Number.POSITIVE_INFINITY }));
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
