/**
 * The list pipeline shared by every `GET /<resource>` route: scope → filters
 * (combined with `logical_operator`) → sort (`sort_by`, tie-break by id asc) →
 * page, with the errors ZenML raises for a bad sort column or page.
 */
import type { Page } from './envelope.js';
import { page as makePage } from './envelope.js';
import { invalid, valueError } from './errors.js';
import type { FieldSpec, FieldValue } from './filters.js';
import { fieldPredicate, splitOp } from './filters.js';
import type { Paging, Query } from './query.js';
import type { BaseRec } from './store/records.js';
import type { Store } from './store/store.js';
import { isUuid, normalizeUuid } from './store/store.js';

export type Predicate<R> = (row: R) => boolean;

export interface ListSpec<R> {
  /** Column filters/sorts (each query param of this name is an `op:value` filter). */
  fields: Record<string, FieldSpec<R>>;
  /** Filters with their own semantics (tags, run_metadata, user, links…); given all values of the param. */
  custom?: Record<string, (values: string[]) => Predicate<R>>;
}

/** Columns every entity has: id, created, updated, plus the `user` filter. */
export function baseFields<R extends BaseRec>(): Record<string, FieldSpec<R>> {
  return {
    id: { kind: 'uuid', get: (r) => r.id },
    created: { kind: 'datetime', get: (r) => r.created },
    updated: { kind: 'datetime', get: (r) => r.updated },
  };
}

/** `user=<name or id>` (op syntax applies to the name). */
export function userFilter<R extends BaseRec>(store: Store): (values: string[]) => Predicate<R> {
  return (values) => {
    const preds = values.map((raw) => {
      const byName = fieldPredicate<R>('user', { kind: 'str', get: (r) => (r.userId ? (store.users.get(r.userId)?.name ?? null) : null) }, raw);
      const { value } = splitOp(raw);
      const id = isUuid(value) ? normalizeUuid(value) : null;
      return (r: R) => (id !== null && r.userId === id) || byName(r);
    });
    return (r) => preds.every((p) => p(r));
  };
}

function parseSort(sortBy: string): { column: string; desc: boolean } {
  const i = sortBy.indexOf(':');
  if (i < 0) return { column: sortBy, desc: false };
  const dir = sortBy.slice(0, i).toLowerCase();
  // "An invalid direction falls back to asc" (API.md §2.2).
  return { column: sortBy.slice(i + 1), desc: dir === 'desc' };
}

function cmp(a: FieldValue, b: FieldValue): number {
  if (a === b) return 0;
  if (a === null) return -1; // NULLs first in ascending order, like SQLite
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

export interface ListResult<R> {
  paging: Paging;
  page: Page<R>;
}

/**
 * Runs the pipeline. `scope` predicates (project, model) always apply with AND;
 * the remaining filters are combined with the requested logical operator.
 */
export function runList<R extends { id: string }>(
  rows: Iterable<R>,
  q: Query,
  spec: ListSpec<R>,
  scope: Predicate<R>[] = [],
  hydrateDefault = false,
): ListResult<R> {
  const paging = q.paging(hydrateDefault);
  const filters: Predicate<R>[] = [];
  for (const [name, field] of Object.entries(spec.fields)) {
    if (field.filter === false) continue;
    for (const raw of q.all(name)) filters.push(fieldPredicate(name, field, raw));
  }
  for (const [name, make] of Object.entries(spec.custom ?? {})) {
    const values = q.all(name);
    if (values.length) filters.push(make(values));
  }

  const { column, desc } = parseSort(paging.sortBy);
  const sortField = spec.fields[column];
  if (!sortField || sortField.sort === false) {
    throw invalid(['query', 'sort_by'], `Value error, Invalid sort by column: '${column}'. Only fields of the filter model can be used for sorting.`, 'value_error', paging.sortBy);
  }

  const combined: Predicate<R> =
    filters.length === 0
      ? () => true
      : paging.logicalOperator === 'or'
        ? (r) => filters.some((f) => f(r))
        : (r) => filters.every((f) => f(r));

  const matched = [...rows].filter((r) => scope.every((s) => s(r)) && combined(r));
  matched.sort((a, b) => {
    const c = cmp(sortField.get(a), sortField.get(b));
    if (c !== 0) return desc ? -c : c;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0; // always tie-broken by id asc
  });

  const total = matched.length;
  const totalPages = total === 0 ? 1 : Math.ceil(total / paging.size);
  if (paging.page > totalPages) {
    throw valueError(
      `Invalid page ${paging.page}. The requested page size is ${paging.size} and there are a total of ${total} items for this query. The maximum page value therefore is ${totalPages}.`,
    );
  }
  const start = (paging.page - 1) * paging.size;
  return { paging, page: makePage(paging.page, paging.size, total, matched.slice(start, start + paging.size)) };
}

/** Maps a page of rows to a page of views. */
export function mapPage<R, V>(p: Page<R>, f: (row: R) => V): Page<V> {
  return { ...p, items: p.items.map(f) };
}
