/** gate-promotion without the Actions runtime: policy, facts, decision, report, record, summary. */
export * from './types.js';
export { parseDuration, durationSeconds, formatDuration, DURATION_FORM } from './duration.js';
export { parseThresholds, parseMetricAmounts, parseRuleExpression, THRESHOLD_FORM } from './thresholds.js';
export { loadPolicy, parsePolicy, combinePolicy, emptyPolicy, policyHasChecks, POLICY_VERSION, type PolicyExtras } from './policy.js';
export { candidateFromServer, candidateFromManifest, championFromServer, versionLabel, HOLDABLE_STAGES } from './facts.js';
export { evaluateGate, type EvaluateOptions } from './evaluate.js';
export {
  buildReport,
  withApprovals,
  recordGateReport,
  gateTally,
  gateFailureMessage,
  GATE_REPORT_KEY,
  GATE_PASSED_KEY,
  APPROVALS_KEY,
  type BuildReportRequest,
} from './report.js';
export { gateSummary } from './summary.js';
export { gateManifest, type ManifestGateOptions, type ManifestGateVerdict } from './manifest-gate.js';
export { runGate, type GateRunRequest } from './run-gate.js';
