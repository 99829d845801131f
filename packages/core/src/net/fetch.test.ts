/** liteFetch against a real local node:http server. */
import { gzipSync } from 'node:zlib';
import { InputError } from '../errors.js';
import { createRetryingFetch } from '../zenml/http.js';
import { networkErrorCode } from '../zenml/retry.js';
import { resetConnectionPools } from './agents.js';
import { liteFetch } from './fetch.js';
import { failure } from './__fixtures__/failure.js';
import { startServer, type Handler, type LocalServer } from './__fixtures__/server.js';

let server: LocalServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
  resetConnectionPools();
});

async function serve(handler: Handler, opts?: { keepAliveTimeoutMs?: number; tls?: boolean }): Promise<LocalServer> {
  server = await startServer(handler, opts);
  return server;
}


describe('liteFetch: requests and answers', () => {
  it('sends method, headers and no Accept-Encoding; reads status, headers and body', async () => {
    const s = await serve((_req, res) => {
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.writeHead(201, 'Made It', { 'content-type': 'application/json', 'x-multi': 'one' }).end('{"ok":true}');
    });
    const res = await liteFetch(`${s.url}/path?q=1`, { method: 'PUT', headers: { Authorization: 'Bearer t', 'X-Custom': 'v' }, body: '{}' });
    expect([res.status, res.statusText, res.ok, res.url, res.redirected, res.type]).toEqual([201, 'Made It', true, `${s.url}/path?q=1`, false, 'basic']);
    expect(res.headers.get('Content-Type')).toBe('application/json');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await res.json()).toEqual({ ok: true });
    const got = s.received[0];
    expect(got?.method).toBe('PUT');
    expect(got?.url).toBe('/path?q=1');
    expect(got?.headers).toMatchObject({ authorization: 'Bearer t', 'x-custom': 'v', accept: '*/*', 'user-agent': 'node', 'content-length': '2' });
    expect(got?.headers['accept-encoding']).toBeUndefined();
  });

  it.each([
    ['a string', 'héllo', 'text/plain;charset=UTF-8', 'héllo'],
    ['bytes', new Uint8Array([104, 105]), undefined, 'hi'],
    ['a Buffer', Buffer.from('buf'), undefined, 'buf'],
    ['URLSearchParams', new URLSearchParams({ grant_type: 'x', password: 'p w' }), 'application/x-www-form-urlencoded;charset=UTF-8', 'grant_type=x&password=p+w'],
    ['an ArrayBuffer', new TextEncoder().encode('ab').buffer, undefined, 'ab'],
  ])('sends %s as the body with its length', async (_what, body, type, text) => {
    const s = await serve((_req, res) => res.end());
    await liteFetch(s.url, { method: 'POST', body });
    const got = s.received[0];
    expect(got?.body.toString('utf8')).toBe(text);
    expect(got?.headers['content-length']).toBe(String(Buffer.byteLength(text)));
    expect(got?.headers['content-type']).toBe(type);
  });

  it('sends an empty POST with Content-Length 0 and a GET without one', async () => {
    const s = await serve((_req, res) => res.end());
    await liteFetch(s.url, { method: 'POST' });
    await liteFetch(s.url);
    expect(s.received.map((r) => r.headers['content-length'])).toEqual(['0', undefined]);
    expect(s.received.map((r) => r.headers['transfer-encoding'])).toEqual([undefined, undefined]);
  });

  it('passes error statuses through, and gives 204/304/HEAD answers no body', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/404') res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"no"}');
      else if (req.url === '/204') res.writeHead(204).end();
      else if (req.url === '/304') res.writeHead(304).end();
      else res.writeHead(200, { 'content-length': '5' }).end(req.method === 'HEAD' ? undefined : 'hello');
    });
    const nf = await liteFetch(`${s.url}/404`);
    expect([nf.status, nf.ok, await nf.text()]).toEqual([404, false, '{"detail":"no"}']);
    for (const path of ['/204', '/304']) {
      const r = await liteFetch(`${s.url}${path}`);
      expect(r.body).toBeNull();
      expect(await r.text()).toBe('');
    }
    const head = await liteFetch(s.url, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length'), head.body]).toEqual([200, '5', null]);
    // the connection is free again: the next request completes on it
    expect((await liteFetch(`${s.url}/x`)).status).toBe(200);
  });

  it('decodes a compressed answer although it never asked for one', async () => {
    const s = await serve((_req, res) => res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' }).end(gzipSync('squeezed')));
    expect(await (await liteFetch(s.url)).text()).toBe('squeezed');
  });

  it('reuses one keep-alive connection for consecutive requests', async () => {
    const s = await serve((_req, res) => res.end('x'));
    for (let i = 0; i < 3; i++) expect(await (await liteFetch(s.url)).text()).toBe('x');
    expect(s.connections()).toBe(1);
  });

  it('sends an idempotent request again when its pooled connection turns out closed, but not a POST', async () => {
    let n = 0;
    const s = await serve((req, res) => {
      n++;
      // The second request on the first connection meets a server that has just dropped it.
      if (n === 2) return void req.socket.destroy();
      res.end(req.method);
    });
    expect(await (await liteFetch(s.url)).text()).toBe('GET');
    expect(await (await liteFetch(s.url)).text()).toBe('GET');
    expect(s.received).toHaveLength(3);
    expect(s.connections()).toBe(2);

    n = 1;
    const err = await failure(liteFetch(s.url, { method: 'POST', body: 'once' }));
    expect([err.message, networkErrorCode(err)]).toEqual(['fetch failed', 'ECONNRESET']);
    expect(s.received.filter((r) => r.method === 'POST')).toHaveLength(1);
  });
});

