/**
 * A local stand-in for GitHub's artifact service (what @actions/artifact 6.x talks to), for tests.
 *
 * No emulator exists, so this is a small implementation of the twirp JSON API the library calls
 * (`POST /twirp/github.actions.results.api.v1.ArtifactService/<Method>`, snake_case proto field
 * names, int64 as strings, errors `{code, msg}`) in front of **Azurite**, the real Azure blob store,
 * started as a child process. Bytes never pass through this server: the library PUTs blocks to the
 * SAS URL minted here and GETs the download SAS URL from Azurite directly, as on github.com.
 *
 * Behaviour copied from the real service where the library depends on it:
 * - tokens are JWTs (not signed here) whose `scp` holds `Actions.Results:<runBackendId>:<jobBackendId>`;
 *   a request must carry one this service minted, for the run it names;
 * - artifacts are visible to every job of the same run, only once finalized;
 * - a second artifact with the same name in a run is refused (409 already_exists);
 * - the download URL carries `rscd` (Content-Disposition) so that raw (skipArchive) artifacts
 *   are saved under their name, and zips get `<name>.zip`.
 * See /work/shared/notes/test-peers.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createRequire } from 'node:module';
import {
  BlobSASPermissions,
  BlobServiceClient,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
  type ContainerClient,
} from '@azure/storage-blob';

/** Azurite's well-known development account (public, documented by Microsoft). */
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService/';

export interface StoredArtifact {
  id: number;
  name: string;
  runBackendId: string;
  jobBackendId: string;
  blobName: string;
  mimeType?: string;
  size?: number;
  /** As sent in FinalizeArtifact: `sha256:<hex>`. */
  digest?: string;
  expiresAt?: string;
  createdAt: string;
  finalized: boolean;
}

export interface ArtifactService {
  /** The env of one job: ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL, GITHUB_SERVER_URL, ... */
  env: Record<string, string>;
  runBackendId: string;
  jobBackendId: string;
  /** The env of another job: the same run unless `runBackendId` is given; a fresh token. */
  jobEnv(ids?: { runBackendId?: string; jobBackendId?: string }): Record<string, string>;
  /** Every artifact record, pending and finalized. */
  artifacts(): StoredArtifact[];
  /** The twirp methods called, in order. */
  calls: string[];
  /** Every runtime token minted, and every SAS signature handed out: for leak scans. */
  secrets(): string[];
  /** `http://127.0.0.1:PORT` of Azurite, and a container client on it (shared key). */
  blobEndpoint: string;
  container: ContainerClient;
  /** The Azurite child process (gone after stop()). */
  azuritePid: number;
  stop(): Promise<void>;
}

class TwirpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    msg: string,
  ) {
    super(msg);
  }
}

