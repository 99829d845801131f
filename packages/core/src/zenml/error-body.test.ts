import { ZenmlApiError } from '../errors.js';
import { apiErrorFrom, apiErrorFromResponse, parseErrorBody } from './error-body.js';
import { redactedPath } from './redact.js';
import { realBody } from './__fixtures__/fake.js';

const text = (v: unknown) => JSON.stringify(v);

describe('parseErrorBody', () => {
  it('reads {"detail": [cls, msg]} (real 0.60 capture)', () => {
    expect(parseErrorBody(text(realBody('13-create-model-duplicate.json')))).toEqual({
      exceptionClass: 'EntityExistsError',
      message: 'Unable to create model ts-test-model: A model with this name already exists.',
    });
  });

  it('strips the quotes str(KeyError) adds (real 0.60 capture)', () => {
    expect(parseErrorBody(text(realBody('26-get-model-version-404.json')))).toEqual({
      exceptionClass: 'KeyError',
      message:
        "Unable to get model_version with name or ID '00000000-0000-0000-0000-000000000000': No model_version with this ID found.",
    });
    expect(parseErrorBody(text({ detail: ['KeyError', "'No model named x'"] })).message).toBe('No model named x');
  });

  it('reads {"detail": "msg"} (real 0.60 capture)', () => {
    expect(parseErrorBody(text(realBody('27-bad-token.json')))).toEqual({
      message: 'Authentication error: error decoding access token: Invalid JWT token: Not enough segments.',
    });
  });

  it('reads the bare [cls, msg] of 422s', () => {
    expect(parseErrorBody(text(['ValueError', "1 validation error for ModelVersionUpdate\nstage\n  Input should be 'none'"]))).toEqual({
      exceptionClass: 'ValueError',
      message: "1 validation error for ModelVersionUpdate stage Input should be 'none'",
    });
  });

  it("reads FastAPI's {detail: [{loc, msg, type}]}", () => {
    const body = { detail: [{ loc: ['body', 'project'], msg: 'Field required', type: 'missing' }, { loc: ['query', 'size'], msg: 'too big', type: 'x' }] };
    expect(parseErrorBody(text(body))).toEqual({ exceptionClass: 'ValidationError', message: 'body.project: Field required; query.size: too big' });
  });

  it('handles empty bodies and proxy pages without dumping them', () => {
    expect(parseErrorBody('')).toEqual({ message: '' });
    const html = `<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>${'<p>noise</p>'.repeat(500)}</body></html>`;
    expect(parseErrorBody(html, 'text/html')).toEqual({ message: 'HTML page: 502 Bad Gateway' });
    const untitled = `<html><body>${'x'.repeat(5000)}</body></html>`;
    expect(parseErrorBody(untitled).message.length).toBeLessThanOrEqual(200);
    expect(parseErrorBody('upstream connect error '.repeat(100), 'text/plain').message.length).toBeLessThanOrEqual(200);
    expect(parseErrorBody('{"unexpected": true}').message).toBe('{"unexpected": true}');
  });
});

describe('ZenmlApiError from responses', () => {
  it('carries status, method, path, class and message in one line', async () => {
    const res = new Response(text(realBody('21-set-stage-production-conflict.json')), { status: 500 });
    const err = await apiErrorFromResponse(res, 'put', 'https://z.example/api/v1/model_versions/18431f79');
    expect(err).toBeInstanceOf(ZenmlApiError);
    expect(err).toMatchObject({ status: 500, method: 'PUT', path: '/api/v1/model_versions/18431f79', exceptionClass: 'RuntimeError' });
    expect(err.oneLine()).toBe(
      'ZenML API PUT /api/v1/model_versions/18431f79 failed with 500 (RuntimeError: Model version v1 is in production, but `force` flag is False.).',
    );
  });

  it('hints at the fix for 401, 402, 403 and a trailing-slash 404', () => {
    const parsed = { message: 'x' };
    expect(apiErrorFrom(401, 'GET', 'https://z/api/v1/current-user', parsed).hint).toMatch(/API key is invalid, expired or deactivated.*create a new one/);
    expect(apiErrorFrom(402, 'POST', 'https://z/api/v1/models', parsed).hint).toMatch(/Pro plan/);
    expect(apiErrorFrom(403, 'PUT', 'https://z/api/v1/model_versions/1', parsed).hint).toMatch(/permission/);
    expect(apiErrorFrom(404, 'GET', 'https://z/api/v1/models/', { message: '' }).hint).toMatch(/trailing slash/);
    expect(apiErrorFrom(404, 'POST', 'https://z/api/v1/pipeline_snapshots/1/runs', { message: '' }).hint).toMatch(/ZenML Pro/);
    expect(apiErrorFrom(409, 'POST', 'https://z/api/v1/models', parsed).hint).toBeUndefined();
  });

  it('never puts a token or key into the message', async () => {
    const secret = 'eyJhbGciOiJIUzI1NiJ9.download.token';
    const res = new Response(text({ detail: `bad token ${secret}` }), { status: 400 });
    const err = await apiErrorFromResponse(res, 'GET', `https://z/api/v1/artifact_versions/1/data?token=${secret}&x=1`, [secret]);
    expect(err.message).not.toContain(secret);
    expect(err.path).toBe('/api/v1/artifact_versions/1/data?token=***&x=1');
    expect(redactedPath('/a?password=p&api_key=k&keep=1')).toBe('/a?password=***&api_key=***&keep=1');
  });

  it('leaves no prefix of a token that the message length limit would have cut through', async () => {
    const secret = `eyJhbGciOiJIUzI1NiJ9.${'c'.repeat(120)}.${'s'.repeat(60)}`;
    // The token starts just before the 500-character cut, so only its head would fit in the message.
    const res = new Response(text({ detail: `${'x'.repeat(440)} Authorization: Bearer ${secret}` }), { status: 500 });
    const err = await apiErrorFromResponse(res, 'POST', 'https://z/api/v1/pipeline_snapshots/1/runs', [secret]);
    expect(err.message).not.toContain('eyJhbGciOiJIUzI1NiJ9');
    expect(err.message).toContain('Bearer ***');
  });
});
