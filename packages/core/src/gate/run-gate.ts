import { InputError } from '../errors.js';
import type { RunContext } from '../action/github-context.js';
import { judgeApprovals, readRunApprovals, type GitHubTarget } from '../github/index.js';
import type { ZenmlClient } from '../zenml/index.js';
import { candidateFromManifest, candidateFromServer, championFromServer } from './facts.js';
import { combinePolicy, loadPolicy, policyHasChecks, type PolicyExtras } from './policy.js';
import { parseDuration } from './duration.js';
import { parseThresholds } from './thresholds.js';
import { buildReport, withApprovals } from './report.js';
import type { CandidateFacts, GateReport } from './types.js';
import type { Manifest } from '../manifest/schema.js';

export interface GateRunRequest {
  /** The candidate: a version on `client`, or an export bundle's manifest. */
  candidate: { client: ZenmlClient; project: string; model: string; version: string } | { manifest: Manifest };
  policyFile?: string;
  workspace?: string;
  thresholds?: string;
  targetStage: string;
  /** Where the champion lives; compared when the policy has champion rules or `stage` is given. */
  champion?: { client: ZenmlClient | undefined; project: string; stage?: string };
  extras: Omit<PolicyExtras, 'rules' | 'maxAgeSeconds'> & { maxAge?: string };
  approvals?: { github: GitHubTarget; runId: number; environment?: string };
  run: RunContext;
  now?: Date;
}

/**
 * gate-promotion's decision, without the Actions runtime: the policy (file + inline inputs), the
 * candidate's facts, the champion's, and — when approval is required — the run's environment
 * approvals. Refuses an empty policy: a gate that checks nothing must not pass anything.
 */
export async function runGate(req: GateRunRequest): Promise<GateReport> {
  const base = req.policyFile ? await loadPolicy(req.policyFile, req.targetStage, { baseDir: req.workspace }) : undefined;
  const policy = combinePolicy(base, {
    ...req.extras,
    rules: req.thresholds ? parseThresholds(req.thresholds) : undefined,
    maxAgeSeconds: req.extras.maxAge ? parseDuration(req.extras.maxAge, 'max-age') : undefined,
  });
  if (!policyHasChecks(policy)) {
    throw new InputError('policy', 'nothing to check: give a policy file, thresholds, required-tags, required-metadata, max-age or require-approval');
  }

  const candidate: CandidateFacts =
    'manifest' in req.candidate
      ? candidateFromManifest(req.candidate.manifest)
      : await candidateFromServer(req.candidate.client, { project: req.candidate.project, model: req.candidate.model, version: req.candidate.version });

  let champion: CandidateFacts | undefined;
  const wantsChampion = policy.rules.some((r) => r.champion) || Boolean(req.champion?.stage);
  if (wantsChampion) {
    const where = req.champion;
    if (!where?.client) {
      throw new InputError('champion-server-url', 'is needed to compare against the champion: give the server where it lives (or gate a version on a server)');
    }
    champion = await championFromServer(where.client, { project: where.project, model: candidate.model, stage: where.stage ?? req.targetStage, stageInput: 'champion' });
  }

  let report = buildReport({ policy, candidate, champion, targetStage: req.targetStage, run: req.run, now: req.now });
  if (policy.requireApproval) {
    if (!req.approvals) throw new InputError('require-approval', 'needs the workflow run (GITHUB_RUN_ID, GITHUB_REPOSITORY) and github-token');
    const records = await readRunApprovals(req.approvals.github, { runId: req.approvals.runId, environment: req.approvals.environment });
    const verdict = judgeApprovals(records, { actor: req.run.actor, refuseSelfApproval: policy.refuseSelfApproval });
    report = withApprovals(report, records, verdict);
  }
  return report;
}
