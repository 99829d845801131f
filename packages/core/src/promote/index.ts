/** promote / rollback without the Actions runtime: stage moves that cannot race or half-happen, recorded on the version. */
import { whileLoggingIn } from '../zenml/login-ahead.js';

export { promoteInServer, checkTargetStage } from './promote.js';
export { rollback } from './rollback.js';
export { promotionHistory, PROMOTION_HISTORY_KEY, LAST_PROMOTION_KEY } from './history.js';
export { PromotionConflictError, PromotionError, PROMOTABLE_STAGES } from './move.js';
export type {
  PromotionEvent,
  VersionRef,
  GateOutcome,
  GateVerdict,
  PromoteRequest,
  PromoteResult,
  RollbackRequest,
  RollbackResult,
  CrossServerPromoteRequest,
  CrossServerPromoteResult,
} from './types.js';

/** The run's environment approvals, judged (./checks.ts): loaded only when a promotion requires them. */
export async function requireRunApprovals(
  ...args: Parameters<typeof import('./checks.js').requireRunApprovals>
): ReturnType<typeof import('./checks.js').requireRunApprovals> {
  return (await import('./checks.js')).requireRunApprovals(...args);
}

/** An in-server promotion's policy gate (./checks.ts): loaded only when a policy or thresholds are given. */
export async function gateInServer(...args: Parameters<typeof import('./checks.js').gateInServer>): ReturnType<typeof import('./checks.js').gateInServer> {
  const checks = await whileLoggingIn(args[0], () => import('./checks.js'));
  return checks.gateInServer(...args);
}
export type { RunApprovalsRequest, InServerGateRequest } from './checks.js';

/**
 * Across servers takes the whole export and import machinery (stores, bundles, copies), which an
 * in-server promotion or a rollback never touches: it is loaded on this path only, while the
 * source server's login (the path's first request) is on its way.
 */
export async function promoteAcrossServers(
  ...args: Parameters<typeof import('./across.js').promoteAcrossServers>
): ReturnType<typeof import('./across.js').promoteAcrossServers> {
  const across = await whileLoggingIn(args[0], () => import('./across.js'));
  return across.promoteAcrossServers(...args);
}
