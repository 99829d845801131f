/**
 * A small client for the GitHub Actions artifact service (v4): the twirp JSON API for the
 * records, and the Azure blob signed URLs it hands out for the bytes. Only what the manifest
 * hand-off needs; the protocol facts are in /work/shared/notes/test-peers.md.
 *
 * Written on `fetch` rather than on GitHub's artifact library, whose Azure SDK, archiver and
 * undici made each action's bundle 5 MB larger for one small JSON file (issue 8).
 */
import { runnerRuntime } from '../action/runner-protocol.js';
import type { ArtifactRuntime } from './runtime.js';
import { NoAnswerError, send, type TransportOptions } from './transport.js';

const SERVICE_PATH = '/twirp/github.actions.results.api.v1.ArtifactService/';

export type TwirpMethod = 'CreateArtifact' | 'FinalizeArtifact' | 'ListArtifacts' | 'GetSignedArtifactURL' | 'DeleteArtifact';

/** A failed call: `line` is one line for the user (no URL, no token); `code` is twirp's, when it sent one. */
export class ArtifactServiceError extends Error {
  constructor(
    readonly line: string,
    readonly attempts: number,
    readonly code?: string,
    readonly serviceMessage?: string,
  ) {
    super(line);
    this.name = 'ArtifactServiceError';
  }
}

export interface ListedArtifact {
  id: number;
  name: string;
  size: number;
  createdAt: string;
  /** `sha256:<hex>` as recorded at finalize, when the uploader sent one. */
  digest?: string;
}

export class ArtifactServiceClient {
  constructor(
    private readonly rt: ArtifactRuntime,
    private readonly transport: TransportOptions = {},
  ) {}

  /** Artifacts of this run with exactly this name (finalized ones: the service shows no others). */
  async list(name: string): Promise<ListedArtifact[]> {
    const res = await this.call('ListArtifacts', { name_filter: name });
    const raw = Array.isArray(res.artifacts) ? (res.artifacts as Record<string, unknown>[]) : [];
    return raw
      .map((a) => {
        const out: ListedArtifact = { id: Number(a.database_id), name: String(a.name ?? ''), size: Number(a.size ?? 0), createdAt: String(a.created_at ?? '') };
        if (typeof a.digest === 'string' && a.digest) out.digest = a.digest.startsWith('sha256:') ? a.digest : `sha256:${a.digest}`;
        return out;
      })
      .filter((a) => a.name === name && Number.isSafeInteger(a.id));
  }

  /** Starts an artifact; returns the signed URL to PUT its one blob to. */
  async create(name: string, mimeType: string, expiresAt?: Date): Promise<string> {
    const res = await this.call('CreateArtifact', {
      name,
      version: 7,
      mime_type: mimeType,
      ...(expiresAt ? { expires_at: expiresAt.toISOString() } : {}),
    });
    if (res.ok !== true || typeof res.signed_upload_url !== 'string') throw this.refused('CreateArtifact');
    return maskSignature(res.signed_upload_url);
  }

  /** Makes the uploaded blob a visible artifact; returns its id. */
  async finalize(name: string, size: number, digest: string): Promise<number | undefined> {
    const res = await this.call('FinalizeArtifact', { name, size: String(size), hash: digest });
    if (res.ok !== true) throw this.refused('FinalizeArtifact');
    const id = Number(res.artifact_id);
    return Number.isSafeInteger(id) && res.artifact_id !== undefined ? id : undefined;
  }

  async signedDownloadUrl(name: string): Promise<string> {
    const res = await this.call('GetSignedArtifactURL', { name });
    if (typeof res.signed_url !== 'string' || !res.signed_url) throw this.refused('GetSignedArtifactURL');
    return maskSignature(res.signed_url);
  }

  async delete(name: string): Promise<void> {
    await this.call('DeleteArtifact', { name });
  }

