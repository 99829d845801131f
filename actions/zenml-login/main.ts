import { connectZenml, loginSummary, runAction, zenmlLogin } from '@mlops-actions/core';
import { inputs } from './inputs.js';

await runAction({
  name: 'zenml-login',
  inputs,
  async run(ctx) {
    const { 'server-url': serverUrl, 'api-key': apiKey, project, stack } = ctx.inputs;
    const client = connectZenml(ctx, { serverUrl, apiKey });
    const r = await ctx.phase('Log in to ZenML', () => zenmlLogin(client, { project, stack }));
    ctx.info(`Logged in to ZenML ${r.serverVersion} at ${r.serverUrl} as ${r.user}; project ${r.projectName} (${r.projectId})`);

    if (ctx.inputs['export-env']) {
      ctx.exportVariable('ZENML_STORE_URL', r.serverUrl);
      ctx.exportVariable('ZENML_STORE_API_KEY', apiKey);
      ctx.exportVariable('ZENML_ACTIVE_PROJECT_ID', r.projectId);
      if (r.stackId) ctx.exportVariable('ZENML_ACTIVE_STACK_ID', r.stackId);
    }
    ctx.setOutput('server-version', r.serverVersion);
    ctx.setOutput('server-id', r.serverId);
    ctx.setOutput('deployment-type', r.deploymentType);
    ctx.setOutput('user', r.user);
    ctx.setOutput('project-id', r.projectId);
    ctx.setOutput('stack-id', r.stackId ?? '');
    ctx.summary(loginSummary(r));
  },
});
