/** Server-wide settings the routes read (mode, reported version, token lifetime). */

export type ServerMode = 'oss' | 'pro';

export interface ServerConfig {
  mode: ServerMode;
  version: string;
  name: string;
  /** Server id; also the JWT issuer/audience like the real server. */
  serverId: string;
  /** Seconds; null = tokens never expire (OSS default, API.md §1.1). */
  tokenTtlSeconds: number | null;
  /** Filled in once the socket listens. */
  url: string;
  /**
   * Pro only. 'direct': the workspace login accepts ZENPROKEY_ keys (newest docs).
   * 'control-plane-only': like older workspaces it refuses them (401), so clients
   * must use the two-step exchange through `POST /auth/login`.
   */
  proKeyLogin: 'direct' | 'control-plane-only';
  /** Reported as `pro_api_url`; defaults to this server, which emulates the control plane. */
  proApiUrl: string | null;
}
