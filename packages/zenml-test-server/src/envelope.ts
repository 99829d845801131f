/**
 * The two wire envelopes every resource shares (API.md §2.1, §2.2): the entity
 * envelope `{body, metadata, resources, id, permission_denied, name?}` and the
 * page envelope `{index, max_size, total_pages, total, items}`. Key order
 * follows the real captures (pydantic prints body/metadata/resources first).
 */

export interface Page<T> {
  index: number;
  max_size: number;
  total_pages: number;
  total: number;
  items: T[];
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface EntityOptions {
  id: string;
  /** Omit for unnamed entities (artifact versions, builds, links). */
  name?: string | null;
  body: JsonObject;
  /** Only sent when hydrated; `null` otherwise. */
  metadata: JsonObject | null;
  resources: JsonObject | null;
}

export function entity(o: EntityOptions): JsonObject {
  const out: JsonObject = {
    body: o.body,
    metadata: o.metadata,
    resources: o.resources,
    id: o.id,
    permission_denied: false,
  };
  if (o.name !== undefined) out['name'] = o.name;
  return out;
}

export function page<T>(index: number, maxSize: number, total: number, items: T[]): Page<T> {
  return {
    index,
    max_size: maxSize,
    // An empty result still has one (empty) page: sql_zen_store.filter_and_paginate.
    total_pages: total === 0 ? 1 : Math.ceil(total / maxSize),
    total,
    items,
  };
}

export function emptyPage<T>(maxSize = 20): Page<T> {
  return page<T>(1, maxSize, 0, []);
}
