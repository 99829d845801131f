import { SpecValidator } from './src/contract.js';
import { startTestServer } from './src/index.js';
const SPEC = new URL('../core/openapi/zenml-api.yaml', import.meta.url).pathname;
const v = SpecValidator.fromFile(SPEC);
for (const mode of ['oss', 'pro'] as const) {
  const s = await startTestServer({ recordResponses: true, mode } as any);
  const call = async (method: string, path: string, opts: { token?: string; json?: unknown; form?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.json !== undefined) { headers['content-type'] = 'application/json'; body = JSON.stringify(opts.json); }
    if (opts.form) { headers['content-type'] = 'application/x-www-form-urlencoded'; body = new URLSearchParams(opts.form).toString(); }
    const r = await fetch(s.url + path, { method, headers, body });
    const t = await r.text();
    let j: any; try { j = JSON.parse(t); } catch { j = t; }
    return { status: r.status, body: j };
  };
  const token = (await call('POST', '/api/v1/login', { form: { password: s.apiKey } })).body.access_token;
  const c = (m: string, p: string, json?: unknown) => call(m, p, { token, json });
  await call('GET', '/api/v1/version'); await call('GET', '/health');
  await call('POST', '/api/v1/login', {});
  const proj = await c('POST', '/api/v1/projects', { name: 'p1', display_name: 'P1', description: 'd' });
  await c('POST', '/api/v1/projects', { name: 'p1' });
  await c('POST', '/api/v1/projects', { name: 'Bad Name' });
  const projectId = proj.body.id;
  const tag = await c('POST', '/api/v1/tags', { name: 't1' });
  await c('GET', `/api/v1/tags/${tag.body.id}`); await c('GET', '/api/v1/tags/nope'); await c('GET', '/api/v1/tags/00000000-0000-0000-0000-000000000000');
  const stacks = await c('GET', '/api/v1/stacks?name=default');
  const stackId = stacks.body.items[0]?.id;
  const pipe = await c('POST', '/api/v1/pipelines', { project: projectId, name: 'pp' });
  const build = await c('POST', '/api/v1/pipeline_builds', { project: projectId, pipeline: pipe.body.id, stack: stackId, images: { orchestrator: { image: 'x:1' } }, is_local: false, contains_code: true });
  await c('POST', '/api/v1/pipeline_builds', { pipeline: pipe.body.id });
  await c('GET', `/api/v1/pipeline_builds?project=${projectId}&hydrate=true`);
  await c('GET', `/api/v1/pipeline_builds/${build.body.id}`);
  await c('GET', `/api/v1/pipeline_builds?project=nope`);
  const snap = await c('POST', '/api/v1/pipeline_snapshots', { project: projectId, run_name_template: 'r', pipeline_configuration: { name: 'pp' }, stack: stackId, pipeline: pipe.body.id, build: build.body.id, name: 'snap' });
  await c('POST', '/api/v1/pipeline_snapshots', { project: projectId, run_name_template: 'r', pipeline_configuration: { name: 'pp' }, stack: stackId, pipeline: pipe.body.id, name: 'snap' });
  await c('POST', '/api/v1/pipeline_snapshots', { project: projectId });
  const run = await c('POST', `/api/v1/pipeline_snapshots/${snap.body.id}/runs`, { run_configuration: { run_name: 'x' } });
  await c('POST', `/api/v1/pipeline_snapshots/${snap.body.id}/runs`, { run_configuration: { run_name: 'x' } });
  if (run.body?.id) { await c('GET', `/api/v1/runs/${run.body.id}/steps`); await c('GET', `/api/v1/runs/${run.body.id}/status`); }
  await c('GET', '/api/v1/runs/not-a-uuid/status');
  await c('GET', '/api/v1/runs/not-a-uuid/steps');
  await c('GET', '/api/v1/artifact_versions/not-a-uuid/download-token');
  await c('GET', '/api/v1/artifact_versions/00000000-0000-0000-0000-000000000000/download-token');
  await call('GET', '/api/v1/artifact_versions/00000000-0000-0000-0000-000000000000/data');
  await call('GET', '/api/v1/artifact_versions/not-a-uuid/data?token=x');
  await call('GET', '/api/v1/artifact_versions/00000000-0000-0000-0000-000000000000/data?token=x');
  await c('GET', '/api/v1/tags/');
  await c('GET', '/api/v1/pipeline_builds/');
  for (const ex of s.exchanges) {
    const p = v.check(ex);
    console.log(mode, ex.method, ex.path, ex.status, p ? `PROBLEM: ${p}` : 'ok', ex.status >= 400 ? (ex.body?.toString() ?? '<no body>').slice(0, 140) : '');
  }
  await s.close();
}
