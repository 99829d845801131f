/**
 * The `tags` list filter (API.md §2.2): repeated tag names, each with optional
 * op syntax; a row matches when every entry matches one of its tags.
 */
import { fieldPredicate } from '../filters.js';
import type { Predicate } from '../list.js';
import type { TaggableResourceType, TagRec } from '../store/records.js';
import type { Store } from '../store/store.js';

export function tagsFilter<R extends { id: string }>(
  store: Store,
  type: TaggableResourceType,
): (values: string[]) => Predicate<R> {
  return (values) => {
    const preds = values.map((raw) => fieldPredicate<TagRec>('tags', { kind: 'str', get: (t) => t.name }, raw));
    return (row) => {
      const tags = store.tagsOf(type, row.id);
      return preds.every((p) => tags.some(p));
    };
  };
}
