import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { InputError, TransientError } from '../errors.js';
import { createRetryingFetch } from './http.js';
import { fakeClock, fakeFetch, json, netError, SERVER } from './__fixtures__/fake.js';

const unavailable = () => json(503, { detail: 'Service Unavailable' });

describe('retrying fetch (fake transport, fake clock)', () => {
  it('rides out a burst of 503s, sleeping within the full-jitter bounds', async () => {
    const clock = fakeClock(0, 0.999);
    const f = fakeFetch((_, n) => (n <= 4 ? unavailable() : json(200, { ok: true })));
    const fetch = createRetryingFetch({ fetch: f.fetch, ...clock });
    const res = await fetch(`${SERVER}/api/v1/info`);
    expect(res.status).toBe(200);
    expect(f.calls).toHaveLength(5);
    expect(clock.sleeps).toHaveLength(4);
    clock.sleeps.forEach((ms, attempt) => {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(Math.min(10_000, 500 * 2 ** attempt));
    });
  });

  it('retries 502, 504 and the listed network errors, resending the POST body', async () => {
    const clock = fakeClock();
    const failures: Array<Response | Error> = [json(502, {}), json(504, {}), netError('ECONNRESET'), netError('ETIMEDOUT'), netError('EPIPE'), netError('UND_ERR_SOCKET'), netError('EAI_AGAIN')];
    const f = fakeFetch((_, n) => failures[n - 1] ?? json(200, null));
    const fetch = createRetryingFetch({ fetch: f.fetch, ...clock });
    const res = await fetch(`${SERVER}/api/v1/run-metadata`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(f.calls).toHaveLength(8);
    expect(new Set(f.calls.map((c) => c.body))).toEqual(new Set(['{"a":1}']));
  });

  it('does not re-send a creating POST after an ambiguous failure, which could make a duplicate', async () => {
    for (const failure of [netError('ECONNRESET'), netError('ETIMEDOUT'), json(502, {}), json(504, {})]) {
      const clock = fakeClock();
      const f = fakeFetch((_, n) => (n === 1 ? failure : json(200, {})));
      const fetch = createRetryingFetch({ fetch: f.fetch, ...clock });
      const outcome = await fetch(`${SERVER}/api/v1/model_versions`, { method: 'POST', body: '{}' }).then(
        (r) => r.status,
        (e: unknown) => (e instanceof TransientError ? 'transient' : e),
      );
      expect(f.calls).toHaveLength(1);
      expect([502, 504, 'transient']).toContain(outcome);
    }
  });

  it('says a write it did not re-send got no answer, not that the server cannot be reached', async () => {
    const clock = fakeClock();
    const f = fakeFetch(() => netError('UND_ERR_SOCKET'));
    const err = await createRetryingFetch({ fetch: f.fetch, ...clock })(`${SERVER}/api/v1/model_versions`, { method: 'POST', body: '{}' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/^POST \/api\/v1\/model_versions to the ZenML server at .* got no complete answer \(UND_ERR_SOCKET\); it was not sent again/);
    expect((err as Error).message).not.toMatch(/Cannot reach/);
  });

  it('re-sends a creating POST when the server cannot have seen it (refused, 429, 503)', async () => {
    const clock = fakeClock();
    const failures: Array<Response | Error> = [netError('ECONNREFUSED'), json(429, {}), json(503, {})];
    const f = fakeFetch((_, n) => failures[n - 1] ?? json(200, {}));
    const res = await createRetryingFetch({ fetch: f.fetch, ...clock })(`${SERVER}/api/v1/model_versions`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(200);
    expect(f.calls).toHaveLength(4);
  });

  it('honours Retry-After on 429 (seconds and HTTP-date)', async () => {
    const clock = fakeClock(Date.parse('Wed, 25 Nov 2026 11:37:16 GMT'));
    const f = fakeFetch((_, n) =>
      n === 1
        ? json(429, { detail: 'Minute request limit exceeded.' }, { 'retry-after': '7' })
        : n === 2
          ? json(429, { detail: 'Minute request limit exceeded.' }, { 'retry-after': 'Wed, 25 Nov 2026 11:37:26 GMT' })
          : json(200, {}),
    );
    const res = await createRetryingFetch({ fetch: f.fetch, ...clock })(`${SERVER}/api/v1/models?project=p`);
    expect(res.status).toBe(200);
    expect(clock.sleeps).toEqual([7000, 3000]);
  });

  it('gives up at once when Retry-After ends past the deadline', async () => {
    const clock = fakeClock(0);
    const f = fakeFetch(() => json(429, { detail: 'Maximum number of concurrent tasks reached.' }, { 'retry-after': '600' }));
    const err = await createRetryingFetch({ fetch: f.fetch, ...clock })(`${SERVER}/x`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(f.calls).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
    expect((err as Error).message).toBe(
      'Cannot reach ZenML server at https://zenml.example.com (HTTP 429: Maximum number of concurrent tasks reached.; the server asked to wait 600s, past the retry deadline) after 1 attempt in 0.0s. Check server-url and that the server is running.',
    );
  });

  it('stops within the deadline with one TransientError line', async () => {
    const clock = fakeClock(0, 0.999);
    const f = fakeFetch(() => netError('ECONNREFUSED'));
    const fetch = createRetryingFetch({ fetch: f.fetch, ...clock, retry: { deadlineMs: 20_000, maxAttempts: 100 } });
    const err = (await fetch(`${SERVER}/api/v1/info`).catch((e: unknown) => e)) as TransientError;
    expect(err).toBeInstanceOf(TransientError);
    expect(clock.t).toBeLessThanOrEqual(20_000);
    expect(err.attempts).toBe(f.calls.length);
    expect(err.message).toMatch(
      /^Cannot reach ZenML server at https:\/\/zenml\.example\.com \(ECONNREFUSED\) after \d+ attempts in \d+(\.\d)?s\. Check server-url and that the server is running\.$/,
    );
  });

  it('a proxy refusing the tunnel is named in the line, with what it answered, and not retried', async () => {
    const clock = fakeClock(0, 0.5);
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('the proxy 10.0.0.1:3128 refused a tunnel to zenml.example.com:443: it answered 407 Proxy Authentication Required'), { code: 'ERR_PROXY' }),
    });
    const f = fakeFetch(() => refused);
    const fetch = createRetryingFetch({ fetch: f.fetch, ...clock });
    const err = (await fetch(`${SERVER}/api/v1/info`).catch((e: unknown) => e)) as TransientError;
    expect(f.calls).toHaveLength(1);
    expect(err.message).toContain('(the proxy 10.0.0.1:3128 refused a tunnel to zenml.example.com:443: it answered 407 Proxy Authentication Required) after 1 attempt');
  });

  it('stops after maxAttempts', async () => {
    const clock = fakeClock(0, 0);
    const f = fakeFetch(unavailable);
    const err = (await createRetryingFetch({ fetch: f.fetch, ...clock })(`${SERVER}/x`).catch((e: unknown) => e)) as TransientError;
    expect(err.attempts).toBe(8);
    expect(f.calls).toHaveLength(8);
    expect(err.message).toContain('(HTTP 503: Service Unavailable) after 8 attempts');
  });

  it.each([400, 401, 403, 404, 409, 422, 500, 501])('returns %i without retrying', async (status) => {
    const f = fakeFetch(() => json(status, { detail: ['X', 'y'] }));
    const res = await createRetryingFetch({ fetch: f.fetch, ...fakeClock() })(`${SERVER}/x`);
    expect(res.status).toBe(status);
    expect(f.calls).toHaveLength(1);
  });

  it('does not retry TLS failures and says how to fix them', async () => {
    for (const code of ['SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']) {
      const f = fakeFetch(() => netError(code));
      const err = await createRetryingFetch({ fetch: f.fetch, ...fakeClock() })(`${SERVER}/x`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).input).toBe('server-url');
      expect((err as Error).message).toContain(code);
      expect((err as Error).message).toContain('NODE_EXTRA_CA_CERTS');
      expect(f.calls).toHaveLength(1);
    }
    for (const [code, words] of [['CERT_HAS_EXPIRED', 'expired'], ['ERR_TLS_CERT_ALTNAME_INVALID', 'host name']] as const) {
      const f = fakeFetch(() => netError(code));
      const err = (await createRetryingFetch({ fetch: f.fetch, ...fakeClock() })(`${SERVER}/x`).catch((e: unknown) => e)) as Error;
      expect(err.message).toContain(words);
      expect(err.message).not.toMatch(/\n/);
    }
  });

  it('does not retry ENOTFOUND and names the host', async () => {
    const f = fakeFetch(() => netError('ENOTFOUND'));
    const err = (await createRetryingFetch({ fetch: f.fetch, ...fakeClock() })('https://zenml.exmaple.com/api/v1/info').catch((e: unknown) => e)) as InputError;
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(
      "Input 'server-url': the host name 'zenml.exmaple.com' does not resolve (ENOTFOUND): check the URL for typos, and that the runner can resolve it.",
    );
    expect(f.calls).toHaveLength(1);
  });

  it('rethrows when the caller aborts, and never retries programming errors', async () => {
    const ac = new AbortController();
    ac.abort();
    const f = fakeFetch(() => Object.assign(new Error('aborted'), { name: 'AbortError' }));
    await expect(createRetryingFetch({ fetch: f.fetch, ...fakeClock() })(`${SERVER}/x`, { signal: ac.signal })).rejects.toThrow('aborted');
    expect(f.calls).toHaveLength(1);
    const g = fakeFetch(() => new RangeError('bug'));
    await expect(createRetryingFetch({ fetch: g.fetch, ...fakeClock() })(`${SERVER}/x`)).rejects.toThrow(RangeError);
  });
});

