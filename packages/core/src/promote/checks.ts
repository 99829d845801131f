/**
 * What an in-server promotion may be asked to check before it moves a stage: the run's environment
 * approvals (require-approval) and the reviewed policy (policy / thresholds). Both paths are
 * optional, so this module, with the GitHub client and the gating code under it, loads only when
 * one of them is asked for (see the wrappers in ./index.ts).
 */
import type { RunContext } from '../action/github-context.js';
import { InputError, RejectedError } from '../errors.js';
import { recordGateReport, gateTally } from '../gate/report.js';
import { runGate } from '../gate/run-gate.js';
import { gateSummary } from '../gate/summary.js';
import { judgeApprovals, readRunApprovals, type ApprovalRecord, type GitHubTarget } from '../github/index.js';
import type { ZenmlClient } from '../zenml/client.js';

export interface RunApprovalsRequest {
  github: GitHubTarget;
  /** GITHUB_RUN_ID; 0 outside GitHub Actions. */
  runId: number;
  environment?: string | undefined;
  actor: string | undefined;
  refuseSelfApproval: boolean;
  log: (line: string) => void;
}

/** The approvals that count, or a refusal (RejectedError): recorded on the promotion event as evidence. */
export async function requireRunApprovals(req: RunApprovalsRequest): Promise<ApprovalRecord[]> {
  if (!req.runId || !req.github.repository) {
    throw new InputError('require-approval', 'needs the workflow run (GITHUB_RUN_ID and GITHUB_REPOSITORY): it only works inside GitHub Actions');
  }
  const records = await readRunApprovals(req.github, { runId: req.runId, environment: req.environment });
  const verdict = judgeApprovals(records, { actor: req.actor, refuseSelfApproval: req.refuseSelfApproval });
  if (!verdict.ok) throw new RejectedError(`Promotion refused: ${verdict.problem ?? 'no approval'}; nothing was changed.`);
  for (const a of verdict.counted) req.log(`Approved by ${a.reviewer} for ${a.environment || 'this run'}${a.comment ? `: ${a.comment}` : ''}`);
  return verdict.counted;
}

export interface InServerGateRequest {
  project: string;
  model: string;
  /** The candidate: a version number or name, or the stage it is in. */
  candidate: string;
  policyFile: string | undefined;
  thresholds: string | undefined;
  workspace: string | undefined;
  targetStage: string;
  dryRun: boolean;
  run: RunContext;
  /** Given the report's job-summary section first, so that it shows even if recording it fails. */
  summary: (markdown: string) => void;
}

/**
 * The candidate gated on the same server (the champion too), its report recorded on the
 * candidate whether it passed or not (not in a dry run). Returns the verdict the promotion event
 * records; a failed gate is the caller's to refuse.
 */
export async function gateInServer(client: ZenmlClient, req: InServerGateRequest): Promise<{ passed: boolean; summary: string }> {
  const report = await runGate({
    candidate: { client, project: req.project, model: req.model, version: req.candidate },
    policyFile: req.policyFile,
    workspace: req.workspace,
    thresholds: req.thresholds,
    targetStage: req.targetStage,
    champion: { client, project: req.project },
    extras: {},
    run: req.run,
  });
  req.summary(gateSummary(report));
  if (!req.dryRun && report.modelVersionId) await recordGateReport(client, { project: req.project, modelVersionId: report.modelVersionId, report });
  return { passed: report.passed, summary: gateTally(report) };
}
