/**
 * The direct artifact-service client as the hand-off uses it: what a user sees when the token,
 * the service or the network lets it down. Faults are injected by a small front that passes
 * everything else on to the local service (twirp + Azurite).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { InputError, isMlopsError, type MlopsError } from '../errors.js';
import { startArtifactService, type ArtifactService } from '../../../../test/peers/artifact-service.js';
import { LIBRARY_ZIP_MANIFEST, LIBRARY_ZIP_ONE, uploadBytes } from './__fixtures__/artifacts.js';
import { downloadManifestArtifact, uploadManifestArtifact } from './index.js';

const KEYS = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL', 'GITHUB_SERVER_URL', 'GITHUB_ACTIONS', 'GITHUB_RUN_ID', 'GITHUB_RUN_ATTEMPT', 'RUNNER_TEMP', 'GITHUB_RETENTION_DAYS'];
const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));

let svc: ArtifactService;
let front: Server;
let frontUrl: string;
let work: string;
/** Canned answers the front gives instead of forwarding, per twirp method, used up in order. */
const inject: Record<string, { status: number; body: object }[]> = {};
/** Methods as the front saw them (injected answers included), for counting attempts. */
const seen: string[] = [];
const logLines: string[] = [];
const log = (l: string): void => void logLines.push(l);

function becomeJob(env: Record<string, string>): void {
  for (const k of KEYS) delete process.env[k];
  Object.assign(process.env, env, { RUNNER_TEMP: work });
}

/** This job, but talking to the service through the front. */
function jobViaFront(): Record<string, string> {
  return { ...svc.jobEnv(), ACTIONS_RESULTS_URL: frontUrl };
}

/** The signed URLs' `::add-mask::` lines go to stdout: keep them out of jest's output. */
async function quiet<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}

async function failure(p: Promise<unknown>): Promise<MlopsError> {
  const e = await quiet(() => p.then(() => undefined, (err: unknown) => err));
  expect(isMlopsError(e)).toBe(true);
  const line = (e as MlopsError).oneLine();
  expect(line).not.toContain('\n');
  for (const s of [...svc.secrets(), process.env.ACTIONS_RUNTIME_TOKEN ?? '']) if (s) expect(line).not.toContain(s);
  return e as MlopsError;
}

function manifestFile(name: string, content: object): string {
  const file = join(work, name);
  writeFileSync(file, JSON.stringify(content) + '\n');
  return file;
}

function unsignedJwt(claims: object): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

async function handleFront(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const method = (req.url ?? '').split('/').pop() ?? '';
  seen.push(method);
  const canned = inject[method]?.shift();
  if (canned) {
    res.writeHead(canned.status, { 'content-type': 'application/json' }).end(JSON.stringify(canned.body));
    return;
  }
  const upstream = await fetch(new URL(req.url ?? '/', svc.env.ACTIONS_RESULTS_URL), {
    method: req.method ?? 'POST',
    headers: { authorization: req.headers.authorization ?? '', 'content-type': req.headers['content-type'] ?? 'application/json' },
    body: Buffer.concat(chunks),
  });
  res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await upstream.arrayBuffer()));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'handoff-service-test-'));
  svc = await startArtifactService();
  front = createServer((req, res) => void handleFront(req, res));
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', () => r()));
  frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise<void>((r) => front?.close(() => r()));
  await svc?.stop();
  for (const k of KEYS) delete process.env[k];
  for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
  rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  for (const k of Object.keys(inject)) delete inject[k];
  seen.length = 0;
});

