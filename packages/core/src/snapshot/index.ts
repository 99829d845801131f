export {
  resolveSnapshot,
  getSnapshot,
  listSnapshotsNamed,
  toSnapshotInfo,
  defaultSnapshotName,
  snapshotSummary,
  type SnapshotInfo,
} from './snapshot.js';
export {
  triggerSnapshot,
  waitForRun,
  assertRunSucceeded,
  runSummary,
  SUCCESSFUL_RUN_STATUSES,
  type TriggerRequest,
  type RunInfo,
  type StepInfo,
} from './run.js';
export { snapshotFromRun, snapshotFromSource, snapshotCreateArgs, type SnapshotFromSourceQuery, type SpawnLike } from './build.js';
