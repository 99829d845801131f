/** Components and stacks (API.md §4.4, §7): server-wide, get by UUID only. */
import { fieldPredicate } from '../filters.js';
import type { FieldSpec } from '../filters.js';
import { baseFields, mapPage, runList, userFilter } from '../list.js';
import type { Route } from '../router.js';
import { json } from '../router.js';
import type { ComponentRec, StackRec } from '../store/records.js';
import { isUuid, normalizeUuid } from '../store/store.js';
import { componentView, stackView } from '../views/stacks.js';
import { uuidParam } from './params.js';

const componentFields: Record<string, FieldSpec<ComponentRec>> = {
  ...baseFields<ComponentRec>(),
  name: { kind: 'str', get: (c) => c.name },
  type: { kind: 'str', get: (c) => c.type },
  flavor: { kind: 'str', get: (c) => c.flavor },
};

const stackFields: Record<string, FieldSpec<StackRec>> = {
  ...baseFields<StackRec>(),
  name: { kind: 'str', get: (s) => s.name },
  description: { kind: 'str', get: (s) => s.description },
};

export const stackRoutes: Route[] = [
  {
    method: 'GET',
    template: '/api/v1/components',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const { page, paging } = runList(store.components.values(), ctx.query, {
        fields: componentFields,
        custom: {
          user: userFilter(store),
          stack_id: (values) => (c) =>
            values.every((v) => {
              const stack = isUuid(v) ? store.stacks.get(normalizeUuid(v)) : undefined;
              return stack !== undefined && Object.values(stack.components).some((ids) => ids.includes(c.id));
            }),
        },
      });
      return json(mapPage(page, (c) => componentView(store, c, paging.hydrate)));
    },
  },
  {
    method: 'GET',
    template: '/api/v1/components/{component_id}',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const c = store.mustGet(store.components, uuidParam(ctx, 'component_id'), 'stack_component');
      return json(componentView(store, c, ctx.query.bool('hydrate', true)));
    },
  },
  {
    method: 'GET',
    template: '/api/v1/stacks',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const inStack = (s: StackRec, pred: (c: ComponentRec) => boolean) =>
        Object.values(s.components).some((ids) => ids.some((id) => {
          const c = store.components.get(id);
          return c !== undefined && pred(c);
        }));
      const { page, paging } = runList(store.stacks.values(), ctx.query, {
        fields: stackFields,
        custom: {
          user: userFilter(store),
          component_id: (values) => (s) => values.every((v) => inStack(s, (c) => isUuid(v) && c.id === normalizeUuid(v))),
          // Component name or id.
          component: (values) => {
            const preds = values.map((raw) => fieldPredicate<ComponentRec>('component', { kind: 'str', get: (c) => c.name }, raw));
            return (s) => values.every((v, i) => inStack(s, (c) => (isUuid(v) && c.id === normalizeUuid(v)) || (preds[i]?.(c) ?? false)));
          },
        },
      });
      return json(mapPage(page, (s) => stackView(store, s, paging.hydrate)));
    },
  },
  {
    method: 'GET',
    template: '/api/v1/stacks/{stack_id}',
    auth: true,
    handler: (ctx) => {
      const { store } = ctx.app;
      const s = store.mustGet(store.stacks, uuidParam(ctx, 'stack_id'), 'stack');
      return json(stackView(store, s, ctx.query.bool('hydrate', true)));
    },
  },
];
