import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import {
  connectZenml,
  exportModel,
  exportSummary,
  handOffManifest,
  manifestArtifactName,
  openExchange,
  runAction,
  runContextFromEnv,
  whileLoggingIn,
} from '@mlops-actions/core';
import { inputs } from './inputs.js';

await runAction({
  name: 'export-model',
  inputs,
  async run(ctx) {
    const i = ctx.inputs;
    const client = connectZenml(ctx, { serverUrl: i['server-url'], apiKey: i['api-key'] });
    const exchange = await whileLoggingIn(client, () => openExchange(i.exchange));
    const r = await ctx.phase(`Export ${i.model} (${i.version}) to ${exchange.uri}`, () =>
      exportModel(client, {
        project: i.project,
        model: i.model,
        version: i.version,
        exchange,
        artifacts: i.artifacts,
        artifactSource: i['artifact-source'],
        dryRun: i['dry-run'],
        run: runContextFromEnv(ctx.env),
        log: (l) => ctx.info(l),
      }),
    );

    if (i['upload-manifest'] && !i['dry-run']) {
      const name = i['manifest-artifact'] ?? manifestArtifactName(i.model);
      const file = join(ctx.env.RUNNER_TEMP || '.', `${name}.manifest.json`);
      writeFileSync(file, JSON.stringify(r.manifest, null, 2) + '\n');
      await ctx.phase(`Upload the manifest as workflow artifact '${name}'`, () => handOffManifest({ name, file, log: (l) => ctx.info(l) }));
      ctx.setOutput('manifest-artifact', name);
    } else {
      ctx.setOutput('manifest-artifact', '');
    }

    ctx.setOutput('manifest-uri', r.manifestUri);
    ctx.setOutput('bundle-digest', r.bundleDigest);
    ctx.setOutput('model-version-id', r.modelVersionId);
    ctx.setOutput('artifact-count', r.artifactCount);
    ctx.setOutput('bytes', r.bytes);
    ctx.summary(exportSummary({ ...r, exchangeUri: exchange.uri }));
  },
});
