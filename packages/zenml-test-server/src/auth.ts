/**
 * API keys and access tokens.
 *
 * Keys look like ZenML's: `ZENKEY_` + base64(JSON `{"id": <key uuid>, "key": <secret>}`)
 * (capture 08-create-api-key.json). Tokens are real HS256 JWTs signed with a
 * per-server secret and carry `api_key_id`, so every request re-checks that the
 * key and its service account are still active (API.md §1.1, `_fetch_and_verify_api_key`).
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { nowMicros } from './clock.js';
import { authorizationException, credentialsNotValid } from './errors.js';
import type { ApiKeyRec, UserRec } from './store/records.js';
import type { Store } from './store/store.js';

export const API_KEY_PREFIX = 'ZENKEY_';
/** Pro organisation keys; accepted by the same decoder. */
export const PRO_API_KEY_PREFIX = 'ZENPROKEY_';

const b64url = (buf: Buffer | string): string => Buffer.from(buf).toString('base64url');

export function encodeApiKey(id: string, secret: string, prefix = API_KEY_PREFIX): string {
  return prefix + Buffer.from(JSON.stringify({ id, key: secret })).toString('base64');
}

export function decodeApiKey(text: string): { id: string; key: string } | null {
  const prefix = text.startsWith(PRO_API_KEY_PREFIX) ? PRO_API_KEY_PREFIX : text.startsWith(API_KEY_PREFIX) ? API_KEY_PREFIX : null;
  if (!prefix) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text.slice(prefix.length), 'base64').toString('utf8'));
    if (parsed && typeof parsed === 'object') {
      const { id, key } = parsed as Record<string, unknown>;
      if (typeof id === 'string' && typeof key === 'string') return { id, key };
    }
  } catch {
    // fall through
  }
  return null;
}

interface TokenClaims {
  sub: string;
  iss: string;
  aud: string;
  jti: string;
  api_key_id?: string;
  exp?: number;
  artifact_version_id?: string;
  /** Set on tokens of the emulated Pro control plane (`POST /auth/login`). */
  control_plane?: boolean;
}

export interface AuthResult {
  user: UserRec;
  apiKey: ApiKeyRec | null;
}

