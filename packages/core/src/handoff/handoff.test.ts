import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { InputError, isMlopsError } from '../errors.js';
import { startArtifactService, type ArtifactService } from '../../../../test/peers/artifact-service.js';
import { LIBRARY_ZIP_TWO, uploadBytes } from './__fixtures__/artifacts.js';
import { downloadManifestArtifact, isManifestUri, scrubArtifactMessage, uploadManifestArtifact } from './index.js';
import { closedPort } from '../../../../test/harness/closed-port.js';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..', '..');
const ACTIONS_KEYS = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL', 'GITHUB_SERVER_URL', 'GITHUB_ACTIONS', 'GITHUB_RUN_ID', 'GITHUB_RUN_ATTEMPT', 'RUNNER_TEMP'];
const savedEnv = Object.fromEntries(ACTIONS_KEYS.map((k) => [k, process.env[k]]));

/** Everything that would reach the step log or the user: for the leak scan at the end. */
const stdout: string[] = [];
const logLines: string[] = [];
const messages: string[] = [];
const log = (l: string): void => void logLines.push(l);

let svc: ArtifactService;
let work: string;

/** The process env of one job: nothing of the previous job's Actions variables survives. */
function becomeJob(env: Record<string, string> | undefined): void {
  for (const k of ACTIONS_KEYS) delete process.env[k];
  if (env) Object.assign(process.env, env, { RUNNER_TEMP: work });
}

/** @actions/core writes straight to process.stdout: keep it (for the scan) and out of jest's output. */
async function quiet<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}

async function failure(p: Promise<unknown>): Promise<InputError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isMlopsError(e)).toBe(true);
  messages.push((e as Error).message);
  return e as InputError;
}

function manifestFile(name: string, content: object): { file: string; bytes: Buffer } {
  const file = join(work, name);
  const bytes = Buffer.from(JSON.stringify(content, null, 2) + '\n');
  writeFileSync(file, bytes);
  return { file, bytes };
}

/** A port that was just free: connecting to it is refused. */
const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'handoff-test-'));
  svc = await startArtifactService();
});

afterAll(async () => {
  await svc?.stop();
  becomeJob(undefined);
  for (const [k, v] of Object.entries(savedEnv)) if (v !== undefined) process.env[k] = v;
  rmSync(work, { recursive: true, force: true });
});

