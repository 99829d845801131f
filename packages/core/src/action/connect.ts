import { retryOptionsFromEnv, ZenmlClient } from '../zenml/index.js';
import type { ActionContext } from './run-action.js';

/**
 * The one way an action builds a ZenML client: tokens masked the moment they arrive, the retry
 * policy tuned by MLOPS_ACTIONS_RETRY_DEADLINE / MLOPS_ACTIONS_REQUEST_TIMEOUT, and every retry
 * wait said in the log, so a slow server is visible rather than silent. A login sent ahead
 * (whileLoggingIn) that the run never used is given up when the run ends, so a run that fails
 * before its first call exits at once instead of when that login's retries run out.
 */
export function connectZenml(ctx: ActionContext<unknown>, server: { serverUrl: string; apiKey: string }): ZenmlClient {
  const client = new ZenmlClient({
    serverUrl: server.serverUrl,
    apiKey: server.apiKey,
    env: ctx.env,
    retry: retryOptionsFromEnv(ctx.env),
    onSecret: (token) => ctx.secret(token),
    onRetry: (r) =>
      ctx.info(`ZenML ${r.method} ${r.path}: ${r.reason}; retrying in ${(r.delayMs / 1000).toFixed(1)} s (attempt ${r.attempt + 1})`),
  });
  ctx.atEnd(() => client.abandonLogin());
  return client;
}
