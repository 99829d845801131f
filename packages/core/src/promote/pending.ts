/**
 * The promotion a run has started on a version but not yet finished, kept in the candidate's run
 * metadata (`promotion_pending`) from just before the stage move until the event is recorded
 * (recording it clears the marker). It lets a re-run finish a promotion whose run was killed
 * part-way, instead of leaving it half done:
 *
 *   - killed after archiving the holder, before taking the stage: the stage is empty and the
 *     expected holder archived, which the compare-and-swap alone would refuse ("production is
 *     empty, not v1") — with the marker naming that holder, the re-run takes the stage;
 *   - killed after taking the stage, before recording the event: the candidate already holds
 *     the stage, which alone means "nothing to do" — with the marker, the re-run records the
 *     event it never got.
 */
import { writeVersionMetadata } from '../import/metadata.js';
import { getVersion } from '../import/model-version.js';
import { runMetadata, type ModelVersionResponse, type ZenmlClient } from '../zenml/index.js';
import { currentHolder, designates, type StageTarget } from './move.js';
import type { VersionRef } from './types.js';

export const PENDING_KEY = 'promotion_pending';

export interface PendingPromotion {
  stage: string;
  fromStage: string | null;
  /** Who held the stage when the promotion started (it is archived by the move). */
  previousHolder: VersionRef | null;
  at: string;
}

/** The candidate's unfinished promotion into `stage`, if its metadata carries one. */
export function pendingInto(candidate: ModelVersionResponse, stage: string): PendingPromotion | undefined {
  const raw = runMetadata(candidate)[PENDING_KEY];
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const p = raw as Partial<PendingPromotion>;
  if (p.stage !== stage) return undefined;
  const prev = p.previousHolder;
  const previousHolder = prev && typeof prev.id === 'string' && typeof prev.version === 'string' ? { id: prev.id, version: prev.version } : null;
  return { stage, fromStage: typeof p.fromStage === 'string' ? p.fromStage : null, previousHolder, at: typeof p.at === 'string' ? p.at : '' };
}

export async function markPending(t: StageTarget, candidateId: string, p: PendingPromotion): Promise<void> {
  await writeVersionMetadata(t.client, t.projectId, candidateId, { values: { [PENDING_KEY]: p }, types: { [PENDING_KEY]: 'dict' } });
}

/** What recording the event writes to clear the marker (metadata is append-only: the latest value counts). */
export const CLEARED_PENDING = { values: { [PENDING_KEY]: {} }, types: { [PENDING_KEY]: 'dict' } } as const;

/**
 * With the stage empty: the version an interrupted run of this same promotion archived, when it
 * is the one `expected` names and is still archived — the compare-and-swap that run passed.
 */
export async function archivedByInterruptedRun(
  client: ZenmlClient,
  pending: PendingPromotion | undefined,
  expected: string | undefined,
): Promise<ModelVersionResponse | undefined> {
  if (!pending?.previousHolder || !expected?.trim()) return undefined;
  const prev = await getVersion(client, pending.previousHolder.id).catch(() => undefined);
  return prev && prev.body?.stage === 'archived' && designates(expected, prev) ? prev : undefined;
}

/** After a failed move: ends the marker unless the stage is empty. */
export async function clearPendingIfHeld(t: StageTarget, candidateId: string): Promise<void> {
  if (!(await currentHolder(t))) return;
  await writeVersionMetadata(t.client, t.projectId, candidateId, { values: { ...CLEARED_PENDING.values }, types: { ...CLEARED_PENDING.types } });
}