describe('manifest hand-off through a workflow artifact', () => {
  it('round trip, raw JSON (name ends in .json): a later job of the run gets identical bytes', async () => {
    const { file, bytes } = manifestFile('m1.json', { schemaVersion: 1, model: { name: 'iris' }, n: 1 });
    becomeJob(svc.env);
    const ref = await quiet(() => uploadManifestArtifact({ name: 'promotion-manifest.json', file, retentionDays: 3, log }));
    expect(ref).toEqual({ name: 'promotion-manifest.json', id: expect.any(Number), size: bytes.length, digest: sha256(bytes) });
    const rec = svc.artifacts().find((a) => a.id === ref.id)!;
    expect(rec).toMatchObject({ finalized: true, mimeType: 'application/json', jobBackendId: svc.jobBackendId, digest: sha256(bytes) });
    expect(rec.expiresAt).toEqual(expect.any(String));

    becomeJob(svc.jobEnv()); // the job behind the approval: same run, another job, fresh token
    const path = await quiet(() => downloadManifestArtifact({ name: 'promotion-manifest.json', destDir: join(work, 'dl'), log }));
    expect(basename(path)).toBe('promotion-manifest.json');
    expect(path.startsWith(join(work, 'dl'))).toBe(true);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('round trip, zip (any other name): the artifact keeps its name and holds manifest.json', async () => {
    const { file, bytes } = manifestFile('m2.json', { schemaVersion: 1, model: { name: 'iris' }, n: 2 });
    becomeJob(svc.env);
    const ref = await quiet(() => uploadManifestArtifact({ name: 'zenml-manifest-iris', file, log }));
    expect(ref.name).toBe('zenml-manifest-iris');
    expect(svc.artifacts().find((a) => a.id === ref.id)).toMatchObject({ name: 'zenml-manifest-iris', mimeType: 'application/zip' });

    becomeJob(svc.jobEnv());
    const path = await quiet(() => downloadManifestArtifact({ name: 'zenml-manifest-iris', destDir: join(work, 'dl'), log }));
    expect(basename(path)).toBe('manifest.json');
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('a re-run of the export job in the same run replaces the earlier attempt', async () => {
    const first = manifestFile('m3a.json', { attempt: 1 });
    const second = manifestFile('m3b.json', { attempt: 2 });
    becomeJob(svc.env);
    await quiet(() => uploadManifestArtifact({ name: 'rerun.json', file: first.file, log }));
    becomeJob(svc.jobEnv({ jobBackendId: svc.jobBackendId })); // attempt 2: same run and job
    const n = logLines.length;
    const ref = await quiet(() => uploadManifestArtifact({ name: 'rerun.json', file: second.file, log }));
    expect(logLines.slice(n).some((l) => /Deleted workflow artifact 'rerun.json' \(id \d+\) left by an earlier attempt/.test(l))).toBe(true);
    expect(svc.artifacts().filter((a) => a.name === 'rerun.json').map((a) => a.id)).toEqual([ref.id]);

    becomeJob(svc.jobEnv());
    const path = await quiet(() => downloadManifestArtifact({ name: 'rerun.json', destDir: join(work, 'dl'), log }));
    expect(readFileSync(path).equals(second.bytes)).toBe(true);
  });

  it('a name the run does not have is one InputError line on `manifest`', async () => {
    becomeJob(svc.jobEnv());
    const e = await failure(quiet(() => downloadManifestArtifact({ name: 'no-such-manifest', destDir: join(work, 'dl'), log })));
    expect(e).toBeInstanceOf(InputError);
    expect(e.oneLine()).toBe(
      "Input 'manifest': no workflow artifact named 'no-such-manifest' in this run; the export job must set upload-manifest: true (in the same workflow run), and the name given here must be the one it uploaded",
    );
    // Artifacts are per run: another run does not see this run's manifests.
    becomeJob(svc.jobEnv({ runBackendId: 'some-other-run' }));
    const other = await failure(quiet(() => downloadManifestArtifact({ name: 'promotion-manifest.json', destDir: join(work, 'dl'), log })));
    expect(other.oneLine()).toContain("no workflow artifact named 'promotion-manifest.json' in this run");
  });

  it('a blob changed after upload fails the digest check: IntegrityError', async () => {
    const { file } = manifestFile('m8.json', { schemaVersion: 1 });
    becomeJob(svc.env);
    const ref = await quiet(() => uploadManifestArtifact({ name: 'tampered.json', file, log }));
    const rec = svc.artifacts().find((a) => a.id === ref.id)!;
    await svc.container.getBlockBlobClient(rec.blobName).uploadData(Buffer.from('{"schemaVersion":1,"evil":true}\n'), {
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
    becomeJob(svc.jobEnv());
    const e = await failure(quiet(() => downloadManifestArtifact({ name: 'tampered.json', destDir: join(work, 'dl'), log })));
    expect(e.kind).toBe('integrity');
    expect(e.oneLine()).toBe(`Workflow artifact 'tampered.json' (id ${ref.id}) does not match the digest recorded at upload (${ref.digest})`);
  });

  it('an artifact that does not hold exactly one .json file: IntegrityError', async () => {
    // A zip of two JSON files as GitHub's artifact library wrote it (no uploader of ours makes one).
    becomeJob(svc.env);
    await quiet(() => uploadBytes('two-files', LIBRARY_ZIP_TWO, 'application/zip'));
    becomeJob(svc.jobEnv());
    const e = await failure(quiet(() => downloadManifestArtifact({ name: 'two-files', destDir: join(work, 'dl'), log })));
    expect(e.kind).toBe('integrity');
    expect(e.oneLine()).toBe("Workflow artifact 'two-files' should hold exactly one .json file (the manifest); it holds manifest.json, other.json");
  });

  it('outside GitHub Actions both directions refuse with one InputError line', async () => {
    const { file } = manifestFile('m4.json', { schemaVersion: 1 });
    becomeJob(undefined);
    const up = await failure(uploadManifestArtifact({ name: 'x.json', file, log }));
    expect(up.input).toBe('upload-manifest');
    expect(up.oneLine()).toBe(
      "Input 'upload-manifest': needs the GitHub Actions runtime to upload the manifest as a workflow artifact (ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set: this runs only in a GitHub Actions job)",
    );
    const down = await failure(downloadManifestArtifact({ name: 'x', destDir: join(work, 'dl'), log }));
    expect(down.input).toBe('manifest');
    expect(down.oneLine()).toMatch(/^Input 'manifest': 'x' is taken as the name of a workflow artifact, which needs the GitHub Actions runtime; outside Actions give the manifest's URI or path/);
    expect(down.oneLine()).not.toContain('\n');
  });

  it('on GitHub Enterprise Server (which the library refuses) the error names the input', async () => {
    const { file } = manifestFile('m9.json', {});
    becomeJob({ ...svc.jobEnv(), GITHUB_SERVER_URL: 'https://ghe.example.com' });
    const e = await failure(quiet(() => uploadManifestArtifact({ name: 'ghes.json', file, log })));
    expect(e.oneLine()).toMatch(/^Input 'upload-manifest': workflow artifacts of the v4 artifact service are not supported on GitHub Enterprise Server/);
  });

  it('refuses names the artifact service would refuse, before any request', async () => {
    const { file } = manifestFile('m5.json', {});
    becomeJob(svc.env);
    const calls = svc.calls.length;
    const e = await failure(uploadManifestArtifact({ name: 'bad:name?', file, log }));
    expect(e.oneLine()).toBe(`Input 'upload-manifest': 'bad:name?' is not a valid workflow artifact name: it contains ":" "?"`);
    expect(svc.calls.length).toBe(calls);
  });

  it('library failures become one line without the signed URL query string', async () => {
    // A results URL nobody listens on: the network error, retried, mapped and scrubbed. (Not
    // port 9, as before: fetch refuses that "bad port" without connecting.)
    becomeJob({ ...svc.jobEnv(), ACTIONS_RESULTS_URL: `http://127.0.0.1:${await closedPort()}/` });
    const { file } = manifestFile('m6.json', {});
    const e = await failure(quiet(() => uploadManifestArtifact({ name: 'net.json', file, log })));
    expect(e.kind).toBe('transient');
    expect(e.oneLine()).toBe('GitHub artifact service: Failed to ListArtifacts: Unable to make request: ECONNREFUSED');
  });

  it('scrubArtifactMessage keeps the first line, drops URL queries, stray sig= and secrets', () => {
    const msg = 'Failed: GET http://127.0.0.1:1/devstoreaccount1/c/b?sv=1&sig=SECRET%2B%3D&se=2 denied for TOKEN12345\nboilerplate';
    expect(scrubArtifactMessage(msg, ['TOKEN12345'])).toBe('Failed: GET http://127.0.0.1:1/devstoreaccount1/c/b denied for ***');
    expect(scrubArtifactMessage('blob said sig=abc&x=1')).toBe('blob said sig=***&x=1');
    expect(scrubArtifactMessage('\n\n')).toBe('no message');
  });

  it.each([
    ['file:///tmp/exchange/iris/sha256-ab/manifest.json', true],
    ['gs://bucket/prefix/iris/manifest.json', true],
    ['https://example.com/manifest.json', true],
    ['/abs/path/manifest.json', true],
    ['./manifest.json', true],
    ['../bundles/manifest.json', true],
    ['C:\\bundles\\manifest.json', true],
    ['  gs://b/m.json  ', true],
    ['zenml-manifest-iris', false],
    ['manifest.json', false],
    ['promotion manifest (v1)', false],
    ['', false],
  ])('isManifestUri(%j) → %s', (value, expected) => {
    expect(isManifestUri(value)).toBe(expected);
  });

  it('a bundled-style child process does the hand-off: upload in one process, download in another', async () => {
    const script = join(work, 'child.mts');
    const handoff = join(repoRoot, 'packages/core/src/handoff/index.ts');
    writeFileSync(
      script,
      `import { uploadManifestArtifact, downloadManifestArtifact } from ${JSON.stringify(handoff)};
const [op, name, arg] = process.argv.slice(2);
const r = op === 'upload' ? await uploadManifestArtifact({ name, file: arg }) : await downloadManifestArtifact({ name, destDir: arg });
console.log('RESULT ' + JSON.stringify(r));
`,
    );
    const run = (args: string[], env: Record<string, string>): Promise<string> =>
      new Promise((resolveRun, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
          cwd: repoRoot,
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? work, ...env, RUNNER_TEMP: work },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => {
          stdout.push(out);
          if (code === 0) resolveRun(out);
          else reject(new Error(`child exited ${code}: ${err}`));
        });
      });
    const { file, bytes } = manifestFile('m7.json', { schemaVersion: 1, via: 'child process' });
    const up = await run(['upload', 'child-manifest.json', file], svc.jobEnv());
    expect(up).toMatch(/^RESULT \{"name":"child-manifest.json","id":\d+/m);
    const down = await run(['download', 'child-manifest.json', join(work, 'child-dl')], svc.jobEnv());
    const path = JSON.parse(/^RESULT (.*)$/m.exec(down)![1]!) as string;
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('no log line, message or visible stdout carries the runtime token or a SAS signature', () => {
    const secrets = svc.secrets().flatMap((s) => [s, encodeURIComponent(s)]);
    expect(secrets.length).toBeGreaterThan(4);
    // Our own lines and error messages: no secret at all.
    for (const line of [...logLines, ...messages]) for (const s of secrets) expect(line).not.toContain(s);
    // The library's stdout, as the runner shows it: `::add-mask::` lines register masks, and every
    // other line is shown with the masks applied (the library masks each `sig` it receives).
    const unescape = (v: string): string => v.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
    const masks: string[] = [];
    const shown: string[] = [];
    for (const line of stdout.join('').split('\n')) {
      const mask = /^::add-mask::(.*)$/.exec(line);
      if (mask) masks.push(unescape(mask[1]!));
      else shown.push(masks.reduce((l, m) => l.split(m).join('***'), unescape(line.replace(/^::[a-z-]+( [^:]*)?::/, ''))));
    }
    expect(masks.length).toBeGreaterThan(0);
    const tokens = svc.secrets().filter((s) => s.includes('.'));
    for (const m of masks) expect(tokens).not.toContain(m); // the token never even needed masking
    for (const line of shown) for (const s of secrets) expect(line).not.toContain(s);
  });
});
