/**
 * build-snapshot: name the snapshot of an existing run (pure REST), or create one from source
 * with the ZenML CLI (the runner's Python environment), then read it back over REST.
 */
import { spawn as nodeSpawn } from 'node:child_process';
import { InputError, ZenmlApiError } from '../errors.js';
import { isUuid, type ZenmlClient } from '../zenml/client.js';
import { PipelineRunResponseSchema, PipelineSnapshotResponseSchema, type PipelineRunResponse } from '../zenml/schemas.js';
import { firstItems, getJson, sendJson } from './http.js';
import { listSnapshotsNamed, toSnapshotInfo, type SnapshotInfo } from './snapshot.js';

const RUNS = '/api/v1/runs';

async function findRun(client: ZenmlClient, project: string, ref: string): Promise<PipelineRunResponse | undefined> {
  if (isUuid(ref)) {
    try {
      return await getJson(client, `${RUNS}/${ref.toLowerCase()}`, { hydrate: false }, PipelineRunResponseSchema, `GET ${RUNS}/{id}`);
    } catch (err) {
      if (!(err instanceof ZenmlApiError && err.status === 404)) throw err;
    }
  }
  const runs = await firstItems(client, RUNS, { project, name: `equals:${ref}`, hydrate: false }, PipelineRunResponseSchema, 5);
  return runs.find((r) => r.name === ref);
}

function refId(v: unknown): string | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const id = (v as Record<string, unknown>)['id'];
  return typeof id === 'string' && id ? id : undefined;
}

/** Gives the run's snapshot (what actually ran; else its source snapshot) a name. */
export async function snapshotFromRun(
  client: ZenmlClient,
  /** `name` may be derived from the run's pipeline name (the default `<pipeline>-<environment>-<sha>`). */
  q: { project: string; run: string; name: string | ((pipeline: string) => string); replace: boolean; tags?: string[] },
): Promise<SnapshotInfo & { buildId?: string }> {
  const ref = q.run.trim();
  if (!ref) throw new InputError('from-run', 'is empty: set it to a pipeline run id or name.');
  const run = await findRun(client, q.project, ref);
  if (!run) throw new InputError('from-run', `no pipeline run '${ref}' in project '${q.project}'.`);
  const name = (typeof q.name === 'function' ? q.name(run.resources?.pipeline?.name ?? run.name) : q.name).trim();
  if (!name) throw new InputError('name', 'is empty: set it to the snapshot name to give.');
  const snapshotId = refId(run.resources?.snapshot) ?? refId(run.resources?.['source_snapshot']);
  if (!snapshotId) {
    throw new InputError(
      'from-run',
      `pipeline run '${run.name}' has no snapshot (runs made before ZenML 0.90, or by a client that did not record one): run the pipeline again, or build the snapshot from source.`,
    );
  }
  const body: Record<string, unknown> = { name, replace: q.replace };
  const tags = (q.tags ?? []).map((t) => t.trim()).filter(Boolean);
  if (tags.length) body['add_tags'] = tags;
  try {
    const s = await sendJson(
      client,
      'PUT',
      `/api/v1/pipeline_snapshots/${snapshotId}`,
      body,
      PipelineSnapshotResponseSchema,
      'PUT /api/v1/pipeline_snapshots/{id}',
    );
    return toSnapshotInfo(s);
  } catch (err) {
    if (err instanceof ZenmlApiError && err.status === 409) {
      const pipeline = run.resources?.pipeline?.name ?? 'this pipeline';
      throw new InputError(
        'name',
        `another snapshot of ${pipeline} is already named '${name}': set replace: true to move the name to the snapshot of run '${run.name}', or choose another name.`,
      );
    }
    throw err;
  }
}

export type SpawnLike = typeof nodeSpawn;

export interface SnapshotFromSourceQuery {
  project: string;
  /** Importable source path of the pipeline, e.g. `src.pipelines.batch_inference.batch_inference_pipeline`. */
  pipeline: string;
  name: string;
  stack?: string;
  /** YAML configuration file for the snapshot. */
  config?: string;
  /** Take the name over from another snapshot of the same pipeline (`--replace`). */
  replace?: boolean;
  tags?: string[];
  /** Base environment of the CLI (PATH, Python venv…); the store URL, key and project are added. */
  env: NodeJS.ProcessEnv;
  /** API key for ZENML_STORE_API_KEY; default env.ZENML_STORE_API_KEY. */
  apiKey?: string;
  cwd?: string;
  /** Each line the CLI prints (stdout and stderr). */
  log?: (line: string) => void;
  spawn?: SpawnLike;
}