describe('liteFetch: redirects', () => {
  it('follows relative redirects to the final answer', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/a') res.writeHead(302, { location: '/b' }).end('moved');
      else if (req.url === '/b') res.writeHead(301, { location: `${server?.url}/c?x=1` }).end();
      else res.end(`at ${req.url}`);
    });
    const res = await liteFetch(`${s.url}/a`);
    expect([res.status, res.url, res.redirected, await res.text()]).toEqual([200, `${s.url}/c?x=1`, true, 'at /c?x=1']);
  });

  it('turns a POST into a body-less GET on 303 (and 301/302), keeps it on 307/308', async () => {
    const s = await serve((req, res) => {
      const m = /^\/(\d+)$/.exec(req.url);
      if (m) res.writeHead(Number(m[1]), { location: '/end' }).end();
      else res.end(`${req.method} ${req.body.toString()} ${req.headers['content-type'] ?? '-'}`);
    });
    const post = (code: number) =>
      liteFetch(`${s.url}/${code}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' }).then((r) => r.text());
    expect(await post(303)).toBe('GET  -');
    expect(await post(302)).toBe('GET  -');
    expect(await post(301)).toBe('GET  -');
    expect(await post(307)).toBe('POST {"a":1} application/json');
    expect(await post(308)).toBe('POST {"a":1} application/json');
    expect(await (await liteFetch(`${s.url}/303`, { method: 'PUT', body: 'x' })).text()).toBe('GET  -');
  });

  it('drops Authorization when a redirect leaves the origin, keeps it within', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/same') res.writeHead(302, { location: '/echo' }).end();
      else if (req.url === '/away') res.writeHead(307, { location: `${server?.otherOrigin}/echo` }).end();
      else res.end(`${req.headers.host} ${req.headers.authorization ?? 'none'} ${req.headers['x-keep'] ?? ''}`);
    });
    const init = { headers: { authorization: 'Bearer secret', 'x-keep': 'k' } };
    expect(await (await liteFetch(`${s.url}/same`, init)).text()).toBe(`127.0.0.1:${s.port} Bearer secret k`);
    expect(await (await liteFetch(`${s.url}/away`, init)).text()).toBe(`localhost:${s.port} none k`);
  });

  it('stops after 20 redirects, as fetch does', async () => {
    const s = await serve((req, res) => {
      const n = Number(req.url.slice(1));
      res.writeHead(302, { location: `/${n + 1}` }).end();
    });
    const err = await failure(liteFetch(`${s.url}/0`));
    expect(err).toBeInstanceOf(TypeError);
    expect([err.message, err.cause?.message]).toEqual(['fetch failed', 'redirect count exceeded']);
    expect(s.received).toHaveLength(21);
  });

  it("returns the redirect itself with redirect 'manual', and fails with 'error'", async () => {
    const s = await serve((_req, res) => res.writeHead(302, { location: '/elsewhere' }).end());
    const manual = await liteFetch(s.url, { redirect: 'manual' });
    expect([manual.status, manual.headers.get('location'), manual.redirected]).toEqual([302, '/elsewhere', false]);
    await manual.text();
    const err = await failure(liteFetch(s.url, { redirect: 'error' }));
    expect([err.message, err.cause?.message]).toEqual(['fetch failed', 'unexpected redirect']);
  });

  it('refuses a redirect to another scheme', async () => {
    const s = await serve((_req, res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end());
    const err = await failure(liteFetch(s.url));
    expect(err.message).toBe('fetch failed');
    expect(err.cause?.message).toMatch(/unsupported URL scheme 'file'/);
  });
});

describe('liteFetch: abort, timeouts and network failures', () => {
  it('rejects with the abort reason before sending, while waiting, and while reading the body', async () => {
    const pre = new AbortController();
    pre.abort(new Error('not wanted'));
    await expect(liteFetch('http://127.0.0.1:1', { signal: pre.signal })).rejects.toThrow('not wanted');

    let closedByClient = false;
    const s = await serve((req, res) => {
      if (req.url === '/hang') {
        req.socket.on('close', () => (closedByClient = true));
        return; // never answers
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write('first part');
      // ... and the rest never comes
    });
    const waiting = new AbortController();
    const reason = { why: 'the caller gave up' };
    const pending = liteFetch(`${s.url}/hang`, { signal: waiting.signal });
    await new Promise((r) => setTimeout(r, 50));
    waiting.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await new Promise((r) => setTimeout(r, 50));
    expect(closedByClient).toBe(true);

    const reading = new AbortController();
    const res = await liteFetch(`${s.url}/body`, { signal: reading.signal });
    const text = res.text();
    reading.abort();
    const err = await failure(text);
    expect(err.name).toBe('AbortError');
  });

  it('an abort after the headers closes the connection even if nobody reads the body', async () => {
    let closed = false;
    const s = await serve((req, res) => {
      req.socket.on('close', () => (closed = true));
      res.writeHead(200).write('partial');
    });
    const ac = new AbortController();
    await liteFetch(s.url, { signal: ac.signal });
    ac.abort();
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(true);
  });

  it('times out with AbortSignal.timeout as fetch does (TimeoutError)', async () => {
    const s = await serve(() => undefined);
    const err = await failure(liteFetch(s.url, { signal: AbortSignal.timeout(100) }));
    // The signal's own reason, as with fetch (handoff/transport.ts tells timeouts apart by this name).
    expect(err.name).toBe('TimeoutError');
  });

  it('reports a refused connection as fetch does: TypeError("fetch failed") with the code on the cause', async () => {
    const s = await serve(() => undefined);
    const url = s.url;
    await s.close();
    server = undefined;
    const err = await failure(liteFetch(url));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toBe('fetch failed');
    expect(networkErrorCode(err)).toBe('ECONNREFUSED');
  });

  it('reports a connection reset before the answer as a network failure, and one mid-body as "terminated"', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/before') return void req.socket.destroy();
      res.writeHead(200, { 'content-length': '100', 'content-type': 'application/octet-stream' });
      res.write('only part of it');
      setTimeout(() => req.socket.destroy(), 20);
    });
    const before = await failure(liteFetch(`${s.url}/before`));
    expect([before.message, networkErrorCode(before)]).toEqual(['fetch failed', 'ECONNRESET']);
    const res = await liteFetch(`${s.url}/mid`);
    const mid = await failure(res.arrayBuffer());
    expect(mid).toBeInstanceOf(TypeError);
    expect(mid.message).toBe('terminated');
    expect(networkErrorCode(mid)).toBe('ECONNRESET');
    expect(mid.cause?.message).toBe('the connection closed before the response was complete');
  });

  it('refuses fetch\'s "bad ports" and other schemes without connecting', async () => {
    const port9 = await failure(liteFetch('http://127.0.0.1:9/x'));
    expect([port9.message, port9.cause?.message]).toEqual(['fetch failed', 'bad port']);
    const ftp = await failure(liteFetch('ftp://h.example/x'));
    expect(ftp.message).toBe('fetch failed');
    const invalid = await failure(liteFetch('::nonsense'));
    expect(invalid.message).toBe('Failed to parse URL from ::nonsense');
  });

  it('names an unresolvable host ENOTFOUND', async () => {
    const err = await failure(liteFetch('http://does-not-exist.invalid/'));
    expect(err.message).toBe('fetch failed');
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain(networkErrorCode(err));
  });

  it('reports TLS failures with the certificate code, which the retry layer turns into one actionable line', async () => {
    // Self-signed: this process does not trust it (the child in undici-free.test.ts does, and talks TLS).
    const s = await serve((_req, res) => res.end('secret'), { tls: true });
    const untrusted = await failure(liteFetch(s.url));
    expect([untrusted.message, networkErrorCode(untrusted)]).toEqual(['fetch failed', 'DEPTH_ZERO_SELF_SIGNED_CERT']);
    const line = await failure(createRetryingFetch({ retry: { baseMs: 1, capMs: 1 } })(`${s.url}/api/v1/info`));
    expect(line).toBeInstanceOf(InputError);
    expect(line.message).toBe(
      `Input 'server-url': TLS connection to ${s.url} failed (DEPTH_ZERO_SELF_SIGNED_CERT): the server uses a self-signed certificate: ` +
        'set NODE_EXTRA_CA_CERTS to the CA bundle that signed it, or fix the server certificate.',
    );
    expect(s.received).toHaveLength(0);
    const plain = await failure(liteFetch(s.url.replace('https:', 'http:')));
    expect(plain.message).toBe('fetch failed');
  });
});
