import { TransientError, ZenmlApiError } from '../errors.js';
import { resetTokenCache } from './auth.js';
import { ZenmlClient } from './client.js';
import { API_KEY, fakeClock, fakeFetch, json, realBody, SERVER, TOKEN_1, TOKEN_2, token, userBody, zenmlServer, type Recorded } from './__fixtures__/fake.js';

beforeEach(() => resetTokenCache());

/** current-user answers 200 only for the tokens in `valid`. */
function serverAccepting(valid: string[], opts: { tokens?: string[] } = {}) {
  return zenmlServer(
    {
      'GET /api/v1/current-user': (req: Recorded) =>
        valid.some((t) => req.headers.get('authorization') === `Bearer ${t}`)
          ? json(200, userBody())
          : json(401, { detail: ['CredentialsNotValid', 'Authentication error: the API key has been deactivated.'] }),
    },
    opts,
  );
}

function client(fetch: ReturnType<typeof fakeFetch>['fetch'], extra: Partial<ConstructorParameters<typeof ZenmlClient>[0]> = {}) {
  const clock = fakeClock();
  return new ZenmlClient({ serverUrl: SERVER, apiKey: API_KEY, fetch, now: clock.now, sleep: clock.sleep, random: clock.random, ...extra });
}

describe('API-key login', () => {
  it('posts the key form-encoded, then sends the token as Bearer', async () => {
    const s = serverAccepting([TOKEN_1]);
    const user = await client(s.fetch).currentUser();
    expect(user).toEqual({ id: expect.any(String), name: 'ci-bot', isServiceAccount: true });
    const [login, call] = s.calls;
    expect(login?.method).toBe('POST');
    expect(login?.path).toBe('/api/v1/login');
    expect(login?.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(login?.headers.get('authorization')).toBeNull();
    expect(Object.fromEntries(new URLSearchParams(login?.body))).toEqual({ grant_type: 'zenml-api-key', password: API_KEY });
    expect(call?.headers.get('authorization')).toBe(`Bearer ${TOKEN_1}`);
  });

  it('does not retry a refused key, and says what to do', async () => {
    const f = fakeFetch(() => json(401, realBody('09-login-api-key-bad.json')));
    const err = (await client(f.fetch).login().catch((e: unknown) => e)) as ZenmlApiError;
    expect(err).toBeInstanceOf(ZenmlApiError);
    expect(err.status).toBe(401);
    expect(err.exceptionClass).toBe('AuthorizationException');
    expect(err.hint).toMatch(/API key is invalid, expired or deactivated/);
    expect(f.calls).toHaveLength(1);
    expect(err.message).not.toContain(API_KEY);
  });

  it('on a 401 logs in again exactly once and retries the call once', async () => {
    const s = serverAccepting([TOKEN_2]);
    await expect(client(s.fetch).currentUser()).resolves.toMatchObject({ name: 'ci-bot' });
    expect(s.calls.map((c) => `${c.method} ${c.url.pathname} ${c.headers.get('authorization') ?? ''}`)).toEqual([
      'POST /api/v1/login ',
      `GET /api/v1/current-user Bearer ${TOKEN_1}`,
      'POST /api/v1/login ',
      `GET /api/v1/current-user Bearer ${TOKEN_2}`,
    ]);
  });

  it('treats a second 401 as final', async () => {
    const s = serverAccepting([]);
    const err = (await client(s.fetch).currentUser().catch((e: unknown) => e)) as ZenmlApiError;
    expect(err).toBeInstanceOf(ZenmlApiError);
    expect(err.status).toBe(401);
    expect(err.hint).toMatch(/create a new one/);
    expect(s.logins()).toBe(2);
    expect(s.calls).toHaveLength(4);
  });

  it('logs in again when the token is within 5 minutes of expiry, not before', async () => {
    const clock = fakeClock(0);
    let n = 0;
    const f = fakeFetch((req) => {
      if (req.url.pathname === '/api/v1/login') return json(200, token(++n === 1 ? TOKEN_1 : TOKEN_2, 3600));
      return json(200, userBody());
    });
    const c = new ZenmlClient({ serverUrl: SERVER, apiKey: API_KEY, fetch: f.fetch, ...clock });
    await c.currentUser();
    clock.t = (3600 - 301) * 1000;
    await c.currentUser();
    expect(n).toBe(1);
    clock.t = (3600 - 299) * 1000;
    await c.currentUser();
    expect(n).toBe(2);
    expect(f.calls.at(-1)?.headers.get('authorization')).toBe(`Bearer ${TOKEN_2}`);
  });

  it('keeps a token with expires_in null for the whole process', async () => {
    const clock = fakeClock(0);
    const s = serverAccepting([TOKEN_1]);
    const c = new ZenmlClient({ serverUrl: SERVER, apiKey: API_KEY, fetch: s.fetch, ...clock });
    await c.currentUser();
    clock.t += 30 * 24 * 3600 * 1000;
    await c.currentUser();
    expect(s.logins()).toBe(1);
  });

  it('shares one login between concurrent calls and between clients of one server and key', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const s = zenmlServer({ 'GET /api/v1/current-user': () => json(200, userBody()) });
    const slow = fakeFetch(async (req) => {
      if (req.url.pathname === '/api/v1/login') await gate;
      return s.fetch(req.url, { method: req.method, headers: req.headers, body: req.body || undefined }) as Promise<Response>;
    });
    const a = client(slow.fetch);
    const b = client(slow.fetch);
    const pending = Promise.all([a.currentUser(), a.currentUser(), b.currentUser(), b.login()]);
    release();
    await pending;
    expect(s.logins()).toBe(1);
    // a different key is a different identity: it logs in on its own
    await client(slow.fetch, { apiKey: 'ZENKEY_other' }).login();
    expect(s.logins()).toBe(2);
  });

  it('reports every token to onSecret before using it, even when the response is malformed', async () => {
    const events: string[] = [];
    const s = serverAccepting([TOKEN_1]);
    const f = fakeFetch(async (req) => {
      events.push(`${req.url.pathname} ${req.headers.get('authorization') ?? ''}`);
      return s.fetch(req.url, { method: req.method, headers: req.headers, body: req.body || undefined }) as Promise<Response>;
    });
    await client(f.fetch, { onSecret: (t) => events.push(`secret ${t}`) }).currentUser();
    expect(events).toEqual(['/api/v1/login ', `secret ${TOKEN_1}`, `/api/v1/current-user Bearer ${TOKEN_1}`]);

    resetTokenCache();
    const secrets: string[] = [];
    const bad = fakeFetch(() => json(200, { ...token(TOKEN_2), expires_in: 'soon' }));
    const err = (await client(bad.fetch, { onSecret: (t) => secrets.push(t) }).login().catch((e: unknown) => e)) as Error;
    expect(secrets).toEqual([TOKEN_2]);
    expect(err.message).toContain('expires_in');
    expect(err.message).not.toContain(TOKEN_2);
  });

  it('falls back to the ZenML Pro two-step exchange for ZENPROKEY_ keys', async () => {
    const proKey = 'ZENPROKEY_org-service-account-key';
    const CP = 'control-plane-token';
    const f = fakeFetch((req) => {
      const auth = req.headers.get('authorization');
      if (req.url.origin === 'https://cloud.example.test' && req.url.pathname === '/auth/login') {
        return new URLSearchParams(req.body).get('password') === proKey ? json(200, token(CP, 3600)) : json(401, { detail: 'bad' });
      }
      if (req.url.pathname === '/api/v1/login') {
        if (auth === `Bearer ${CP}` && req.body === '') return json(200, token(TOKEN_1, 3600));
        return json(401, { detail: ['AuthorizationException', 'Authentication error: error decoding API key'] });
      }
      return auth === `Bearer ${TOKEN_1}` ? json(200, userBody()) : json(401, { detail: 'Not authenticated' });
    });
    const secrets: string[] = [];
    const c = client(f.fetch, { apiKey: proKey, onSecret: (t) => secrets.push(t), env: { ZENML_PRO_API_URL: 'https://cloud.example.test/' } });
    await expect(c.currentUser()).resolves.toMatchObject({ name: 'ci-bot' });
    expect(f.calls.map((r) => `${r.method} ${r.url.origin}${r.url.pathname}`)).toEqual([
      `POST ${SERVER}/api/v1/login`,
      'POST https://cloud.example.test/auth/login',
      `POST ${SERVER}/api/v1/login`,
      `GET ${SERVER}/api/v1/current-user`,
    ]);
    expect(secrets).toEqual([CP, TOKEN_1]);
  });

  it('never puts the key or a token in an error message', async () => {
    const echo = fakeFetch((req) => {
      if (req.url.pathname === '/api/v1/login') return json(200, token(TOKEN_1));
      // a misbehaving proxy that echoes the credentials it saw
      return json(403, { detail: ['IllegalOperationError', `denied for ${req.headers.get('authorization')} key=${API_KEY}`] });
    });
    const badLogin = fakeFetch(() => json(401, { detail: ['AuthorizationException', `bad key ${API_KEY}`] }));
    const down = fakeFetch(() => json(503, { detail: `overloaded ${API_KEY}` }));
    const errors = await Promise.all([
      client(echo.fetch).currentUser().catch((e: unknown) => e),
      client(badLogin.fetch, { serverUrl: 'https://other.example.com' }).login().catch((e: unknown) => e),
      client(down.fetch, { serverUrl: 'https://third.example.com' }).login().catch((e: unknown) => e),
      client(echo.fetch).api.GET('/api/v1/artifact_versions/{artifact_version_id}/data', {
        params: { path: { artifact_version_id: 'a' }, query: { token: TOKEN_2 } },
      }).catch((e: unknown) => e),
    ]);
    expect(errors[2]).toBeInstanceOf(TransientError);
    for (const e of errors) {
      expect(e).toBeInstanceOf(Error);
      const msg = (e as Error).message;
      for (const secret of [API_KEY, TOKEN_1, TOKEN_2]) expect(msg).not.toContain(secret);
    }
  });
});
