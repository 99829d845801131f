/**
 * `POST /api/v1/login` (form-encoded, API.md §1.1) and `GET /api/v1/current-user`.
 * Grant selection follows OAuthLoginRequestForm: no grant_type + username →
 * password; + non-empty password → zenml-api-key; + device_code → device
 * flow; otherwise external (pro) or password (OSS).
 */
import { PRO_API_KEY_PREFIX } from '../auth.js';
import { authorizationException, httpDetail } from '../errors.js';
import type { Route, RouteContext } from '../router.js';
import { json } from '../router.js';
import { userView } from '../views/core.js';

const GRANT_TYPES = ['password', 'urn:ietf:params:oauth:grant-type:device_code', 'zenml-external', 'zenml-api-key'] as const;

function login(ctx: RouteContext) {
  const { app } = ctx;
  const pro = app.config.mode === 'pro';
  // Form(...) fields: a JSON body leaves them all empty.
  const form = ctx.form();
  const field = (k: string): string | undefined => (form.has(k) ? (form.get(k) ?? '') : undefined);
  const grantType = field('grant_type');
  const username = field('username');
  const password = field('password');
  const deviceCode = field('device_code');
  const clientId = field('client_id');

  let grant: (typeof GRANT_TYPES)[number];
  if (!grantType) {
    if (username !== undefined) grant = 'password';
    else if (password) grant = 'zenml-api-key';
    else if (deviceCode) grant = 'urn:ietf:params:oauth:grant-type:device_code';
    else grant = pro ? 'zenml-external' : 'password';
  } else {
    if (!(GRANT_TYPES as readonly string[]).includes(grantType)) throw httpDetail(400, `Unsupported grant type: ${grantType}`);
    grant = grantType as (typeof GRANT_TYPES)[number];
  }

  let authResult;
  switch (grant) {
    case 'password':
      if (pro) throw httpDetail(400, `Unsupported grant type: ${grant}.`);
      if (!username) throw httpDetail(400, 'Invalid request: username is required.');
      authResult = app.auth.loginWithPassword(username, password ?? '');
      break;
    case 'urn:ietf:params:oauth:grant-type:device_code':
      if (pro) throw httpDetail(403, 'Device authorization is not supported.');
      if (!deviceCode || !clientId) throw httpDetail(400, 'Invalid request: device code and client ID are required.');
      // No devices are ever authorised on the test server.
      return json(
        { error: 'invalid_client', error_description: `Authentication error: error retrieving device with client ID ${clientId}` },
        400,
      );
    case 'zenml-api-key':
      if (!password) throw httpDetail(400, 'API key is required.');
      if (pro && app.config.proKeyLogin === 'control-plane-only' && password.startsWith(PRO_API_KEY_PREFIX)) {
        // An older workspace: organisation keys only work through the control plane.
        throw authorizationException('Authentication error: error decoding API key');
      }
      authResult = app.auth.loginWithApiKey(password);
      break;
    case 'zenml-external': {
      if (!pro) throw httpDetail(400, `Unsupported grant type: ${grant}.`);
      const header = ctx.req.headers.authorization;
      const m = header ? /^bearer\s+(.+)$/i.exec(header.trim()) : null;
      if (!m || !m[1]) {
        // No external session yet: the real server redirects to its authenticator.
        return json({ authorization_url: 'https://cloud.zenml.io/login' });
      }
      // Two-step Pro exchange (API.md §1.4 way 3): a control-plane token for a workspace token.
      authResult = app.auth.verifyControlPlaneToken(m[1].trim());
      break;
    }
  }

  const ttl = app.config.tokenTtlSeconds;
  return json({
    access_token: app.auth.issueToken(authResult, ttl),
    token_type: 'bearer',
    expires_in: ttl,
    refresh_token: null,
    csrf_token: null,
    scope: null,
    device_id: null,
    device_metadata: null,
  });
}

/**
 * The emulated control plane's `POST /auth/login` (pro mode only): form
 * `password=<key>` → a 1 h control-plane token. Real clients send this to
 * `pro_api_url` (https://cloudapi.zenml.io); here that URL is this server.
 */
function controlPlaneLogin(ctx: RouteContext) {
  const key = ctx.form().get('password') ?? '';
  if (!key) throw httpDetail(400, 'API key is required.');
  let authResult;
  try {
    authResult = ctx.app.auth.loginWithApiKey(key);
  } catch {
    throw httpDetail(401, 'Invalid API key.');
  }
  return json({
    access_token: ctx.app.auth.issueControlPlaneToken(authResult),
    token_type: 'bearer',
    expires_in: 3600,
    refresh_token: null,
    scope: null,
  });
}

export const authRoutes: Route[] = [
  { method: 'POST', template: '/auth/login', auth: false, proOnly: true, handler: controlPlaneLogin },
  { method: 'POST', template: '/api/v1/login', auth: false, handler: login },
  {
    method: 'GET',
    template: '/api/v1/current-user',
    auth: true,
    handler: (ctx) => {
      const user = ctx.auth?.user;
      if (!user) throw httpDetail(401, 'Not authenticated');
      return json(userView(ctx.app.store, user, ctx.query.bool('hydrate', true)));
    },
  },
];