describe('artifact service client, through the hand-off API', () => {
  it('a runtime token without the Actions.Results scope: one clear InputError line, before any request', async () => {
    const file = manifestFile('scope.json', {});
    for (const token of [unsignedJwt({ scp: 'Actions.ExampleScope Actions.GenericRead:abc' }), 'not-a-jwt-at-all-but-long']) {
      becomeJob({ ...jobViaFront(), ACTIONS_RUNTIME_TOKEN: token });
      const up = await failure(uploadManifestArtifact({ name: 'scope.json', file, log }));
      expect(up).toBeInstanceOf(InputError);
      expect(up.oneLine()).toBe(
        "Input 'upload-manifest': the job's runtime token (ACTIONS_RUNTIME_TOKEN) grants no Actions.Results scope, so the artifact service cannot be used from this job (the token is set by the runner: is this a GitHub Actions job on github.com?)",
      );
      expect(up.oneLine()).not.toContain(token);
      const down = await failure(downloadManifestArtifact({ name: 'scope.json', destDir: join(work, 'dl'), log }));
      expect(down.oneLine()).toMatch(/^Input 'manifest': the job's runtime token \(ACTIONS_RUNTIME_TOKEN\) grants no Actions.Results scope/);
    }
    expect(seen).toEqual([]);
  });

  it('a twirp error is one line naming the method and the service message, with the token scrubbed', async () => {
    becomeJob(jobViaFront());
    const token = process.env.ACTIONS_RUNTIME_TOKEN!;
    inject.ListArtifacts = [{ status: 403, body: { code: 'permission_denied', msg: `token ${token} may not read this run\nsecond line` } }];
    const e = await failure(downloadManifestArtifact({ name: 'denied.json', destDir: join(work, 'dl'), log }));
    expect(e.kind).toBe('transient');
    expect(e.oneLine()).toBe('GitHub artifact service: Failed to ListArtifacts: HTTP 403 permission_denied: token *** may not read this run');
    expect(seen).toEqual(['ListArtifacts']); // a 4xx is not retried

    // A token the service did not mint: its own 401, as it words it.
    becomeJob({ ...jobViaFront(), ACTIONS_RUNTIME_TOKEN: unsignedJwt({ scp: `Actions.Results:${svc.runBackendId}:job` }) });
    const bad = await failure(uploadManifestArtifact({ name: 'x.json', file: manifestFile('x.json', {}), log }));
    expect(bad.oneLine()).toBe('GitHub artifact service: Failed to ListArtifacts: HTTP 401 unauthenticated: invalid or missing runtime token');
  });

  it('503 then success: the call is retried, the retry is logged, and the upload completes', async () => {
    becomeJob(jobViaFront());
    inject.CreateArtifact = [{ status: 503, body: { code: 'unavailable', msg: 'try later' } }];
    inject.FinalizeArtifact = [{ status: 429, body: { code: 'resource_exhausted', msg: 'slow down' } }];
    const n = logLines.length;
    const ref = await quiet(() => uploadManifestArtifact({ name: 'retried.json', file: manifestFile('retried.json', { retried: true }), log }));
    expect(seen).toEqual(['ListArtifacts', 'CreateArtifact', 'CreateArtifact', 'FinalizeArtifact', 'FinalizeArtifact']);
    expect(logLines.slice(n).filter((l) => l.includes('retrying'))).toEqual([
      expect.stringMatching(/^GitHub artifact service: CreateArtifact attempt 1 failed \(HTTP 503\); retrying in \d+\.\ds$/),
      expect.stringMatching(/^GitHub artifact service: FinalizeArtifact attempt 1 failed \(HTTP 429\); retrying in \d+\.\ds$/),
    ]);
    expect(svc.artifacts().find((a) => a.id === ref.id)).toMatchObject({ name: 'retried.json', finalized: true });
  });

  it('a 5xx that does not go away: TransientError after the retries, naming the method and message', async () => {
    becomeJob(jobViaFront());
    inject.ListArtifacts = Array.from({ length: 10 }, () => ({ status: 500, body: { code: 'internal', msg: 'database unavailable' } }));
    const e = await failure(downloadManifestArtifact({ name: 'down.json', destDir: join(work, 'dl'), log }));
    expect(e.kind).toBe('transient');
    expect(e.oneLine()).toBe('GitHub artifact service: Failed to ListArtifacts: HTTP 500 internal: database unavailable');
    expect((e as MlopsError & { attempts: number }).attempts).toBe(5);
    expect(seen.length).toBe(5);
  });

  it('download of a name the run lacks: the not-found line, and nothing secret (nor other names) in it', async () => {
    becomeJob(svc.env);
    await quiet(() => uploadManifestArtifact({ name: 'present.json', file: manifestFile('present.json', {}), log }));
    becomeJob(jobViaFront());
    const e = await failure(downloadManifestArtifact({ name: 'absent.json', destDir: join(work, 'dl'), log }));
    expect(e.oneLine()).toBe(
      "Input 'manifest': no workflow artifact named 'absent.json' in this run; the export job must set upload-manifest: true (in the same workflow run), and the name given here must be the one it uploaded",
    );
    expect(e.oneLine()).not.toContain('present.json');
    // Gone between the listing and the signed URL (deleted by a re-run): the same line.
    inject.GetSignedArtifactURL = [{ status: 404, body: { code: 'not_found', msg: 'artifact not found: present.json' } }];
    const raced = await failure(downloadManifestArtifact({ name: 'present.json', destDir: join(work, 'dl'), log }));
    expect(raced.oneLine()).toContain("no workflow artifact named 'present.json' in this run");
  });

  it('an exhausted storage quota is an InputError on the input', async () => {
    becomeJob(jobViaFront());
    inject.CreateArtifact = [{ status: 400, body: { code: 'failed_precondition', msg: 'insufficient usage to create artifact' } }];
    const e = await failure(uploadManifestArtifact({ name: 'quota.json', file: manifestFile('quota.json', {}), log }));
    expect(e.oneLine()).toBe(
      "Input 'upload-manifest': the repository's artifact storage quota is used up: Failed to CreateArtifact: HTTP 400 failed_precondition: insufficient usage to create artifact",
    );
  });

  it('reads a zip as GitHub’s artifact library uploaded it (older versions of this action)', async () => {
    becomeJob(svc.env);
    await quiet(() => uploadBytes('library-made', LIBRARY_ZIP_ONE, 'application/zip'));
    becomeJob(svc.jobEnv());
    const path = await quiet(() => downloadManifestArtifact({ name: 'library-made', destDir: join(work, 'dl'), log }));
    expect(basename(path)).toBe('manifest.json');
    expect(readFileSync(path).equals(LIBRARY_ZIP_MANIFEST)).toBe(true);
  });

  it('retention days become the expiry, lowered to the repository cap', async () => {
    becomeJob({ ...svc.env, GITHUB_RETENTION_DAYS: '2' });
    const before = Date.now();
    const ref = await quiet(() => uploadManifestArtifact({ name: 'kept.json', file: manifestFile('kept.json', {}), retentionDays: 30, log }));
    const rec = svc.artifacts().find((a) => a.id === ref.id)!;
    const days = (Date.parse(rec.expiresAt!) - before) / 86_400_000;
    expect(days).toBeGreaterThan(1.99);
    expect(days).toBeLessThan(2.01);
    expect(logLines).toContain('Retention of 30 days is more than this repository allows; using 2');
  });

  it('no log line carries the runtime token or a SAS signature', () => {
    for (const line of logLines) for (const s of svc.secrets()) expect(line).not.toContain(s);
  });
});
