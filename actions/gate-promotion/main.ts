import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  connectZenml,
  gateFailureMessage,
  gateSummary,
  InputError,
  loadManifest,
  pullRequestNumber,
  recordGateReport,
  RejectedError,
  runAction,
  runContextFromEnv,
  runGate,
  upsertStickyComment,
  type ZenmlClient,
} from '@mlops-actions/core';
import { inputs } from './inputs.js';

await runAction({
  name: 'gate-promotion',
  inputs,
  async run(ctx) {
    const i = ctx.inputs;
    const env = ctx.env;
    const run = runContextFromEnv(env);
    const client: ZenmlClient | undefined = i['server-url'] && i['api-key'] ? connectZenml(ctx, { serverUrl: i['server-url'], apiKey: i['api-key'] }) : undefined;

    let candidate: Parameters<typeof runGate>[0]['candidate'];
    if (i.manifest) {
      const manifest = await ctx.phase('Read the bundle manifest', () =>
        loadManifest({ manifest: i.manifest as string, destDir: join(env.RUNNER_TEMP || '.', 'mlops-gate'), log: (l) => ctx.info(l) }),
      );
      candidate = { manifest };
    } else {
      if (!client) throw new InputError('server-url', 'and api-key are required to gate a version on a server (or give manifest to gate an export bundle)');
      if (!i.model) throw new InputError('model', 'is required to gate a version on a server (or give manifest)');
      candidate = { client, project: i.project, model: i.model, version: i.version };
    }

    const championClient = i['champion-server-url']
      ? connectZenml(ctx, {
          serverUrl: i['champion-server-url'],
          apiKey: i['champion-api-key'] ?? fail('champion-api-key', 'is required with champion-server-url (from a secret)'),
        })
      : client;
    const repository = env.GITHUB_REPOSITORY ?? '';
    const runId = Number(env.GITHUB_RUN_ID ?? '0');
    const github = { token: i['github-token'], repository, apiUrl: env.GITHUB_API_URL };

    const report = await ctx.phase('Evaluate the promotion policy', () =>
      runGate({
        candidate,
        policyFile: i.policy,
        workspace: env.GITHUB_WORKSPACE,
        thresholds: i.thresholds,
        targetStage: i['target-stage'],
        champion: { client: championClient, project: i['champion-project'] ?? i.project, stage: i.champion },
        extras: {
          requiredTags: i['required-tags'],
          requiredMetadata: i['required-metadata'],
          maxAge: i['max-age'],
          requireApproval: i['require-approval'],
          refuseSelfApproval: i['refuse-self-approval'],
          champion: { maxRegression: i['max-regression'], minImprovement: i['min-improvement'] },
        },
        approvals: repository && runId ? { github, runId, environment: i.environment } : undefined,
        run,
      }),
    );

    const reportJson = JSON.stringify(report, null, 2);
    const reportPath = resolve(env.GITHUB_WORKSPACE || '.', i['report-path']);
    writeFileSync(reportPath, reportJson + '\n');
    ctx.setOutput('passed', report.passed);
    ctx.setOutput('report', JSON.stringify(report));
    ctx.setOutput('report-path', reportPath);
    // The holder the gate compared against: promote's expected-current-version takes it, so the
    // stage cannot change hands between the gate and the move unnoticed ('' = no champion).
    ctx.setOutput('champion-version', report.champion?.version ?? '');
    ctx.setOutput('champion-version-id', report.champion?.modelVersionId ?? '');
    const summary = gateSummary(report);
    ctx.summary(summary);

    if (i.record) {
      if (!client || !report.modelVersionId) throw new InputError('record', 'needs the candidate on a server (server-url, api-key, model) to write the report onto');
      await ctx.phase('Record the gate report on the model version', () =>
        recordGateReport(client, { project: i.project, modelVersionId: report.modelVersionId as string, report }),
      );
    }
    const pr = pullRequestNumber(env);
    if (i.comment && pr !== undefined) {
      const c = await upsertStickyComment(github, { issueNumber: pr, marker: `mlops-actions:gate:${report.model}`, body: summary });
      ctx.info(`${c.created ? 'Created' : 'Updated'} the gate comment on #${pr}${c.url ? `: ${c.url}` : ''}`);
    }
    if (!report.passed && i['fail-on-reject']) throw new RejectedError(gateFailureMessage(report));
    if (!report.passed) ctx.warning(gateFailureMessage(report));

    function fail(input: string, message: string): never {
      throw new InputError(input, message);
    }
  },
});
