import { join } from 'node:path';
import {
  connectZenml,
  importModel,
  importSummary,
  resolveManifestUri,
  runAction,
  runContextFromEnv,
} from '@mlops-actions/core';
import { inputs } from './inputs.js';

await runAction({
  name: 'import-model',
  inputs,
  async run(ctx) {
    const i = ctx.inputs;
    const client = connectZenml(ctx, { serverUrl: i['server-url'], apiKey: i['api-key'] });
    const manifestUri = await ctx.phase('Locate the bundle', () =>
      resolveManifestUri({ manifest: i.manifest, exchange: i.exchange, destDir: join(ctx.env.RUNNER_TEMP || '.', 'mlops-manifest'), log: (l) => ctx.info(l) }),
    );
    const r = await ctx.phase(`Import into ${client.serverUrl}`, () =>
      importModel(client, {
        project: i.project,
        manifestUri,
        model: i.model,
        stage: i.stage,
        force: i.force,
        artifactStore: i['artifact-store'],
        stackId: ctx.env.ZENML_ACTIVE_STACK_ID || undefined,
        dryRun: i['dry-run'],
        run: runContextFromEnv(ctx.env),
        log: (l) => ctx.info(l),
      }),
    );
    ctx.setOutput('model-version-id', r.modelVersionId);
    ctx.setOutput('model-version-number', r.modelVersionNumber);
    ctx.setOutput('stage', r.stage ?? '');
    ctx.setOutput('created', r.created);
    ctx.summary(importSummary({ ...r, serverUrl: client.serverUrl }));
  },
});
