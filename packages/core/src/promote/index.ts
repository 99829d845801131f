/** promote / rollback without the Actions runtime: stage moves that cannot race or half-happen, recorded on the version. */
export { promoteInServer, checkTargetStage } from './promote.js';
export { rollback } from './rollback.js';
export { promoteAcrossServers } from './across.js';
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
