import {
  assertRunSucceeded,
  connectZenml,
  defaultSnapshotName,
  InputError,
  runAction,
  runSummary,
  snapshotFromRun,
  snapshotFromSource,
  snapshotSummary,
  triggerSnapshot,
  waitForRun,
} from '@mlops-actions/core';
import { inputs } from './inputs.js';

/** How long `run: true` waits, and how often it polls: run-snapshot's defaults. */
const RUN_TIMEOUT_MS = 60 * 60 * 1000;
const POLL_INTERVAL_MS = 15 * 1000;

await runAction({
  name: 'build-snapshot',
  inputs,
  async run(ctx) {
    const i = ctx.inputs;
    if (Boolean(i['from-run']) === Boolean(i.pipeline)) {
      throw new InputError('from-run', 'or pipeline: give exactly one (from-run names the snapshot of a finished run; pipeline creates one from source with the zenml CLI)');
    }
    const client = connectZenml(ctx, { serverUrl: i['server-url'], apiKey: i['api-key'] });
    const sha = ctx.env.GITHUB_SHA;
    let snapshot;
    if (i['from-run']) {
      const fromRun = i['from-run'];
      const name = i.name ?? ((pipeline: string) => defaultSnapshotName(pipeline, i.environment, sha));
      snapshot = await ctx.phase(`Name the snapshot of run ${fromRun}`, () => snapshotFromRun(client, { project: i.project, run: fromRun, name, replace: i.replace }));
    } else {
      const pipeline = i.pipeline as string;
      const short = pipeline.split('.').pop() ?? pipeline;
      const name = i.name ?? defaultSnapshotName(short, i.environment, sha);
      snapshot = await ctx.phase(`Create snapshot ${name} from source (zenml CLI)`, () =>
        snapshotFromSource(client, {
          project: i.project,
          pipeline,
          name,
          stack: i.stack,
          config: i.config,
          replace: i.replace,
          env: ctx.env,
          apiKey: i['api-key'],
          cwd: ctx.env.GITHUB_WORKSPACE,
          log: (l) => ctx.info(l),
        }),
      );
    }
    ctx.setOutput('snapshot-id', snapshot.id);
    ctx.setOutput('snapshot-name', snapshot.name ?? '');
    ctx.setOutput('runnable', snapshot.runnable);
    ctx.setOutput('build-id', snapshot.buildId ?? '');
    ctx.setOutput('git-commit', snapshot.gitCommit ?? sha ?? '');
    ctx.summary(snapshotSummary({ ...snapshot, gitCommit: snapshot.gitCommit ?? sha }));

    if (i.run) {
      const started = await ctx.phase(`Run ${snapshot.name ?? snapshot.id}`, () => triggerSnapshot(client, { project: i.project, snapshot }));
      const done = await ctx.phase('Wait for the run', () =>
        waitForRun(client, started, { project: i.project, timeoutMs: RUN_TIMEOUT_MS, pollIntervalMs: POLL_INTERVAL_MS, log: (l) => ctx.info(l) }),
      );
      ctx.summary(runSummary({ ...done, snapshot }));
      assertRunSucceeded(done.run);
    }
  },
});
