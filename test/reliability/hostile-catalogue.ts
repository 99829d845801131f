/**
 * Bad inputs a user, a misconfigured proxy or a tampered bundle can hand the actions. Each entry
 * says what is wrong and which one-line error names it; hostile-inputs.test.ts runs each bundle
 * and checks that it fails with exactly that one line, no stack trace, and before any write.
 */
import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { digestOfManifest, type Manifest } from '@mlops-actions/core';
import type { FaultSpec, TestServer } from '@mlops-actions/zenml-test-server';

/** What a case gets to work with: its own server, exchange folder and workspace. */
export interface HostileContext {
  server: TestServer;
  /** An empty exchange folder of this case (a file:// exchange). */
  exchange: string;
  /** GITHUB_WORKSPACE of this case: holds `policy.yml`, a valid policy, unless a case rewrites it. */
  workspace: string;
  /** A valid exported bundle (folder with manifest.json and artifacts/), to copy and tamper with. */
  bundle: string;
}

export interface HostileCase {
  action: string;
  /** What is wrong, in one line (the test's name). */
  description: string;
  inputs(ctx: HostileContext): Record<string, string>;
  env?(ctx: HostileContext): Record<string, string>;
  /** Faults to inject, files to write: anything the case needs before the run. */
  setup?(ctx: HostileContext): void;
  /** The one `::error::` line must match this (it names the bad input or thing). */
  error: RegExp;
  /**
   * Set when the action does not (yet) reject this cleanly and the fix is someone else's: what
   * goes wrong, where. The test then expects the failure, so a fix makes it fail until the note
   * is removed.
   */
  knownGap?: string;
}

/** A policy the gate and promote cases can rely on unless they replace it. */
export const VALID_POLICY = `version: 1
stages:
  production:
    rules:
      - accuracy >= 0.9
`;

const login = (c: HostileContext): Record<string, string> => ({ 'server-url': c.server.url, 'api-key': c.server.apiKey });
const fault = (f: FaultSpec) => (c: HostileContext) => c.server.faults.inject({ times: 100, ...f });
const HTML_PAGE = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>nginx</p></body></html>';
/** Each level multiplies by 9: expanded, 9^6 scalars from a 400-byte file. */
const ALIAS_BOMB = `version: 1
a: &a [x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
stages: {production: {rules: [*f]}}
`;
/** Close to the Linux limit for one environment string (128 KiB), where the runner puts inputs. */
const HUGE = 'x'.repeat(100_000);

/**
 * Copies the valid bundle into the case's exchange as `<model>/<digest>/`, lets `edit` change the
 * manifest (and files), then re-seals it (digest recomputed, folder renamed) unless `reseal` is
 * false, so that the check under test is reached rather than the digest check. Returns the
 * manifest URI.
 */
export function tamperedBundle(c: HostileContext, edit: (m: Manifest, dir: string) => void, opts: { reseal?: boolean } = {}): string {
  const original = JSON.parse(readFileSync(join(c.bundle, 'manifest.json'), 'utf8')) as Manifest;
  const work = join(c.exchange, original.model.name, 'work');
  mkdirSync(dirname(work), { recursive: true });
  cpSync(c.bundle, work, { recursive: true });
  const m = structuredClone(original);
  edit(m, work);
  if (opts.reseal !== false) m.bundleDigest = digestOfManifest(m);
  writeFileSync(join(work, 'manifest.json'), JSON.stringify(m, null, 2));
  const folder = join(c.exchange, original.model.name, (opts.reseal !== false ? m.bundleDigest : original.bundleDigest).slice('sha256:'.length));
  renameSync(work, folder);
  return `file://${folder}/manifest.json`;
}