  /**
   * The bytes as one Put Blob: a manifest is far below the single-request limit, so the block
   * list dance that large uploads need buys nothing here.
   */
  async putBlob(url: string, body: Buffer, contentType: string): Promise<void> {
    const ans = await this.sendOrFail('upload the artifact to blob storage', 'blob upload', url, {
      method: 'PUT',
      headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': contentType },
      body,
    });
    if (ans.status < 200 || ans.status > 299) throw blobError('upload the artifact to blob storage', ans);
  }

  async getBlob(url: string): Promise<{ bytes: Buffer; contentType: string }> {
    const ans = await this.sendOrFail('download the artifact from blob storage', 'blob download', url, { method: 'GET', headers: {} });
    if (ans.status !== 200) throw blobError('download the artifact from blob storage', ans);
    return { bytes: ans.bytes, contentType: ans.headers.get('content-type') ?? '' };
  }

  private async call(method: TwirpMethod, fields: Record<string, unknown>): Promise<Record<string, unknown>> {
    const body = JSON.stringify({ workflow_run_backend_id: this.rt.runBackendId, workflow_job_run_backend_id: this.rt.jobBackendId, ...fields });
    const ans = await this.sendOrFail(method, method, `${this.rt.origin}${SERVICE_PATH}${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.rt.token}`, 'content-type': 'application/json', accept: 'application/json' },
      body,
    });
    const parsed = parseJson(ans.bytes);
    if (ans.status >= 200 && ans.status <= 299) {
      if (parsed === undefined) throw new ArtifactServiceError(`Failed to ${method}: the service answered ${ans.status} with no JSON object`, ans.attempts);
      return parsed;
    }
    // Twirp errors are `{code, msg}`; a proxy in the way may answer with anything.
    const code = typeof parsed?.code === 'string' ? parsed.code : undefined;
    const msg = typeof parsed?.msg === 'string' ? parsed.msg : undefined;
    const detail = [code, msg].filter(Boolean).join(': ') || 'no error message';
    throw new ArtifactServiceError(`Failed to ${method}: HTTP ${ans.status} ${detail}`, ans.attempts, code, msg);
  }

  /** `what` goes into the error line ("Failed to <what>"), `label` into retry notices. */
  private async sendOrFail(what: string, label: string, url: string, init: Parameters<typeof send>[2]) {
    try {
      return await send(label, url, init, this.transport);
    } catch (e) {
      if (e instanceof NoAnswerError) throw new ArtifactServiceError(`Failed to ${what}: Unable to make request: ${e.reason}`, e.attempts);
      throw e;
    }
  }

  private refused(method: TwirpMethod): ArtifactServiceError {
    return new ArtifactServiceError(`Failed to ${method}: the service did not accept the request (its answer lacks ok or the URL)`, 1);
  }
}

function parseJson(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(bytes.toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Azure answers errors with XML whose <Code> names the problem (AuthenticationFailed,
 * BlobNotFound). Its <Message> is left out: for a signature failure it can echo the signed string.
 */
function blobError(what: string, ans: { status: number; bytes: Buffer; headers: Headers; attempts: number }): ArtifactServiceError {
  const code = ans.headers.get('x-ms-error-code') ?? /<Code>([^<]{1,100})<\/Code>/.exec(ans.bytes.toString('utf8'))?.[1];
  return new ArtifactServiceError(`Failed to ${what}: HTTP ${ans.status}${code ? ` ${code}` : ''}`, ans.attempts, code);
}

/**
 * A signed URL's `sig` is a credential for the blob. None of our lines print a URL, but the
 * runner masks it too, in case anything below us ever does (as GitHub's artifact library does).
 */
function maskSignature(url: string): string {
  try {
    const sig = new URL(url).searchParams.get('sig');
    if (sig) {
      runnerRuntime.setSecret(sig);
      const encoded = encodeURIComponent(sig);
      if (encoded !== sig) runnerRuntime.setSecret(encoded);
    }
  } catch {
    // Not a URL: fetch will refuse it, and that error is scrubbed like any other.
  }
  return url;
}
