/**
 * The camelCase shapes the rest of the suite works with, built from validated responses. Empty
 * strings the server uses for "not set" become undefined, so callers test one thing.
 */
import {
  componentPath,
  modelTags,
  type ComponentResponse,
  type ModelResponse,
  type ProjectResponse,
  type ServerModel,
  type StackResponse,
  type UserResponse,
} from './schemas.js';

export interface ServerInfo {
  id: string;
  version: string;
  name: string | undefined;
  /** ServerDeploymentType (`cloud` = a ZenML Pro workspace); an open set. */
  deploymentType: string;
  /** AuthScheme: OAUTH2_PASSWORD_BEARER on OSS, EXTERNAL on Pro. */
  authScheme: string;
  databaseType: string | undefined;
  serverUrl: string | undefined;
  dashboardUrl: string | undefined;
  isPro: boolean;
  proApiUrl?: string | undefined;
  proDashboardUrl?: string | undefined;
  proOrganizationId?: string | undefined;
  proOrganizationName?: string | undefined;
  proWorkspaceId?: string | undefined;
  proWorkspaceName?: string | undefined;
}

export interface UserInfo {
  id: string;
  name: string;
  isServiceAccount: boolean;
}

export interface Project {
  id: string;
  name: string;
  displayName: string | undefined;
  description: string | undefined;
}

export interface Component {
  id: string;
  name: string;
  /** StackComponentType, e.g. `artifact_store`; an open set. */
  type: string;
  flavor: string | undefined;
  /** The flavor configuration; only on hydrated responses. */
  configuration: Record<string, unknown> | undefined;
  /** `configuration.path` (artifact stores); only on hydrated responses. */
  path: string | undefined;
}

export interface Stack {
  id: string;
  name: string;
  /** Component type → components; empty when the stack response was not hydrated. */
  components: Record<string, Component[]>;
}

export interface Model {
  id: string;
  name: string;
  projectId: string | undefined;
  latestVersionId: string | undefined;
  latestVersionName: string | undefined;
  tags: string[];
  description: string | undefined;
}

const nonEmpty = (s: string | null | undefined): string | undefined => (s ? s : undefined);

export function toServerInfo(s: ServerModel): ServerInfo {
  const deploymentType = s.deployment_type ?? 'unknown';
  const authScheme = s.auth_scheme ?? 'unknown';
  return {
    id: s.id,
    version: s.version,
    name: nonEmpty(s.name),
    deploymentType,
    authScheme,
    databaseType: nonEmpty(s.database_type),
    serverUrl: nonEmpty(s.server_url),
    dashboardUrl: nonEmpty(s.dashboard_url),
    isPro: deploymentType === 'cloud' || authScheme === 'EXTERNAL' || Boolean(s.pro_workspace_id),
    proApiUrl: nonEmpty(s.pro_api_url),
    proDashboardUrl: nonEmpty(s.pro_dashboard_url),
    proOrganizationId: nonEmpty(s.pro_organization_id),
    proOrganizationName: nonEmpty(s.pro_organization_name),
    proWorkspaceId: nonEmpty(s.pro_workspace_id),
    proWorkspaceName: nonEmpty(s.pro_workspace_name),
  };
}

export function toUserInfo(u: UserResponse): UserInfo {
  return { id: u.id, name: u.name, isServiceAccount: u.body?.is_service_account ?? false };
}

export function toProject(p: ProjectResponse): Project {
  return {
    id: p.id,
    name: p.name,
    displayName: nonEmpty(p.body?.display_name),
    description: nonEmpty(p.metadata?.description),
  };
}

export function toComponent(c: ComponentResponse): Component {
  const configuration = c.metadata?.configuration ?? undefined;
  return {
    id: c.id,
    name: c.name,
    type: c.body?.type ?? 'unknown',
    flavor: nonEmpty(c.body?.flavor_name ?? c.body?.flavor),
    configuration,
    path: componentPath(c),
  };
}

export function toStack(s: StackResponse): Stack {
  const components: Record<string, Component[]> = {};
  for (const [type, list] of Object.entries(s.metadata?.components ?? {})) components[type] = list.map(toComponent);
  return { id: s.id, name: s.name, components };
}

export function toModel(m: ModelResponse): Model {
  return {
    id: m.id,
    name: m.name,
    projectId: nonEmpty(m.body?.project_id),
    latestVersionId: nonEmpty(m.resources?.latest_version_id),
    latestVersionName: nonEmpty(m.resources?.latest_version_name),
    tags: modelTags(m),
    description: nonEmpty(m.metadata?.description),
  };
}
