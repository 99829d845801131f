import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startTestServer, type FaultSpec, type TestServer } from '@mlops-actions/zenml-test-server';
import type { RunContext } from '../action/github-context.js';
import { InputError, IntegrityError } from '../errors.js';
import { digestHex, type Manifest } from '../manifest/index.js';
import { resetTokenCache, ZenmlClient } from '../zenml/index.js';
import { writeBundle, RANDOM_FOREST, SKLEARN_MATERIALIZER, type BundleFixtureOptions } from './__fixtures__/bundle.js';
import { resolveArtifactStore } from './destination.js';
import { importModel } from './import-model.js';
import type { ImportRequest } from './types.js';

const RUN: RunContext = {
  actor: 'release-bot',
  repository: 'acme/ml',
  commit: '1111111111111111111111111111111111111111',
  workflowRunUrl: 'https://github.com/acme/ml/actions/runs/2',
  at: '2025-01-03T12:00:00.000Z',
};

interface Env {
  server: TestServer;
  client: ZenmlClient;
  /** The default stack's local artifact store. */
  storePath: string;
}

const open: TestServer[] = [];
const tmp: string[] = [];

async function env(): Promise<Env> {
  const server = await startTestServer({ mode: 'pro', name: 'production' });
  open.push(server);
  const client = new ZenmlClient({ serverUrl: server.url, apiKey: server.apiKey, retry: { deadlineMs: 1000, baseMs: 5, capMs: 20, maxAttempts: 2 } });
  const store = await resolveArtifactStore(client, {});
  server.requests.length = 0;
  return { server, client, storePath: store.path as string };
}

function exchangeDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'import-exchange-'));
  tmp.push(d);
  return d;
}

async function bundle(opts: Partial<BundleFixtureOptions> = {}) {
  return writeBundle({ exchange: pathToFileURL(exchangeDir()).href, ...opts });
}

function request(e: Env, manifestUri: string, over: Partial<ImportRequest> = {}): ImportRequest & { lines: string[] } {
  const lines: string[] = [];
  return { project: 'default', manifestUri, force: false, dryRun: false, run: RUN, log: (l) => lines.push(l), lines, ...over };
}

/** Every request that could change the server (logins are reads for this purpose). */
function writes(server: TestServer): string[] {
  return server.requests.filter((r) => r.method !== 'GET' && r.path !== '/api/v1/login').map((r) => `${r.method} ${r.path}`);
}

/** Every file under a directory (relative paths, sorted); [] when it does not exist. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((d) => !d.isDirectory())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort();
}

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Everything an import leaves on the server and in the store, without ids, times or temp paths. */
function endState(e: Env) {
  const s = e.server.store;
  const mvIds = new Map<string, string>();
  const versions = [...s.modelVersions.values()].map((v) => {
    mvIds.set(v.id, `<mv ${v.number}>`);
    return v;
  });
  const scrub = (x: unknown): unknown => {
    let text = JSON.stringify(x).replaceAll(e.storePath, '<store>').replaceAll(e.server.url, '<server>');
    for (const [id, label] of mvIds) text = text.replaceAll(id, label);
    return JSON.parse(text);
  };
  const tags = (type: 'model_version' | 'artifact_version', id: string) => s.tagsOf(type, id).map((t) => t.name).sort();
  const avName = (id: string) => {
    const av = s.artifactVersions.get(id);
    return av ? s.artifacts.get(av.artifactId)?.name : undefined;
  };
  return scrub({
    models: [...s.models.values()].map((m) => m.name).sort(),
    versions: versions
      .map((v) => ({
        model: s.models.get(v.modelId)?.name,
        name: v.name,
        number: v.number,
        stage: v.stage,
        description: v.description,
        tags: tags('model_version', v.id),
        metadata: s.latestMetadata('model_version', v.id),
      }))
      .sort((a, b) => a.number - b.number),
    artifactVersions: [...s.artifactVersions.values()]
      .map((av) => ({
        artifact: s.artifacts.get(av.artifactId)?.name,
        version: av.version,
        uri: av.uri,
        type: av.type,
        materializer: av.materializer,
        dataType: av.dataType,
        saveType: av.saveType,
        contentHash: av.contentHash,
        storeIsDefault: av.artifactStoreId !== null,
        tags: tags('artifact_version', av.id),
        metadata: s.latestMetadata('artifact_version', av.id),
      }))
      .sort((a, b) => String(a.artifact).localeCompare(String(b.artifact))),
    links: [...s.mvArtifactLinks.values()].map((l) => `${mvIds.get(l.modelVersionId)} -> ${avName(l.artifactVersionId)}`).sort(),
    files: filesUnder(e.storePath).map((f) => `${f} ${sha(readFileSync(join(e.storePath, f)))}`),
  });
}

