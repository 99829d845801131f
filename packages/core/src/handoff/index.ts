/**
 * The hand-off between the export job and the job behind the production approval: the manifest
 * travels as a workflow artifact of the same run, through the GitHub Actions artifact service (v4:
 * twirp API + Azure blob signed URLs), spoken directly by ./service.ts. Only the manifest travels
 * this way; the bundle's bytes stay in the exchange.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { InputError, IntegrityError, isMlopsError, TransientError } from '../errors.js';
import { formatSeconds } from '../zenml/retry.js';
import { readArtifactRuntime } from './runtime.js';
import { scrubArtifactMessage } from './scrub.js';
import { ArtifactServiceClient, ArtifactServiceError, type ListedArtifact } from './service.js';
import { listFiles, unpackZip } from './unpack.js';
import { writeZip } from './zip.js';

export { scrubArtifactMessage } from './scrub.js';

export interface ManifestArtifactRef {
  name: string;
  id: number;
  size: number;
  /** `sha256:<hex>` of the uploaded blob (the JSON file itself, or the zip holding it). */
  digest?: string;
}

/** Characters the artifact service refuses in an artifact name. */
const INVALID_NAME_CHARS = ['"', ':', '<', '>', '|', '*', '?', '\r', '\n', '\\', '/'];

const RUNTIME_HINT = 'ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set';

/**
 * Uploads the manifest as a workflow artifact named `name`.
 *
 * When `name` ends in `.json` the artifact is the raw file (one JSON blob, viewable in the UI);
 * otherwise it is a zip holding `manifest.json`, so that the file a later job unpacks still ends
 * in `.json`. Both layouts are what earlier versions of this action uploaded, so the jobs on
 * either side of the hand-off may run different versions.
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
  let manifest: Buffer;
  try {
    manifest = await readFile(file);
  } catch (e) {
    throw new InputError('upload-manifest', `cannot read the manifest file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return serviceCall('upload-manifest', async () => {
    const client = connect('upload-manifest', log);
    const body = raw ? manifest : writeZip([{ name: 'manifest.json', data: manifest }]);
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    // Names are unique within a run, and a re-run job is the same run: replace what an earlier
    // attempt uploaded (the import side re-checks the manifest against the exchange anyway).
    const [earlier] = await client.list(name);
    if (earlier) {
      await ignoreNotFound(client.delete(name));
      log(`Deleted workflow artifact '${name}' (id ${earlier.id}) left by an earlier attempt of this run`);
    }
    log(`Uploading the manifest as workflow artifact '${name}' (${raw ? 'raw JSON' : 'zip holding manifest.json'})`);
    const uploadUrl = await client.create(name, raw ? 'application/json' : 'application/zip', expiry(opts.retentionDays, log));
    await client.putBlob(uploadUrl, body, raw ? 'application/json' : 'application/zip');
    const id = await client.finalize(name, body.length, digest);
    if (id === undefined) throw new TransientError(`Upload of workflow artifact '${name}' returned no artifact id`, 1);
    const ref: ManifestArtifactRef = { name, id, size: body.length, digest };
    log(`Uploaded workflow artifact '${name}' (id ${ref.id}, ${ref.size} bytes, ${digest})`);
    return ref;
  });
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
  const notFound = (): never => {
    throw new InputError(
      'manifest',
      `no workflow artifact named '${name}' in this run; the export job must set upload-manifest: true (in the same workflow run), and the name given here must be the one it uploaded`,
    );
  };
  const { artifact, blob } = await serviceCall(
    'manifest',
    async () => {
      const client = connect('manifest', log);
      const artifact = latest(await client.list(name)) ?? notFound();
      log(`Downloading workflow artifact '${name}' (id ${artifact.id}, ${artifact.size} bytes)`);
      const blob = await client.getBlob(await client.signedDownloadUrl(name));
      return { artifact, blob };
    },
    notFound,
  );
  if (artifact.digest && `sha256:${createHash('sha256').update(blob.bytes).digest('hex')}` !== artifact.digest.toLowerCase()) {
    throw new IntegrityError(`Workflow artifact '${name}' (id ${artifact.id}) does not match the digest recorded at upload (${artifact.digest})`);
  }
  await mkdir(opts.destDir, { recursive: true });
  const dir = await mkdtemp(join(opts.destDir, 'artifact-'));
  if (/\bzip\b/i.test(blob.contentType)) await unpackZip(blob.bytes, dir, name);
  // A raw artifact is saved under its own name (which holds no path separator: validateName).
  else await writeFile(join(dir, /^\.*$/.test(name) ? 'artifact' : name), blob.bytes);
  const files = await listFiles(dir, name);
  const json = files.filter((f) => f.toLowerCase().endsWith('.json'));
  if (json.length !== 1) {
    const shown = files.map((f) => relative(dir, f)).join(', ') || 'nothing';
    throw new IntegrityError(`Workflow artifact '${name}' should hold exactly one .json file (the manifest); it holds ${shown}`);
  }
  log(`Workflow artifact '${name}' downloaded: ${relative(opts.destDir, json[0]!)}${artifact.digest ? ` (${artifact.digest} verified)` : ''}`);
  return json[0]!;
}

export { isManifestUri } from './manifest-name.js';

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

/** The client for this job, or one InputError line saying why this job cannot use the service. */
function connect(input: string, log: (l: string) => void): ArtifactServiceClient {
  return new ArtifactServiceClient(readArtifactRuntime(input), {
    onRetry: (what, reason, attempt, delayMs) => log(`GitHub artifact service: ${what} attempt ${attempt} failed (${reason}); retrying in ${formatSeconds(delayMs)}`),
  });
}

