/** Path-parameter parsing shared by the routes. */
import { invalid } from '../errors.js';
import type { RouteContext } from '../router.js';
import { isUuid, normalizeUuid } from '../store/store.js';

/**
 * A UUID path param. Since 0.80 single gets take UUIDs only (API.md §11.7):
 * a name there fails FastAPI's path validation, a 422.
 */
export function uuidParam(ctx: RouteContext, name: string): string {
  const raw = ctx.params[name] ?? '';
  if (!isUuid(raw)) throw invalid(['path', name], 'Input should be a valid UUID', 'uuid_parsing', raw);
  return normalizeUuid(raw);
}
