/** The public shapes of in-server promotion, rollback and cross-server promotion. */
import type { RunContext } from '../action/github-context.js';
import type { ExchangeStore, OpenExchangeOptions } from '../exchange/types.js';
import type { ArtifactSource } from '../export/types.js';
import type { Manifest } from '../manifest/schema.js';

/** A version as events and results name it: its id and its version name (e.g. "9"). */
export interface VersionRef {
  id: string;
  version: string;
}

/**
 * One promotion or rollback, recorded on the version that took the stage: run metadata
 * `promotion_history` (every event, oldest first) and `last_promotion` (this one).
 */
export interface PromotionEvent {
  kind: 'promote' | 'rollback';
  /** The stage the version had before (null: none). */
  fromStage: string | null;
  toStage: string;
  /** The version that held `toStage` before and was archived. */
  previousHolder?: VersionRef;
  actor?: string;
  runUrl?: string;
  repository?: string;
  commit?: string;
  /** ISO time (the run context's). */
  at: string;
  /** As the approvals helper observed them (recorded as given). */
  approvals?: unknown[];
  gate?: { passed: boolean; digest?: string };
  /** Rollbacks: why (required there). */
  reason?: string;
  /** Cross-server promotions: where the version came from. */
  source?: { serverUrl: string; modelVersionId: string };
}

/** The outcome of a gate, as promotion records it (and refuses on `passed: false`). */
export interface GateOutcome {
  passed: boolean;
  /** Digest of the gate report, recorded on the event. */
  digest?: string;
  /** Appended to the plan, e.g. "5/5 rules pass". */
  summary?: string;
}

export interface PromoteRequest {
  /** Project name or id. */
  project: string;
  /** Model name or id. */
  model: string;
  /** The candidate by number, version name or stage (latest/staging/…). Exactly one of version / fromStage. */
  version?: string;
  /** The candidate as the version in this stage (staging, production, archived, latest). */
  fromStage?: string;
  /** staging | production | archived. */
  toStage: string;
  /** Take the stage even when another version holds it (that version is archived). */
  force: boolean;
  /**
   * Compare-and-swap: the version name/number that must hold `toStage` now, or `none` for an
   * empty stage. Naming the holder also permits archiving it (force is not needed then).
   */
  expectedCurrentVersion?: string;
  dryRun: boolean;
  run: RunContext;
  approvals?: unknown[];
  /** A gate that did not pass refuses the promotion. */
  gate?: GateOutcome;
  log: (line: string) => void;
}

export interface PromoteResult {
  modelVersionId: string;
  version: string;
  /** The holder of the stage before (archived by the promotion). */
  previousVersionId?: string;
  previousVersion?: string;
  stage: string;
  /** false: the candidate already held the stage (nothing written), or a dry run. */
  changed: boolean;
  dryRun: boolean;
  /** "would promote readmission-clf v3 → production, archiving v2" */
  plan: string;
}

export interface RollbackRequest {
  project: string;
  model: string;
  /** The stage to roll back (the action defaults it to production). */
  stage: string;
  /** The version to restore; default: the previous holder from the promotion history. */
  toVersion?: string;
  /** Why; required, recorded on the event. */
  reason: string;
  dryRun: boolean;
  run: RunContext;
  log: (line: string) => void;
}

export interface RollbackResult {
  modelVersionId: string;
  version: string;
  rolledBackFrom: VersionRef;
  stage: string;
  dryRun: boolean;
  /** "would roll back readmission-clf production from v2 to v1" */
  plan: string;
}

/** What a gate callback answers for the exported bundle's manifest. */
export interface GateVerdict {
  passed: boolean;
  report?: unknown;
  /** Digest of the report; computed from `report` when absent. */
  digest?: string;
  summary?: string;
}

export interface CrossServerPromoteRequest {
  /** Source project (name or id). */
  sourceProject: string;
  /** Source model (name or id). */
  model: string;
  /** Source version: number, name, or stage (staging, production, latest…). */
  version: string;
  /** Destination project (name or id). */
  project: string;
  /** Destination model name; default the source's. */
  destModel?: string;
  exchange: ExchangeStore;
  toStage: string;
  force: boolean;
  expectedCurrentVersion?: string;
  dryRun: boolean;
  run: RunContext;
  approvals?: unknown[];
  /** Called with the bundle's manifest after the export; `passed: false` stops before the import. */
  gate?: (manifest: Manifest) => Promise<GateVerdict>;
  artifactSource?: ArtifactSource;
  /** Destination artifact store (name or id); see importModel. */
  artifactStore?: string;
  /** Destination stack (ZENML_ACTIVE_STACK_ID); see importModel. */
  stackId?: string;
  storage?: OpenExchangeOptions['storage'];
  log: (line: string) => void;
}

export interface CrossServerPromoteResult extends PromoteResult {
  manifestUri: string;
  bundleDigest: string;
  sourceModelVersionId: string;
  gate?: GateVerdict;
  /** false: the destination already had a version made from this bundle. */
  imported: boolean;
}
