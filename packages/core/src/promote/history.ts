/**
 * The promotion history a model version carries in its run metadata. Metadata is append-only and
 * the server shows the latest value per key (API.md §5.2), so recording an event means: read the
 * current list, append, write the whole list under `promotion_history`, and the event itself under
 * `last_promotion`.
 */
import { z } from '../zod.js';
import type { RunContext } from '../action/github-context.js';
import { InputError } from '../errors.js';
import { resolveProject } from '../export/resolve.js';
import { writeVersionMetadata } from '../import/metadata.js';
import { getVersion } from '../import/model-version.js';
import { runMetadata, type ModelVersionResponse, type ZenmlClient } from '../zenml/index.js';
import { CLEARED_PENDING } from './pending.js';
import type { PromotionEvent, VersionRef } from './types.js';

export const PROMOTION_HISTORY_KEY = 'promotion_history';
export const LAST_PROMOTION_KEY = 'last_promotion';

/**
 * Lenient: unknown fields dropped, nulls (a metadata round-trip may produce them) treated as absent.
 * Built on first use: an action that loads this module may never read a history.
 */
const EventSchema = z.lazy(() =>
  z.object({
    kind: z.enum(['promote', 'rollback']),
    fromStage: z.nullish(z.string()),
    toStage: z.string(),
    previousHolder: z.nullish(z.object({ id: z.string(), version: z.string() })),
    actor: z.nullish(z.string()),
    runUrl: z.nullish(z.string()),
    repository: z.nullish(z.string()),
    commit: z.nullish(z.string()),
    at: z.string(),
    approvals: z.nullish(z.array(z.unknown())),
    gate: z.nullish(z.object({ passed: z.boolean(), digest: z.nullish(z.string()) })),
    reason: z.nullish(z.string()),
    source: z.nullish(z.object({ serverUrl: z.string(), modelVersionId: z.string() })),
  }),
);

function withoutNulls<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === null || v === undefined) continue;
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) ? withoutNulls(v as Record<string, unknown>) : v;
  }
  return out as T;
}

/** The events recorded on a version, oldest first; malformed entries are left out. */
export function historyOf(mv: ModelVersionResponse, log?: (line: string) => void): PromotionEvent[] {
  let raw = runMetadata(mv)[PROMOTION_HISTORY_KEY];
  if (raw === undefined || raw === null) return [];
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw) as unknown;
    } catch {
      log?.(`Run metadata '${PROMOTION_HISTORY_KEY}' of version ${mv.id} is a string that is not JSON; ignored.`);
      return [];
    }
  }
  if (!Array.isArray(raw)) {
    log?.(`Run metadata '${PROMOTION_HISTORY_KEY}' of version ${mv.id} is not a list; ignored.`);
    return [];
  }
  const events: PromotionEvent[] = [];
  raw.forEach((entry, i) => {
    const parsed = EventSchema.safeParse(entry);
    if (parsed.success) {
      const e = withoutNulls(parsed.data as Record<string, unknown>) as unknown as PromotionEvent;
      events.push({ ...e, fromStage: parsed.data.fromStage ?? null });
    } else {
      log?.(`${PROMOTION_HISTORY_KEY}[${i}] of version ${mv.id} is malformed; ignored.`);
    }
  });
  return events;
}

/** The newest event that moved the version into `stage`. */
export function lastEventInto(events: PromotionEvent[], stage: string): PromotionEvent | undefined {
  let best: PromotionEvent | undefined;
  for (const e of events) if (e.toStage === stage && (!best || e.at >= best.at)) best = e;
  return best;
}

export function buildEvent(
  fields: Pick<PromotionEvent, 'kind' | 'fromStage' | 'toStage'> & {
    previousHolder?: VersionRef | undefined;
    approvals?: unknown[] | undefined;
    gate?: { passed: boolean; digest?: string | undefined } | undefined;
    reason?: string | undefined;
    source?: PromotionEvent['source'] | undefined;
  },
  run: RunContext,
): PromotionEvent {
  const e: PromotionEvent = { kind: fields.kind, fromStage: fields.fromStage, toStage: fields.toStage, at: run.at };
  if (fields.previousHolder) e.previousHolder = { ...fields.previousHolder };
  if (run.actor) e.actor = run.actor;
  if (run.workflowRunUrl) e.runUrl = run.workflowRunUrl;
  if (run.repository) e.repository = run.repository;
  if (run.commit) e.commit = run.commit;
  if (fields.approvals) e.approvals = fields.approvals;
  if (fields.gate) e.gate = fields.gate.digest ? { passed: fields.gate.passed, digest: fields.gate.digest } : { passed: fields.gate.passed };
  if (fields.reason) e.reason = fields.reason;
  if (fields.source) e.source = { ...fields.source };
  // JSON round-trip: what is written is exactly what will be read back (no undefined, no class instances).
  return JSON.parse(JSON.stringify(e)) as PromotionEvent;
}

/** Appends `event` to the version's history (re-read just before writing). */
export async function recordEvent(client: ZenmlClient, projectId: string, modelVersionId: string, event: PromotionEvent): Promise<PromotionEvent[]> {
  const fresh = await getVersion(client, modelVersionId);
  const history = [...historyOf(fresh), event];
  // The same write clears the promotion's pending marker (pending.ts): the event is what it waited for.
  await writeVersionMetadata(client, projectId, modelVersionId, {
    values: { [PROMOTION_HISTORY_KEY]: history, [LAST_PROMOTION_KEY]: event, ...CLEARED_PENDING.values },
    types: { [PROMOTION_HISTORY_KEY]: 'list', [LAST_PROMOTION_KEY]: 'dict', ...CLEARED_PENDING.types },
  });
  return history;
}

/** The promotion events recorded on a model version, oldest first. */
export async function promotionHistory(client: ZenmlClient, q: { project: string; modelVersionId: string }): Promise<PromotionEvent[]> {
  const project = await resolveProject(client, q.project);
  const mv = await getVersion(client, q.modelVersionId);
  const owner = mv.body?.project_id;
  if (owner && owner !== project.id) {
    throw new InputError('project', `model version ${q.modelVersionId} is not in project '${project.name}'.`);
  }
  return historyOf(mv);
}
