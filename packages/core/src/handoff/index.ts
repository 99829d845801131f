/**
 * The hand-off between the export job and the job behind the production approval: the manifest
 * travels as a workflow artifact of the same run, through @actions/artifact (v2 artifact service:
 * twirp API + Azure blob signed URLs). Only the manifest travels this way; the bundle's bytes stay
 * in the exchange.
 *
 * @actions/artifact (and its Azure SDK) is imported lazily, inside these functions, so actions
 * that never hand off start without loading it.
 */
import { copyFile, lstat, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { InputError, IntegrityError, TransientError } from '../errors.js';
import { scrubArtifactMessage } from './scrub.js';

export { scrubArtifactMessage } from './scrub.js';

export interface ManifestArtifactRef {
  name: string;
  id: number;
  size: number;
  /** `sha256:<hex>` of the uploaded blob (the JSON file itself, or the zip holding it). */
  digest?: string;
}

/** Characters @actions/artifact (and the service) refuse in an artifact name. */
const INVALID_NAME_CHARS = ['"', ':', '<', '>', '|', '*', '?', '\r', '\n', '\\', '/'];

const RUNTIME_HINT = 'ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set';

/**
 * Uploads the manifest as a workflow artifact named `name`.
 *
 * With @actions/artifact's `skipArchive`, the artifact is ALWAYS named after the file's basename
 * (the `name` argument is ignored by the library). So: when `name` ends in `.json` the file is
 * staged as `<name>` and uploaded raw (one JSON blob, viewable in the UI); otherwise it is uploaded
 * as a zip holding `manifest.json`, so that the artifact keeps the exact name a later job asks for.
 */
export async function uploadManifestArtifact(opts: {
  name: string;
  file: string;
  retentionDays?: number;
  log?: (l: string) => void;
}): Promise<ManifestArtifactRef> {
  const { name, file } = opts;
  const log = opts.log ?? (() => undefined);
  requireRuntime('upload-manifest', 'needs the GitHub Actions runtime to upload the manifest as a workflow artifact');
  validateName('upload-manifest', name);
  if (opts.retentionDays !== undefined && !(Number.isInteger(opts.retentionDays) && opts.retentionDays >= 1)) {
    throw new InputError('upload-manifest', `retention days must be a whole number of days >= 1, got ${opts.retentionDays}`);
  }
  const raw = name.toLowerCase().endsWith('.json');
  const staged = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'manifest-artifact-'));
  try {
    const stagedFile = join(staged, raw ? name : 'manifest.json');
    try {
      await copyFile(file, stagedFile);
    } catch (e) {
      throw new InputError('upload-manifest', `cannot read the manifest file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    const { DefaultArtifactClient } = await import('@actions/artifact');
    const client = new DefaultArtifactClient();
    // Names are unique within a run, and a re-run job is the same run: replace what an earlier
    // attempt uploaded (the import side re-checks the manifest against the exchange anyway).
    const earlier = await libraryCall('upload-manifest', () => client.deleteArtifact(name), () => undefined);
    if (earlier) log(`Deleted workflow artifact '${name}' (id ${earlier.id}) left by an earlier attempt of this run`);
    log(`Uploading the manifest as workflow artifact '${name}' (${raw ? 'raw JSON' : 'zip holding manifest.json'})`);
    const res = await libraryCall('upload-manifest', () =>
      client.uploadArtifact(name, [stagedFile], staged, {
        ...(raw ? { skipArchive: true } : {}),
        ...(opts.retentionDays !== undefined ? { retentionDays: opts.retentionDays } : {}),
      }),
    );
    if (res.id === undefined) throw new TransientError(`Upload of workflow artifact '${name}' returned no artifact id`, 1);
    const ref: ManifestArtifactRef = { name, id: res.id, size: res.size ?? 0 };
    if (res.digest) ref.digest = res.digest.startsWith('sha256:') ? res.digest : `sha256:${res.digest}`;
    log(`Uploaded workflow artifact '${name}' (id ${ref.id}, ${ref.size} bytes${ref.digest ? `, ${ref.digest}` : ''})`);
    return ref;
  } finally {
    await rm(staged, { recursive: true, force: true });
  }
}

/**
 * Finds the artifact `name` in the current workflow run, downloads it into a new directory under
 * `destDir` (checked against the digest the service recorded), and returns the path of the one
 * `.json` file it holds.
 */
export async function downloadManifestArtifact(opts: { name: string; destDir: string; log?: (l: string) => void }): Promise<string> {
  const { name } = opts;
  const log = opts.log ?? (() => undefined);
  requireRuntime(
    'manifest',
    `'${name}' is taken as the name of a workflow artifact, which needs the GitHub Actions runtime; outside Actions give the manifest's URI or path (file://..., gs://..., /abs/path)`,
  );
  validateName('manifest', name);
  const { DefaultArtifactClient } = await import('@actions/artifact');
  const client = new DefaultArtifactClient();
  const notFound = (): never => {
    throw new InputError(
      'manifest',
      `no workflow artifact named '${name}' in this run; the export job must set upload-manifest: true (in the same workflow run), and the name given here must be the one it uploaded`,
    );
  };
  const found = await libraryCall('manifest', () => client.getArtifact(name), notFound);
  const { artifact } = found;
  await mkdir(opts.destDir, { recursive: true });
  const dir = await mkdtemp(join(opts.destDir, 'artifact-'));
  log(`Downloading workflow artifact '${name}' (id ${artifact.id}, ${artifact.size} bytes)`);
  const res = await libraryCall('manifest', () =>
    client.downloadArtifact(artifact.id, { path: dir, ...(artifact.digest ? { expectedHash: artifact.digest } : {}) }),
    notFound,
  );
  if (res.digestMismatch) {
    throw new IntegrityError(`Workflow artifact '${name}' (id ${artifact.id}) does not match the digest recorded at upload (${artifact.digest})`);
  }
  const files = await listFiles(dir, name);
  const json = files.filter((f) => f.toLowerCase().endsWith('.json'));
  if (json.length !== 1) {
    const shown = files.map((f) => relative(dir, f)).join(', ') || 'nothing';
    throw new IntegrityError(`Workflow artifact '${name}' should hold exactly one .json file (the manifest); it holds ${shown}`);
  }
  log(`Workflow artifact '${name}' downloaded: ${relative(opts.destDir, json[0]!)}${artifact.digest ? ` (${artifact.digest} verified)` : ''}`);
  return json[0]!;
}

/**
 * True when `value` is a URI or a path (`file://…`, `gs://…`, `/abs`, `./rel`, `C:\…`) rather than
 * the name of a workflow artifact. An artifact name can hold none of `/`, `\` and `:`, so any of
 * them marks a URI or path; a bare `manifest.json` is an artifact name (write `./manifest.json`
 * for a file in the working directory).
 */
export function isManifestUri(value: string): boolean {
  return /[/\\:]/.test(value.trim());
}

// ---------------------------------------------------------------------------------------------

function requireRuntime(input: string, what: string): void {
  if (!process.env.ACTIONS_RUNTIME_TOKEN || !process.env.ACTIONS_RESULTS_URL) {
    throw new InputError(input, `${what} (${RUNTIME_HINT}: this runs only in a GitHub Actions job)`);
  }
}

function validateName(input: string, name: string): void {
  if (!name.trim()) throw new InputError(input, 'the workflow artifact name is empty');
  const bad = INVALID_NAME_CHARS.filter((c) => name.includes(c));
  if (bad.length > 0) {
    throw new InputError(input, `'${name.replace(/[\r\n]/g, ' ')}' is not a valid workflow artifact name: it contains ${bad.map((c) => JSON.stringify(c)).join(' ')}`);
  }
}

/**
 * Runs a library call and turns whatever it throws into one of our errors with one line that
 * quotes no token and no signed URL query string. The library's "artifact not found" goes to
 * `onNotFound` (which may return a value or throw).
 */
async function libraryCall<T, N = never>(input: string, fn: () => Promise<T>, onNotFound?: () => N): Promise<T | N> {
  try {
    return await fn();
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    const msg = scrubArtifactMessage(err.message, [process.env.ACTIONS_RUNTIME_TOKEN]);
    switch (err.name) {
      case 'ArtifactNotFoundError':
        if (onNotFound) return onNotFound();
        throw new TransientError(`GitHub artifact service: ${msg}`, 1);
      case 'GHESNotSupportedError':
        throw new InputError(input, 'workflow artifacts through @actions/artifact v2+ are not supported on GitHub Enterprise Server (GITHUB_SERVER_URL is not github.com)');
      case 'UsageError':
        throw new InputError(input, `the repository's artifact storage quota is used up: ${msg}`);
      case 'FilesNotFoundError':
        throw new InputError(input, msg);
      default:
        throw new TransientError(`GitHub artifact service: ${msg}`, 1);
    }
  }
}

/** Regular files under `dir`; anything else (a symlink, a device) is refused. */
async function listFiles(dir: string, name: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d)) {
      const p = join(d, entry);
      const st = await lstat(p);
      if (st.isDirectory()) await walk(p);
      else if (st.isFile()) out.push(p);
      else throw new IntegrityError(`Workflow artifact '${name}' holds ${relative(dir, p)}, which is not a regular file`);
    }
  };
  await walk(dir);
  return out.sort();
}
