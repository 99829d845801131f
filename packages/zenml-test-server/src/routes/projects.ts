/** Projects (API.md §2.4): the one single get that accepts a name or a UUID. */
import { asObject, optString, reqString } from '../body.js';
import { entityExists, invalid } from '../errors.js';
import type { FieldSpec } from '../filters.js';
import { baseFields, mapPage, runList, userFilter } from '../list.js';
import type { Route } from '../router.js';
import { json } from '../router.js';
import type { ProjectRec } from '../store/records.js';
import { projectView } from '../views/core.js';

const fields: Record<string, FieldSpec<ProjectRec>> = {
  ...baseFields<ProjectRec>(),
  name: { kind: 'str', get: (p) => p.name },
  display_name: { kind: 'str', get: (p) => p.displayName },
};

export const projectRoutes: Route[] = [
  {
    method: 'GET',
    template: '/api/v1/projects',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const { page, paging } = runList(store.projects.values(), ctx.query, { fields, custom: { user: userFilter(store) } });
      return json(mapPage(page, (p) => projectView(p, paging.hydrate)));
    },
  },
  {
    method: 'POST',
    template: '/api/v1/projects',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const b = asObject(ctx.json());
      const name = reqString(b, 'name');
      // ProjectRequest name rules: lowercase letters, digits, `_` and `-`, at most 50 chars.
      if (!/^[a-z0-9_-]{1,50}$/.test(name)) {
        throw invalid(['body', 'name'], "String should match pattern '^[a-z0-9_-]+$' and have at most 50 characters", 'string_pattern_mismatch', name);
      }
      if (store.projectByNameOrId(name)) {
        throw entityExists(`Unable to create project ${name}: A project with this name already exists.`);
      }
      const rec: ProjectRec = {
        ...store.base(ctx.userId),
        name,
        displayName: optString(b, 'display_name') ?? name,
        description: optString(b, 'description') ?? '',
      };
      store.projects.set(rec.id, rec);
      return json(projectView(rec, true));
    },
  },
  {
    method: 'GET',
    template: '/api/v1/projects/{project_name_or_id}',
    auth: true,
    handler: (ctx) => {
      const project = ctx.app.store.mustProject(ctx.params['project_name_or_id'] ?? '');
      return json(projectView(project, ctx.query.bool('hydrate', true)));
    },
  },
];
