/**
 * The run metadata an imported version carries: every source fact under a `source_*` key, the
 * metrics and other metadata under their own names, the promotion chain with this hop's
 * destination filled in, the bundle digest and who imported it when. Written through
 * `POST /run-metadata` with a `types` entry per key; on a re-run only what is missing or
 * different is written again.
 */
import type { RunContext } from '../action/github-context.js';
import { canonicalJson, type Manifest, type PromotionHop } from '../manifest/index.js';
import type { ZenmlClient } from '../zenml/index.js';
import { BUNDLE_DIGEST_KEY } from './model-version.js';

/** Keys this import owns; source metadata under one of these names goes to SHADOWED_KEY instead. */
export const RESERVED_KEYS = [
  'source_server_url',
  'source_server_id',
  'source_server_version',
  'source_project',
  'source_model',
  'source_model_version',
  'source_model_version_number',
  'source_model_version_id',
  'source_pipeline_run_id',
  'source_pipeline_run_name',
  'source_pipeline_run_url',
  'source_git_commit',
  'source_training_date',
  'source_exported_at',
  'promotion_chain',
  BUNDLE_DIGEST_KEY,
  'imported_at',
  'imported_by',
  'imported_workflow_run_url',
  'source_shadowed_metadata',
] as const;
export const SHADOWED_KEY = 'source_shadowed_metadata';
/** Facts about one particular run: written when missing, never "corrected" by a later run. */
export const PER_RUN_KEYS: ReadonlySet<string> = new Set(['imported_at', 'imported_by', 'imported_workflow_run_url']);

const reserved: ReadonlySet<string> = new Set(RESERVED_KEYS);

/** MetadataTypeEnum for a JSON value; undefined for null (ZenML metadata has no None). */
export function metadataType(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'dict';
  return undefined;
}

export interface Destination {
  serverUrl: string;
  project: string;
  model: string;
  versionName: string;
  modelVersionId: string;
}

/** The manifest's chain with the last hop's `to` (this import) filled in. */
export function promotionChainWithDestination(m: Manifest, to: Destination | undefined): PromotionHop[] {
  const chain = m.promotionChain.map((h) => ({ ...h }));
  const last = chain[chain.length - 1];
  if (last && to) {
    last.to ??= { serverUrl: to.serverUrl, project: to.project, model: to.model, version: to.versionName, modelVersionId: to.modelVersionId };
    last.bundleDigest ??= m.bundleDigest;
  }
  return chain;
}

export interface VersionMetadata {
  values: Record<string, unknown>;
  types: Record<string, string>;
  /** Source keys that collided with RESERVED_KEYS (kept under SHADOWED_KEY). */
  shadowed: string[];
  /** Source keys left out because their value is null. */
  dropped: string[];
}

export function buildVersionMetadata(m: Manifest, to: Destination, run: RunContext): VersionMetadata {
  const values: Record<string, unknown> = {};
  const types: Record<string, string> = {};
  const shadowedValues: Record<string, unknown> = {};
  const dropped: string[] = [];
  const put = (k: string, v: unknown, type?: string): void => {
    const t = type ?? metadataType(v);
    if (t === undefined) return;
    values[k] = v;
    types[k] = t;
  };

  // Source metadata first, then metrics (numbers), so that a metric wins a name clash.
  for (const [k, v] of [...Object.entries(m.metadata), ...Object.entries(m.metrics)]) {
    if (v === null || v === undefined) {
      dropped.push(k);
      continue;
    }
    if (reserved.has(k)) shadowedValues[k] = v;
    else put(k, v, typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float') : undefined);
  }

  const s = m.source;
  put('source_server_url', s.serverUrl);
  put('source_server_id', s.serverId);
  put('source_server_version', s.serverVersion);
  put('source_project', s.project);
  put('source_model', m.model.name);
  put('source_model_version', m.model.versionName);
  put('source_model_version_number', m.model.versionNumber, 'int');
  put('source_model_version_id', s.modelVersionId);
  if (s.pipelineRunId) put('source_pipeline_run_id', s.pipelineRunId);
  if (s.pipelineRunName) put('source_pipeline_run_name', s.pipelineRunName);
  if (s.pipelineRunUrl) put('source_pipeline_run_url', s.pipelineRunUrl);
  if (s.gitCommit) put('source_git_commit', s.gitCommit);
  put('source_training_date', s.trainingDate);
  put('source_exported_at', m.exportedAt);
  put('promotion_chain', promotionChainWithDestination(m, to), 'list');
  put(BUNDLE_DIGEST_KEY, m.bundleDigest);
  put('imported_at', run.at);
  put('imported_by', run.actor ?? 'unknown');
  if (run.workflowRunUrl) put('imported_workflow_run_url', run.workflowRunUrl);
  if (Object.keys(shadowedValues).length) put(SHADOWED_KEY, shadowedValues, 'dict');
  return { values, types, shadowed: Object.keys(shadowedValues), dropped };
}

/** The part of `desired` the version does not have yet (per-run keys only when absent). */
export function missingMetadata(current: Record<string, unknown>, desired: VersionMetadata): Pick<VersionMetadata, 'values' | 'types'> {
  const values: Record<string, unknown> = {};
  const types: Record<string, string> = {};
  for (const [k, v] of Object.entries(desired.values)) {
    const have = Object.prototype.hasOwnProperty.call(current, k);
    if (have && (PER_RUN_KEYS.has(k) || sameValue(current[k], v))) continue;
    values[k] = v;
    types[k] = desired.types[k] as string;
  }
  return { values, types };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  return canonicalJson(a) === canonicalJson(b);
}

export async function writeVersionMetadata(
  client: ZenmlClient,
  projectId: string,
  modelVersionId: string,
  md: Pick<VersionMetadata, 'values' | 'types'>,
): Promise<void> {
  await client.api.POST('/api/v1/run-metadata', {
    body: { project: projectId, resources: [{ id: modelVersionId, type: 'model_version' }], values: md.values, types: md.types },
  });
}
