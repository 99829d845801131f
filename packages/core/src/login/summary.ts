import { code, facts, heading } from '../action/markdown.js';
import type { LoginResult } from './zenml-login.js';

export function loginSummary(r: LoginResult): string {
  const server = r.serverName ? `${r.serverName} (${r.serverUrl})` : r.serverUrl;
  return (
    heading('🔐 ZenML login') +
    facts([
      ['Server', server],
      ['Version', `${r.serverVersion}${r.isPro ? ' · ZenML Pro workspace' : ''} · ${r.deploymentType}`],
      ['User', `${r.user}${r.userIsServiceAccount ? ' (service account)' : ''}`],
      ['Project', `${r.projectName} ${code(r.projectId)}`],
      ['Stack', r.stackName ? `${r.stackName} ${code(r.stackId)}` : undefined],
    ])
  );
}
