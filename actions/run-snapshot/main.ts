import {
  assertRunSucceeded,
  connectZenml,
  parseDuration,
  resolveSnapshot,
  runAction,
  runSummary,
  triggerSnapshot,
  waitForRun,
} from '@mlops-actions/core';
import { inputs } from './inputs.js';

await runAction({
  name: 'run-snapshot',
  inputs,
  async run(ctx) {
    const i = ctx.inputs;
    const timeoutMs = parseDuration(i.timeout, 'timeout') * 1000;
    const pollIntervalMs = parseDuration(i['poll-interval'], 'poll-interval') * 1000;
    const client = connectZenml(ctx, { serverUrl: i['server-url'], apiKey: i['api-key'] });
    const snapshot = await ctx.phase('Resolve the snapshot', () => resolveSnapshot(client, { project: i.project, snapshot: i.snapshot, pipeline: i.pipeline }));
    const started = await ctx.phase(`Trigger ${snapshot.name ?? snapshot.id}`, () =>
      triggerSnapshot(client, { project: i.project, snapshot, parameters: i.parameters, steps: i.steps, runName: i['run-name'] }),
    );
    ctx.info(`Started run ${started.name} (${started.id})${started.url ? `: ${started.url}` : ''}`);
    ctx.setOutput('run-id', started.id);
    ctx.setOutput('run-name', started.name);
    ctx.setOutput('run-url', started.url ?? '');
    if (!i.wait) {
      ctx.setOutput('status', started.status);
      ctx.setOutput('duration', 0);
      ctx.summary(runSummary({ run: started, steps: [], durationSeconds: 0, snapshot }));
      return;
    }
    const done = await ctx.phase('Wait for the run', () => waitForRun(client, started, { project: i.project, timeoutMs, pollIntervalMs, log: (l) => ctx.info(l) }));
    ctx.setOutput('status', done.run.status);
    ctx.setOutput('duration', Math.round(done.durationSeconds));
    ctx.summary(runSummary({ ...done, snapshot }));
    assertRunSucceeded(done.run);
  },
});
