/**
 * `promoteInServer`: one model version into a stage on one server — the candidate named by
 * `version` or `fromStage`, the stage's current holder checked against `force` or
 * `expectedCurrentVersion` (compare-and-swap), the move made race-safe (move.ts), and the event
 * recorded on the promoted version (history.ts). A dry run reads only.
 */
import type { RunContext } from '../action/github-context.js';
import { InputError, isMlopsError } from '../errors.js';
import { resolveModel, resolveModelVersion, resolveProject, VERSION_STAGES } from '../export/resolve.js';
import type { ModelVersionResponse, ZenmlClient } from '../zenml/index.js';
import { buildEvent, historyOf, lastEventInto, recordEvent } from './history.js';
import { archivedByInterruptedRun, clearPendingIfHeld, markPending, pendingInto } from './pending.js';
import {
  casMessage,
  currentHolder,
  designates,
  moveIntoStage,
  PROMOTABLE_STAGES,
  PromotionConflictError,
  PromotionError,
  ref,
  shortLabel,
  versionName,
  type StageTarget,
} from './move.js';
import type { GateOutcome, PromoteRequest, PromoteResult, PromotionEvent } from './types.js';

/** The normalised target stage; InputError naming `input` otherwise. */
export function checkTargetStage(stage: string | undefined, input = 'to-stage', allowed: readonly string[] = PROMOTABLE_STAGES): string {
  const s = (stage ?? '').trim().toLowerCase();
  if (!s) throw new InputError(input, `is required: one of ${allowed.join(', ')}.`);
  if (s === 'latest') throw new InputError(input, "'latest' is not a stage a version can be moved to (it means the newest version); use one of " + `${allowed.join(', ')}.`);
  if (!allowed.includes(s)) throw new InputError(input, `'${stage}' is not a stage a version can be promoted to; use one of ${allowed.join(', ')}.`);
  return s;
}

/** Runs a lookup whose InputErrors name `from`, re-labelled to name `to` (the input the user set). */
export async function asInput<T>(from: string, to: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof InputError && e.input === from) throw new InputError(to, e.message.replace(`Input '${from}': `, ''));
    throw e;
  }
}

export async function promoteInServer(client: ZenmlClient, req: PromoteRequest): Promise<PromoteResult> {
  const toStage = checkTargetStage(req.toStage);
  const version = req.version?.trim() || undefined;
  const fromStage = req.fromStage?.trim().toLowerCase() || undefined;
  if (version && fromStage) {
    throw new InputError('version', `and 'from-stage' are both set ('${version}', '${fromStage}'): name the candidate with exactly one of them.`);
  }
  if (!version && !fromStage) {
    throw new InputError('version', `or 'from-stage' is required: name the candidate by version (a number or name) or by the stage it is in (${VERSION_STAGES.join(', ')}).`);
  }
  if (fromStage && !(VERSION_STAGES as readonly string[]).includes(fromStage)) {
    throw new InputError('from-stage', `'${req.fromStage}' is not a stage; use one of ${VERSION_STAGES.join(', ')}.`);
  }

  const project = await resolveProject(client, req.project);
  const model = await resolveModel(client, project, req.model);
  const candidate = version
    ? await resolveModelVersion(client, project, model, version)
    : await asInput('version', 'from-stage', () => resolveModelVersion(client, project, model, fromStage as string));
  const target: StageTarget = { client, projectId: project.id, modelId: model.id, modelName: model.name, stage: toStage };
  return promoteVersion(target, candidate, {
    kind: 'promote',
    force: req.force,
    expectedCurrentVersion: req.expectedCurrentVersion,
    dryRun: req.dryRun,
    run: req.run,
    approvals: req.approvals,
    gate: req.gate,
    log: req.log,
  });
}

export interface MoveOptions {
  kind: PromotionEvent['kind'];
  force: boolean;
  expectedCurrentVersion?: string | undefined;
  dryRun: boolean;
  run: RunContext;
  approvals?: unknown[] | undefined;
  gate?: GateOutcome | undefined;
  reason?: string | undefined;
  source?: PromotionEvent['source'] | undefined;
  log: (line: string) => void;
}

/**
 * May `holder` (the version in `t.stage` now, or none) be replaced? With expected-current-version:
 * only if it designates the holder (or `none` an empty stage) — else the compare-and-swap line;
 * without it: an occupied stage needs force. Throws; writes nothing.
 */
export function checkReplaceable(
  t: StageTarget,
  candidate: string,
  holder: ModelVersionResponse | undefined,
  o: Pick<MoveOptions, 'expectedCurrentVersion' | 'force' | 'kind'>,
): void {
  const expected = o.expectedCurrentVersion?.trim();
  if (expected) {
    const matches = expected.toLowerCase() === 'none' ? !holder : Boolean(holder && designates(expected, holder));
    if (!matches) throw new PromotionConflictError(casMessage(t.stage, holder, expected), t.stage, holder && ref(holder));
  } else if (holder && !o.force) {
    throw new InputError(
      'force',
      `${t.stage} is held by ${t.modelName} ${shortLabel(holder)}. Set force: true to archive it and ${o.kind === 'rollback' ? 'restore' : 'promote'} ${candidate} ` +
        `(or expected-current-version: ${versionName(holder)} to replace exactly that version); nothing was changed.`,
    );
  }
}

function planOf(t: StageTarget, kind: PromotionEvent['kind'], c: ModelVersionResponse, holder: ModelVersionResponse | undefined, o: MoveOptions): string {
  if (kind === 'rollback') {
    return `would roll back ${t.modelName} ${t.stage} from ${holder ? shortLabel(holder) : '(empty)'} to ${shortLabel(c)}${o.reason ? ` (reason: ${o.reason})` : ''}`;
  }
  if (t.stage === 'archived') return `would archive ${t.modelName} ${shortLabel(c)}`;
  const gate = o.gate?.summary ? `; ${o.gate.summary}` : '';
  return `would promote ${t.modelName} ${shortLabel(c)} → ${t.stage}${holder ? `, archiving ${shortLabel(holder)}` : ''}${gate}`;
}

