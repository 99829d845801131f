/**
 * The gate's vocabulary: a policy (what must hold), the facts about a candidate and a champion (what
 * does hold), and the report (what was checked, with which values, and the verdict).
 */
import type { RunContext } from '../action/github-context.js';
import type { ApprovalRecord } from '../github/approvals.js';

export type CompareOp = '>=' | '>' | '<=' | '<' | '==' | '!=';
export const COMPARE_OPS: readonly CompareOp[] = ['>=', '>', '<=', '<', '==', '!='];

export interface ChampionComparison {
  /** How much worse than the champion the candidate may be (in the metric's unit). */
  maxRegression?: number;
  /** How much better than the champion the candidate must be. */
  minImprovement?: number;
  /** Default true; false for metrics where lower is better (latency, loss, error rate). */
  higherIsBetter?: boolean;
}

/** One metric rule: a threshold (`op` + `value`), a champion comparison, or both. */
export interface GateRule {
  metric: string;
  op?: CompareOp;
  value?: number;
  champion?: ChampionComparison;
}

export interface GatePolicy {
  rules: GateRule[];
  requiredTags: string[];
  requiredMetadata: string[];
  maxAgeSeconds?: number;
  requireApproval: boolean;
  refuseSelfApproval: boolean;
}

/** What the gate knows about a model version, from its server or from its export manifest. */
export interface CandidateFacts {
  model: string;
  /** The version's name (its number, unless it was given a name). */
  version: string;
  /** The version's number, when known. */
  number?: number;
  modelVersionId?: string;
  stage?: string | null;
  /** Every run-metadata value by key (not only numbers: a non-number must FAIL its rule). */
  metrics: Record<string, unknown>;
  tags: string[];
  /** ISO time the version was created (for a manifest: the training date). */
  createdAt?: string;
  origin: 'server' | 'manifest';
  /** The server the facts were read from (for a manifest: the source server). */
  serverUrl?: string;
  project?: string;
}

export type RuleKind = 'threshold' | 'champion' | 'tag' | 'metadata' | 'age' | 'approval';

export interface RuleResult {
  kind: RuleKind;
  /** Human form: "accuracy >= 0.9", "f1 ≥ champion − 0.01", "tag 'validated'". */
  rule: string;
  metric?: string;
  candidate?: unknown;
  champion?: unknown;
  passed: boolean;
  /** One sentence; for a failure it says which value was missing or wrong. */
  reason: string;
}

/**
 * One environment approval of the workflow run, as the GitHub helper reads it (reviewer, state,
 * comment, environment, observedAt — GitHub's approvals API gives no approval time). One type for
 * both modules, so that core's index can export both.
 */
export type { ApprovalRecord };

export interface GateReport {
  schemaVersion: 1;
  model: string;
  version: string;
  modelVersionId?: string;
  /** Where the candidate's facts came from. */
  origin?: 'server' | 'manifest';
  targetStage: string;
  passed: boolean;
  results: RuleResult[];
  approvals: ApprovalRecord[];
  champion?: { version: string; modelVersionId?: string; serverUrl?: string };
  /** Copied from the policy, so that withApprovals knows what to demand. */
  requireApproval?: boolean;
  refuseSelfApproval?: boolean;
  evaluatedAt: string;
  run: RunContext;
}

export const GATE_REPORT_SCHEMA_VERSION = 1 as const;
