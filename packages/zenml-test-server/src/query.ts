/**
 * Query-string access with FastAPI's parsing rules: a repeated single-valued
 * param takes its last value, bools follow pydantic's lenient spellings, and
 * an unparsable value is a 422 request-validation error (bare array body).
 */
import { invalid } from './errors.js';
import { isUuid, normalizeUuid } from './store/store.js';

const TRUE = new Set(['true', '1', 'yes', 'on', 't', 'y']);
const FALSE = new Set(['false', '0', 'no', 'off', 'f', 'n']);

export function parseBool(text: string): boolean | null {
  const t = text.trim().toLowerCase();
  if (TRUE.has(t)) return true;
  if (FALSE.has(t)) return false;
  return null;
}

export interface Paging {
  page: number;
  size: number;
  sortBy: string;
  logicalOperator: 'and' | 'or';
  hydrate: boolean;
}

/** PAGE_SIZE_DEFAULT / PAGE_SIZE_MAXIMUM from constants.py (API.md §2.2). */
export const PAGE_SIZE_DEFAULT = 20;
export const PAGE_SIZE_MAXIMUM = 10000;

export class Query {
  constructor(readonly params: URLSearchParams) {}

  has(name: string): boolean {
    return this.params.has(name);
  }

  get(name: string): string | undefined {
    const all = this.params.getAll(name);
    return all.length ? all[all.length - 1] : undefined;
  }

  all(name: string): string[] {
    return this.params.getAll(name);
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.get(name);
    if (raw === undefined) return fallback;
    const v = parseBool(raw);
    if (v === null) throw invalid(['query', name], 'Input should be a valid boolean, unable to interpret input', 'bool_parsing', raw);
    return v;
  }

  int(name: string): number | undefined {
    const raw = this.get(name);
    if (raw === undefined) return undefined;
    if (!/^-?\d+$/.test(raw.trim())) {
      throw invalid(['query', name], 'Input should be a valid integer, unable to parse string as an integer', 'int_parsing', raw);
    }
    return Number(raw);
  }

  uuid(name: string): string | undefined {
    const raw = this.get(name);
    if (raw === undefined) return undefined;
    if (!isUuid(raw)) throw invalid(['query', name], 'Input should be a valid UUID', 'uuid_parsing', raw);
    return normalizeUuid(raw);
  }

  requiredString(name: string): string {
    const raw = this.get(name);
    if (raw === undefined) throw invalid(['query', name], 'Field required', 'missing');
    return raw;
  }

  /** page/size/sort_by/logical_operator/hydrate, with the defaults of BaseFilter. */
  paging(hydrateDefault = false): Paging {
    const page = this.int('page') ?? 1;
    if (page < 1) throw invalid(['query', 'page'], 'Input should be greater than or equal to 1', 'greater_than_equal', page);
    const size = this.int('size') ?? PAGE_SIZE_DEFAULT;
    if (size < 1) throw invalid(['query', 'size'], 'Input should be greater than or equal to 1', 'greater_than_equal', size);
    if (size > PAGE_SIZE_MAXIMUM) {
      throw invalid(['query', 'size'], `Input should be less than or equal to ${PAGE_SIZE_MAXIMUM}`, 'less_than_equal', size);
    }
    const lo = (this.get('logical_operator') ?? 'and').toLowerCase();
    if (lo !== 'and' && lo !== 'or') {
      throw invalid(['query', 'logical_operator'], "Input should be 'and' or 'or'", 'enum', lo);
    }
    return {
      page,
      size,
      sortBy: this.get('sort_by') ?? 'created',
      logicalOperator: lo,
      hydrate: this.bool('hydrate', hydrateDefault),
    };
  }
}
