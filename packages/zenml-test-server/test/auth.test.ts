/** Login rules (API.md §1.1), 401 shapes (§1.2, §9), token expiry and key deactivation. */
import { call, contractCheck, login, startServer } from './support.js';

describe('POST /api/v1/login', () => {
  test('an API key with grant_type gives a bearer token that never expires on OSS', async () => {
    const s = await startServer();
    const res = await call(s, 'POST', '/api/v1/login', { form: { grant_type: 'zenml-api-key', password: s.apiKey } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('set-cookie')).toBeNull(); // API-key logins set no cookie
    expect(res.body).toMatchObject({ token_type: 'bearer', expires_in: null, refresh_token: null, csrf_token: null, scope: null });
    // JWT-shaped: three base64url segments
    expect(res.body.access_token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  test('just password=<key> picks the zenml-api-key grant', async () => {
    const s = await startServer();
    const res = await call(s, 'POST', '/api/v1/login', { form: { password: s.apiKey } });
    expect(res.status).toBe(200);
    const me = await call(s, 'GET', '/api/v1/current-user', { token: res.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ name: 'ci-bot', body: { is_service_account: true, is_admin: false } });
    expect(me.body.metadata).not.toBeNull(); // gets hydrate by default
  });

  test('a bad key is a 401 AuthorizationException', async () => {
    const s = await startServer();
    const bogus = await call(s, 'POST', '/api/v1/login', { form: { password: 'ZENKEY_bogus' } });
    expect(bogus.status).toBe(401);
    expect(bogus.body).toEqual({ detail: ['AuthorizationException', 'Authentication error: error decoding API key'] });
    // well-formed key, wrong secret
    const real = JSON.parse(Buffer.from(s.apiKey.slice('ZENKEY_'.length), 'base64').toString()) as { id: string };
    const forged = 'ZENKEY_' + Buffer.from(JSON.stringify({ id: real.id, key: 'nope' })).toString('base64');
    const wrong = await call(s, 'POST', '/api/v1/login', { form: { password: forged } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.detail[0]).toBe('AuthorizationException');
    expect(wrong.body.detail[1]).toMatch(/could not verify key value/);
  });

  test('grant rules: unknown grant, missing key, JSON instead of a form', async () => {
    const s = await startServer();
    const unknown = await call(s, 'POST', '/api/v1/login', { form: { grant_type: 'magic', password: s.apiKey } });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ detail: 'Unsupported grant type: magic' });
    const noKey = await call(s, 'POST', '/api/v1/login', { form: { grant_type: 'zenml-api-key' } });
    expect(noKey.status).toBe(400);
    expect(noKey.body).toEqual({ detail: 'API key is required.' });
    // Form fields only: a JSON body leaves them empty, so the OSS server falls back to the password grant.
    const asJson = await call(s, 'POST', '/api/v1/login', { json: { password: s.apiKey } });
    expect(asJson.status).toBe(400);
    expect(asJson.body).toEqual({ detail: 'Invalid request: username is required.' });
  });

  test('pro mode: 1 h tokens, ZENPROKEY_ keys, and the two-step control-plane exchange', async () => {
    const s = await startServer({ mode: 'pro', proKeyLogin: 'control-plane-only' });
    const direct = await call(s, 'POST', '/api/v1/login', { form: { password: s.apiKey } });
    expect(direct.status).toBe(200);
    expect(direct.body.expires_in).toBe(3600);

    const proKey = s.createProApiKey();
    expect(proKey.startsWith('ZENPROKEY_')).toBe(true);
    const refused = await call(s, 'POST', '/api/v1/login', { form: { grant_type: 'zenml-api-key', password: proKey } });
    expect(refused.status).toBe(401);

    // No form fields, no Bearer: the external grant answers with a redirect.
    const redirect = await call(s, 'POST', '/api/v1/login', {});
    expect(redirect.status).toBe(200);
    expect(typeof redirect.body.authorization_url).toBe('string');

    const info = await call(s, 'GET', '/api/v1/info');
    const cp = await fetch(`${info.body.pro_api_url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ password: proKey }),
    });
    expect(cp.status).toBe(200);
    const cpToken = ((await cp.json()) as { access_token: string }).access_token;
    // A control-plane token is not a workspace token...
    expect((await call(s, 'GET', '/api/v1/current-user', { token: cpToken })).status).toBe(401);
    // ...but the external grant trades it for one.
    const ws = await call(s, 'POST', '/api/v1/login', { headers: { authorization: `Bearer ${cpToken}` } });
    expect(ws.status).toBe(200);
    expect(ws.body.expires_in).toBe(3600);
    expect((await call(s, 'GET', '/api/v1/current-user', { token: ws.body.access_token })).status).toBe(200);
  });

  test('pro mode with direct key login accepts ZENPROKEY_ at /api/v1/login', async () => {
    const s = await startServer({ mode: 'pro' });
    const res = await call(s, 'POST', '/api/v1/login', { form: { password: s.createProApiKey('org-bot') } });
    expect(res.status).toBe(200);
    const me = await call(s, 'GET', '/api/v1/current-user', { token: res.body.access_token });
    expect(me.body.name).toBe('org-bot');
  });

  test('tokenTtlSeconds overrides expires_in', async () => {
    const s = await startServer({ tokenTtlSeconds: 120 });
    const res = await call(s, 'POST', '/api/v1/login', { form: { password: s.apiKey } });
    expect(res.body.expires_in).toBe(120);
  });
});

describe('401 responses', () => {
  test('no Authorization header: FastAPI "Not authenticated" with WWW-Authenticate', async () => {
    const s = await startServer();
    const res = await call(s, 'GET', '/api/v1/current-user');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'Not authenticated' });
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    const basic = await call(s, 'GET', '/api/v1/models', { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    expect(basic.status).toBe(401);
    expect(basic.body).toEqual({ detail: 'Not authenticated' });
  });

  test('a garbled token: CredentialsNotValid with the decoding error', async () => {
    const s = await startServer();
    const res = await call(s, 'GET', '/api/v1/current-user', { token: 'not-a-jwt' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      detail: ['CredentialsNotValid', 'Authentication error: error decoding access token: Invalid JWT token: Not enough segments.'],
    });
  });

  test('expireTokens(): every issued token gets 401 CredentialsNotValid; a new login works', async () => {
    const s = await startServer();
    const t1 = await login(s);
    expect((await call(s, 'GET', '/api/v1/current-user', { token: t1 })).status).toBe(200);
    s.expireTokens();
    const res = await call(s, 'GET', '/api/v1/current-user', { token: t1 });
    expect(res.status).toBe(401);
    expect(res.body.detail[0]).toBe('CredentialsNotValid');
    expect(res.body.detail[1]).toMatch(/expired/);
    const t2 = await login(s);
    expect((await call(s, 'GET', '/api/v1/current-user', { token: t2 })).status).toBe(200);
  });

  test('a token past its lifetime is refused', async () => {
    const s = await startServer({ tokenTtlSeconds: 1 });
    const t = await login(s);
    expect((await call(s, 'GET', '/api/v1/current-user', { token: t })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    const res = await call(s, 'GET', '/api/v1/current-user', { token: t });
    expect(res.status).toBe(401);
    expect(res.body.detail[1]).toMatch(/Signature has expired/);
  });

  test('deactivateApiKey(): its tokens are refused on the next request, and it cannot log in', async () => {
    const s = await startServer();
    const other = s.createApiKey('other-bot');
    const t = await login(s);
    const tOther = await login(s, other);
    s.deactivateApiKey(s.apiKey);
    const res = await call(s, 'GET', '/api/v1/current-user', { token: t });
    expect(res.status).toBe(401);
    expect(res.body.detail).toEqual([
      'CredentialsNotValid',
      expect.stringMatching(/^Authentication error: API key ci-bot-key-1 associated with service account ci-bot is not active$/),
    ]);
    const again = await call(s, 'POST', '/api/v1/login', { form: { password: s.apiKey } });
    expect(again.status).toBe(401);
    expect(again.body.detail[0]).toBe('AuthorizationException');
    expect((await call(s, 'GET', '/api/v1/current-user', { token: tOther })).status).toBe(200);
  });
});

describe('server info', () => {
  test('OSS info, version and health need no auth', async () => {
    const s = await startServer({ name: 'dev-staging', version: '0.93.1' });
    const info = await call(s, 'GET', '/api/v1/info');
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({
      name: 'dev-staging',
      version: '0.93.1',
      deployment_type: 'other',
      auth_scheme: 'OAUTH2_PASSWORD_BEARER',
      pro_api_url: null,
      pro_workspace_id: null,
    });
    expect((await call(s, 'GET', '/api/v1/version')).body).toBe('0.93.1');
    s.setVersion('0.98.0');
    expect((await call(s, 'GET', '/api/v1/version')).body).toBe('0.98.0');
    expect((await call(s, 'GET', '/api/v1/info')).body.version).toBe('0.98.0');
    const health = await call(s, 'GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toBe('OK');
  });

  test('pro info fills the pro_* fields', async () => {
    const s = await startServer({ mode: 'pro', name: 'production' });
    const info = await call(s, 'GET', '/api/v1/info');
    expect(info.body).toMatchObject({ deployment_type: 'cloud', auth_scheme: 'EXTERNAL', pro_workspace_name: 'production' });
    expect(info.body.pro_workspace_id).toBe(info.body.id);
    expect(info.body.pro_organization_id).toEqual(expect.any(String));
    expect(info.body.server_url).toBe(s.url);
  });
});

contractCheck();