/** The exact argv after `zenml` (flags as in zenml/cli/pipeline.py `snapshot create`). */
export function snapshotCreateArgs(q: Pick<SnapshotFromSourceQuery, 'pipeline' | 'name' | 'stack' | 'config' | 'replace' | 'tags'>): string[] {
  const args = ['pipeline', 'snapshot', 'create', q.pipeline, '--name', q.name];
  if (q.stack?.trim()) args.push('--stack', q.stack.trim());
  if (q.config?.trim()) args.push('--config', q.config.trim());
  if (q.replace) args.push('--replace');
  for (const t of q.tags ?? []) if (t.trim()) args.push('--tags', t.trim());
  return args;
}

const ANSI = new RegExp('\\u001b\\[[0-9;?]*[A-Za-z]', 'g');

function lastLine(text: string): string | undefined {
  const lines = text
    .replace(ANSI, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return lines[lines.length - 1];
}

interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runCli(spawn: SpawnLike, args: string[], env: NodeJS.ProcessEnv, cwd: string | undefined, log?: (l: string) => void): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = spawn('zenml', args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      reject(err);
      return;
    }
    let stdout = '';
    let stderr = '';
    const lineLogger = () => {
      let pending = '';
      return (chunk: string, flush = false) => {
        pending += chunk;
        const parts = pending.split(/\r?\n/);
        pending = flush ? '' : (parts.pop() ?? '');
        for (const p of parts) if (p.trim()) log?.(p.replace(ANSI, ''));
      };
    };
    const outLog = lineLogger();
    const errLog = lineLogger();
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      outLog(d);
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      errLog(d);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      outLog('', true);
      errLog('', true);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** `zenml pipeline snapshot create …` with the store URL and key in its env, then the snapshot over REST. */
export async function snapshotFromSource(client: ZenmlClient, q: SnapshotFromSourceQuery): Promise<SnapshotInfo> {
  const source = q.pipeline.trim();
  const name = q.name.trim();
  if (!source) throw new InputError('pipeline', 'is empty: set it to the source path of the pipeline, e.g. src.pipelines.training.training_pipeline.');
  if (!name) throw new InputError('name', 'is empty: set it to the snapshot name.');
  const apiKey = q.apiKey ?? q.env['ZENML_STORE_API_KEY'];
  if (!apiKey) throw new InputError('api-key', 'is needed to let the ZenML CLI create the snapshot.');
  const env: NodeJS.ProcessEnv = {
    ...q.env,
    ZENML_STORE_URL: client.serverUrl,
    ZENML_STORE_API_KEY: apiKey,
    ZENML_ACTIVE_PROJECT_ID: q.env['ZENML_ACTIVE_PROJECT_ID'] || q.project,
  };
  const args = snapshotCreateArgs({ ...q, pipeline: source, name });
  const before = new Set((await listSnapshotsNamed(client, q.project, name)).map((s) => s.id));

  let result: CliResult;
  try {
    result = await runCli(q.spawn ?? nodeSpawn, args, env, q.cwd, q.log);
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code === 'ENOENT') {
      const version = await client.serverInfo().then(
        (i) => i.version,
        () => undefined,
      );
      const pin = version ? `"zenml==${version}"` : 'zenml';
      throw new InputError(
        'pipeline',
        `building a snapshot from source needs the ZenML CLI, and no 'zenml' is on PATH: install it in the runner's Python environment first (pip install ${pin}, the server's version, plus your pipeline's requirements).`,
      );
    }
    throw err;
  }
  if (result.code !== 0) {
    const why = lastLine(result.stderr) ?? lastLine(result.stdout) ?? 'no output';
    const how = result.code === null ? `killed by ${result.signal ?? 'a signal'}` : `exit code ${result.code}`;
    throw new InputError('pipeline', `zenml ${args.slice(0, 3).join(' ')} ${source} failed (${how}): ${why}`);
  }

  // The CLI prints the name, not the id or pipeline: find the snapshot that appeared under that name.
  const after = await listSnapshotsNamed(client, q.project, name);
  const created = after.filter((s) => !before.has(s.id));
  const candidates = created.length ? created : after;
  const pipelineName = source.split(/[.:]/).pop();
  const pick = candidates.find((s) => s.pipeline === pipelineName) ?? candidates[0];
  if (!pick) {
    throw new InputError(
      'pipeline',
      `zenml reported success but project '${q.project}' has no snapshot named '${name}': check that the CLI used the same server and project (ZENML_STORE_URL, ZENML_ACTIVE_PROJECT_ID).`,
    );
  }
  return pick;
}