afterEach(async () => {
  resetTokenCache();
  await Promise.all(open.splice(0).map((s) => s.close()));
  for (const d of tmp.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('importModel: happy path (file:// exchange → local artifact store)', () => {
  it('copies byte-identical files, registers the original materializers, creates the version with metadata, tags and stage', async () => {
    const e = await env();
    const b = await bundle();
    const req = request(e, b.manifestUri, { stage: 'production' });
    const r = await importModel(e.client, req);

    expect(r).toMatchObject({ model: 'churn', created: true, stage: 'production', dryRun: false, bundleDigest: b.manifest.bundleDigest });
    expect(r.completed).toEqual(['copy', 'register', 'model', 'version', 'tags', 'link', 'metadata', 'stage']);
    expect(r.modelVersionNumber).toBe(1);

    // Files: byte-identical, under imported/<model>/<digest hex>/<artifact>/.
    const hex = digestHex(b.manifest.bundleDigest);
    const base = join(e.storePath, 'imported', 'churn', hex);
    expect(filesUnder(base)).toEqual(['model/meta/info.json', 'model/model.pkl', 'training%20data/data.csv']);
    for (const [rel, content] of b.contents) {
      const destRel = rel.replace(/^artifacts\//, '');
      expect(readFileSync(join(base, destRel)).equals(content)).toBe(true);
    }

    // Artifact versions: the original materializer / data type, preexisting, in the destination store.
    const s = e.server.store;
    const avs = [...s.artifactVersions.values()];
    expect(avs).toHaveLength(2);
    const model = avs.find((av) => s.artifacts.get(av.artifactId)?.name === 'model');
    expect(model).toMatchObject({
      type: 'ModelArtifact',
      saveType: 'preexisting',
      uri: join(base, 'model'),
      materializer: SKLEARN_MATERIALIZER,
      dataType: RANDOM_FOREST,
      contentHash: 'abc123',
    });
    expect(model?.artifactStoreId).toMatch(/^[0-9a-f-]{36}$/);
    expect(s.latestMetadata('artifact_version', model?.id ?? '')).toMatchObject({
      storage_size: 2048,
      framework: 'sklearn',
      source_artifact_version_id: b.manifest.artifacts[0]?.artifactVersionId,
      source_uri: b.manifest.artifacts[0]?.uri,
    });
    expect(s.tagsOf('artifact_version', model?.id ?? '').map((t) => t.name)).toEqual(['rf']);
    const data = avs.find((av) => s.artifacts.get(av.artifactId)?.name === 'training data');
    // A single-file artifact's uri is its file; a dotted-path Source arrives as the server converts it.
    expect(data).toMatchObject({ uri: join(base, 'training%20data', 'data.csv'), materializer: { module: 'zenml.materializers.pandas_materializer', attribute: 'PandasMaterializer' } });
    expect(s.artifacts.get(data?.artifactId ?? '')?.hasCustomName).toBe(true);

    // The version: metadata, tags, links, stage.
    const mv = s.modelVersions.get(r.modelVersionId);
    expect(mv).toMatchObject({ stage: 'production', number: 1 });
    expect(mv?.description).toContain(`mlops-actions bundle ${b.manifest.bundleDigest}`);
    expect(s.tagsOf('model_version', r.modelVersionId).map((t) => t.name).sort()).toEqual(['imported', 'rf', 'weekly']);
    const md = s.latestMetadata('model_version', r.modelVersionId);
    expect(md).toMatchObject({
      source_server_url: 'https://dev-staging.zenml.example',
      source_server_id: b.manifest.source.serverId,
      source_project: 'fraud',
      source_model: 'churn',
      source_model_version: '7',
      source_model_version_id: b.manifest.source.modelVersionId,
      source_pipeline_run_id: b.manifest.source.pipelineRunId,
      source_pipeline_run_url: b.manifest.source.pipelineRunUrl,
      source_git_commit: b.manifest.source.gitCommit,
      source_training_date: '2025-01-01T10:00:00Z',
      accuracy: 0.93,
      f1: 0.875,
      epochs: 10,
      dataset_uri: 'gs://data/fraud.parquet',
      hyperparameters: { n_estimators: 100, max_depth: 8 },
      approved: true,
      bundle_digest: b.manifest.bundleDigest,
      imported_at: RUN.at,
      imported_by: 'release-bot',
    });
    const types = new Map(s.runMetadata.filter((x) => x.resourceId === r.modelVersionId).map((x) => [x.key, x.type]));
    expect(Object.fromEntries(['accuracy', 'epochs', 'approved', 'hyperparameters', 'promotion_chain'].map((k) => [k, types.get(k)]))).toEqual({
      accuracy: 'float',
      epochs: 'int',
      approved: 'bool',
      hyperparameters: 'dict',
      promotion_chain: 'list',
    });
    const chain = md['promotion_chain'] as Manifest['promotionChain'];
    expect(chain).toHaveLength(1);
    expect(chain[0]).toMatchObject({
      actor: 'octocat',
      bundleDigest: b.manifest.bundleDigest,
      to: { serverUrl: e.server.url, project: 'default', model: 'churn', version: '1', modelVersionId: r.modelVersionId },
    });
    expect(r.promotionChain).toEqual(chain);
    const links = [...s.mvArtifactLinks.values()].filter((l) => l.modelVersionId === r.modelVersionId);
    expect(links.map((l) => l.artifactVersionId).sort()).toEqual(r.artifacts.map((a) => a.artifactVersionId).sort());
    expect(r.artifacts.map((a) => [a.name, a.bytes])).toEqual([
      ['model', 2048 + 15],
      ['training data', 16],
    ]);
    expect(req.lines.some((l) => /^Copying 3 file\(s\) .*\(100\.0%\).*done/.test(l))).toBe(true);
  });

  it('running the same import again changes nothing: created false, no POST or PUT', async () => {
    const e = await env();
    const b = await bundle();
    const first = await importModel(e.client, request(e, b.manifestUri, { stage: 'production' }));
    const before = endState(e);
    e.server.requests.length = 0;

    const again = await importModel(e.client, request(e, b.manifestUri, { stage: 'production' }));
    expect(again).toMatchObject({ created: false, completed: [], modelVersionId: first.modelVersionId, stage: 'production' });
    expect(writes(e.server)).toEqual([]);
    expect(endState(e)).toEqual(before);
  });

  it('imports under another model name, into a named artifact store, and a second bundle becomes a second version', async () => {
    const e = await env();
    const other = e.server.seed.stack({ name: 'prod-store' });
    const b1 = await bundle();
    const b2 = await bundle({ modelVersionId: '00000000-0000-4000-8000-000000000099' });
    const r1 = await importModel(e.client, request(e, b1.manifestUri, { model: 'churn-prod', artifactStore: 'prod-store' }));
    const r2 = await importModel(e.client, request(e, b2.manifestUri, { model: 'churn-prod', artifactStore: other.artifactStoreId }));
    expect([r1.modelVersionNumber, r2.modelVersionNumber, r1.created, r2.created]).toEqual([1, 2, true, true]);
    expect(r1.completed).toContain('model');
    expect(r2.completed).not.toContain('model');
    expect(r1.artifacts[0]?.uri).toBe(join(other.artifactStorePath, 'imported', 'churn-prod', digestHex(b1.manifest.bundleDigest), 'model'));
    expect(filesUnder(join(other.artifactStorePath, 'imported', 'churn-prod'))).toHaveLength(6);
    expect(filesUnder(e.storePath)).toEqual([]);
  });
});

describe('importModel: verification rejects a bad bundle before any write', () => {
  type Case = [string, Partial<BundleFixtureOptions>, ((b: Awaited<ReturnType<typeof bundle>>) => void) | undefined, RegExp];
  const fileOf = (b: Awaited<ReturnType<typeof bundle>>, rel: string): string => join(fileURLToPath(b.bundleUri), rel);
  const cases: Case[] = [
    [
      'a tampered file (same size)',
      {},
      (b) => {
        const p = fileOf(b, 'artifacts/training%20data/data.csv');
        const bytes = readFileSync(p);
        bytes[0] = bytes[0] === 0x61 ? 0x62 : 0x61;
        writeFileSync(p, bytes);
      },
      /training%20data\/data\.csv: sha256 is [0-9a-f]{64}, expected [0-9a-f]{64}/,
    ],
    ['a missing file', {}, (b) => unlinkSync(fileOf(b, 'artifacts/model/meta/info.json')), /Bundle file .*artifacts\/model\/meta\/info\.json \(artifact 'model'\) is missing/],
    [
      'a symlinked file',
      {},
      (b) => {
        const p = fileOf(b, 'artifacts/model/meta/info.json');
        const copy = `${exchangeDir()}/info.json`;
        writeFileSync(copy, readFileSync(p));
        unlinkSync(p);
        symlinkSync(copy, p);
      },
      /is a symlink; the exchange does not follow symlinks/,
    ],
    [
      'a traversal path',
      {
        edit: (m) => {
          (m.artifacts[0]?.files[0] as { path: string }).path = '../../../outside.pkl';
        },
      },
      undefined,
      /is not a valid bundle manifest: artifacts\[0\]\.files\[0\]\.path: a relative path with no "\.\."/,
    ],
    [
      'a path with a NUL character',
      {
        edit: (m) => {
          (m.artifacts[0]?.files[0] as { path: string }).path = 'model\u0000.pkl';
        },
      },
      undefined,
      /artifact 'model': file path "model\\u0000\.pkl" contains a NUL character/,
    ],
    [
      'a bundleDir outside artifacts/',
      {
        edit: (m) => {
          (m.artifacts[0] as { bundleDir: string }).bundleDir = 'elsewhere';
        },
      },
      undefined,
      /bundleDir "elsewhere" is not under artifacts\//,
    ],
    [
      'a wrong declared size',
      {
        edit: (m) => {
          (m.artifacts[0]?.files[0] as { size: number }).size += 1;
        },
      },
      undefined,
      /model\.pkl \(artifact 'model'\) is 2048 bytes; the manifest says 2049/,
    ],
    [
      'an insane declared size',
      {
        edit: (m) => {
          (m.artifacts[0]?.files[0] as { size: number }).size = 2 ** 52;
        },
      },
      undefined,
      /file "model\.pkl" declares 4503599627370496 bytes \(at most 5497558138880 allowed\)/,
    ],
    [
      'a digest mismatch',
      {
        tamper: (m) => {
          (m['metrics'] as Record<string, number>)['accuracy'] = 0.99;
        },
      },
      undefined,
      /its bundleDigest sha256:[0-9a-f]{64} does not match its content \(sha256:[0-9a-f]{64}\); it was changed after export/,
    ],
    [
      'a replaced bundleDigest',
      {
        tamper: (m) => {
          m['bundleDigest'] = `sha256:${'0'.repeat(64)}`;
        },
      },
      undefined,
      /does not match its content/,
    ],
    [
      'an unknown schema version',
      {
        tamper: (m) => {
          m['schemaVersion'] = 2;
        },
      },
      undefined,
      /has schema version 2; this action reads schema version 1 only/,
    ],
  ];

  it.each(cases)('%s → one line, nothing registered, nothing in the destination store', async (_name, opts, mutate, message) => {
    const e = await env();
    const b = await bundle(opts);
    mutate?.(b);
    for (const dryRun of [true, false]) {
      const req = request(e, b.manifestUri, { stage: 'production', dryRun });
      const err = await importModel(e.client, req).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(err).toBeInstanceOf(IntegrityError);
      const line = (err as IntegrityError).oneLine();
      expect(line).toMatch(message);
      expect(line).not.toContain('\n');
      expect(writes(e.server)).toEqual([]);
      expect(filesUnder(e.storePath)).toEqual([]);
      // The real run had streamed the good files before the bad one failed: they were removed again.
      if (!dryRun && _name.startsWith('a tampered')) expect(req.lines).toContain('Removed the 2 file(s) this run had copied to ' + pathToFileURL(e.storePath).href + '.');
    }
  });

  /** A good bundle moved into a folder named `folder` (not its digest); its manifest's URI. */
  async function movedBundle(folder: string): Promise<string> {
    const dir = fileURLToPath((await bundle()).bundleUri);
    const moved = join(dir, '..', folder);
    renameSync(dir, moved);
    return pathToFileURL(join(moved, 'manifest.json')).href;
  }

  it('a bundle moved to a folder that is not its digest is refused', async () => {
    const e = await env();
    const err = await importModel(e.client, request(e, await movedBundle('renamed'))).catch((x: unknown) => x);
    expect((err as Error).message).toMatch(/is in folder 'renamed', but a bundle lives in the folder named after its digest/);
    expect(writes(e.server)).toEqual([]);
  });

  it('reports a bad bundle as the bundle’s fault even when the destination lookup (run alongside it) fails too', async () => {
    const e = await env();
    const badBundle = await movedBundle('elsewhere');
    const folderProblem = /is in folder 'elsewhere', but a bundle lives in the folder named after its digest/;
    // An unknown project: the lookup fails with an input error of its own.
    await expect(importModel(e.client, request(e, badBundle, { project: 'nope' }))).rejects.toThrow(folderProblem);
    // An unreachable server: the lookup fails after its retries.
    const down = new ZenmlClient({ serverUrl: 'http://127.0.0.1:1', apiKey: 'ZENKEY_unused', retry: { deadlineMs: 500, baseMs: 5, capMs: 10, maxAttempts: 2 } });
    await expect(importModel(down, request(e, badBundle))).rejects.toThrow(folderProblem);
    // With a good bundle, the lookup's own failure is what is reported.
    const good = await bundle();
    await expect(importModel(down, request(e, good.manifestUri))).rejects.toThrow(/Cannot reach ZenML server at http:\/\/127\.0\.0\.1:1/);
    expect(writes(e.server)).toEqual([]);
  });

  it('refuses a manifest URI that does not name a manifest.json, and an unknown project', async () => {
    const e = await env();
    const b = await bundle();
    await expect(importModel(e.client, request(e, b.bundleUri))).rejects.toThrow(/Input 'manifest': expected the URI of a bundle's manifest\.json/);
    await expect(importModel(e.client, request(e, b.manifestUri, { project: 'nope' }))).rejects.toThrow(InputError);
    await expect(importModel(e.client, request(e, b.manifestUri, { stage: 'latest' }))).rejects.toThrow(/Input 'stage'/);
    expect(writes(e.server)).toEqual([]);
  });
});

describe('importModel: md5/crc32c-only entries (server-side exports) read through a file:// exchange', () => {
  it('verifies them while streaming, and refuses a tampered one', async () => {
    const e = await env();
    const b = await bundle({ checksums: 'store' });
    const r = await importModel(e.client, request(e, b.manifestUri));
    expect(r.created).toBe(true);
    expect(b.manifest.artifacts[0]?.files[0]?.sha256).toBeUndefined();

    const bad = await bundle({ checksums: 'store', model: 'other' });
    const p = join(fileURLToPath(bad.bundleUri), 'artifacts/model/model.pkl');
    const bytes = readFileSync(p);
    bytes[10] = (bytes[10] ?? 0) ^ 1;
    writeFileSync(p, bytes);
    e.server.requests.length = 0;
    await expect(importModel(e.client, request(e, bad.manifestUri))).rejects.toThrow(/model\.pkl: md5 is \S+, the manifest says \S+\./);
    expect(writes(e.server)).toEqual([]);
    expect(filesUnder(join(e.storePath, 'imported', 'other'))).toEqual([]);
  });
});

describe('importModel: dry run', () => {
  it('verifies and logs the plan; no POST/PUT, nothing in the destination store', async () => {
    const e = await env();
    const b = await bundle();
    const req = request(e, b.manifestUri, { stage: 'production', dryRun: true });
    const r = await importModel(e.client, req);
    expect(r).toMatchObject({ dryRun: true, created: false, completed: [], modelVersionId: '', stage: null });
    expect(r.artifacts.map((a) => a.artifactVersionId)).toEqual(['', '']);
    expect(writes(e.server)).toEqual([]);
    expect(existsSync(join(e.storePath, 'imported'))).toBe(false);
    expect(e.server.store.models.size).toBe(0);
    const plan = req.lines.join('\n');
    expect(plan).toMatch(/Plan \(nothing is registered or copied\)/);
    expect(plan).toMatch(/copy 3 file\(s\).*\(0 already there\)/);
    expect(plan).toMatch(/model churn: create/);
    expect(plan).toMatch(/metadata: \d+ key\(s\): .*bundle_digest/);
    expect(plan).toMatch(/stage: production/);

    // After a real import, the dry run sees the version made from the bundle.
    const real = await importModel(e.client, request(e, b.manifestUri));
    e.server.requests.length = 0;
    const again = await importModel(e.client, request(e, b.manifestUri, { dryRun: true }));
    expect(again.modelVersionId).toBe(real.modelVersionId);
    expect(again.artifacts.map((a) => a.artifactVersionId)).toEqual(real.artifacts.map((a) => a.artifactVersionId));
    expect(writes(e.server)).toEqual([]);
  });
});

describe('importModel: stage and force', () => {
  it('an occupied stage without force is one line naming the holder; with force the holder is archived', async () => {
    const e = await env();
    e.server.seed.model({ name: 'churn' });
    e.server.seed.modelVersion({ model: 'churn', name: 'current', stage: 'production' });
    const b = await bundle();

    const err = await importModel(e.client, request(e, b.manifestUri, { stage: 'production' })).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).input).toBe('force');
    expect((err as InputError).oneLine()).toMatch(/stage 'production' is held by version current \(#1, [0-9a-f-]{36}\) of model 'churn'\. Set force: true/);
    const s = e.server.store;
    const versions = () => [...s.modelVersions.values()].sort((a, b) => a.number - b.number).map((v) => [v.name, v.stage]);
    expect(versions()).toEqual([
      ['current', 'production'],
      ['2', null],
    ]);

    e.server.requests.length = 0;
    const r = await importModel(e.client, request(e, b.manifestUri, { stage: 'production', force: true }));
    expect(r).toMatchObject({ created: false, completed: ['stage'], stage: 'production', modelVersionNumber: 2 });
    expect(writes(e.server)).toEqual([`PUT /api/v1/model_versions/${r.modelVersionId}`]);
    expect(versions()).toEqual([
      ['current', 'archived'],
      ['2', 'production'],
    ]);
  });
});

describe('importModel: resumable', () => {
  const faults: [string, FaultSpec, RegExp][] = [
    ['after the copy (registration fails)', { method: 'POST', path: '/api/v1/artifact_versions', status: 500 }, /POST \/api\/v1\/artifact_versions failed with 500/],
    ['while registering (the server registered, the response was lost)', { method: 'POST', path: '/api/v1/artifact_versions', resetMidBody: true }, /./],
    ['right after the version is created (the response was lost)', { method: 'POST', path: '/api/v1/model_versions', resetMidBody: true }, /./],
    ['after the version is created (its digest write fails)', { method: 'POST', path: '/api/v1/run-metadata', status: 500 }, /run-metadata failed with 500/],
    ['at the links', { method: 'POST', path: '/api/v1/model_version_artifacts', status: 500 }, /model_version_artifacts failed with 500/],
    ['at the stage', { method: 'PUT', path: /^\/api\/v1\/model_versions\/[0-9a-f-]+$/, status: 500 }, /PUT \/api\/v1\/model_versions\/.* failed with 500/],
  ];

  it.each(faults)('interrupted %s, then re-run: the same end state as an uninterrupted import', async (_name, fault, message) => {
    const reference = await env();
    const b = await bundle();
    await importModel(reference.client, request(reference, b.manifestUri, { stage: 'production' }));

    const e = await env();
    e.server.faults.inject(fault);
    await expect(importModel(e.client, request(e, b.manifestUri, { stage: 'production' }))).rejects.toThrow(message);
    expect(e.server.faults.pending()).toBe(0);

    e.server.requests.length = 0;
    const r = await importModel(e.client, request(e, b.manifestUri, { stage: 'production' }));
    expect(r.completed.length).toBeGreaterThan(0);
    expect(endState(e)).toEqual(endState(reference));
    expect(e.server.store.modelVersions.size).toBe(1);
    expect(e.server.store.artifactVersions.size).toBe(2);

    // And once more: nothing left to do.
    e.server.requests.length = 0;
    const third = await importModel(e.client, request(e, b.manifestUri, { stage: 'production' }));
    expect(third.completed).toEqual([]);
    expect(writes(e.server)).toEqual([]);
  });

  it('rides out a lost response on an idempotent write (run metadata) within the same run', async () => {
    const reference = await env();
    const b = await bundle();
    await importModel(reference.client, request(reference, b.manifestUri, { stage: 'production' }));

    const e = await env();
    e.server.faults.inject({ method: 'POST', path: '/api/v1/run-metadata', resetMidBody: true });
    const r = await importModel(e.client, request(e, b.manifestUri, { stage: 'production' }));
    expect(r.created).toBe(true);
    expect(e.server.faults.pending()).toBe(0);
    expect(endState(e)).toEqual(endState(reference));
    expect(e.server.store.modelVersions.size).toBe(1);
  });

  it('a version created in the window before its digest was written is found by its description marker', async () => {
    const e = await env();
    const b = await bundle();
    e.server.faults.inject({ method: 'POST', path: '/api/v1/run-metadata', status: 500, times: 1 });
    await expect(importModel(e.client, request(e, b.manifestUri))).rejects.toThrow(/failed with 500/);
    const [mv] = [...e.server.store.modelVersions.values()];
    expect(e.server.store.latestMetadata('model_version', mv?.id ?? '')).toEqual({});

    e.server.requests.length = 0;
    const r = await importModel(e.client, request(e, b.manifestUri));
    expect(r).toMatchObject({ created: false, modelVersionId: mv?.id });
    expect(r.completed).toEqual(['metadata', 'link']);
    expect(writes(e.server).filter((w) => w === 'POST /api/v1/model_versions' || w === 'POST /api/v1/artifact_versions')).toEqual([]);
  });
});
