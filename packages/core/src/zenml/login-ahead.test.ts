import { ZenmlApiError } from '../errors.js';
import { resetTokenCache } from './auth.js';
import { ZenmlClient } from './client.js';
import type { FetchLike } from './http.js';
import { whileLoggingIn } from './login-ahead.js';
import { API_KEY, fakeClock, fakeFetch, json, realBody, SERVER, TOKEN_1, token, userBody, type Recorded } from './__fixtures__/fake.js';

beforeEach(() => resetTokenCache());

function client(handler: (req: Recorded) => Response) {
  const f = fakeFetch(handler);
  const clock = fakeClock();
  return { c: new ZenmlClient({ serverUrl: SERVER, apiKey: API_KEY, fetch: f.fetch, ...clock }), calls: f.calls };
}

const accepting = (req: Recorded): Response =>
  req.url.pathname === '/api/v1/login' ? json(200, token(TOKEN_1)) : json(200, userBody());
const refusing = (req: Recorded): Response =>
  req.url.pathname === '/api/v1/login' ? json(401, realBody('09-login-api-key-bad.json')) : json(200, userBody());

describe('logging in ahead of the first call', () => {
  it('sends the login before the local work starts, and the first call uses its token', async () => {
    const { c, calls } = client(accepting);
    let seenWhenWorkStarted: string[] = [];
    const out = await whileLoggingIn(c, async () => {
      seenWhenWorkStarted = calls.map((r) => `${r.method} ${r.url.pathname}`);
      return 'opened';
    });
    expect(out).toBe('opened');
    expect(seenWhenWorkStarted).toEqual(['POST /api/v1/login']);
    await c.currentUser();
    expect(calls.map((r) => `${r.method} ${r.url.pathname} ${r.headers.get('authorization') ?? ''}`)).toEqual([
      'POST /api/v1/login ',
      `GET /api/v1/current-user Bearer ${TOKEN_1}`,
    ]);
  });

  it('leaves a refused key for the first call to report, and does not try it twice', async () => {
    const { c, calls } = client(refusing);
    await expect(whileLoggingIn(c, async () => 'ok')).resolves.toBe('ok');
    const err = (await c.currentUser().catch((e: unknown) => e)) as ZenmlApiError;
    expect(err).toBeInstanceOf(ZenmlApiError);
    expect(err.status).toBe(401);
    expect(err.hint).toMatch(/API key is invalid, expired or deactivated/);
    expect(calls.filter((r) => r.url.pathname === '/api/v1/login')).toHaveLength(1);
    // A later call is a new attempt, as it always was.
    await c.currentUser().catch(() => undefined);
    expect(calls.filter((r) => r.url.pathname === '/api/v1/login')).toHaveLength(2);
  });

  it('throws the work’s own error at once, login still on its way; abandoning the login stops it', async () => {
    let aborted = false;
    // A server that never answers: only the login's signal ends the request.
    const hanging: FetchLike = (_input, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => {
          aborted = true;
          reject(init.signal?.reason);
        }),
      );
    const c = new ZenmlClient({ serverUrl: SERVER, apiKey: API_KEY, fetch: hanging, ...fakeClock() });
    const err = await whileLoggingIn(c, async () => {
      throw new Error('bad exchange');
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('bad exchange');
    expect(aborted).toBe(false);
    c.abandonLogin();
    await new Promise((r) => setImmediate(r));
    expect(aborted).toBe(true);
  });

  it('sends nothing when a fresh token is already held', async () => {
    const { c, calls } = client(accepting);
    await c.login();
    await whileLoggingIn(c, async () => undefined);
    expect(calls).toHaveLength(1);
  });

  it('just runs the work without a client', async () => {
    await expect(whileLoggingIn(undefined, async () => 42)).resolves.toBe(42);
  });
});

describe('a login sent ahead and used much later', () => {
  it('is not used once its token has run out: the first call logs in again', async () => {
    resetTokenCache();
    const clock = fakeClock(0);
    let n = 0;
    const f = fakeFetch((req) =>
      req.url.pathname === '/api/v1/login' ? json(200, token(++n === 1 ? TOKEN_1 : 'second-token-xyz', 3600)) : json(200, userBody()),
    );
    const c = new ZenmlClient({ serverUrl: SERVER, apiKey: API_KEY, fetch: f.fetch, ...clock });
    await c.startLogin();
    clock.t += 2 * 3600 * 1000;
    await c.currentUser();
    expect(f.calls.map((r) => `${r.method} ${r.url.pathname} ${r.headers.get('authorization') ?? ''}`)).toEqual([
      'POST /api/v1/login ',
      'POST /api/v1/login ',
      'GET /api/v1/current-user Bearer second-token-xyz',
    ]);
  });
});
