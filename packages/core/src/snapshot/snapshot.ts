/**
 * Pipeline snapshots (API.md §6.2): what the suite knows about one, how to find one by id or by
 * name (names are unique per pipeline, not per project), naming and summaries.
 */
import { InputError, ZenmlApiError } from '../errors.js';
import { code, facts, heading } from '../action/markdown.js';
import { isUuid, type ZenmlClient } from '../zenml/client.js';
import { PipelineSnapshotResponseSchema, type PipelineSnapshotResponse } from '../zenml/schemas.js';
import { firstItems, getJson } from './http.js';

export interface SnapshotInfo {
  id: string;
  name: string | null;
  /** Pipeline name. */
  pipeline?: string;
  pipelineId?: string;
  /** Stack name (or id when the server did not say). */
  stack?: string;
  buildId?: string;
  runnable: boolean;
  /** Only known when a trigger was refused; the server does not report it on the snapshot. */
  notRunnableReason?: string;
  gitCommit?: string;
}

const SNAPSHOTS = '/api/v1/pipeline_snapshots';

/** `resources.code_reference` is `{ body: { commit } }` on 0.90+; tolerate a flat `{ commit }` too. */
function commitOf(codeRef: unknown): string | undefined {
  if (!codeRef || typeof codeRef !== 'object') return undefined;
  const r = codeRef as Record<string, unknown>;
  const body = r['body'] && typeof r['body'] === 'object' ? (r['body'] as Record<string, unknown>) : r;
  const c = body['commit'];
  return typeof c === 'string' && c ? c : undefined;
}

export function toSnapshotInfo(s: PipelineSnapshotResponse): SnapshotInfo {
  const res = s.resources;
  const info: SnapshotInfo = { id: s.id, name: s.name ?? null, runnable: s.body?.runnable === true };
  const pipeline = res?.pipeline?.name ?? undefined;
  const pipelineId = res?.pipeline?.id ?? s.body?.pipeline_id ?? undefined;
  const stack = res?.stack?.name ?? res?.stack?.id ?? undefined;
  const buildId = res?.build?.id ?? undefined;
  const gitCommit = commitOf(res?.['code_reference']);
  if (pipeline) info.pipeline = pipeline;
  if (pipelineId) info.pipelineId = pipelineId;
  if (stack) info.stack = stack;
  if (buildId) info.buildId = buildId;
  if (gitCommit) info.gitCommit = gitCommit;
  return info;
}

export async function getSnapshot(client: ZenmlClient, id: string): Promise<SnapshotInfo> {
  const s = await getJson(client, `${SNAPSHOTS}/${id}`, { hydrate: false }, PipelineSnapshotResponseSchema, `GET ${SNAPSHOTS}/{id}`);
  return toSnapshotInfo(s);
}

/** Named snapshots called `name` in `project` (optionally of one pipeline), newest first. */
export async function listSnapshotsNamed(client: ZenmlClient, project: string, name: string, pipeline?: string): Promise<SnapshotInfo[]> {
  const items = await firstItems(
    client,
    SNAPSHOTS,
    { project, name: `equals:${name}`, named_only: true, pipeline, sort_by: 'desc:created', hydrate: false },
    PipelineSnapshotResponseSchema,
    50,
  );
  return items.filter((s) => s.name === name).map(toSnapshotInfo);
}

/** A few runnable, named snapshots (of `pipeline` when given), newest first: for "not found" messages. */
async function runnableHint(client: ZenmlClient, project: string, pipeline: string | undefined): Promise<string> {
  try {
    const items = await firstItems(
      client,
      SNAPSHOTS,
      { project, pipeline, runnable: true, named_only: true, sort_by: 'desc:created', hydrate: false },
      PipelineSnapshotResponseSchema,
      5,
    );
    const where = pipeline ? `pipeline '${pipeline}'` : `project '${project}'`;
    if (!items.length) return ` ${where} has no runnable named snapshots.`;
    const names = items.map((s) => (pipeline ? `'${s.name}'` : `'${s.name}' (${s.resources?.pipeline?.name ?? '?'})`));
    return ` Runnable snapshots of ${where}: ${names.join(', ')}.`;
  } catch (err) {
    // The pipeline itself may be unknown (404/400): the hint is a courtesy, never the failure.
    if (err instanceof ZenmlApiError) return '';
    throw err;
  }
}

/** Resolve by id, or by name (+ pipeline name or id: names are unique per pipeline). */
export async function resolveSnapshot(
  client: ZenmlClient,
  q: { project: string; snapshot: string; pipeline?: string },
): Promise<SnapshotInfo> {
  const ref = q.snapshot.trim();
  const pipeline = q.pipeline?.trim() || undefined;
  if (!ref) throw new InputError('snapshot', 'is empty: set it to a snapshot id, or a snapshot name (with pipeline).');
  if (isUuid(ref)) {
    try {
      return await getSnapshot(client, ref.toLowerCase());
    } catch (err) {
      if (!(err instanceof ZenmlApiError && err.status === 404)) throw err;
      // fall through: a name that looks like a UUID is possible, if odd
    }
  }
  const found = await listSnapshotsNamed(client, q.project, ref, pipeline);
  if (found.length === 1) return found[0] as SnapshotInfo;
  if (found.length > 1) {
    const pipelines = found.map((s) => `'${s.pipeline ?? s.pipelineId ?? '?'}'`).join(', ');
    throw new InputError(
      'pipeline',
      `several pipelines have a snapshot named '${ref}' (${pipelines}) in project '${q.project}': set pipeline to the one you mean, or pass the snapshot id.`,
    );
  }
  const of = pipeline ? ` of pipeline '${pipeline}'` : '';
  throw new InputError(
    'snapshot',
    `no snapshot '${ref}'${of} in project '${q.project}'.${await runnableHint(client, q.project, pipeline)}`,
  );
}

/** `<pipeline>-<environment>-<short sha>`, sanitised to letters, digits, `_`, `-`, `.`. */
export function defaultSnapshotName(pipeline: string, environment: string, sha: string | undefined): string {
  // A source path (src.pipelines.batch.batch_inference) names the pipeline by its last segment.
  const base = pipeline.trim().split(/[.:/]/).filter(Boolean).pop() ?? pipeline.trim();
  const short = sha?.trim().slice(0, 7);
  const parts = [base, environment.trim(), short].filter((p): p is string => !!p);
  const name = parts
    .join('-')
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  if (!name) throw new InputError('name', 'could not build a default snapshot name: set name explicitly.');
  return name;
}

export function snapshotSummary(s: SnapshotInfo & { buildId?: string; gitCommit?: string }): string {
  const runnable = s.runnable ? 'yes' : s.notRunnableReason ? `no: ${s.notRunnableReason}` : 'no';
  return (
    heading(`Pipeline snapshot ${s.name ?? s.id}`) +
    facts([
      ['Snapshot', s.name ? `${s.name} (${code(s.id)})` : code(s.id)],
      ['Pipeline', s.pipeline ?? s.pipelineId],
      ['Stack', s.stack],
      ['Build', s.buildId ? code(s.buildId) : undefined],
      ['Commit', s.gitCommit ? code(s.gitCommit) : undefined],
      ['Runnable', runnable],
    ])
  );
}
