/**
 * artifact-source `server`: an artifact's files through the ZenML server (API.md §4.5) — a
 * short-lived download token, then `/data?token=`, a tar.gz of the files under the uri, gunzipped
 * and read entry by entry as it arrives (never held whole in memory or on disk).
 */
import { IntegrityError, TransientError, ZenmlApiError } from '../errors.js';
import { readableBody } from '../net/index.js';
import type { ZenmlClient } from '../zenml/client.js';
import type { ArtifactFacts } from './source-facts.js';
import { readTar, type TarEntry } from './tar-reader.js';

const HINT = "The server must be able to read the artifact store (e.g. through a service connector); otherwise use artifact-source 'store'.";

function withHint(e: unknown): unknown {
  if (e instanceof ZenmlApiError && e.status >= 400 && e.status < 500) {
    return new ZenmlApiError(e.status, e.method, e.path, e.exceptionClass, e.serverMessage, e.hint ? `${e.hint} ${HINT}` : HINT);
  }
  return e;
}

async function downloadToken(client: ZenmlClient, id: string): Promise<string> {
  let body: unknown;
  try {
    const res = await client.fetch(client.url(`/api/v1/artifact_versions/${id}/download-token`), { headers: { accept: 'application/json' } });
    body = await res.json();
  } catch (e) {
    throw withHint(e);
  }
  if (typeof body !== 'string' || !body) {
    throw new IntegrityError(`Unexpected response from the ZenML server for GET /api/v1/artifact_versions/${id}/download-token: not a token string.`);
  }
  return body;
}

/**
 * Network failures while the body streams are not retried by the client: one line that says so.
 * Also for errors that reach a consumer through an entry's body.
 */
/** Error-like, whatever realm it came from (undici's errors are not always `instanceof Error` here). */
function errorLike(e: unknown): e is Error {
  return typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string';
}

export function downloadFailure(a: ArtifactFacts, e: unknown): unknown {
  if (!errorLike(e) || e instanceof IntegrityError || e instanceof TransientError || e instanceof ZenmlApiError) return e;
  const code = 'code' in e ? String((e as { code: unknown }).code) : '';
  const causeCode = e.cause && typeof e.cause === 'object' && 'code' in e.cause ? String((e.cause as { code: unknown }).code) : '';
  if (/unexpected end of file/i.test(e.message) === false && (/^Z_|ERR_ZLIB/.test(code) || /incorrect header check|invalid .*(block|distance|code)/i.test(e.message))) {
    return new IntegrityError(`Artifact '${a.name}': the server's download is not a valid tar.gz (${e.message}).`);
  }
  const network =
    /^(terminated|fetch failed|unexpected end of file)$/i.test(e.message) ||
    e.name === 'AbortError' ||
    /^(UND_ERR|ECONNRESET|ETIMEDOUT|EPIPE|ECONNABORTED)/.test(code) ||
    /^(UND_ERR|ECONNRESET|ETIMEDOUT|EPIPE|ECONNABORTED)/.test(causeCode);
  if (!network) return e; // e.g. a local disk error while writing: not the download's fault
  const cause = errorLike(e.cause) ? `: ${e.cause.message}` : '';
  return new TransientError(
    `Artifact '${a.name}': the download from the ZenML server was interrupted (${e.message}${cause}). ` +
      'Run the export again; files already staged are reused.',
    1,
  );
}

/**
 * The artifact's archive entries (files, folders, others), in archive order. Each file body must be
 * read to its end before the next entry is pulled.
 */
export async function* downloadArtifactEntries(client: ZenmlClient, a: ArtifactFacts): AsyncGenerator<TarEntry> {
  const token = await downloadToken(client, a.id);
  let res: Response;
  try {
    res = await client.fetch(client.url(`/api/v1/artifact_versions/${a.id}/data`, { token }));
  } catch (e) {
    throw withHint(e);
  }
  // Read as a Node stream straight from the socket: no web stream between it and gunzip.
  const raw = readableBody(res);
  if (!raw) throw new IntegrityError(`Artifact '${a.name}': the server sent an empty download.`);
  // zlib only here: an export whose artifacts are all read from a store never loads it.
  const gunzip = (await import('node:zlib')).createGunzip();
  raw.on('error', (e) => gunzip.destroy(e));
  raw.pipe(gunzip);
  try {
    for await (const entry of readTar(gunzip, `Artifact '${a.name}' (download)`)) yield entry;
  } catch (e) {
    throw downloadFailure(a, e);
  } finally {
    raw.destroy();
    gunzip.destroy();
  }
}
