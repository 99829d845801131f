import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, IntegrityError, TransientError } from '../errors.js';
import { openExchange } from '../exchange/open.js';
import type { ExchangeStore } from '../exchange/types.js';
import { digestOfManifest, manifestKey, stagingPrefix } from '../manifest/layout.js';
import { ManifestSchema } from '../manifest/schema.js';
import { exportModel } from './index.js';
import type { ExportRequest } from './types.js';
import { countingStore, EARLIER_HOP, GIT_COMMIT, listKeys, readObject, RUN, seedSource, sha256, type SeededSource } from './test-support.js';

describe('exportModel (file:// exchange, test server)', () => {
  let src: SeededSource;
  let base: string;
  let n = 0;
  const logs: string[] = [];

  const exchangeDir = (): string => join(base, `exchange-${++n}`);
  const request = (exchange: ExchangeStore, over: Partial<ExportRequest> = {}): ExportRequest => ({
    project: 'default',
    model: 'churn',
    version: 'staging',
    exchange,
    artifactSource: 'store',
    dryRun: false,
    run: RUN,
    log: (l) => logs.push(l),
    ...over,
  });

  beforeAll(async () => {
    src = await seedSource();
    base = mkdtempSync(join(tmpdir(), 'export-test-'));
  });
  afterAll(async () => {
    await src?.server.close();
    if (base) rmSync(base, { recursive: true, force: true });
  });
  beforeEach(() => {
    logs.length = 0;
  });

  it('writes a complete bundle: manifest last and valid, files byte for byte with sha256 of the originals', async () => {
    const exchange = await openExchange(exchangeDir());
    const r = await exportModel(src.client, request(exchange));

    expect(r).toMatchObject({ written: true, dryRun: false, modelVersionId: src.mvId, artifactCount: 2, serverSideCopies: 0, filesSkipped: 0 });
    expect(r.filesWritten).toBe(5);
    expect(r.bytes).toBe(200_000 + 22 + 1_500_000 + 0 + 12_345);
    expect(r.bundleDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(r.manifestUri).toBe(`${exchange.uri}/${manifestKey('churn', r.bundleDigest)}`);

    const m = ManifestSchema.parse(JSON.parse((await readObject(exchange, manifestKey('churn', r.bundleDigest))).toString('utf8')));
    expect(m).toEqual(r.manifest);
    expect(digestOfManifest(m)).toBe(r.bundleDigest);
    expect(m.model).toEqual({ name: 'churn', versionName: '1', versionNumber: 1, stage: 'staging', description: 'trained on 2025-05', tags: ['candidate'] });
    expect(m.metrics).toEqual({ accuracy: 0.93, f1: 0.88, n_rows: 120_000 });
    expect(m.metadata).toEqual({ dataset: 'gs://data/churn/2025-05.parquet', hyperparameters: { max_depth: 8, criterion: 'gini' }, passed_checks: true });
    expect(m.source).toMatchObject({
      serverUrl: src.server.url,
      project: 'default',
      modelVersionId: src.mvId,
      pipelineRunName: 'training-run-1',
      gitCommit: GIT_COMMIT,
    });
    expect(m.source.pipelineRunId).toMatch(/^[0-9a-f-]{36}$/);
    expect(m.source.trainingDate).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(m.exportedAt).toBe(RUN.at);

    // Promotion chain: the valid earlier hop (unknown field dropped), the malformed ones dropped with a log line, then this hop.
    const { extraField: _x, ...earlier } = EARLIER_HOP;
    expect(m.promotionChain).toEqual([
      earlier,
      {
        from: { serverUrl: src.server.url, project: 'default', model: 'churn', version: '1', modelVersionId: src.mvId },
        bundleDigest: r.bundleDigest,
        actor: RUN.actor,
        at: RUN.at,
        workflowRunUrl: RUN.workflowRunUrl,
        repository: RUN.repository,
        commit: RUN.commit,
      },
    ]);
    expect(logs.filter((l) => /promotion_chain\[\d\].*dropped/.test(l))).toHaveLength(2);

    const [model, scaler] = m.artifacts;
    expect(model).toMatchObject({
      name: 'model',
      bundleDir: 'artifacts/model',
      artifactVersionId: src.modelAvId,
      version: '4',
      type: 'ModelArtifact',
      uri: src.modelDir,
      singleFile: false,
      artifactStoreId: src.artifactStoreId,
      contentHash: 'abc123',
      saveType: 'step_output',
      runMetadata: { storage_size: 1_700_000 },
      tags: ['weights'],
      materializer: { module: 'zenml.integrations.sklearn.materializers.sklearn_materializer', attribute: 'SklearnMaterializer' },
    });
    expect(scaler).toMatchObject({ name: 'scaler', singleFile: true, uri: src.scalerFile, type: 'DataArtifact' });
    expect(scaler?.files.map((f) => f.path)).toEqual(['scaler.pkl']);
    expect(model?.files.map((f) => f.path)).toEqual(['model.pkl', 'sub/config.json', 'sub/deeper/weights.bin', 'sub/empty.txt']);

    // Every file's digest is the sha256sum of the original, and the bundle holds exactly those bytes.
    const root = exchange.uri.replace('file://', '');
    for (const a of m.artifacts) {
      for (const f of a.files) {
        const original = a.singleFile ? a.uri : join(a.uri, f.path);
        const sum = execFileSync('sha256sum', [original], { encoding: 'utf8' }).split(' ')[0];
        expect(f.sha256).toBe(sum);
        expect(f.size).toBe(src.files[a.name]?.[f.path]?.length);
        const copy = await readObject(exchange, `churn/${r.bundleDigest.slice(7)}/${a.bundleDir}/${f.path}`);
        expect(sha256(copy)).toBe(sum);
      }
    }
    // Nothing else: no staging leftovers, not even empty folders.
    const keys = (await listKeys(exchange)).map((o) => o.key);
    expect(keys).toHaveLength(6);
    expect(keys.every((k) => k.startsWith(`churn/${r.bundleDigest.slice(7)}/`))).toBe(true);
    expect(existsSync(join(root, stagingPrefix('churn', src.mvId)))).toBe(false);
    expect(logs.some((l) => l.startsWith('Metrics: accuracy=0.93'))).toBe(true);
  });

  it('exporting twice gives the same digest; the second run writes nothing (no put, no move)', async () => {
    const dir = exchangeDir();
    const first = await exportModel(src.client, request(await openExchange(dir)));
    const { store, counts } = countingStore(await openExchange(dir));
    const second = await exportModel(src.client, request(store, { run: { ...RUN, at: '2025-07-01T00:00:00.000Z', actor: 'other' } }));

    expect(second.bundleDigest).toBe(first.bundleDigest);
    expect(second).toMatchObject({ written: false, filesWritten: 0, filesSkipped: 5, manifestUri: first.manifestUri });
    expect(counts).toEqual({ put: 0, putWritten: 0, move: 0, delete: 0 });
    // The bundle's manifest stays the first one (its hop, its time).
    expect(second.manifest).toEqual(first.manifest);
    expect(second.manifest.exportedAt).toBe(RUN.at);
    expect(logs.some((l) => /already complete/.test(l))).toBe(true);
  });

  it('resolves the version by number, name, stage and latest', async () => {
    const exchange = await openExchange(exchangeDir());
    const id = async (version: string): Promise<string> =>
      (await exportModel(src.client, request(exchange, { version, dryRun: true }))).modelVersionId;
    expect(await id('1')).toBe(src.mvId);
    expect(await id('staging')).toBe(src.mvId);
    expect(await id('golden')).toBe(src.goldenId);
    expect(await id('production')).toBe(src.goldenId);
    expect(await id('Production')).toBe(src.goldenId);
    expect(await id('latest')).toBe(src.goldenId);
    expect(await id('2')).toBe(src.goldenId);
    // latest is never asked of the server as a stage (API.md §3.3)
    expect(src.server.requests.some((r) => r.query['stage'] === 'latest')).toBe(false);
  });

  it('unknown project, model, version and artifact names are InputErrors naming the input and what exists', async () => {
    const exchange = await openExchange(exchangeDir());
    const err = async (over: Partial<ExportRequest>): Promise<InputError> => {
      const e = await exportModel(src.client, request(exchange, over)).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(InputError);
      return e as InputError;
    };
    const p = await err({ project: 'nope' });
    expect(p.input).toBe('project');
    expect(p.message).toMatch(/no project 'nope'.*default/);

    const m = await err({ model: 'fraud' });
    expect(m.input).toBe('model');
    expect(m.message).toMatch(/no model 'fraud' in project 'default' \(models: churn\)/);

    const v = await err({ version: '9' });
    expect(v.input).toBe('version');
    expect(v.message).toMatch(/has no version number 9; its versions, newest first: 2 'golden' \(production\), 1 \(staging\)/);
    expect((await err({ version: 'archived' })).message).toMatch(/no version in stage 'archived'/);
    expect((await err({ version: 'silver' })).message).toMatch(/no version named 'silver'/);

    const a = await err({ artifacts: ['model', 'tokenizer'] });
    expect(a.input).toBe('artifacts');
    expect(a.message).toMatch(/'tokenizer' is not linked to this model version; linked artifacts: model, scaler\./);
    expect(existsSync(exchange.uri.replace('file://', ''))).toBe(false);
  });

  it('exports only the named artifacts', async () => {
    const exchange = await openExchange(exchangeDir());
    const r = await exportModel(src.client, request(exchange, { artifacts: ['scaler'] }));
    expect(r.manifest.artifacts.map((a) => a.name)).toEqual(['scaler']);
    expect(r.filesWritten).toBe(1);
  });

  it('dry run: prints the plan and writes nothing at all', async () => {
    const dir = exchangeDir();
    const { store, counts } = countingStore(await openExchange(dir));
    const r = await exportModel(src.client, request(store, { dryRun: true }));
    expect(counts).toEqual({ put: 0, putWritten: 0, move: 0, delete: 0 });
    expect(existsSync(dir)).toBe(false);
    expect(r).toMatchObject({ dryRun: true, written: false, bundleDigest: '', manifestUri: '', artifactCount: 2, bytes: 1_712_367 });
    const plan = logs.join('\n');
    expect(plan).toMatch(/Model 'churn' version '1' \(number 1, stage staging/);
    expect(plan).toMatch(/- model: ModelArtifact, version 4, 4 files, 1\.6 MiB, streamed/);
    expect(plan).toMatch(/- scaler: DataArtifact, version 1, single file, 12\.1 KiB/);
    expect(plan).toContain(`Destination: ${store.uri}/churn/<bundle-digest>/`);
    expect(plan).toMatch(/Dry run: nothing was written/);
  });

  it('artifact-source server (download-token + /data tar.gz) gives the same bundle digest as store', async () => {
    const viaStore = await exportModel(src.client, request(await openExchange(exchangeDir())));
    const exchange = await openExchange(exchangeDir());
    const viaServer = await exportModel(src.client, request(exchange, { artifactSource: 'server' }));
    expect(viaServer.bundleDigest).toBe(viaStore.bundleDigest);
    expect(viaServer.manifest.artifacts).toEqual(viaStore.manifest.artifacts);
    expect(src.server.requests.filter((r) => r.path.endsWith('/download-token'))).not.toHaveLength(0);
    // Again through the server: verified by downloading, nothing written.
    const { store, counts } = countingStore(exchange);
    const again = await exportModel(src.client, request(store, { artifactSource: 'server' }));
    expect(again.written).toBe(false);
    expect(counts.put + counts.move).toBe(0);
  });

  it('a download cut off mid-way leaves no manifest; the re-run completes with the same digest', async () => {
    const expected = (await exportModel(src.client, request(await openExchange(exchangeDir())))).bundleDigest;
    const exchange = await openExchange(exchangeDir());
    src.server.faults.inject({ path: `/api/v1/artifact_versions/${src.modelAvId}/data`, resetMidBody: true });
    const cut = await exportModel(src.client, request(exchange, { artifactSource: 'server' })).catch((x: unknown) => x);
    expect(cut).toBeInstanceOf(TransientError);
    expect((cut as Error).message).toMatch(/Artifact 'model': the download from the ZenML server was interrupted/);
    expect(src.server.faults.pending()).toBe(0);
    const keys = (await listKeys(exchange)).map((o) => o.key);
    expect(keys.some((k) => k.endsWith('manifest.json'))).toBe(false);
    expect(keys.every((k) => k.startsWith(`${stagingPrefix('churn', src.mvId)}/`))).toBe(true);

    const r = await exportModel(src.client, request(exchange, { artifactSource: 'server' }));
    expect(r).toMatchObject({ written: true, bundleDigest: expected });
    expect((await listKeys(exchange, 'churn/.staging/')).length).toBe(0);
  });

  it('a crash while writing a file leaves only staging objects; the re-run reuses them and completes', async () => {
    const dir = exchangeDir();
    const crashing = countingStore(await openExchange(dir), { failPut: (k) => k.endsWith('weights.bin') });
    await expect(exportModel(src.client, request(crashing.store))).rejects.toThrow(/simulated crash/);
    const left = (await listKeys(await openExchange(dir))).map((o) => o.key);
    expect(left.some((k) => k.endsWith('manifest.json'))).toBe(false);
    expect(left.every((k) => k.startsWith(`${stagingPrefix('churn', src.mvId)}/`))).toBe(true);
    expect(left.some((k) => k.endsWith('weights.bin'))).toBe(false);

    const { store, counts } = countingStore(await openExchange(dir));
    const r = await exportModel(src.client, request(store));
    expect(r.written).toBe(true);
    // Files staged by the first attempt were found identical, not rewritten.
    expect(counts.putWritten).toBe(5 - left.length + 1); // the missing files + the manifest
    expect((await listKeys(store)).every((o) => o.key.startsWith(`churn/${r.bundleDigest.slice(7)}/`))).toBe(true);
  });

  it('a missing file at an artifact uri is an IntegrityError naming the artifact and the uri; nothing is written', async () => {
    const gone = join(src.storePath, 'churn', 'tokenizer', 'gone');
    const avId = src.server.seed.artifactVersion({ name: 'tokenizer', uri: gone, artifactStoreId: src.artifactStoreId });
    const mv = src.server.seed.modelVersion({ model: 'churn', name: 'broken' });
    src.server.seed.link(mv, avId);
    const dir = exchangeDir();
    const e = await exportModel(src.client, request(await openExchange(dir), { version: 'broken' })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IntegrityError);
    expect((e as Error).message).toContain(`Artifact 'tokenizer'`);
    expect((e as Error).message).toContain(gone);
    expect(existsSync(dir)).toBe(false);
  });
});
