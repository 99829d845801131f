/**
 * The gate report: what was checked, with which values, the approvals, and the verdict — built
 * once, shown in the job summary, written to gate-report.json and onto the model version.
 */
import type { RunContext } from '../action/github-context.js';
import { resolveProject } from '../export/resolve.js';
import { metadataType } from '../import/metadata.js';
import { isUuid, type ZenmlClient } from '../zenml/client.js';
import { evaluateGate } from './evaluate.js';
import { versionLabel } from './facts.js';
import { GATE_REPORT_SCHEMA_VERSION, type ApprovalRecord, type CandidateFacts, type GatePolicy, type GateReport, type RuleResult } from './types.js';

/** Run-metadata keys recordGateReport writes. */
export const GATE_REPORT_KEY = 'gate_report';
export const GATE_PASSED_KEY = 'gate_passed';
export const APPROVALS_KEY = 'approvals';

export interface BuildReportRequest {
  policy: GatePolicy;
  candidate: CandidateFacts;
  /** The current holder of the target stage; undefined when the stage is empty. */
  champion?: CandidateFacts;
  targetStage: string;
  run: RunContext;
  /** Evaluation time (max-age is measured against it). Default: now. */
  now?: Date;
}

/** Evaluates the policy and wraps the results in a report (approvals are folded in later by withApprovals). */
export function buildReport(o: BuildReportRequest): GateReport {
  const now = o.now ?? new Date();
  const { passed, results } = evaluateGate(o.policy, o.candidate, o.champion, now, { targetStage: o.targetStage });
  const c = o.candidate;
  return {
    schemaVersion: GATE_REPORT_SCHEMA_VERSION,
    model: c.model,
    version: c.version,
    ...(c.modelVersionId ? { modelVersionId: c.modelVersionId } : {}),
    origin: c.origin,
    targetStage: o.targetStage,
    passed,
    results,
    approvals: [],
    ...(o.champion
      ? {
          champion: {
            version: o.champion.version,
            ...(o.champion.modelVersionId ? { modelVersionId: o.champion.modelVersionId } : {}),
            ...(o.champion.serverUrl ? { serverUrl: o.champion.serverUrl } : {}),
          },
        }
      : {}),
    requireApproval: o.policy.requireApproval,
    refuseSelfApproval: o.policy.refuseSelfApproval,
    evaluatedAt: now.toISOString(),
    run: o.run,
  };
}

const isApproved = (a: ApprovalRecord): boolean => a.state.trim().toLowerCase() === 'approved';

/**
 * Folds the approvals the GitHub helper read into the report: the records, and one 'approval' row
 * when there is something to say. A verdict that is not ok fails the row with its problem; with
 * require-approval, no approved record fails it; with refuse-self-approval, approvals only by the
 * actor who triggered the run fail it. Calling it again replaces the earlier approval row.
 */
export function withApprovals(report: GateReport, approvals: ApprovalRecord[], verdict: { ok: boolean; problem?: string }): GateReport {
  const results = report.results.filter((r) => r.kind !== 'approval');
  const approved = approvals.filter(isApproved);
  const actor = report.run.actor?.toLowerCase();
  const byOthers = actor && report.refuseSelfApproval ? approved.filter((a) => a.reviewer.toLowerCase() !== actor) : approved;
  const reviewers = byOthers.map((a) => `${a.reviewer}${a.environment ? ` (${a.environment})` : ''}`);
  const rule = `environment approval${report.refuseSelfApproval ? ', not by the run\'s actor' : ''}`;
  const row = (passed: boolean, reason: string): RuleResult => ({
    kind: 'approval',
    rule,
    candidate: approved.length ? approved.map((a) => a.reviewer).join(', ') : undefined,
    passed,
    reason,
  });

  let approval: RuleResult | undefined;
  if (!verdict.ok) approval = row(false, sentence(verdict.problem ?? 'The approval check failed'));
  else if (report.requireApproval && !approved.length) {
    const others = approvals.length ? ` (read: ${approvals.map((a) => `${a.reviewer} ${a.state}`).join(', ')})` : '';
    approval = row(false, `No reviewer approved this workflow run's environment${others}; require-approval is set.`);
  } else if (approved.length && !byOthers.length) {
    approval = row(false, `The only approval is by ${report.run.actor}, who triggered the run; refuse-self-approval is set.`);
  } else if (byOthers.length) approval = row(true, `Approved by ${reviewers.join(', ')}.`);

  if (approval) results.push(approval);
  return { ...report, approvals: [...approvals], results, passed: results.every((r) => r.passed) };
}

function sentence(s: string): string {
  const t = s.trim();
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/**
 * Writes the report onto the model version as run metadata: `gate_report` (dict), `gate_passed`
 * (bool) and, when there are any, `approvals` (list). `project` is a name or id.
 */
export async function recordGateReport(client: ZenmlClient, q: { project: string; modelVersionId: string; report: GateReport }): Promise<void> {
  const projectId = isUuid(q.project) ? q.project : (await resolveProject(client, q.project)).id;
  const values: Record<string, unknown> = {
    [GATE_REPORT_KEY]: jsonClean(q.report),
    [GATE_PASSED_KEY]: q.report.passed,
  };
  if (q.report.approvals.length) values[APPROVALS_KEY] = jsonClean(q.report.approvals);
  const types: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) types[k] = metadataType(v) as string;
  await client.api.POST('/api/v1/run-metadata', {
    body: { project: projectId, resources: [{ id: q.modelVersionId, type: 'model_version' }], values, types },
  });
}

/** Plain JSON: undefined dropped, non-finite numbers as null (JSON has no NaN). */
function jsonClean<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** "5/5 rules pass" or "3/5 rules pass; failing: accuracy >= 0.9, tag 'validated'" (every row counts as a rule). */
export function gateTally(report: GateReport): string {
  const failed = report.results.filter((r) => !r.passed);
  const n = report.results.length;
  const head = `${n - failed.length}/${n} rule${n === 1 ? '' : 's'} pass`;
  return failed.length ? `${head}; failing: ${failed.map((r) => r.rule).join(', ')}` : head;
}

/** The step's one failure line: "Gate rejected readmission-clf v3 for production: <reasons>". */
export function gateFailureMessage(report: GateReport): string {
  const failed = report.results.filter((r) => !r.passed);
  const shown = failed.slice(0, 3).map((r) => r.reason.replace(/\.$/, ''));
  const more = failed.length > 3 ? `; and ${failed.length - 3} more (see the job summary)` : '';
  return `Gate rejected ${versionLabel(report)} for ${report.targetStage}: ${shown.join('; ')}${more}.`;
}
