/** Small JSON helpers over `client.fetch` (retries, auth and error mapping included). */
import type { z } from '../zod.js';
import type { Query, ZenmlClient } from '../zenml/client.js';
import { parseResponse } from '../zenml/schemas.js';
import { readJson } from '../zenml/read-json.js';


export async function getJson<T>(client: ZenmlClient, path: string, query: Query, schema: z.ZodMiniType<T>, what: string): Promise<T> {
  const res = await client.fetch(client.url(path, query), { headers: { accept: 'application/json' } });
  return parseResponse(schema, await readJson(res, what), what);
}

export async function sendJson<T>(
  client: ZenmlClient,
  method: 'POST' | 'PUT',
  path: string,
  body: unknown,
  schema: z.ZodMiniType<T>,
  what: string,
): Promise<T> {
  const res = await client.fetch(client.url(path), {
    method,
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return parseResponse(schema, await readJson(res, what), what);
}

/** First `n` items of a paginated list (stops fetching once it has them). */
export async function firstItems<T>(client: ZenmlClient, path: string, query: Query, schema: z.ZodMiniType<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  for await (const it of client.paginate(path, { ...query, size: query.size ?? Math.min(Math.max(n, 1), 100) }, schema)) {
    out.push(it);
    if (out.length >= n) break;
  }
  return out;
}
