/** gate-promotion without the Actions runtime: policy, facts, decision, report, record, summary. */
import { whileLoggingIn } from '../zenml/login-ahead.js';

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
export type { ManifestGateOptions, ManifestGateVerdict } from './manifest-gate.js';
export type { GateRunRequest } from './run-gate.js';

// Gating (policy, facts, evaluation, report) is loaded when a gate runs: promote needs it only
// for runs that give a policy or thresholds. A candidate on a server logs in while that code loads.
export async function runGate(...args: Parameters<typeof import('./run-gate.js').runGate>): ReturnType<typeof import('./run-gate.js').runGate> {
  const { candidate } = args[0];
  const gating = await whileLoggingIn('client' in candidate ? candidate.client : undefined, () => import('./run-gate.js'));
  return gating.runGate(...args);
}
export async function gateManifest(
  ...args: Parameters<typeof import('./manifest-gate.js').gateManifest>
): ReturnType<typeof import('./manifest-gate.js').gateManifest> {
  return (await import('./manifest-gate.js')).gateManifest(...args);
}
