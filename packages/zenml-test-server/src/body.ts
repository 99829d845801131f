/**
 * Request-body field readers. A wrong type or a missing required field is a
 * 422 request-validation error, like pydantic's validation inside FastAPI.
 * Unknown fields are ignored: ZenML request models allow extras.
 */
import { invalid } from './errors.js';
import { isUuid, normalizeUuid } from './store/store.js';

export type Obj = Record<string, unknown>;

export function asObject(value: unknown, loc: Array<string | number> = ['body']): Obj {
  if (value === undefined) throw invalid(loc, 'Field required', 'missing');
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(loc, 'Input should be a valid dictionary or object to extract fields from', 'model_attributes_type', value);
  }
  return value as Obj;
}

const present = (b: Obj, k: string): boolean => b[k] !== undefined && b[k] !== null;

export function reqString(b: Obj, k: string, loc: Array<string | number> = ['body']): string {
  const v = b[k];
  if (v === undefined) throw invalid([...loc, k], 'Field required', 'missing');
  if (typeof v !== 'string') throw invalid([...loc, k], 'Input should be a valid string', 'string_type', v);
  return v;
}

export function optString(b: Obj, k: string, loc: Array<string | number> = ['body']): string | undefined {
  if (!present(b, k)) return undefined;
  const v = b[k];
  if (typeof v !== 'string') throw invalid([...loc, k], 'Input should be a valid string', 'string_type', v);
  return v;
}

export function optBool(b: Obj, k: string, loc: Array<string | number> = ['body']): boolean | undefined {
  if (!present(b, k)) return undefined;
  const v = b[k];
  if (typeof v !== 'boolean') throw invalid([...loc, k], 'Input should be a valid boolean', 'bool_type', v);
  return v;
}

export function optInt(b: Obj, k: string, loc: Array<string | number> = ['body']): number | undefined {
  if (!present(b, k)) return undefined;
  const v = b[k];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalid([...loc, k], 'Input should be a valid integer', 'int_type', v);
  return v;
}

export function reqUuid(b: Obj, k: string, loc: Array<string | number> = ['body']): string {
  const v = b[k];
  if (v === undefined || v === null) throw invalid([...loc, k], 'Field required', 'missing');
  if (typeof v !== 'string' || !isUuid(v)) throw invalid([...loc, k], 'Input should be a valid UUID', 'uuid_parsing', v);
  return normalizeUuid(v);
}

export function optUuid(b: Obj, k: string, loc: Array<string | number> = ['body']): string | undefined {
  if (!present(b, k)) return undefined;
  return reqUuid(b, k, loc);
}

export function optStringArray(b: Obj, k: string, loc: Array<string | number> = ['body']): string[] | undefined {
  if (!present(b, k)) return undefined;
  const v = b[k];
  if (!Array.isArray(v)) throw invalid([...loc, k], 'Input should be a valid list', 'list_type', v);
  return v.map((item, i) => {
    if (typeof item !== 'string') throw invalid([...loc, k, i], 'Input should be a valid string', 'string_type', item);
    return item;
  });
}

export function optObject(b: Obj, k: string, loc: Array<string | number> = ['body']): Obj | undefined {
  if (!present(b, k)) return undefined;
  return asObject(b[k], [...loc, k]);
}

/** Enum field: pydantic's message lists the allowed values. */
export function enumValue<T extends string>(
  value: unknown,
  allowed: readonly T[],
  loc: Array<string | number>,
): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  const list = allowed.map((a) => `'${a}'`);
  const text = list.length > 1 ? `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}` : (list[0] ?? '');
  throw invalid(loc, `Input should be ${text}`, 'enum', value);
}

/** A required enum field: missing → "Field required", wrong value → enum error. */
export function reqEnum<T extends string>(b: Obj, k: string, allowed: readonly T[], loc: Array<string | number> = ['body']): T {
  if (b[k] === undefined) throw invalid([...loc, k], 'Field required', 'missing');
  return enumValue(b[k], allowed, [...loc, k]);
}
