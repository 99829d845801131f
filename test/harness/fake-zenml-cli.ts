/**
 * A stand-in `zenml` executable for tests of code that shells out to the ZenML CLI. It records
 * its argv and the ZenML env it was given, and for `pipeline snapshot create` it creates the
 * snapshot on the (test) server over REST, the way the real CLI would, with the key it was given.
 *
 * Controlled through env vars the test passes in the CLI's env:
 *   FAKE_ZENML_PIPELINE_ID, FAKE_ZENML_STACK_ID (required to create), FAKE_ZENML_BUILD_ID,
 *   FAKE_ZENML_GIT_COMMIT, FAKE_ZENML_FAIL (a message: printed to stderr, exit 1).
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeZenmlCall {
  argv: string[];
  env: { ZENML_STORE_URL?: string; ZENML_STORE_API_KEY?: string; ZENML_ACTIVE_PROJECT_ID?: string };
  createdSnapshotId?: string;
}

export interface FakeZenml {
  /** Put this directory on PATH. */
  binDir: string;
  calls(): FakeZenmlCall[];
}

const SCRIPT = String.raw`
const fs = require('node:fs');
const record = process.env.FAKE_ZENML_RECORD;
const argv = process.argv.slice(2);
const call = { argv, env: {
  ZENML_STORE_URL: process.env.ZENML_STORE_URL,
  ZENML_STORE_API_KEY: process.env.ZENML_STORE_API_KEY,
  ZENML_ACTIVE_PROJECT_ID: process.env.ZENML_ACTIVE_PROJECT_ID,
} };
const save = () => {
  const all = fs.existsSync(record) ? JSON.parse(fs.readFileSync(record, 'utf8')) : [];
  all.push(call);
  fs.writeFileSync(record, JSON.stringify(all));
};
(async () => {
  if (process.env.FAKE_ZENML_FAIL) {
    save();
    process.stdout.write('Initializing...\n');
    process.stderr.write('Traceback (most recent call last):\n  File "x.py", line 1\n' + process.env.FAKE_ZENML_FAIL + '\n');
    process.exit(1);
  }
  const [a, b, c, source] = argv;
  if (a !== 'pipeline' || b !== 'snapshot' || c !== 'create') { save(); process.exit(0); }
  const name = argv[argv.indexOf('--name') + 1];
  const url = process.env.ZENML_STORE_URL;
  const login = await fetch(url + '/api/v1/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ password: process.env.ZENML_STORE_API_KEY || '' }),
  });
  if (!login.ok) { process.stderr.write('RuntimeError: login failed ' + login.status + '\n'); process.exit(2); }
  const token = (await login.json()).access_token;
  const body = {
    name, run_name_template: '{pipeline_name}-{date}-{time}',
    pipeline_configuration: { name: source.split('.').pop() },
    pipeline: process.env.FAKE_ZENML_PIPELINE_ID, stack: process.env.FAKE_ZENML_STACK_ID,
  };
  if (process.env.FAKE_ZENML_BUILD_ID) body.build = process.env.FAKE_ZENML_BUILD_ID;
  if (process.env.FAKE_ZENML_GIT_COMMIT) body.code_reference = { commit: process.env.FAKE_ZENML_GIT_COMMIT };
  const auth = { authorization: 'Bearer ' + token };
  const project = encodeURIComponent(process.env.ZENML_ACTIVE_PROJECT_ID || 'default');
  const p = await fetch(url + '/api/v1/projects/' + project, { headers: auth });
  if (!p.ok) { process.stderr.write('KeyError: no project ' + project + '\n'); process.exit(1); }
  body.project = (await p.json()).id;
  const res = await fetch(url + '/api/v1/pipeline_snapshots', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify(body),
  });
  const out = await res.json();
  if (!res.ok) { save(); process.stderr.write('RuntimeError: ' + JSON.stringify(out) + '\n'); process.exit(1); }
  call.createdSnapshotId = out.id;
  save();
  process.stdout.write('Created pipeline snapshot ' + name + '.\n');
})().catch((e) => { process.stderr.write(String(e) + '\n'); process.exit(3); });
`;

/** Writes `zenml` into a fresh temp dir; its calls are recorded in `FAKE_ZENML_RECORD` (set in env). */
export function installFakeZenml(): FakeZenml & { env: Record<string, string> } {
  const binDir = mkdtempSync(join(tmpdir(), 'fake-zenml-'));
  const record = join(binDir, 'calls.json');
  const bin = join(binDir, 'zenml');
  writeFileSync(bin, `#!${process.execPath}\n${SCRIPT}`);
  chmodSync(bin, 0o755);
  return {
    binDir,
    env: { FAKE_ZENML_RECORD: record },
    calls: () => (existsSync(record) ? (JSON.parse(readFileSync(record, 'utf8')) as FakeZenmlCall[]) : []),
  };
}
