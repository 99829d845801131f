import { InputError, ZenmlApiError } from '../errors.js';
import { boolean, httpUrl, optionalString, requiredString, stringWithDefault } from './input-types.js';
import { runAction, type Runtime } from './run-action.js';

interface Recorded {
  rt: Runtime;
  log: string[];
  outputs: Record<string, string>;
  exported: Record<string, string>;
  summary: string[];
  failed: string[];
  masked: string[];
}

function fakeRuntime(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}, debug = false): Recorded {
  const r: Omit<Recorded, 'rt'> = { log: [], outputs: {}, exported: {}, summary: [], failed: [], masked: [] };
  const rt: Runtime = {
    getInput: (n) => inputs[n] ?? '',
    setSecret: (v) => {
      r.masked.push(v);
      r.log.push(`::add-mask::${v}`);
    },
    group: async (name, fn) => {
      r.log.push(`::group::${name}`);
      try {
        return await fn();
      } finally {
        r.log.push('::endgroup::');
      }
    },
    info: (m) => r.log.push(m),
    warning: (m) => r.log.push(`::warning::${m}`),
    debug: (m) => r.log.push(`::debug::${m}`),
    isDebug: () => debug,
    setOutput: (n, v) => (r.outputs[n] = v),
    exportVariable: (n, v) => (r.exported[n] = v),
    appendSummary: async (md) => void r.summary.push(md),
    setFailed: (m) => r.failed.push(m),
    env,
  };
  return { ...r, rt };
}

const specs = {
  'server-url': httpUrl({ env: 'ZENML_STORE_URL' }),
  'api-key': requiredString({ env: 'ZENML_STORE_API_KEY', secret: true }),
  project: stringWithDefault('default'),
  stack: optionalString(),
  'export-env': boolean(true),
};

const KEY = 'ZENKEY_c2VjcmV0LXNlY3JldC1zZWNyZXQ=';

describe('runAction', () => {
  it('masks the secret inputs before anything else is logged, and passes typed inputs', async () => {
    const rec = fakeRuntime({ 'server-url': 'https://zenml.example.com/', 'api-key': ` ${KEY} `, stack: '  ' });
    let seen: unknown;
    const code = await runAction(
      {
        name: 't',
        inputs: specs,
        async run(ctx) {
          seen = ctx.inputs;
          ctx.info('hello');
        },
      },
      rec.rt,
    );
    expect(code).toBe(0);
    expect(rec.log[0]).toBe(`::add-mask::${KEY}`);
    expect(seen).toEqual({ 'server-url': 'https://zenml.example.com', 'api-key': KEY, project: 'default', stack: undefined, 'export-env': true });
  });

  it('falls back to the environment variable named for the input', async () => {
    const rec = fakeRuntime({}, { ZENML_STORE_URL: 'http://127.0.0.1:8080', ZENML_STORE_API_KEY: KEY });
    let url = '';
    await runAction({ name: 't', inputs: specs, run: async (ctx) => void (url = ctx.inputs['server-url']) }, rec.rt);
    expect(url).toBe('http://127.0.0.1:8080');
    expect(rec.masked).toContain(KEY);
  });

  it.each([
    [{ 'api-key': KEY }, "Input 'server-url': is required (or set ZENML_STORE_URL)"],
    [{ 'server-url': 'ftp://x', 'api-key': KEY }, "Input 'server-url': must use http or https (got 'ftp')"],
    [{ 'server-url': 'not a url', 'api-key': KEY }, "Input 'server-url': must be an http(s) URL such as https://zenml.example.com (got 'not a url')"],
    [{ 'server-url': 'https://u:p@h', 'api-key': KEY }, "Input 'server-url': must not carry credentials; pass the key in api-key"],
    [{ 'server-url': 'https://h' }, "Input 'api-key': is required (or set ZENML_STORE_API_KEY)"],
    [{ 'server-url': 'https://h', 'api-key': '   ' }, "Input 'api-key': is required (got only white space)"],
    [{ 'server-url': 'https://h', 'api-key': KEY, 'export-env': 'yes' }, "Input 'export-env': must be true or false (got 'yes')"],
  ])('rejects bad input %j with one line naming it', async (inputs, line) => {
    const rec = fakeRuntime(inputs as Record<string, string>);
    let ran = false;
    const code = await runAction({ name: 't', inputs: specs, run: async () => void (ran = true) }, rec.rt);
    expect(code).toBe(1);
    expect(ran).toBe(false);
    expect(rec.failed).toEqual([line]);
    expect(rec.log.some((l) => l.startsWith('::debug::'))).toBe(false); // no stack trace for a user error
  });

  it('reports a suite error as its one line, and an unexpected one with a debug stack', async () => {
    const rec = fakeRuntime({ 'server-url': 'https://h', 'api-key': KEY });
    await runAction(
      { name: 't', inputs: specs, run: async () => Promise.reject(new ZenmlApiError(404, 'GET', '/api/v1/projects/x', 'KeyError', 'nope')) },
      rec.rt,
    );
    expect(rec.failed).toEqual(['ZenML API GET /api/v1/projects/x failed with 404 (KeyError: nope).']);

    const rec2 = fakeRuntime({ 'server-url': 'https://h', 'api-key': KEY });
    await runAction({ name: 'zenml-login', inputs: specs, run: async () => Promise.reject(new TypeError('boom\nmore')) }, rec2.rt);
    expect(rec2.failed[0]).toMatch(/^zenml-login failed unexpectedly: boom \(/);
    expect(rec2.log.some((l) => l.startsWith('::debug::TypeError: boom'))).toBe(true);
  });

  it('scrubs secrets, in every encoding, from outputs, summary, logs and the failure line', async () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    const rec = fakeRuntime({ 'server-url': 'https://h', 'api-key': KEY });
    await runAction(
      {
        name: 't',
        inputs: specs,
        async run(ctx) {
          ctx.secret(token);
          ctx.setOutput('o', `key=${KEY}`);
          ctx.info(`token ${token} b64 ${Buffer.from(KEY).toString('base64')} url ${encodeURIComponent(KEY)}`);
          ctx.summary(`| ${token} |`);
          throw new InputError('x', `bad ${KEY}`);
        },
      },
      rec.rt,
    );
    const visible = [...rec.log.filter((l) => !l.startsWith('::add-mask::')), ...Object.values(rec.outputs), ...rec.summary, ...rec.failed].join('\n');
    for (const s of [KEY, token, Buffer.from(KEY).toString('base64'), encodeURIComponent(KEY)]) expect(visible).not.toContain(s);
    expect(rec.outputs.o).toBe('key=***');
    expect(rec.masked).toEqual([KEY, token]);
  });

  it('writes the summary built so far even when the action fails', async () => {
    const rec = fakeRuntime({ 'server-url': 'https://h', 'api-key': KEY });
    await runAction(
      {
        name: 't',
        inputs: specs,
        async run(ctx) {
          ctx.summary('partial');
          throw new InputError('project', 'no project');
        },
      },
      rec.rt,
    );
    expect(rec.summary).toEqual(['partial']);
  });
});