describe('retrying fetch (real sockets)', () => {
  let server: Server | undefined;
  afterEach(async () => {
    if (server) await new Promise((r) => server?.close(r));
    server = undefined;
  });

  async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
    server = createServer(handler);
    const sockets = new Set<Socket>();
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    server.on('close', () => sockets.forEach((s) => s.destroy()));
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const fast = { baseMs: 10, capMs: 50, deadlineMs: 5000 };

  it('recovers from connections reset by the server', async () => {
    let n = 0;
    const url = await listen((req, res) => {
      n++;
      if (n <= 3) {
        req.socket.destroy(); // RST/close before any response: undici reports UND_ERR_SOCKET / ECONNRESET
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end('{"ok":true}');
    });
    const res = await createRetryingFetch({ retry: fast })(`${url}/api/v1/info`);
    expect(await res.json()).toEqual({ ok: true });
    expect(n).toBe(4);
  });

  it('times out a hanging attempt and retries it', async () => {
    let n = 0;
    const url = await listen((_req, res) => {
      n++;
      if (n === 1) return; // never answers
      res.writeHead(200, { connection: 'close' }).end('ok');
    });
    const res = await createRetryingFetch({ retry: { ...fast, attemptTimeoutMs: 200 } })(`${url}/x`);
    expect(await res.text()).toBe('ok');
    expect(n).toBe(2);
  });

  it('gives up on a closed port (ECONNREFUSED) within a short deadline', async () => {
    const url = await listen(() => undefined);
    await new Promise((r) => server?.close(r));
    server = undefined;
    const started = Date.now();
    const err = (await createRetryingFetch({ retry: { baseMs: 20, capMs: 100, deadlineMs: 600 } })(`${url}/api/v1/info`).catch(
      (e: unknown) => e,
    )) as TransientError;
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toContain(`Cannot reach ZenML server at ${url} (ECONNREFUSED) after`);
    expect(err.attempts).toBeGreaterThan(1);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
