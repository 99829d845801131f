import { createHash } from 'node:crypto';
import { BlockBlobClient } from '@azure/storage-blob';
import { startArtifactService, type ArtifactService } from './artifact-service.js';

/** The twirp API as the library calls it: JSON, snake_case, bearer token. */
async function twirp(svc: ArtifactService, method: string, body: object, token = svc.env.ACTIONS_RUNTIME_TOKEN!): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(new URL(`/twirp/github.actions.results.api.v1.ArtifactService/${method}`, svc.env.ACTIONS_RESULTS_URL), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('local artifact service (twirp + Azurite)', () => {
  let svc: ArtifactService;
  let startMs = 0;

  beforeAll(async () => {
    const t0 = Date.now();
    svc = await startArtifactService();
    startMs = Date.now() - t0;
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('starts quickly and hands out an Actions-like env', () => {
    // ~1 s here, nearly all of it Azurite loading its modules; generous bound for loaded machines.
    expect(startMs).toBeLessThan(5000);
    const env = svc.env;
    expect(env.ACTIONS_RESULTS_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(env.GITHUB_SERVER_URL).toBe('https://github.com');
    const claims = JSON.parse(Buffer.from(env.ACTIONS_RUNTIME_TOKEN!.split('.')[1]!, 'base64url').toString()) as { scp: string };
    expect(claims.scp).toContain(`Actions.Results:${svc.runBackendId}:${svc.jobBackendId}`);
  });

  it('create → put blocks to the SAS URL → finalize → list → signed download URL', async () => {
    const ids = { workflow_run_backend_id: svc.runBackendId, workflow_job_run_backend_id: svc.jobBackendId };
    const bytes = Buffer.from('{"hello":"peer"}\n');
    const created = await twirp(svc, 'CreateArtifact', { ...ids, name: 'peer.json', version: 7, mime_type: 'application/json' });
    expect(created.status).toBe(200);
    expect(created.json.ok).toBe(true);
    const uploadUrl = String(created.json.signed_upload_url);
    expect(uploadUrl).toContain('sig=');

    await new BlockBlobClient(uploadUrl).uploadData(bytes, { blobHTTPHeaders: { blobContentType: 'application/json' } });
    const hash = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

    // Unfinalized artifacts are invisible; a wrong size is refused.
    expect((await twirp(svc, 'ListArtifacts', { ...ids, name_filter: 'peer.json' })).json.artifacts).toEqual([]);
    expect((await twirp(svc, 'FinalizeArtifact', { ...ids, name: 'peer.json', size: '1' })).status).toBe(400);
    const fin = await twirp(svc, 'FinalizeArtifact', { ...ids, name: 'peer.json', size: String(bytes.length), hash });
    expect(fin.json).toEqual({ ok: true, artifact_id: expect.stringMatching(/^\d+$/) });

    // Another job of the same run sees it.
    const other = svc.jobEnv().ACTIONS_RUNTIME_TOKEN!;
    const list = await twirp(svc, 'ListArtifacts', { ...ids, id_filter: fin.json.artifact_id }, other);
    expect(list.json.artifacts).toEqual([
      expect.objectContaining({ name: 'peer.json', database_id: fin.json.artifact_id, size: String(bytes.length), digest: hash }),
    ]);

    const signed = await twirp(svc, 'GetSignedArtifactURL', { ...ids, name: 'peer.json' }, other);
    const res = await fetch(String(signed.json.signed_url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('content-disposition')).toContain('filename="peer.json"');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);

    // Names are unique per run.
    const dup = await twirp(svc, 'CreateArtifact', { ...ids, name: 'peer.json', version: 7 });
    expect(dup).toEqual({ status: 409, json: { code: 'already_exists', msg: expect.stringContaining('already exists') } });

    const del = await twirp(svc, 'DeleteArtifact', { ...ids, name: 'peer.json' });
    expect(del.json).toEqual({ ok: true, artifact_id: fin.json.artifact_id });
    expect((await fetch(String(signed.json.signed_url))).status).toBe(404);
  });

  it('answers twirp errors as {code, msg}', async () => {
    const ids = { workflow_run_backend_id: svc.runBackendId, workflow_job_run_backend_id: svc.jobBackendId };
    expect(await twirp(svc, 'GetSignedArtifactURL', { ...ids, name: 'nope' })).toEqual({ status: 404, json: { code: 'not_found', msg: expect.any(String) } });
    expect((await twirp(svc, 'NoSuchMethod', ids)).json.code).toBe('bad_route');
    expect((await twirp(svc, 'ListArtifacts', ids, 'a.b.c')).status).toBe(401);
    const foreign = svc.jobEnv({ runBackendId: 'another-run' }).ACTIONS_RUNTIME_TOKEN!;
    expect((await twirp(svc, 'ListArtifacts', ids, foreign)).json.code).toBe('permission_denied');
  });

  it('stops cleanly: Azurite gone, ports closed', async () => {
    const s = await startArtifactService();
    const t0 = Date.now();
    await s.stop();
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(alive(s.azuritePid)).toBe(false);
    await expect(fetch(s.env.ACTIONS_RESULTS_URL!)).rejects.toThrow();
    await expect(fetch(s.blobEndpoint)).rejects.toThrow();
    await s.stop(); // idempotent
  });
});