export async function startArtifactService(): Promise<ArtifactService> {
  const azurite = await startAzurite();
  const blobEndpoint = `http://127.0.0.1:${azurite.port}`;
  const credential = new StorageSharedKeyCredential(ACCOUNT, ACCOUNT_KEY);
  const container = new BlobServiceClient(`${blobEndpoint}/${ACCOUNT}`, credential, {
    retryOptions: { maxTries: 1 },
  }).getContainerClient('actions-results');
  const records: StoredArtifact[] = [];
  const calls: string[] = [];
  const signatures: string[] = [];
  const tokens = new Set<string>();
  let nextId = 1000;

  const signedUrl = (blobName: string, permissions: string, contentDisposition?: string): string => {
    const params = generateBlobSASQueryParameters(
      {
        containerName: container.containerName,
        blobName,
        permissions: BlobSASPermissions.parse(permissions),
        expiresOn: new Date(Date.now() + 3600_000),
        ...(contentDisposition ? { contentDisposition } : {}),
      },
      credential,
    );
    signatures.push(params.signature);
    return `${container.getBlockBlobClient(blobName).url}?${params.toString()}`;
  };

  const methods: Record<string, (req: Record<string, unknown>, run: string, job: string) => Promise<object>> = {
    async CreateArtifact(req, run, job) {
      const name = requireName(req);
      if (records.some((a) => a.runBackendId === run && a.name === name && a.finalized)) {
        throw new TwirpError(409, 'already_exists', `an artifact with this name already exists on the workflow run: ${name}`);
      }
      removeWhere((a) => a.runBackendId === run && a.name === name); // an unfinished earlier attempt
      const id = nextId++;
      const rec: StoredArtifact = { id, name, runBackendId: run, jobBackendId: job, blobName: `${run}/${id}`, createdAt: new Date().toISOString(), finalized: false };
      if (typeof req.mime_type === 'string') rec.mimeType = req.mime_type;
      if (typeof req.expires_at === 'string') rec.expiresAt = req.expires_at;
      records.push(rec);
      return { ok: true, signed_upload_url: signedUrl(rec.blobName, 'cw') };
    },
    async FinalizeArtifact(req, run) {
      const name = requireName(req);
      const rec = records.find((a) => a.runBackendId === run && a.name === name && !a.finalized);
      if (!rec) throw new TwirpError(404, 'not_found', `no pending artifact named ${name}`);
      const props = await container.getBlobClient(rec.blobName).getProperties().catch(() => undefined);
      if (!props || String(props.contentLength) !== String(req.size ?? '0')) {
        throw new TwirpError(400, 'invalid_argument', `artifact ${name}: size ${String(req.size)} does not match the uploaded blob (${props?.contentLength ?? 'missing'})`);
      }
      rec.size = props.contentLength ?? 0;
      if (typeof req.hash === 'string') rec.digest = req.hash;
      rec.finalized = true;
      return { ok: true, artifact_id: String(rec.id) };
    },
    async ListArtifacts(req, run) {
      const found = records.filter(
        (a) => a.finalized && a.runBackendId === run && (req.name_filter === undefined || a.name === req.name_filter) && (req.id_filter === undefined || String(a.id) === String(req.id_filter)),
      );
      return {
        artifacts: found.map((a) => ({
          workflow_run_backend_id: a.runBackendId,
          workflow_job_run_backend_id: a.jobBackendId,
          database_id: String(a.id),
          name: a.name,
          size: String(a.size ?? 0),
          created_at: a.createdAt,
          ...(a.digest ? { digest: a.digest } : {}),
        })),
      };
    },
    async GetSignedArtifactURL(req, run) {
      const rec = findFinalized(run, requireName(req));
      const isZip = (rec.mimeType ?? 'application/zip') === 'application/zip';
      const file = isZip && !rec.name.toLowerCase().endsWith('.zip') ? `${rec.name}.zip` : rec.name;
      return { signed_url: signedUrl(rec.blobName, 'r', `attachment; filename="${file.replace(/"/g, '')}"; filename*=UTF-8''${encodeURIComponent(file)}`) };
    },
    async DeleteArtifact(req, run) {
      const rec = findFinalized(run, requireName(req));
      await container.getBlobClient(rec.blobName).deleteIfExists();
      removeWhere((a) => a === rec);
      return { ok: true, artifact_id: String(rec.id) };
    },
  };

  function requireName(req: Record<string, unknown>): string {
    if (typeof req.name !== 'string' || req.name === '') throw new TwirpError(400, 'invalid_argument', 'name is required');
    return req.name;
  }
  function findFinalized(run: string, name: string): StoredArtifact {
    const rec = records.find((a) => a.finalized && a.runBackendId === run && a.name === name);
    if (!rec) throw new TwirpError(404, 'not_found', `artifact not found: ${name}`);
    return rec;
  }
  function removeWhere(pred: (a: StoredArtifact) => boolean): void {
    for (let i = records.length - 1; i >= 0; i--) if (pred(records[i]!)) records.splice(i, 1);
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const send = (status: number, body: object): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    try {
      const method = req.url?.startsWith(SERVICE) ? req.url.slice(SERVICE.length) : '';
      const impl = Object.hasOwn(methods, method) ? methods[method] : undefined;
      if (req.method !== 'POST' || !impl) throw new TwirpError(404, 'bad_route', `no handler for ${req.method} ${req.url}`);
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!token || !tokens.has(token)) throw new TwirpError(401, 'unauthenticated', 'invalid or missing runtime token');
      const [run, job] = scopeOf(token);
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      if (body.workflow_run_backend_id !== run) throw new TwirpError(403, 'permission_denied', 'the token does not grant access to this workflow run');
      calls.push(method);
      send(200, await impl(body, run, job));
    } catch (e) {
      if (e instanceof TwirpError) send(e.status, { code: e.code, msg: e.message });
      else send(500, { code: 'internal', msg: e instanceof Error ? e.message : String(e) });
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  try {
    await container.create();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
  } catch (e) {
    await azurite.stop();
    throw e;
  }
  const resultsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  const runBackendId = randomUUID();
  const jobEnv = (ids: { runBackendId?: string; jobBackendId?: string } = {}): Record<string, string> => {
    const token = unsignedJwt({
      scp: `Actions.ExampleScope Actions.Results:${ids.runBackendId ?? runBackendId}:${ids.jobBackendId ?? randomUUID()}`,
      jti: randomUUID(),
      exp: Math.floor(Date.now() / 1000) + 3600,
    });
    tokens.add(token);
    return {
      ACTIONS_RUNTIME_TOKEN: token,
      ACTIONS_RESULTS_URL: resultsUrl,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_ACTIONS: 'true',
      GITHUB_RUN_ID: '4242',
      GITHUB_RUN_ATTEMPT: '1',
    };
  };
  const env = jobEnv();
  const jobBackendId = scopeOf(env.ACTIONS_RUNTIME_TOKEN!)[1];

  let stopped = false;
  return {
    env,
    runBackendId,
    jobBackendId,
    jobEnv,
    artifacts: () => records.map((a) => ({ ...a })),
    calls,
    secrets: () => [...tokens, ...signatures],
    blobEndpoint,
    container,
    azuritePid: azurite.pid,
    async stop() {
      if (stopped) return;
      stopped = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await Promise.all([closed, azurite.stop()]);
    },
  };
}

function unsignedJwt(claims: object): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

/** `[runBackendId, jobBackendId]` from the token's `Actions.Results:<run>:<job>` scope. */
function scopeOf(token: string): [string, string] {
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { scp?: string };
  for (const scope of (claims.scp ?? '').split(' ')) {
    const [kind, run, job] = scope.split(':');
    if (kind === 'Actions.Results' && run && job) return [run, job];
  }
  throw new TwirpError(401, 'unauthenticated', 'the token has no Actions.Results scope');
}

/**
 * Azurite's blob service as a child process, on an ephemeral port (it accepts `--blobPort 0` and
 * prints the address it got). Its own SIGTERM handler closes the server but leaves the process
 * running, so stop() kills it outright; in-memory persistence means nothing is lost or left behind.
 */
async function startAzurite(): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
  const entry = createRequire(import.meta.url).resolve('azurite/dist/src/blob/main.js');
  const args = ['--blobHost', '127.0.0.1', '--blobPort', '0', '--inMemoryPersistence', '--disableTelemetry', '--skipApiVersionCheck', '--silent'];
  const child: ChildProcess = spawn(process.execPath, [entry, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  let output = '';
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Azurite did not start within 15 s: ${output}`)), 15_000);
      const onData = (d: Buffer): void => {
        output += d.toString('utf8');
        const m = /successfully listens on https?:\/\/[^:\s]+:(\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`Azurite exited (${code ?? signal}) before it was ready: ${output}`));
      });
    });
    return { port, pid: child.pid!, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
