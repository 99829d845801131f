/**
 * ZenML's filter value syntax `"<op>:<value>"` (GenericFilterOps, API.md §2.2)
 * evaluated against in-memory rows.
 */
import { parseFilterDatetime } from './clock.js';
import { invalid } from './errors.js';
import { parseBool } from './query.js';
import { isUuid, normalizeUuid } from './store/store.js';

export const FILTER_OPS = [
  'equals',
  'notequals',
  'contains',
  'startswith',
  'endswith',
  'oneof',
  'gte',
  'gt',
  'lte',
  'lt',
  'in',
] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export type FieldKind = 'str' | 'uuid' | 'int' | 'float' | 'bool' | 'datetime';
export type FieldValue = string | number | boolean | null;

export interface FieldSpec<R> {
  kind: FieldKind;
  get: (row: R) => FieldValue;
  /** Filterable by query param of the same name (default true). */
  filter?: boolean;
  /** Usable in sort_by (default true). */
  sort?: boolean;
}

/** Splits `op:value`; a prefix that is not an op word belongs to the value (equals). */
export function splitOp(raw: string): { op: FilterOp; value: string } {
  const i = raw.indexOf(':');
  if (i > 0) {
    const head = raw.slice(0, i);
    if ((FILTER_OPS as readonly string[]).includes(head)) return { op: head as FilterOp, value: raw.slice(i + 1) };
  }
  return { op: 'equals', value: raw };
}

function parseList(param: string, text: string): string[] {
  try {
    const v: unknown = JSON.parse(text);
    if (Array.isArray(v)) return v.map((x) => String(x));
  } catch {
    // fall through
  }
  throw invalid(['query', param], 'Value error, The value for the oneof filter must be a json-encoded list.', 'value_error', text);
}

type Coerced = string | number | boolean;

function coerce(param: string, kind: FieldKind, text: string, op: FilterOp): Coerced {
  switch (kind) {
    case 'int':
    case 'float': {
      const n = Number(text);
      if (text.trim() === '' || Number.isNaN(n) || (kind === 'int' && !Number.isInteger(n))) {
        throw invalid(['query', param], `Input should be a valid ${kind === 'int' ? 'integer' : 'number'}`, `${kind}_parsing`, text);
      }
      return n;
    }
    case 'bool': {
      const b = parseBool(text);
      if (b === null) throw invalid(['query', param], 'Input should be a valid boolean', 'bool_parsing', text);
      return b;
    }
    case 'datetime': {
      const m = parseFilterDatetime(text);
      if (m === null) throw invalid(['query', param], 'Input should be a valid datetime', 'datetime_parsing', text);
      return m;
    }
    case 'uuid':
      if (op === 'equals' || op === 'notequals') {
        if (!isUuid(text)) throw invalid(['query', param], 'Input should be a valid UUID', 'uuid_parsing', text);
        return normalizeUuid(text);
      }
      return text.toLowerCase();
    case 'str':
      return text;
  }
}

function compare(a: Coerced, b: Coerced): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Does `actual` satisfy `op expected`? Null never matches except for notequals. */
function test(op: FilterOp, actual: FieldValue, expected: Coerced | Coerced[]): boolean {
  if (Array.isArray(expected)) return actual !== null && expected.some((e) => compare(actual, e) === 0);
  if (actual === null) return op === 'notequals';
  switch (op) {
    case 'equals':
      return compare(actual, expected) === 0;
    case 'notequals':
      return compare(actual, expected) !== 0;
    case 'contains':
      return String(actual).toLowerCase().includes(String(expected).toLowerCase());
    case 'startswith':
      return String(actual).toLowerCase().startsWith(String(expected).toLowerCase());
    case 'endswith':
      return String(actual).toLowerCase().endsWith(String(expected).toLowerCase());
    case 'gte':
      return compare(actual, expected) >= 0;
    case 'gt':
      return compare(actual, expected) > 0;
    case 'lte':
      return compare(actual, expected) <= 0;
    case 'lt':
      return compare(actual, expected) < 0;
    case 'oneof':
    case 'in':
      return false;
  }
}

/** Builds the predicate for one `param=op:value` occurrence. */
export function fieldPredicate<R>(param: string, spec: FieldSpec<R>, raw: string): (row: R) => boolean {
  const { op, value } = splitOp(raw);
  if (spec.kind === 'bool' && op !== 'equals' && op !== 'notequals') {
    throw invalid(['query', param], `Value error, Invalid operation ${op} for a boolean filter.`, 'value_error', raw);
  }
  let expected: Coerced | Coerced[];
  if (op === 'oneof' || op === 'in') {
    expected = parseList(param, value).map((v) => coerce(param, spec.kind, v, 'equals'));
  } else {
    expected = coerce(param, spec.kind, value, op);
  }
  return (row) => {
    let actual = spec.get(row);
    if (spec.kind === 'uuid' && typeof actual === 'string') actual = actual.toLowerCase();
    return test(op, actual, expected);
  };
}

/**
 * A run_metadata filter entry: `key:value` or `key:<op>:value`, compared with
 * the latest value of that key (RunMetadataFilterMixin).
 */
export function metadataPredicate(
  raw: string,
  latestOf: (rowId: string) => Record<string, unknown>,
): (rowId: string) => boolean {
  const i = raw.indexOf(':');
  if (i <= 0) {
    throw invalid(['query', 'run_metadata'], 'Value error, Invalid run_metadata filter, expected `key:value` or `key:op:value`.', 'value_error', raw);
  }
  const key = raw.slice(0, i);
  const { op, value } = splitOp(raw.slice(i + 1));
  const numeric = ['gte', 'gt', 'lte', 'lt'].includes(op);
  return (rowId) => {
    const md = latestOf(rowId);
    if (!(key in md)) return false;
    const actual = md[key];
    if (numeric) {
      const a = Number(actual);
      const b = Number(value);
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      return test(op, a, b);
    }
    const text = typeof actual === 'string' ? actual : JSON.stringify(actual);
    if (op === 'oneof' || op === 'in') return parseList('run_metadata', value).includes(text);
    if (op === 'equals' && typeof actual === 'number') return actual === Number(value);
    if (op === 'equals' && typeof actual === 'boolean') return String(actual) === value.toLowerCase() || (actual ? 'True' : 'False') === value;
    return test(op, text, value);
  };
}
