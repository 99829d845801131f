/**
 * The destination model and the model version made from a bundle. The bundle digest is the
 * idempotency key: a version made from this bundle carries it as run metadata `bundle_digest`,
 * written right after the version is created.
 *
 * The window between the two requests (created, digest not yet written) is covered by the
 * version's description, which the create request itself carries: it ends with the marker
 * `mlops-actions bundle sha256:<hex>`, and versions are created with the `imported` tag. A re-run
 * that finds no version by `bundle_digest` looks through the model's `imported` versions for the
 * marker before creating one, so a run killed in that window never leads to a second version.
 *
 * Two imports of one bundle running at once can both find nothing and both create a version: the
 * server has no create-if-absent. Because the marker is part of the create request, each run can
 * tell right after its create whether it was first: it lists the versions made from the bundle,
 * and the oldest (lowest number) is the one that counts. A run whose own version is not the
 * oldest deletes it and completes the oldest instead, so one version is left. A newer version
 * from the bundle that never got a stage or the digest (its run died between create and that
 * check) is deleted by whichever run completes the bundle next.
 */
import { ZenmlApiError } from '../errors.js';
import type { Manifest } from '../manifest/index.js';
import {
  deleteIfPresent,
  ModelResponseSchema,
  ModelVersionResponseSchema,
  modelVersionTags,
  parseResponse,
  runMetadata,
  type Model,
  type ModelVersionResponse,
  type ZenmlClient,
} from '../zenml/index.js';
import { digestHex } from '../manifest/index.js';
import { toModel } from '../zenml/entities.js';

export const IMPORTED_TAG = 'imported';
export const BUNDLE_DIGEST_KEY = 'bundle_digest';

/** The line that ties a version's description to its bundle (see the module comment). */
export function digestMarker(bundleDigest: string): string {
  return `mlops-actions bundle ${bundleDigest}`;
}

export function versionDescription(m: Manifest): string {
  const from = `Imported from ${m.source.serverUrl} (project ${m.source.project}, model ${m.model.name}, version ${m.model.versionName}).`;
  const original = m.model.description?.trim();
  return [original, from, digestMarker(m.bundleDigest)].filter(Boolean).join('\n\n');
}

/** Tags of the new version: `imported` and the source version's, once each, in order. */
export function versionTags(m: Manifest): string[] {
  return [...new Set([IMPORTED_TAG, ...m.model.tags])];
}

export async function findOrCreateModel(
  client: ZenmlClient,
  projectId: string,
  name: string,
): Promise<{ model: Model; created: boolean }> {
  const found = await client.findModel(projectId, name);
  if (found) return { model: found, created: false };
  try {
    const { data } = await client.api.POST('/api/v1/models', { body: { project: projectId, name, save_models_to_registry: true } });
    return { model: toModel(parseResponse(ModelResponseSchema, data, 'POST /api/v1/models')), created: true };
  } catch (e) {
    // Created by someone else in between: use theirs.
    if (e instanceof ZenmlApiError && e.status === 409) {
      const again = await client.findModel(projectId, name);
      if (again) return { model: again, created: false };
    }
    throw e;
  }
}

/** The version of `modelId` made from this bundle, if any (hydrated, so its metadata is there). */
export async function findVersionFromBundle(
  client: ZenmlClient,
  projectId: string,
  modelId: string,
  bundleDigest: string,
): Promise<ModelVersionResponse | undefined> {
  // Fast path. `contains:<hex>`: the real server compares with the JSON-encoded stored value,
  // so an exact match on a string would need its quotes; the client re-checks the value anyway.
  const byDigest = { project: projectId, model: modelId, hydrate: true, run_metadata: `${BUNDLE_DIGEST_KEY}:contains:${digestHex(bundleDigest)}` };
  const matches: ModelVersionResponse[] = [];
  for await (const mv of client.paginate('/api/v1/model_versions', byDigest, ModelVersionResponseSchema)) {
    if (runMetadata(mv)[BUNDLE_DIGEST_KEY] === bundleDigest) matches.push(mv);
  }
  if (matches.length) return oldest(matches);

  // The window between create and the digest write: the description marker on an imported version.
  const marker = digestMarker(bundleDigest);
  const byTag = { project: projectId, model: modelId, hydrate: true, tags: IMPORTED_TAG };
  for await (const mv of client.paginate('/api/v1/model_versions', byTag, ModelVersionResponseSchema)) {
    if ((mv.metadata?.description ?? '').includes(marker) && modelVersionTags(mv).includes(IMPORTED_TAG)) matches.push(mv);
  }
  return matches.length ? oldest(matches) : undefined;
}

