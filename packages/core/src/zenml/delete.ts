/**
 * DELETE of a model or artifact version (import-model drops the duplicate it made when it lost a
 * race). Typed routes: authenticated, retried (a DELETE is safe to re-send), errors mapped.
 */
import { ZenmlApiError } from '../errors.js';
import type { ZenmlClient } from './client.js';

/** Deletes the entity; false when it was already gone (a retried or concurrent delete). */
export async function deleteIfPresent(client: ZenmlClient, kind: 'model_version' | 'artifact_version', id: string): Promise<boolean> {
  try {
    if (kind === 'model_version') {
      await client.api.DELETE('/api/v1/model_versions/{model_version_id}', { params: { path: { model_version_id: id } } });
    } else {
      await client.api.DELETE('/api/v1/artifact_versions/{artifact_version_id}', { params: { path: { artifact_version_id: id } } });
    }
    return true;
  } catch (e) {
    if (e instanceof ZenmlApiError && e.status === 404) return false;
    throw e;
  }
}