export class Authenticator {
  private readonly secret = randomBytes(32);
  /** jti of every token issued before the last `expireAll()`. */
  private readonly expired = new Set<string>();
  private readonly issued = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly serverId: () => string,
  ) {}

  private sign(claims: TokenClaims): string {
    const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = b64url(JSON.stringify(claims));
    const sig = createHmac('sha256', this.secret).update(`${head}.${payload}`).digest('base64url');
    return `${head}.${payload}.${sig}`;
  }

  /** Verifies signature and expiry; the error texts follow PyJWT through ZenML's wrapper. */
  private verify(token: string): TokenClaims {
    const parts = token.split('.');
    if (parts.length !== 3) throw new Error('Invalid JWT token: Not enough segments');
    const [head = '', payload = '', sig = ''] = parts;
    const expected = createHmac('sha256', this.secret).update(`${head}.${payload}`).digest();
    const given = Buffer.from(sig, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new Error('Invalid JWT token: Signature verification failed');
    }
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      throw new Error('Invalid JWT token: Invalid payload string');
    }
    if (claims.exp !== undefined && claims.exp * 1_000_000 <= nowMicros()) {
      throw new Error('Invalid JWT token: Signature has expired');
    }
    if (this.expired.has(claims.jti)) throw new Error('Invalid JWT token: Signature has expired');
    return claims;
  }

  /** Login with an API key (`zenml-api-key` grant). Failures are 401 AuthorizationException. */
  loginWithApiKey(key: string): AuthResult {
    const decoded = decodeApiKey(key);
    if (!decoded) throw authorizationException('Authentication error: error decoding API key');
    const result = this.checkApiKey(decoded.id, decoded.key, authorizationException);
    result.apiKey.lastLogin = nowMicros();
    return result;
  }

  /** The `_fetch_and_verify_api_key` checks, with the caller's error class. */
  private checkApiKey(
    apiKeyId: string,
    secret: string | null,
    fail: (m: string) => Error,
  ): { user: UserRec; apiKey: ApiKeyRec } {
    const apiKey = this.store.apiKeys.get(apiKeyId);
    if (!apiKey) throw fail(`Authentication error: error retrieving API key ${apiKeyId}`);
    const sa = this.store.users.get(apiKey.serviceAccountId);
    if (!sa || !sa.active) {
      throw fail(`Authentication error: service account ${sa?.name ?? apiKey.serviceAccountId} associated with API key ${apiKey.name} is not active`);
    }
    if (!apiKey.active) {
      throw fail(`Authentication error: API key ${apiKey.name} associated with service account ${sa.name} is not active`);
    }
    if (secret !== null && secret !== apiKey.secret) {
      throw fail(`Authentication error: could not verify key value for API key ${apiKey.name}`);
    }
    return { user: sa, apiKey };
  }

  /** Password grant (human users only). */
  loginWithPassword(username: string, password: string): AuthResult {
    const user = this.store.userByNameOrId(username);
    if (!user || user.isServiceAccount || user.password === null || user.password !== password) {
      throw authorizationException('Authentication error: invalid username or password');
    }
    if (!user.active) throw authorizationException(`Authentication error: user ${user.name} is not active`);
    return { user, apiKey: null };
  }

  issueToken(auth: AuthResult, ttlSeconds: number | null): string {
    const jti = randomUUID();
    this.issued.add(jti);
    const claims: TokenClaims = { sub: auth.user.id, iss: this.serverId(), aud: this.serverId(), jti };
    if (auth.apiKey) claims.api_key_id = auth.apiKey.id;
    if (ttlSeconds !== null) claims.exp = Math.floor(nowMicros() / 1_000_000) + ttlSeconds;
    return this.sign(claims);
  }

  /** Authenticates a Bearer token; failures are 401 CredentialsNotValid (API.md §1.2, §9). */
  authenticate(token: string): AuthResult {
    let claims: TokenClaims;
    try {
      claims = this.verify(token);
    } catch (e) {
      throw credentialsNotValid(`Authentication error: error decoding access token: ${(e as Error).message}.`);
    }
    if (claims.artifact_version_id !== undefined || claims.control_plane) {
      throw credentialsNotValid('Authentication error: error decoding access token: Invalid JWT token: not a workspace access token.');
    }
    const user = this.store.users.get(claims.sub);
    if (!user) throw credentialsNotValid(`Authentication error: error retrieving token account ${claims.sub}`);
    if (!user.active) throw credentialsNotValid(`Authentication error: account ${user.name} is not active`);
    let apiKey: ApiKeyRec | null = null;
    if (claims.api_key_id) apiKey = this.checkApiKey(claims.api_key_id, null, credentialsNotValid).apiKey;
    return { user, apiKey };
  }

  /**
   * Emulated ZenML Pro control plane (API.md §1.4 way 3): a key is exchanged
   * for a 1 h control-plane token, which the workspace's external grant then
   * trades for a workspace token.
   */
  issueControlPlaneToken(auth: AuthResult): string {
    const jti = randomUUID();
    this.issued.add(jti);
    return this.sign({
      sub: auth.user.id,
      iss: 'zenml-pro-control-plane',
      aud: 'zenml-pro-control-plane',
      jti,
      control_plane: true,
      ...(auth.apiKey ? { api_key_id: auth.apiKey.id } : {}),
      exp: Math.floor(nowMicros() / 1_000_000) + 3600,
    });
  }

  /** The external grant's check of a control-plane token; failures are 401 AuthorizationException. */
  verifyControlPlaneToken(token: string): AuthResult {
    let claims: TokenClaims;
    try {
      claims = this.verify(token);
    } catch {
      throw authorizationException('Not authorized to access this server.');
    }
    if (!claims.control_plane) throw authorizationException('Not authorized to access this server.');
    const user = this.store.users.get(claims.sub);
    if (!user || !user.active) throw authorizationException('Not authorized to access this server.');
    let apiKey: ApiKeyRec | null = null;
    if (claims.api_key_id) apiKey = this.checkApiKey(claims.api_key_id, null, authorizationException).apiKey;
    return { user, apiKey };
  }

  /** Every token issued so far is from now on treated as expired. */
  expireAll(): void {
    for (const jti of this.issued) this.expired.add(jti);
  }

  /** Short-lived artifact download token (30 s in the auth.py read for API.md §4.5). */
  issueDownloadToken(artifactVersionId: string): string {
    return this.sign({
      sub: 'download',
      iss: this.serverId(),
      aud: this.serverId(),
      jti: randomUUID(),
      artifact_version_id: artifactVersionId,
      exp: Math.floor(nowMicros() / 1_000_000) + 30,
    });
  }

  verifyDownloadToken(token: string, artifactVersionId: string): void {
    let claims: TokenClaims;
    try {
      claims = this.verify(token);
    } catch (e) {
      throw credentialsNotValid((e as Error).message);
    }
    if (claims.artifact_version_id !== artifactVersionId) throw credentialsNotValid('Invalid artifact version ID');
  }
}
