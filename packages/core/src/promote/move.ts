/**
 * Moving a version into a stage so that concurrent promotions cannot both win, and a failure
 * half-way leaves the stage as it was.
 *
 * The server keeps at most one version per stage and offers one primitive: `PUT
 * /model_versions/{id} {stage, force}` (API.md §3.4). With `force: true` it archives whoever holds
 * the stage, so two forced promotions of different versions would both "succeed", the later one
 * silently undoing the earlier. The protocol therefore never sends the candidate with force:
 *
 *   1. read    the holder H of the stage (the caller has done this and decided H may be replaced:
 *              force, or H is the expected-current-version).
 *   2. vacate  PUT H {stage: archived, force: true}, by H's id. `force` only because the check
 *              covers `archived` too (another archived version stays archived). If H was already
 *              replaced by a concurrent promotion, H is archived already and this changes nothing.
 *   3. take    PUT candidate {stage, force: false}. The server's own check is the compare-and-swap:
 *              if anyone else took the stage since step 1 (or 2), it answers 500 RuntimeError
 *              "… `force` flag is False." — that promotion won; we fail with the compare-and-swap
 *              line and leave their result alone.
 *   4. undo    if step 3 failed for any other reason, put H back (PUT H {stage, force: false}, which
 *              again cannot displace anyone) and report both facts in one line.
 *
 * Every request is a PUT of an absolute state, so the client's retries of an ambiguous failure
 * are safe: a repeated step 3 finds the candidate already in the stage, which is no conflict.
 * The one window the server gives no way to close: H moved elsewhere by someone else between
 * steps 1 and 2 would be archived by step 2. Use a `concurrency:` group per model as well.
 */
import { isMlopsError, MlopsError, type ErrorKind } from '../errors.js';
import { isStageOccupied, stageHolder } from '../import/stage.js';
import { ModelVersionResponseSchema, parseResponse, type ModelVersionResponse, type ZenmlClient } from '../zenml/index.js';

/** A promotion that lost to the stage's state: the expected holder was not there, or another promotion won. */
export class PromotionConflictError extends MlopsError {
  readonly kind = 'input' as const;
  constructor(
    message: string,
    readonly stage: string,
    /** Who holds the stage now, when known. */
    readonly holder: { id: string; version: string } | undefined,
  ) {
    super(message);
    this.name = 'PromotionConflictError';
  }
}

/** A failure during a promotion, with what was done about it; keeps the cause's kind. */
export class PromotionError extends MlopsError {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PromotionError';
  }
}

/** The stages a version can be promoted to (`none` and virtual `latest` are not). */
export const PROMOTABLE_STAGES = ['staging', 'production', 'archived'] as const;

export function versionName(mv: ModelVersionResponse): string {
  return mv.name ?? String(mv.body?.number ?? '?');
}

/** "v9" for numbered versions, "golden (v2)" for named ones. */
export function shortLabel(mv: ModelVersionResponse): string {
  const name = versionName(mv);
  const n = mv.body?.number;
  if (/^\d+$/.test(name)) return `v${name}`;
  return n === undefined ? name : `${name} (v${n})`;
}

export function ref(mv: ModelVersionResponse): { id: string; version: string } {
  return { id: mv.id, version: versionName(mv) };
}

/** Does `spec` (a version name, number, "v<number>" or id) designate `mv`? */
export function designates(spec: string, mv: ModelVersionResponse): boolean {
  const s = spec.trim();
  if (s === mv.id || s === mv.name) return true;
  const n = mv.body?.number;
  if (n === undefined) return false;
  return s === String(n) || (/^v\d+$/i.test(s) && Number(s.slice(1)) === n);
}

export interface StageTarget {
  client: ZenmlClient;
  projectId: string;
  modelId: string;
  modelName: string;
  stage: string;
}

export function currentHolder(t: StageTarget): Promise<ModelVersionResponse | undefined> {
  return stageHolder(t.client, t.projectId, t.modelId, t.stage);
}

/** The compare-and-swap line (also the race loser's). */
export function casMessage(stage: string, holder: ModelVersionResponse | undefined, expected: string): string {
  const now = holder ? `is held by ${shortLabel(holder)}` : 'is empty';
  const want = expected.trim().toLowerCase() === 'none' ? 'empty' : /^v/i.test(expected.trim()) ? expected.trim() : `v${expected.trim()}`;
  return `${stage} ${now}, not ${want} (expected-current-version, compare-and-swap); nothing was changed.`;
}

async function put(client: ZenmlClient, id: string, stage: string, force: boolean): Promise<ModelVersionResponse> {
  const { data } = await client.api.PUT('/api/v1/model_versions/{model_version_id}', {
    params: { path: { model_version_id: id } },
    body: { stage: stage as (typeof PROMOTABLE_STAGES)[number], force },
  });
  return parseResponse(ModelVersionResponseSchema, data, 'PUT /api/v1/model_versions/{id}');
}

function oneLine(e: unknown): string {
  if (isMlopsError(e)) return e.oneLine();
  return e instanceof Error ? e.message : String(e);
}

/**
 * Steps 2–4 of the protocol above: `holder` (the version read as holding the stage, if any) is
 * archived, then `candidate` takes the stage without force. Returns the candidate as updated.
 */
export async function moveIntoStage(
  t: StageTarget,
  candidate: ModelVersionResponse,
  holder: ModelVersionResponse | undefined,
  log: (line: string) => void,
): Promise<ModelVersionResponse> {
  const { client, stage } = t;
  if (stage === 'archived') return put(client, candidate.id, stage, true);

  if (holder) {
    await put(client, holder.id, 'archived', true);
    log(`Archived ${shortLabel(holder)} (it held ${stage}).`);
  }
  try {
    return await put(client, candidate.id, stage, false);
  } catch (e) {
    if (isStageOccupied(e)) {
      const now = await currentHolder(t).catch(() => undefined);
      const who = now ? `${shortLabel(now)} took it` : 'another version took it';
      throw new PromotionConflictError(
        `${stage} changed while this promotion ran: ${who} first (compare-and-swap: another promotion won); ` +
          `${shortLabel(candidate)} was not moved${holder ? `, and ${shortLabel(holder)} stays archived` : ''}.`,
        stage,
        now ? ref(now) : undefined,
      );
    }
    const kind = isMlopsError(e) ? e.kind : 'api';
    const failed = `Moving ${t.modelName} ${shortLabel(candidate)} to ${stage} failed: ${oneLine(e)}`;
    if (!holder) throw new PromotionError(kind, `${failed} Nothing was changed.`, { cause: e });
    try {
      await put(client, holder.id, stage, false);
    } catch (undo) {
      const why = isStageOccupied(undo) ? 'another version took the stage meanwhile' : oneLine(undo);
      throw new PromotionError(
        kind,
        `${failed} Putting ${shortLabel(holder)} back into ${stage} failed too (${why}): ${stage} may be empty or held by another version; check it and re-run.`,
        { cause: e },
      );
    }
    throw new PromotionError(kind, `${failed} ${shortLabel(holder)} was put back into ${stage}; nothing changed.`, { cause: e });
  }
}