function oldest(list: ModelVersionResponse[]): ModelVersionResponse {
  return list.reduce((a, b) => ((b.body?.number ?? Infinity) < (a.body?.number ?? Infinity) ? b : a));
}

/** Every version of `modelId` made from this bundle (digest or description marker), oldest first. */
export async function versionsFromBundle(
  client: ZenmlClient,
  projectId: string,
  modelId: string,
  bundleDigest: string,
): Promise<ModelVersionResponse[]> {
  const byId = new Map<string, ModelVersionResponse>();
  const byDigest = { project: projectId, model: modelId, hydrate: true, run_metadata: `${BUNDLE_DIGEST_KEY}:contains:${digestHex(bundleDigest)}` };
  for await (const mv of client.paginate('/api/v1/model_versions', byDigest, ModelVersionResponseSchema)) {
    if (runMetadata(mv)[BUNDLE_DIGEST_KEY] === bundleDigest) byId.set(mv.id, mv);
  }
  const marker = digestMarker(bundleDigest);
  const byTag = { project: projectId, model: modelId, hydrate: true, tags: IMPORTED_TAG };
  for await (const mv of client.paginate('/api/v1/model_versions', byTag, ModelVersionResponseSchema)) {
    if ((mv.metadata?.description ?? '').includes(marker) && modelVersionTags(mv).includes(IMPORTED_TAG)) byId.set(mv.id, mv);
  }
  return [...byId.values()].sort((a, b) => (a.body?.number ?? Infinity) - (b.body?.number ?? Infinity));
}

/**
 * Creates the version from the bundle, unless a concurrent import created one first (see the
 * module comment): then this run's version is deleted and the first one returned, `created: false`.
 */
export async function createVersion(
  client: ZenmlClient,
  projectId: string,
  modelId: string,
  m: Manifest,
): Promise<{ version: ModelVersionResponse; created: boolean }> {
  const { data } = await client.api.POST('/api/v1/model_versions', {
    body: { project: projectId, model: modelId, description: versionDescription(m), tags: versionTags(m) },
  });
  const ours = parseResponse(ModelVersionResponseSchema, data, 'POST /api/v1/model_versions');
  const first = (await versionsFromBundle(client, projectId, modelId, m.bundleDigest))[0];
  if (!first || first.id === ours.id) return { version: ours, created: true };
  await deleteIfPresent(client, 'model_version', ours.id);
  return { version: first, created: false };
}

/**
 * Deletes versions made from this bundle that are newer than `keep` and were never completed (no
 * digest written, no stage): leftovers of a run that died between its create and its race check,
 * which would have deleted them itself. Completed or older ones are never touched. Returns how
 * many were deleted.
 */
export async function dropLeftoverVersions(
  client: ZenmlClient,
  projectId: string,
  modelId: string,
  bundleDigest: string,
  keep: ModelVersionResponse,
): Promise<number> {
  const keptNumber = keep.body?.number ?? Infinity;
  let dropped = 0;
  for (const mv of await versionsFromBundle(client, projectId, modelId, bundleDigest)) {
    if (mv.id === keep.id || (mv.body?.number ?? -Infinity) <= keptNumber) continue;
    if (runMetadata(mv)[BUNDLE_DIGEST_KEY] !== undefined || (mv.body?.stage ?? null) !== null) continue;
    // Tidying only: a key without delete rights must not make every later import of the bundle fail.
    if (await deleteIfPresent(client, 'model_version', mv.id).catch(() => false)) dropped++;
  }
  return dropped;
}

export async function getVersion(client: ZenmlClient, id: string): Promise<ModelVersionResponse> {
  const { data } = await client.api.GET('/api/v1/model_versions/{model_version_id}', {
    params: { path: { model_version_id: id }, query: { hydrate: true } },
  });
  return parseResponse(ModelVersionResponseSchema, data, 'GET /api/v1/model_versions/{id}');
}

/** Adds the tags the version lacks; false when it had them all. */
export async function ensureTags(client: ZenmlClient, mv: ModelVersionResponse, tags: string[]): Promise<boolean> {
  const have = new Set(modelVersionTags(mv));
  const missing = tags.filter((t) => !have.has(t));
  if (!missing.length) return false;
  await client.api.PUT('/api/v1/model_versions/{model_version_id}', {
    params: { path: { model_version_id: mv.id } },
    body: { add_tags: missing, force: false },
  });
  return true;
}
