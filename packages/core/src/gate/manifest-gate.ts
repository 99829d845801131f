/**
 * The gate as a callback over an export manifest, for a cross-server promotion: the promote step
 * exports, hands the manifest here, and imports only when this passes.
 */
import { runContextFromEnv, type RunContext } from '../action/github-context.js';
import type { Manifest } from '../manifest/schema.js';
import { candidateFromManifest } from './facts.js';
import { combinePolicy, loadPolicy } from './policy.js';
import { buildReport, gateTally } from './report.js';
import { parseThresholds } from './thresholds.js';
import type { CandidateFacts, GateReport } from './types.js';

export interface ManifestGateOptions {
  /** Path of the policy file (relative paths are read from `workspace`). */
  policy?: string;
  /** Inline thresholds, "accuracy>=0.90, f1>=0.85". */
  thresholds?: string;
  targetStage: string;
  /** Where a relative policy path is read from (GITHUB_WORKSPACE). Default: the working directory. */
  workspace?: string;
  /** The current holder of the target stage, when the caller can read it (champion rules pass without one). */
  champion?: CandidateFacts | (() => Promise<CandidateFacts | undefined>);
  run?: RunContext;
  now?: () => Date;
  log?: (line: string) => void;
}

export interface ManifestGateVerdict {
  passed: boolean;
  report: GateReport;
  /** "5/5 rules pass" or "3/5 rules pass; failing: …". */
  summary: string;
}

/**
 * Loads the policy and parses the thresholds at once (so that a bad policy fails before any export
 * work), and returns the callback that gates a manifest. Approvals are not part of it: the caller
 * folds them in (withApprovals) where it reads them.
 */
export async function gateManifest(o: ManifestGateOptions): Promise<(manifest: Manifest) => Promise<ManifestGateVerdict>> {
  const base = o.policy?.trim() ? await loadPolicy(o.policy.trim(), o.targetStage, o.workspace ? { baseDir: o.workspace } : {}) : undefined;
  const policy = combinePolicy(base, { rules: o.thresholds ? parseThresholds(o.thresholds) : [] });
  return async (manifest) => {
    const champion = typeof o.champion === 'function' ? await o.champion() : o.champion;
    const report = buildReport({
      policy,
      candidate: candidateFromManifest(manifest),
      ...(champion ? { champion } : {}),
      targetStage: o.targetStage,
      run: o.run ?? runContextFromEnv(process.env),
      now: o.now?.() ?? new Date(),
    });
    const summary = gateTally(report);
    o.log?.(`Gate for ${o.targetStage}: ${report.passed ? 'passed' : 'rejected'} (${summary}).`);
    for (const r of report.results) if (!r.passed) o.log?.(`  ✗ ${r.rule}: ${r.reason}`);
    return { passed: report.passed, report, summary };
  };
}
