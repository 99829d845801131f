/**
 * DELETE of a model or artifact version. The suite's OpenAPI subset does not describe these
 * routes (nothing else deletes), so they go through the client's untyped fetch, which still
 * authenticates, retries (a DELETE is safe to re-send) and maps errors.
 */
import { ZenmlApiError } from '../errors.js';
import type { ZenmlClient } from './client.js';

const ROUTES = {
  model_version: '/api/v1/model_versions',
  artifact_version: '/api/v1/artifact_versions',
} as const;

/** Deletes the entity; false when it was already gone (a retried or concurrent delete). */
export async function deleteIfPresent(client: ZenmlClient, kind: keyof typeof ROUTES, id: string): Promise<boolean> {
  try {
    const res = await client.fetch(client.url(`${ROUTES[kind]}/${encodeURIComponent(id)}`), { method: 'DELETE' });
    await res.body?.cancel().catch(() => undefined);
    return true;
  } catch (e) {
    if (e instanceof ZenmlApiError && e.status === 404) return false;
    throw e;
  }
}
