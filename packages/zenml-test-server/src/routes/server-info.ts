/** `GET /api/v1/info`, `GET /api/v1/version`, `GET /health` (API.md §1.5): no auth. */
import type { AppState, Route } from '../router.js';
import { json } from '../router.js';

/** A fixed organisation id for pro mode, so repeated runs print the same info. */
const PRO_ORG_ID = '5e1f0d2c-7a43-4b8e-9c61-0d2f3a4b5c6d';

export function serverInfo(app: AppState): Record<string, unknown> {
  const { config } = app;
  const pro = config.mode === 'pro';
  return {
    id: config.serverId,
    name: config.name,
    version: config.version,
    active: true,
    debug: false,
    deployment_type: pro ? 'cloud' : 'other',
    database_type: 'sqlite',
    secrets_store_type: 'sql',
    auth_scheme: pro ? 'EXTERNAL' : 'OAUTH2_PASSWORD_BEARER',
    // Pro workspaces have their server_url set (snapshot runs need it, API.md §6.3).
    server_url: pro ? config.url : '',
    dashboard_url: pro ? 'https://cloud.zenml.io' : '',
    analytics_enabled: false,
    metadata: {},
    last_user_activity: null,
    pro_dashboard_url: pro ? 'https://cloud.zenml.io' : null,
    pro_api_url: pro ? (config.proApiUrl ?? config.url) : null,
    pro_organization_id: pro ? PRO_ORG_ID : null,
    pro_organization_name: pro ? 'test-organization' : null,
    pro_workspace_id: pro ? config.serverId : null,
    pro_workspace_name: pro ? config.name : null,
  };
}

export const serverInfoRoutes: Route[] = [
  { method: 'GET', template: '/api/v1/info', auth: false, handler: (ctx) => json(serverInfo(ctx.app)) },
  // A JSON string, not an object.
  { method: 'GET', template: '/api/v1/version', auth: false, handler: (ctx) => json(ctx.app.config.version) },
  { method: 'GET', template: '/health', auth: false, handler: () => json('OK') },
];
