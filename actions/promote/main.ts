import {
  connectZenml,
  gateInServer,
  gateManifest,
  InputError,
  openExchange,
  promoteAcrossServers,
  promoteInServer,
  promoteSummary,
  requireRunApprovals,
  runAction,
  runContextFromEnv,
  whileLoggingIn,
} from '@mlops-actions/core';
import { inputs } from './inputs.js';

await runAction({
  name: 'promote',
  inputs,
  async run(ctx) {
    const i = ctx.inputs;
    const dest = connectZenml(ctx, { serverUrl: i['server-url'], apiKey: i['api-key'] });
    const run = runContextFromEnv(ctx.env);
    const log = (l: string): void => ctx.info(l);
    const approvals = i['require-approval']
      ? await ctx.phase('Read the environment approvals of this run', () =>
          requireRunApprovals({
            github: { token: i['github-token'], repository: ctx.env.GITHUB_REPOSITORY ?? '', apiUrl: ctx.env.GITHUB_API_URL },
            runId: Number(ctx.env.GITHUB_RUN_ID ?? '0'),
            environment: i.environment,
            actor: run.actor,
            refuseSelfApproval: i['refuse-self-approval'],
            log,
          }),
        )
      : undefined;

    if (i['source-server-url']) {
      if (!i['source-api-key']) throw new InputError('source-api-key', 'is required with source-server-url (the source server’s service-account key, from a secret)');
      if (!i.exchange) throw new InputError('exchange', 'is required for a cross-server promotion (file:///path or gs://bucket/prefix, or set MLOPS_EXCHANGE)');
      if (i['from-stage']) throw new InputError('from-stage', 'is for in-server promotions; across servers, name the source version with version (a number, name or stage)');
      const source = connectZenml(ctx, { serverUrl: i['source-server-url'], apiKey: i['source-api-key'] });
      const exchangeUri = i.exchange;
      const exchange = await whileLoggingIn(source, () => openExchange(exchangeUri));
      const gate = i.policy || i.thresholds ? await gateManifest({ policy: i.policy, thresholds: i.thresholds, targetStage: i['to-stage'], workspace: ctx.env.GITHUB_WORKSPACE, log }) : undefined;
      const r = await ctx.phase(`Promote ${i.model} from ${source.serverUrl} to ${i['to-stage']} on ${dest.serverUrl}`, () =>
        promoteAcrossServers(source, dest, {
          sourceProject: i['source-project'] ?? i.project,
          model: i.model,
          version: i.version ?? 'staging',
          project: i.project,
          exchange,
          toStage: i['to-stage'],
          force: i.force,
          expectedCurrentVersion: i['expected-current-version'],
          dryRun: i['dry-run'],
          run,
          approvals,
          gate,
          stackId: ctx.env.ZENML_ACTIVE_STACK_ID || undefined,
          log,
        }),
      );
      ctx.info(r.plan);
      setOutputs(r);
      ctx.summary(promoteSummary({ ...r, model: i.model, serverUrl: dest.serverUrl, bundleDigest: r.bundleDigest, sourceServerUrl: source.serverUrl }));
      return;
    }

    // In-server promotion on a reviewed policy: the gate reads the candidate on the same server,
    // its report is recorded on the candidate (passed or not), and a failed gate changes no stage.
    let gate: { passed: boolean; summary: string } | undefined;
    if (i.policy || i.thresholds) {
      gate = await ctx.phase('Gate the candidate on the promotion policy', () =>
        gateInServer(dest, {
          project: i.project,
          model: i.model,
          candidate: i.version ?? i['from-stage'] ?? '',
          policyFile: i.policy,
          thresholds: i.thresholds,
          workspace: ctx.env.GITHUB_WORKSPACE,
          targetStage: i['to-stage'],
          dryRun: i['dry-run'],
          run,
          summary: (md) => ctx.summary(md),
        }),
      );
    }

    const r = await ctx.phase(`Promote ${i.model} to ${i['to-stage']}`, () =>
      promoteInServer(dest, {
        project: i.project,
        model: i.model,
        version: i.version,
        fromStage: i['from-stage'],
        toStage: i['to-stage'],
        force: i.force,
        expectedCurrentVersion: i['expected-current-version'],
        dryRun: i['dry-run'],
        run,
        approvals,
        gate,
        log,
      }),
    );
    ctx.info(r.plan);
    setOutputs(r);
    ctx.summary(promoteSummary({ ...r, model: i.model, serverUrl: dest.serverUrl }));

    function setOutputs(r: { modelVersionId: string; previousVersionId?: string; stage: string }): void {
      ctx.setOutput('model-version-id', r.modelVersionId);
      ctx.setOutput('previous-version-id', r.previousVersionId ?? '');
      ctx.setOutput('stage', r.stage);
    }
  },
});
