/**
 * Snapshot naming (API.md §6.2): names are unique per pipeline; taking a name
 * another snapshot of the same pipeline holds is a 409 unless `replace`, in
 * which case the other snapshot loses its name.
 */
import { entityExists } from '../errors.js';
import type { SnapshotRec } from '../store/records.js';
import type { Store } from '../store/store.js';

export interface SnapshotInput {
  projectId: string;
  pipelineId: string;
  stackId: string;
  buildId?: string | undefined;
  name?: string | undefined;
  description?: string | undefined;
  runnable?: boolean | undefined;
  notRunnableReason?: string | undefined;
  deployable?: boolean | undefined;
  isDynamic?: boolean | undefined;
  runNameTemplate?: string | undefined;
  pipelineConfiguration?: Record<string, unknown> | undefined;
  stepConfigurations?: Record<string, unknown> | undefined;
  configTemplate?: Record<string, unknown> | undefined;
  gitCommit?: string | undefined;
  sourceSnapshotId?: string | undefined;
  replace?: boolean | undefined;
  tags?: string[] | undefined;
  clientVersion?: string | undefined;
  serverVersion?: string | undefined;
}

/** Claims `name` for `snapshot` among the snapshots of its pipeline. */
function claimName(store: Store, snapshot: { id: string; pipelineId: string }, name: string, replace: boolean): void {
  for (const other of store.snapshots.values()) {
    if (other.id === snapshot.id || other.pipelineId !== snapshot.pipelineId || other.name !== name) continue;
    if (!replace) {
      const pipeline = store.pipelines.get(snapshot.pipelineId);
      throw entityExists(
        `Unable to use name '${name}' for the snapshot: A snapshot with this name already exists for pipeline ${pipeline?.name ?? snapshot.pipelineId}.`,
      );
    }
    other.name = null;
    store.touch(other);
  }
}

/** Why a snapshot can't run, when the caller didn't say (the 400 message of a trigger). */
export function defaultNotRunnableReason(buildId: string | null): string {
  return buildId === null
    ? 'This snapshot can not be run because it does not have an associated build. This can happen if the build was deleted.'
    : 'This snapshot can not be run because its stack is not runnable from the server: it needs a remote orchestrator, a remote artifact store and a container registry.';
}

export function createSnapshot(store: Store, input: SnapshotInput, userId: string | null): SnapshotRec {
  const build = input.buildId ? store.mustGet(store.builds, input.buildId, 'pipeline_build') : undefined;
  // Over REST, runnable follows from the build: a remote build makes it runnable.
  const runnable = input.runnable ?? (build !== undefined && !build.isLocal);
  const rec: SnapshotRec = {
    ...store.base(userId),
    projectId: input.projectId,
    pipelineId: input.pipelineId,
    stackId: input.stackId,
    buildId: build?.id ?? null,
    name: null,
    description: input.description ?? null,
    runnable,
    deployable: input.deployable ?? false,
    isDynamic: input.isDynamic ?? false,
    notRunnableReason: runnable ? null : (input.notRunnableReason ?? defaultNotRunnableReason(build?.id ?? null)),
    runNameTemplate: input.runNameTemplate ?? '{pipeline_name}-{date}-{time}',
    pipelineConfiguration: input.pipelineConfiguration ?? {},
    stepConfigurations: input.stepConfigurations ?? {},
    configTemplate: input.configTemplate ?? null,
    gitCommit: input.gitCommit ?? null,
    sourceSnapshotId: input.sourceSnapshotId ?? null,
    clientVersion: input.clientVersion ?? null,
    serverVersion: input.serverVersion ?? null,
  };
  if (input.name !== undefined) claimName(store, rec, input.name, input.replace ?? false);
  rec.name = input.name ?? null;
  store.snapshots.set(rec.id, rec);
  store.applyTagNames('pipeline_snapshot', rec.id, input.tags, undefined, userId);
  return rec;
}

export interface SnapshotUpdateInput {
  /** A string renames; `false` removes the name. */
  name?: string | false | undefined;
  description?: string | undefined;
  replace?: boolean | undefined;
  addTags?: string[] | undefined;
  removeTags?: string[] | undefined;
}

export function updateSnapshot(store: Store, snap: SnapshotRec, u: SnapshotUpdateInput, userId: string | null): SnapshotRec {
  if (typeof u.name === 'string') {
    claimName(store, snap, u.name, u.replace ?? false);
    snap.name = u.name;
  } else if (u.name === false) {
    snap.name = null;
  }
  if (u.description !== undefined) snap.description = u.description;
  store.applyTagNames('pipeline_snapshot', snap.id, u.addTags, u.removeTags, userId);
  store.touch(snap);
  return snap;
}
