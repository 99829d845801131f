/** The runner protocol as the runner reads it: commands on stdout, key<<delimiter blocks in files. */
import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFileCommand } from '../../../../test/harness/run-bundle.js';
import { runnerRuntime as rt } from './runner-protocol.js';

describe('runnerRuntime', () => {
  let dir: string;
  let out: string[];
  const saved = { ...process.env };
  const savedExitCode = process.exitCode;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'runner-protocol-'));
    out = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      out.push(String(s));
      return true;
    });
    for (const f of ['output', 'env', 'summary']) writeFileSync(join(dir, f), '');
    process.env.GITHUB_OUTPUT = join(dir, 'output');
    process.env.GITHUB_ENV = join(dir, 'env');
    process.env.GITHUB_STEP_SUMMARY = join(dir, 'summary');
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = { ...saved };
    process.exitCode = savedExitCode;
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads INPUT_<NAME> (spaces as underscores, upper case), trimmed; absent is empty', () => {
    process.env['INPUT_SERVER-URL'] = '  http://x  ';
    process.env.INPUT_MY_INPUT = 'v';
    expect(rt.getInput('server-url')).toBe('http://x');
    expect(rt.getInput('my input')).toBe('v');
    expect(rt.getInput('absent')).toBe('');
  });

  it('writes outputs and variables as delimited blocks (multi-line safe) and exports to process.env', () => {
    rt.setOutput('manifest-uri', 'file:///x/manifest.json');
    rt.setOutput('multi', 'line 1\nline 2');
    rt.exportVariable('ZENML_STORE_URL', 'http://server');
    expect(parseFileCommand(readFileSync(join(dir, 'output'), 'utf8'))).toEqual({ 'manifest-uri': 'file:///x/manifest.json', multi: 'line 1\nline 2' });
    expect(parseFileCommand(readFileSync(join(dir, 'env'), 'utf8'))).toEqual({ ZENML_STORE_URL: 'http://server' });
    expect(process.env.ZENML_STORE_URL).toBe('http://server');
    expect(out.join('')).toBe('');
  });

  it('masks, groups, warns and fails with escaped workflow commands; setFailed sets exit code 1', async () => {
    rt.setSecret('s3cr%t\nline');
    const r = await rt.group('Phase', async () => {
      rt.info('plain line');
      return 42;
    });
    rt.warning('careful: 50%');
    rt.debug('details');
    rt.setFailed('it broke\nbadly');
    expect(r).toBe(42);
    expect(out.join('').split('\n')).toEqual([
      '::add-mask::s3cr%25t%0Aline',
      '::group::Phase',
      'plain line',
      '::endgroup::',
      '::warning::careful: 50%25',
      '::debug::details',
      '::error::it broke%0Abadly',
      '',
    ]);
    expect(process.exitCode).toBe(1);
  });

  it('appends to the job summary, and does nothing without one', async () => {
    await rt.appendSummary('## Title\n| a |');
    expect(readFileSync(join(dir, 'summary'), 'utf8')).toBe('## Title\n| a |\n');
    delete process.env.GITHUB_STEP_SUMMARY;
    await expect(rt.appendSummary('x')).resolves.toBeUndefined();
  });

  it('a runner file that is set but missing is an error, as with the toolkit', () => {
    process.env.GITHUB_OUTPUT = join(dir, 'missing');
    expect(() => rt.setOutput('a', 'b')).toThrow(/Missing file at path/);
  });
});