/** The manifest URI of the case's tampered bundle, created on first use (setup) and read by inputs. */
const manifests = new WeakMap<HostileContext, string>();
const bundleCase = (edit: (m: Manifest, dir: string) => void, opts: { reseal?: boolean } = {}) => ({
  setup: (c: HostileContext) => void manifests.set(c, tamperedBundle(c, edit, opts)),
  inputs: (c: HostileContext) => ({ ...login(c), manifest: manifests.get(c) ?? '' }),
});

const firstFile = (m: Manifest): Manifest['artifacts'][number]['files'][number] => {
  const f = m.artifacts[0]?.files[0];
  if (!f) throw new Error('the seeded bundle has no files');
  return f;
};

/** Owned elsewhere (packages/core/src/zenml/client.ts); described in the reliability report. */
export const catalogue: HostileCase[] = [
  // ---------------------------------------------------------------- zenml-login: URLs and keys
  { action: 'zenml-login', description: 'server-url is not a URL', inputs: (c) => ({ ...login(c), 'server-url': 'zenml.example.com' }), error: /^Input 'server-url': must be an http\(s\) URL/ },
  { action: 'zenml-login', description: 'server-url uses ftp://', inputs: (c) => ({ ...login(c), 'server-url': 'ftp://zenml.example.com' }), error: /^Input 'server-url': must use http or https \(got 'ftp'\)/ },
  { action: 'zenml-login', description: 'server-url is a file:// URL', inputs: (c) => ({ ...login(c), 'server-url': 'file:///etc/passwd' }), error: /^Input 'server-url': must use http or https/ },
  { action: 'zenml-login', description: 'server-url is javascript:', inputs: (c) => ({ ...login(c), 'server-url': 'javascript:alert(1)' }), error: /^Input 'server-url': must use http or https/ },
  { action: 'zenml-login', description: 'server-url carries user:password', inputs: (c) => ({ ...login(c), 'server-url': c.server.url.replace('http://', 'http://admin:hunter22@') }), error: /^Input 'server-url': must not carry credentials/ },
  { action: 'zenml-login', description: 'server-url carries a query string', inputs: (c) => ({ ...login(c), 'server-url': `${c.server.url}/?next=/admin` }), error: /^Input 'server-url': .*without a query or fragment/ },
  { action: 'zenml-login', description: 'server-url is white space only', inputs: (c) => ({ ...login(c), 'server-url': '   ' }), error: /^Input 'server-url': is required/ },
  { action: 'zenml-login', description: 'server-url is 100 kB long', inputs: (c) => ({ ...login(c), 'server-url': `https://${HUGE}.example.com` }), error: /^Input 'server-url': is 100\d{3} characters long; a server URL has at most 2048/ },
  { action: 'zenml-login', description: 'api-key is white space only', inputs: (c) => ({ ...login(c), 'api-key': ' \t ' }), error: /^Input 'api-key': is required/ },
  { action: 'zenml-login', description: 'api-key is 100 kB of junk', inputs: (c) => ({ ...login(c), 'api-key': `ZENKEY_${HUGE}` }), error: /API key|api-key/i },
  { action: 'zenml-login', description: "export-env is 'yes'", inputs: (c) => ({ ...login(c), 'export-env': 'yes' }), error: /^Input 'export-env': must be true or false \(got 'yes'\)/ },
  {
    action: 'zenml-login',
    description: '/api/v1/info answers plain text, not JSON',
    setup: fault({ path: '/api/v1/info', status: 200, rawBody: 'OK', contentType: 'text/plain' }),
    inputs: login,
    error: /not JSON.*server-url/,
  },
  {
    action: 'zenml-login',
    description: 'a proxy answers /api/v1/info with an HTML error page',
    setup: fault({ path: '/api/v1/info', status: 403, rawBody: HTML_PAGE, contentType: 'text/html' }),
    inputs: login,
    error: /403/,
  },
  {
    action: 'zenml-login',
    description: 'the login answer is truncated JSON',
    setup: fault({ path: '/api/v1/login', status: 200, rawBody: '{"access_token": "eyJhbGciOi', contentType: 'application/json' }),
    inputs: login,
    error: /not JSON/,
  },
  {
    action: 'zenml-login',
    description: '/api/v1/info answers JSON labelled application/octet-stream with a binary body',
    setup: fault({ path: '/api/v1/info', status: 200, rawBody: '\u0000\u0001\u0002binary', contentType: 'application/octet-stream' }),
    inputs: login,
    error: /not JSON/,
  },
  {
    action: 'zenml-login',
    description: '/api/v1/info answers JSON of the wrong shape (a list)',
    setup: fault({ path: '/api/v1/info', status: 200, body: ['not', 'an', 'info', 'object'] }),
    inputs: login,
    error: /info|version|server/i,
  },

  // ---------------------------------------------------------------- export-model
  { action: 'export-model', description: 'exchange uses s3://', inputs: (c) => ({ ...login(c), model: 'readmission-clf', exchange: 's3://bucket/bundles' }), error: /^Input 'exchange': 's3:\/\/bucket\/bundles' uses an unsupported scheme 's3'/ },
  { action: 'export-model', description: 'exchange is a relative path', inputs: (c) => ({ ...login(c), model: 'readmission-clf', exchange: 'bundles/out' }), error: /^Input 'exchange': 'bundles\/out' is a relative path/ },
  { action: 'export-model', description: 'exchange names a remote host in file://', inputs: (c) => ({ ...login(c), model: 'readmission-clf', exchange: 'file://fileserver/share' }), error: /^Input 'exchange': .*remote host/ },
  { action: 'export-model', description: 'exchange is an invalid gs:// bucket', inputs: (c) => ({ ...login(c), model: 'readmission-clf', exchange: 'gs://My_Bucket!/x' }), error: /^Input 'exchange': .*not a valid bucket name/ },
  { action: 'export-model', description: "exchange gs:// prefix has a '..' segment", inputs: (c) => ({ ...login(c), model: 'readmission-clf', exchange: 'gs://ml-exchange/a/../b' }), error: /^Input 'exchange': .*'\.\.' segment/ },
  { action: 'export-model', description: 'exchange is white space only', inputs: (c) => ({ ...login(c), model: 'readmission-clf', exchange: '  ' }), error: /^Input 'exchange': is required/ },
  { action: 'export-model', description: 'model is white space only', inputs: (c) => ({ ...login(c), model: '\n ', exchange: `file://${c.exchange}` }), error: /^Input 'model': is required/ },
  { action: 'export-model', description: "artifact-source is 'disk'", inputs: (c) => ({ ...login(c), model: 'readmission-clf', exchange: `file://${c.exchange}`, 'artifact-source': 'disk' }), error: /^Input 'artifact-source': must be one of store, server \(got 'disk'\)/ },
  { action: 'export-model', description: 'version is an unknown stage', inputs: (c) => ({ ...login(c), model: 'readmission-clf', exchange: `file://${c.exchange}`, version: 'prod' }), error: /prod/ },
  { action: 'export-model', description: 'model does not exist', inputs: (c) => ({ ...login(c), model: 'no-such-model', exchange: `file://${c.exchange}` }), error: /no-such-model/ },
  { action: 'export-model', description: 'model name is 20 kB long', inputs: (c) => ({ ...login(c), model: 'm'.repeat(20_000), exchange: `file://${c.exchange}` }), error: /^Input 'model': is 20000 characters long; ZenML names have at most 255/ },
  {
    action: 'export-model',
    description: 'the model lookup answers an HTML page with status 200',
    setup: fault({ path: '/api/v1/models*', status: 200, rawBody: HTML_PAGE, contentType: 'text/html' }),
    inputs: (c) => ({ ...login(c), model: 'readmission-clf', exchange: `file://${c.exchange}` }),
    error: /not JSON/,
  },
  {
    action: 'export-model',
    description: 'the model version list answers truncated JSON',
    setup: fault({ path: '/api/v1/model_versions', status: 200, rawBody: '{"index": 1, "max_size": 20, "items": [{"id": "', contentType: 'application/json' }),
    inputs: (c) => ({ ...login(c), model: 'readmission-clf', exchange: `file://${c.exchange}` }),
    error: /not JSON/,
  },

  // ---------------------------------------------------------------- import-model: manifests
  { action: 'import-model', description: 'manifest uses http://', inputs: (c) => ({ ...login(c), manifest: 'http://example.com/bundle/manifest.json' }), error: /^Input 'manifest': .*unsupported scheme 'http'/ },
  { action: 'import-model', description: 'manifest is not a manifest.json', inputs: (c) => ({ ...login(c), manifest: `file://${c.exchange}/bundle.tar.gz` }), error: /^Input 'manifest': expected the URI of a bundle's manifest\.json/ },
  { action: 'import-model', description: 'manifest does not exist', inputs: (c) => ({ ...login(c), manifest: `file://${c.exchange}/m/${'0'.repeat(64)}/manifest.json` }), error: /No manifest at/ },
  { action: 'import-model', description: "stage is 'prod'", inputs: (c) => ({ ...login(c), manifest: `file://${c.bundle}/manifest.json`, stage: 'prod' }), error: /^Input 'stage': 'prod' is not a ZenML model stage/ },
  { action: 'import-model', description: "force is 'sure'", inputs: (c) => ({ ...login(c), manifest: `file://${c.bundle}/manifest.json`, force: 'sure' }), error: /^Input 'force': must be true or false/ },
  { action: 'import-model', description: "a file path with a '..' segment", ...bundleCase((m) => void (firstFile(m).path = '../../../etc/passwd')), error: /\.\./ },
  { action: 'import-model', description: 'an absolute file path', ...bundleCase((m) => void (firstFile(m).path = '/etc/passwd')), error: /absolute|relative path/ },
  { action: 'import-model', description: 'a file path with backslashes', ...bundleCase((m) => void (firstFile(m).path = '..\\..\\windows\\win.ini')), error: /backslash/ },
  {
    action: 'import-model',
    description: 'a bundle file is a symlink to /etc/passwd',
    ...bundleCase((m, dir) => {
      const f = firstFile(m);
      const a = m.artifacts[0];
      const p = join(dir, a?.bundleDir ?? '', f.path);
      rmSync(p);
      symlinkSync('/etc/passwd', p);
      f.size = readFileSync('/etc/passwd').length;
    }),
    error: /symlink|not a regular/i,
  },
  {
    action: 'import-model',
    description: 'a file does not match its sha256',
    ...bundleCase((m, dir) => {
      const f = firstFile(m);
      const p = join(dir, m.artifacts[0]?.bundleDir ?? '', f.path);
      const b = readFileSync(p);
      b[0] = (b[0] ?? 0) ^ 0xff;
      writeFileSync(p, b);
    }),
    error: /sha256|digest/,
  },
  { action: 'import-model', description: 'a file declares 10 TiB', ...bundleCase((m) => void (firstFile(m).size = 10 * 1024 ** 4)), error: /declares \d+ bytes/ },
  { action: 'import-model', description: 'a file declares a size other than its own', ...bundleCase((m) => void (firstFile(m).size += 1)), error: /bytes; the manifest says/ },
  { action: 'import-model', description: 'schema version 2', ...bundleCase((m) => void ((m as unknown as { schemaVersion: number }).schemaVersion = 2)), error: /schema version 2/ },
  { action: 'import-model', description: 'the manifest was edited after export (digest mismatch)', ...bundleCase((m) => void (m.metrics = { ...m.metrics, accuracy: 0.999 }), { reseal: false }), error: /does not match its content/ },
  {
    action: 'import-model',
    description: 'the manifest is truncated JSON',
    setup: (c) => {
      const uri = tamperedBundle(c, () => undefined, { reseal: false });
      const path = uri.slice('file://'.length);
      writeFileSync(path, readFileSync(path, 'utf8').slice(0, 200));
      manifests.set(c, uri);
    },
    inputs: (c) => ({ ...login(c), manifest: manifests.get(c) ?? '' }),
    error: /not valid JSON/,
  },

  // ---------------------------------------------------------------- gate-promotion: policies and thresholds
  { action: 'gate-promotion', description: "thresholds use '>>'", inputs: (c) => ({ ...login(c), model: 'readmission-clf', thresholds: 'accuracy >> 0.9' }), error: /^Input 'thresholds': .*unknown operator '>>'/ },
  { action: 'gate-promotion', description: 'thresholds compare with a word', inputs: (c) => ({ ...login(c), model: 'readmission-clf', thresholds: 'accuracy>=high' }), error: /^Input 'thresholds': .*'high', which is not a number/ },
  { action: 'gate-promotion', description: 'thresholds with a decimal comma', inputs: (c) => ({ ...login(c), model: 'readmission-clf', thresholds: 'accuracy>=0,9' }), error: /^Input 'thresholds': .*decimals with a point/ },
  { action: 'gate-promotion', description: 'policy file is not YAML', setup: (c) => writeFileSync(join(c.workspace, 'policy.yml'), 'version: 1\nstages: [production:\n  rules: {'), inputs: (c) => ({ ...login(c), model: 'readmission-clf', policy: 'policy.yml' }), error: /^Input 'policy': policy\.yml: invalid YAML at line/ },
  { action: 'gate-promotion', description: 'policy with an unquoted operator', setup: (c) => writeFileSync(join(c.workspace, 'policy.yml'), 'version: 1\nstages:\n  production:\n    rules:\n      - metric: accuracy\n        op: >=\n        value: 0.9\n'), inputs: (c) => ({ ...login(c), model: 'readmission-clf', policy: 'policy.yml' }), error: /^Input 'policy': policy\.yml: .*(quoted|op)/ },
  { action: 'gate-promotion', description: 'policy of version 2', setup: (c) => writeFileSync(join(c.workspace, 'policy.yml'), VALID_POLICY.replace('version: 1', 'version: 2')), inputs: (c) => ({ ...login(c), model: 'readmission-clf', policy: 'policy.yml' }), error: /^Input 'policy': policy\.yml: version: .*line 1/ },
  { action: 'gate-promotion', description: 'policy with a misspelt key', setup: (c) => writeFileSync(join(c.workspace, 'policy.yml'), VALID_POLICY.replace('rules:', 'rule:')), inputs: (c) => ({ ...login(c), model: 'readmission-clf', policy: 'policy.yml' }), error: /^Input 'policy': policy\.yml: stages\.production\.rule: unknown key 'rule'; did you mean 'rules'\?.*\(line 4\)/ },
  { action: 'gate-promotion', description: 'policy has no section for the target stage', inputs: (c) => ({ ...login(c), model: 'readmission-clf', policy: 'policy.yml', 'target-stage': 'prod' }), error: /^Input 'policy': policy\.yml: stages: no section for target stage 'prod'/ },
  { action: 'gate-promotion', description: 'policy file does not exist', inputs: (c) => ({ ...login(c), model: 'readmission-clf', policy: '.github/nope.yml' }), error: /^Input 'policy': \.github\/nope\.yml: no such file/ },
  { action: 'gate-promotion', description: 'policy is a directory', setup: (c) => mkdirSync(join(c.workspace, 'policies')), inputs: (c) => ({ ...login(c), model: 'readmission-clf', policy: 'policies' }), error: /^Input 'policy': policies: is a directory/ },
  { action: 'gate-promotion', description: 'policy is an empty file', setup: (c) => writeFileSync(join(c.workspace, 'policy.yml'), ''), inputs: (c) => ({ ...login(c), model: 'readmission-clf', policy: 'policy.yml' }), error: /^Input 'policy': policy\.yml: is empty/ },
  { action: 'gate-promotion', description: "max-age is '30 days'", inputs: (c) => ({ ...login(c), model: 'readmission-clf', 'max-age': '30 days' }), error: /^Input 'max-age': expected a duration/ },
  { action: 'gate-promotion', description: 'max-regression is not metric=number', inputs: (c) => ({ ...login(c), model: 'readmission-clf', thresholds: 'f1>=0.8', 'max-regression': 'f1=lots' }), error: /^Input 'max-regression': expected metric=number pairs/ },
  { action: 'gate-promotion', description: 'champion-server-url uses gopher://', inputs: (c) => ({ ...login(c), model: 'readmission-clf', thresholds: 'f1>=0.8', 'champion-server-url': 'gopher://prod' }), error: /^Input 'champion-server-url': must use http or https/ },
  { action: 'gate-promotion', description: 'champion-server-url without champion-api-key', inputs: (c) => ({ ...login(c), model: 'readmission-clf', thresholds: 'f1>=0.8', 'champion-server-url': c.server.url }), error: /^Input 'champion-api-key': is required with champion-server-url/ },
  { action: 'gate-promotion', description: 'nothing to check', inputs: (c) => ({ ...login(c), model: 'readmission-clf' }), error: /^Input 'policy': nothing to check/ },
  { action: 'gate-promotion', description: 'policy is a YAML alias bomb ("billion laughs")', setup: (c) => writeFileSync(join(c.workspace, 'policy.yml'), ALIAS_BOMB), inputs: (c) => ({ ...login(c), model: 'readmission-clf', policy: 'policy.yml' }), error: /^Input 'policy': policy\.yml: .*alias/i },
  { action: 'gate-promotion', description: 'manifest is a bundle with an unknown schema version', setup: (c) => void manifests.set(c, tamperedBundle(c, (m) => void ((m as unknown as { schemaVersion: number }).schemaVersion = 99))), inputs: (c) => ({ manifest: manifests.get(c) ?? '', thresholds: 'accuracy>=0.9' }), error: /schema version 99/ },

  // ---------------------------------------------------------------- promote, rollback
  { action: 'promote', description: "to-stage is 'prod'", inputs: (c) => ({ ...login(c), model: 'readmission-clf', version: '1', 'to-stage': 'prod' }), error: /^Input 'to-stage': .*'prod'/ },
  { action: 'promote', description: 'both version and from-stage', inputs: (c) => ({ ...login(c), model: 'readmission-clf', version: '1', 'from-stage': 'staging', 'to-stage': 'production' }), error: /^Input '(version|from-stage)'/ },
  { action: 'promote', description: 'neither version nor from-stage', inputs: (c) => ({ ...login(c), model: 'readmission-clf', 'to-stage': 'production' }), error: /^Input '(version|from-stage)'/ },
  { action: 'promote', description: 'thresholds with an unknown operator', inputs: (c) => ({ ...login(c), model: 'readmission-clf', 'from-stage': 'staging', 'to-stage': 'production', thresholds: 'accuracy => 0.9' }), error: /^Input 'thresholds': .*did you mean '>='/ },
  { action: 'promote', description: 'source-server-url is not http(s)', inputs: (c) => ({ ...login(c), model: 'readmission-clf', version: 'staging', 'to-stage': 'production', 'source-server-url': 'ssh://dev', 'source-api-key': c.server.apiKey, exchange: `file://${c.exchange}` }), error: /^Input 'source-server-url': must use http or https/ },
  { action: 'promote', description: 'cross-server exchange is an http URL', inputs: (c) => ({ ...login(c), model: 'readmission-clf', version: 'staging', 'to-stage': 'production', 'source-server-url': c.server.url, 'source-api-key': c.server.apiKey, exchange: 'https://example.com/bundles' }), error: /^Input 'exchange': .*unsupported scheme 'https'/ },
  {
    action: 'promote',
    description: 'the stage holder lookup answers a proxy HTML page',
    setup: fault({ path: '/api/v1/model_versions*', status: 200, rawBody: HTML_PAGE, contentType: 'text/html; charset=utf-8' }),
    inputs: (c) => ({ ...login(c), model: 'readmission-clf', 'from-stage': 'staging', 'to-stage': 'production' }),
    error: /not JSON/,
  },
  { action: 'rollback', description: 'reason is white space only', inputs: (c) => ({ ...login(c), model: 'readmission-clf', reason: '   ' }), error: /^Input 'reason': is required/ },
  { action: 'rollback', description: "stage is 'live'", inputs: (c) => ({ ...login(c), model: 'readmission-clf', reason: 'bad model', stage: 'live' }), error: /^Input 'stage': .*'live'/ },
  { action: 'rollback', description: 'to-version does not exist', inputs: (c) => ({ ...login(c), model: 'readmission-clf', reason: 'bad model', stage: 'staging', 'to-version': '99' }), error: /'to-version'|99/ },
  {
    action: 'rollback',
    description: 'the model lookup answers JSON with a text/xml content type',
    setup: fault({ path: '/api/v1/models*', status: 200, rawBody: '<?xml version="1.0"?><error>proxy</error>', contentType: 'text/xml' }),
    inputs: (c) => ({ ...login(c), model: 'readmission-clf', reason: 'bad model' }),
    error: /not JSON/,
  },

  // ---------------------------------------------------------------- run-snapshot, build-snapshot
  { action: 'run-snapshot', description: 'parameters are not YAML', inputs: (c) => ({ ...login(c), snapshot: 'PROD', pipeline: 'p', parameters: 'batch: [1, 2' }), error: /^Input 'parameters': is not valid YAML or JSON/ },
  { action: 'run-snapshot', description: 'parameters are a list', inputs: (c) => ({ ...login(c), snapshot: 'PROD', pipeline: 'p', parameters: '- a\n- b' }), error: /^Input 'parameters': must be a mapping/ },
  { action: 'run-snapshot', description: "timeout is '1 hour'", inputs: (c) => ({ ...login(c), snapshot: 'PROD', pipeline: 'p', timeout: '1 hour' }), error: /^Input 'timeout': expected a duration/ },
  { action: 'run-snapshot', description: "poll-interval is '-5s'", inputs: (c) => ({ ...login(c), snapshot: 'PROD', pipeline: 'p', 'poll-interval': '-5s' }), error: /^Input 'poll-interval': expected a duration/ },
  { action: 'run-snapshot', description: 'snapshot is white space only', inputs: (c) => ({ ...login(c), snapshot: '  ' }), error: /^Input 'snapshot': is required/ },
  {
    action: 'run-snapshot',
    description: 'the snapshot lookup answers an HTML error page with 200',
    setup: fault({ path: '/api/v1/pipeline*', status: 200, rawBody: HTML_PAGE, contentType: 'text/html' }),
    inputs: (c) => ({ ...login(c), snapshot: 'PROD', pipeline: 'batch' }),
    error: /not JSON/,
  },
  { action: 'build-snapshot', description: 'both from-run and pipeline', inputs: (c) => ({ ...login(c), 'from-run': 'r', pipeline: 'src.p' }), error: /^Input 'from-run': or pipeline: give exactly one/ },
  { action: 'build-snapshot', description: 'neither from-run nor pipeline', inputs: (c) => login(c), error: /^Input 'from-run': or pipeline: give exactly one/ },
  { action: 'build-snapshot', description: "replace is 'maybe'", inputs: (c) => ({ ...login(c), 'from-run': 'r', replace: 'maybe' }), error: /^Input 'replace': must be true or false/ },
  { action: 'build-snapshot', description: 'from-run does not exist', inputs: (c) => ({ ...login(c), 'from-run': 'no-such-run' }), error: /no-such-run/ },
];
