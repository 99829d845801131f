/**
 * The typed client must send what openapi-fetch's own createClient sends, and return what it
 * returns: the same calls go through both (openapi-fetch may load undici here; it is a test).
 */
import createClient from 'openapi-fetch';
import type { paths } from '../generated/zenml-api.js';
import { LiteRequest } from './request.js';
import { createTypedClient } from './typed-client.js';

interface Sent {
  method: string;
  url: string;
  headers: [string, string][];
  body: string;
}

type Answer = () => Response;

function recorder(answer: Answer) {
  const sent: Sent[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const r = new LiteRequest(input, init);
    sent.push({ method: r.method, url: r.url, headers: [...r.headers], body: await r.text() });
    return answer();
  };
  return { sent, fetch };
}

const BASE = 'https://zenml.example.com/prefix';
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** Runs `call` through openapi-fetch and through ours; both must send and return the same. */
async function same(call: (api: ReturnType<typeof createClient<paths>>) => Promise<{ data?: unknown; error?: unknown; response: Response }>, answer: Answer) {
  const theirs = recorder(answer);
  const ours = recorder(answer);
  const a = await call(createClient<paths>({ baseUrl: BASE, fetch: (req: Request) => theirs.fetch(req) }));
  const b = await call(createTypedClient<paths>({ baseUrl: BASE, fetch: ours.fetch }));
  expect(ours.sent).toEqual(theirs.sent);
  expect(b.data).toEqual(a.data);
  expect(b.error).toEqual(a.error);
  expect('data' in b).toBe('data' in a);
  expect(b.response.status).toBe(a.response.status);
  return { sent: ours.sent[0] as Sent, result: b };
}

describe('typed client (openapi-fetch compatible)', () => {
  it('GET with path and query parameters (arrays repeated, undefined left out)', async () => {
    const { sent, result } = await same(
      (api) =>
        api.GET('/api/v1/models/{model_name_or_id}/model_versions', {
          params: { path: { model_name_or_id: 'a b/c' }, query: { page: 2, size: 10, tag: ['x', 'y'] as unknown as string, name: undefined } },
        }),
      () => json(200, { items: [], total: 0 }),
    );
    expect(sent.method).toBe('GET');
    expect(sent.url).toBe(`${BASE}/api/v1/models/a%20b%2Fc/model_versions?page=2&size=10&tag=x&tag=y`);
    expect(sent.headers).toEqual([]);
    expect(result.data).toEqual({ items: [], total: 0 });
  });

  it('POST and PUT send JSON with its content type; caller headers win', async () => {
    const { sent } = await same(
      (api) => api.POST('/api/v1/models', { body: { project: 'p', name: 'm' } as never }),
      () => json(200, { id: '1' }),
    );
    expect(sent.headers).toEqual([['content-type', 'application/json']]);
    expect(JSON.parse(sent.body)).toEqual({ project: 'p', name: 'm' });
    const put = await same(
      (api) =>
        api.PUT('/api/v1/model_versions/{model_version_id}', {
          params: { path: { model_version_id: 'v' } },
          body: { stage: 'production', force: true } as never,
          headers: { 'Content-Type': 'application/merge-patch+json', 'X-Extra': 1 as unknown as string },
        }),
      () => json(200, {}),
    );
    expect(put.sent.headers).toEqual([
      ['content-type', 'application/merge-patch+json'],
      ['x-extra', '1'],
    ]);
  });

  it('reads 204, empty, text and error answers as openapi-fetch does', async () => {
    await same((api) => api.DELETE('/api/v1/model_versions/{model_version_id}', { params: { path: { model_version_id: 'v' } } }), () => new Response(null, { status: 204 }));
    await same((api) => api.GET('/api/v1/info'), () => new Response('', { status: 200, headers: { 'content-length': '0' } }));
    await same((api) => api.GET('/api/v1/info'), () => new Response('', { status: 200 }));
    await same((api) => api.GET('/api/v1/info'), () => json(404, { detail: ['KeyError', 'nope'] }));
    await same((api) => api.GET('/api/v1/info'), () => new Response('plain failure', { status: 500 }));
    await same((api) => api.GET('/api/v1/info', { parseAs: 'text' }), () => new Response('{"a":1}', { status: 200, headers: { 'content-length': '7' } }));
  });

  it('refuses middleware rather than ignoring it', () => {
    const api = createTypedClient<paths>({ baseUrl: BASE, fetch: recorder(() => json(200, {})).fetch });
    expect(() => api.use({ onRequest: () => undefined })).toThrow(/middleware is not supported/);
  });
});