/**
 * Runs calls to the service and turns a failure into one of our errors with one line that quotes
 * no token and no signed URL query string. The service's `not_found` goes to `onNotFound`.
 */
async function serviceCall<T>(input: string, fn: () => Promise<T>, onNotFound?: () => never): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isMlopsError(e)) throw e;
    const token = process.env.ACTIONS_RUNTIME_TOKEN;
    if (!(e instanceof ArtifactServiceError)) {
      throw new TransientError(`GitHub artifact service: ${scrubArtifactMessage(e instanceof Error ? e.message : String(e), [token])}`, 1);
    }
    const msg = scrubArtifactMessage(e.line, [token]);
    if (e.code === 'not_found' && onNotFound) return onNotFound();
    // The service refuses uploads past the repository's storage quota; no retry fixes that.
    if (e.code === 'resource_exhausted' || /insufficient usage|quota/i.test(e.serviceMessage ?? '')) {
      throw new InputError(input, `the repository's artifact storage quota is used up: ${msg}`);
    }
    throw new TransientError(`GitHub artifact service: ${msg}`, e.attempts);
  }
}

/** A delete that finds nothing is what we wanted (another attempt may have raced us to it). */
async function ignoreNotFound(p: Promise<void>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof ArtifactServiceError && e.code === 'not_found')) throw e;
  }
}

/** Names are unique in a run, but should a re-run ever leave two, the newest is the one to take. */
function latest(found: ListedArtifact[]): ListedArtifact | undefined {
  return [...found].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id)[0];
}

/**
 * When the artifact expires. The repository caps retention (the runner says how in
 * GITHUB_RETENTION_DAYS); asking for more is lowered to the cap, as the service would refuse it.
 */
function expiry(days: number | undefined, log: (l: string) => void): Date | undefined {
  if (days === undefined) return undefined;
  const max = Number(process.env.GITHUB_RETENTION_DAYS);
  if (Number.isInteger(max) && max >= 1 && days > max) {
    log(`Retention of ${days} days is more than this repository allows; using ${max}`);
    days = max;
  }
  return new Date(Date.now() + days * 86_400_000);
}
