import { InputError } from '../errors.js';
import type { ZenmlClient } from '../zenml/index.js';

export interface LoginRequest {
  project: string;
  stack?: string | undefined;
}

export interface LoginResult {
  serverUrl: string;
  serverVersion: string;
  serverId: string;
  serverName: string | undefined;
  deploymentType: string;
  dashboardUrl: string | undefined;
  isPro: boolean;
  user: string;
  userIsServiceAccount: boolean;
  projectId: string;
  projectName: string;
  stackId: string | undefined;
  stackName: string | undefined;
}

/** How many names to offer when the one asked for does not exist. */
const SUGGESTIONS = 10;

/**
 * What zenml-login does, without the Actions runtime: refuse an unsupported server before
 * sending the key anywhere, log in, and resolve the project and stack the later steps will use.
 */
export async function zenmlLogin(client: ZenmlClient, req: LoginRequest): Promise<LoginResult> {
  const info = await client.assertSupportedServer();
  await client.login();
  const user = await client.currentUser();

  const project = await client.findProject(req.project);
  if (!project) {
    const known = await firstNames(client.listProjects());
    throw new InputError('project', `no project '${req.project}' on ${client.serverUrl}${offer(known)}`);
  }

  let stack: { id: string; name: string } | undefined;
  if (req.stack) {
    stack = await client.findStack(req.stack);
    if (!stack) {
      const known = await firstNames(client.listStacks());
      throw new InputError('stack', `no stack '${req.stack}' on ${client.serverUrl}${offer(known)}`);
    }
  }

  return {
    serverUrl: client.serverUrl,
    serverVersion: info.version,
    serverId: info.id,
    serverName: info.name ?? undefined,
    deploymentType: info.deploymentType,
    dashboardUrl: info.dashboardUrl || undefined,
    isPro: info.isPro,
    user: user.name,
    userIsServiceAccount: user.isServiceAccount,
    projectId: project.id,
    projectName: project.name,
    stackId: stack?.id,
    stackName: stack?.name,
  };
}

async function firstNames(items: AsyncIterable<{ name: string }>): Promise<string[]> {
  const names: string[] = [];
  for await (const item of items) {
    names.push(item.name);
    if (names.length > SUGGESTIONS) break;
  }
  return names;
}

function offer(names: string[]): string {
  if (names.length === 0) return '';
  const shown = names.slice(0, SUGGESTIONS).join(', ');
  return `; it has: ${shown}${names.length > SUGGESTIONS ? ', …' : ''}`;
}