/**
 * The shared core of promote, rollback and the cross-server promotion: `candidate` (resolved)
 * into `t.stage`. Checks, plan, race-safe move, event.
 */
export async function promoteVersion(t: StageTarget, candidate: ModelVersionResponse, o: MoveOptions): Promise<PromoteResult> {
  const { log } = o;
  const label = `${t.modelName} ${shortLabel(candidate)}`;
  if (o.gate && !o.gate.passed) {
    throw new PromotionError('input', `The gate did not pass for ${label}${o.gate.summary ? ` (${o.gate.summary})` : ''}: nothing was promoted.`);
  }
  const fromStage = candidate.body?.stage ?? null;
  const base = { modelVersionId: candidate.id, version: versionName(candidate), stage: t.stage, dryRun: o.dryRun };

  // `archived` holds any number of versions in practice: nobody is displaced, nothing to compare.
  const exclusive = t.stage !== 'archived';
  if (!exclusive && o.expectedCurrentVersion?.trim()) {
    throw new InputError('expected-current-version', 'does not apply to to-stage archived (archiving a version displaces no other); leave it empty.');
  }
  const holder = exclusive ? await currentHolder(t) : undefined;
  // An earlier run of this promotion that was killed part-way (pending.ts).
  const pending = exclusive ? pendingInto(candidate, t.stage) : undefined;

  if ((holder && holder.id === candidate.id) || (!exclusive && fromStage === 'archived')) {
    if (pending && !o.dryRun) {
      // It took the stage but never recorded the event: record it now.
      const event = buildEvent({ ...eventFields(o, pending.fromStage, t.stage), previousHolder: pending.previousHolder ?? undefined }, o.run);
      await recordEventOrExplain(t, candidate.id, event, `${label} holds ${t.stage}`, o);
      log(`${label} already held ${t.stage}: a run of this ${o.kind} was interrupted before recording it; recorded the event now.`);
      const prev = pending.previousHolder ? { previousVersionId: pending.previousHolder.id, previousVersion: pending.previousHolder.version } : {};
      return { ...base, ...prev, changed: true, plan: `${label} already holds ${t.stage}; recorded the interrupted ${o.kind}` };
    }
    const plan = `${label} already holds ${t.stage}; nothing to do`;
    log(`${plan}.`);
    // A re-run of a finished promotion reports the version it replaced, as the first run did.
    const before = exclusive ? lastEventInto(historyOf(candidate), t.stage)?.previousHolder : undefined;
    return { ...base, ...(before ? { previousVersionId: before.id, previousVersion: before.version } : {}), changed: false, plan };
  }

  // Stage empty because an interrupted run of this promotion archived the expected holder?
  const resumed = holder ? undefined : await archivedByInterruptedRun(t.client, pending, o.expectedCurrentVersion);
  if (resumed) log(`${t.stage} is empty: an interrupted run of this ${o.kind} archived ${shortLabel(resumed)} (the expected holder) and stopped; finishing it.`);
  else checkReplaceable(t, shortLabel(candidate), holder, o);
  const replaced = holder ?? resumed;

  const plan = planOf(t, o.kind, candidate, replaced, o);
  const previous = replaced ? { previousVersionId: replaced.id, previousVersion: versionName(replaced) } : {};
  if (o.dryRun) {
    log(`Dry run: ${plan}. Nothing was changed.`);
    return { ...base, ...previous, changed: false, plan };
  }

  const eventFrom = resumed ? (pending?.fromStage ?? fromStage) : fromStage;
  if (exclusive) await markPending(t, candidate.id, { stage: t.stage, fromStage: eventFrom, previousHolder: replaced ? ref(replaced) : null, at: o.run.at });
  try {
    await moveIntoStage(t, candidate, holder, log);
  } catch (e) {
    // The marker may only outlive a failed move while the stage is empty (a re-run resumes from
    // there); a stage held again — put back, or taken by a promotion that won — ends it.
    if (exclusive) await clearPendingIfHeld(t, candidate.id).catch(() => undefined);
    throw e;
  }
  const done = `${label} now holds ${t.stage}${replaced ? ` (${shortLabel(replaced)} archived)` : ''}`;
  const event = buildEvent({ ...eventFields(o, eventFrom, t.stage), previousHolder: replaced && ref(replaced) }, o.run);
  await recordEventOrExplain(t, candidate.id, event, done, o);
  return { ...base, ...previous, changed: true, plan };
}

function eventFields(o: MoveOptions, fromStage: string | null, toStage: string) {
  return {
    kind: o.kind,
    fromStage,
    toStage,
    approvals: o.approvals,
    gate: o.gate && { passed: o.gate.passed, digest: o.gate.digest },
    reason: o.reason,
    source: o.source,
  };
}

async function recordEventOrExplain(t: StageTarget, candidateId: string, event: PromotionEvent, done: string, o: MoveOptions): Promise<void> {
  try {
    const history = await recordEvent(t.client, t.projectId, candidateId, event);
    o.log(`${done}. Recorded the ${o.kind} event (${history.length} in its promotion_history).`);
  } catch (e) {
    throw new PromotionError(
      isMlopsError(e) ? e.kind : 'api',
      `${done}, but recording the ${o.kind} event on it failed: ${isMlopsError(e) ? e.oneLine() : String(e)}; a re-run records it.`,
      { cause: e },
    );
  }
}
