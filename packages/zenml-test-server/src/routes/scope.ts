/**
 * Project scoping (API.md §2.3): lists take `project` (or `project_name_or_id`)
 * and fall back to the user's default project, then the server's `default`
 * project; creates need the body's `project` UUID, which the
 * `project_name_or_id` query param overrides.
 */
import type { Obj } from '../body.js';
import { reqUuid } from '../body.js';
import { valueError } from '../errors.js';
import type { RouteContext } from '../router.js';
import type { ProjectRec } from '../store/records.js';

export function listProject(ctx: RouteContext): ProjectRec {
  const { store } = ctx.app;
  const explicit = ctx.query.get('project') ?? ctx.query.get('project_name_or_id');
  if (explicit !== undefined) return store.mustProject(explicit);
  const userDefault = ctx.auth?.user.defaultProjectId;
  if (userDefault) {
    const p = store.projects.get(userDefault);
    if (p) return p;
  }
  const serverDefault = store.projectByNameOrId('default');
  if (serverDefault) return serverDefault;
  throw valueError('Project scope missing from the filter.');
}

export function createProjectScope(ctx: RouteContext, body: Obj): ProjectRec {
  const { store } = ctx.app;
  const fromBody = reqUuid(body, 'project');
  const override = ctx.query.get('project_name_or_id');
  return store.mustProject(override ?? fromBody);
}

/** Parses the `hydrate` query param of single-entity routes (default true). */
export function hydrateParam(ctx: RouteContext, fallback = true): boolean {
  return ctx.query.bool('hydrate', fallback);
}
