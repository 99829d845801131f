import { connectZenml, rollback, rollbackSummary, runAction, runContextFromEnv } from '@mlops-actions/core';
import { inputs } from './inputs.js';

await runAction({
  name: 'rollback',
  inputs,
  async run(ctx) {
    const i = ctx.inputs;
    const client = connectZenml(ctx, { serverUrl: i['server-url'], apiKey: i['api-key'] });
    const r = await ctx.phase(`Roll back ${i.model} ${i.stage}`, () =>
      rollback(client, {
        project: i.project,
        model: i.model,
        stage: i.stage,
        toVersion: i['to-version'],
        reason: i.reason,
        dryRun: i['dry-run'],
        run: runContextFromEnv(ctx.env),
        log: (l) => ctx.info(l),
      }),
    );
    ctx.info(r.plan);
    ctx.setOutput('model-version-id', r.modelVersionId);
    ctx.setOutput('rolled-back-from', r.rolledBackFrom.id);
    ctx.summary(rollbackSummary({ ...r, model: i.model, serverUrl: client.serverUrl, reason: i.reason }));
  },
});
