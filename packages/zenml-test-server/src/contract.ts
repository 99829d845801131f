/**
 * Checks recorded responses against the OpenAPI 3.1 description of the ZenML
 * routes (packages/core/openapi/zenml-api.yaml): for each (method, route,
 * status) the spec must describe the response, and a JSON body must validate
 * against its schema. Used by this package's tests; exported as
 * `@mlops-actions/zenml-test-server/contract` for other suites.
 *
 * OpenAPI 3.1 schemas are JSON Schema 2020-12, so the whole document is
 * registered with Ajv2020 and response schemas are referenced by JSON pointer.
 */
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import type { Exchange } from './request-log.js';

type Obj = Record<string, unknown>;

const SPEC_ID = 'zenml-openapi';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON-pointer escaping of one reference token. */
const esc = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** `/api/v1/models/{model_id}` → `/api/v1/models/{}`: routes match whatever the params are called. */
const shape = (template: string): string => template.replace(/\{[^}]+\}/g, '{}');

export interface ContractProblem {
  method: string;
  path: string;
  route: string | null;
  status: number;
  problem: string;
}

export class SpecValidator {
  private readonly ajv: InstanceType<typeof Ajv2020>;
  private readonly spec: Obj;
  /** shape → spec path key */
  private readonly paths = new Map<string, string>();
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(specText: string) {
    const spec: unknown = parse(specText);
    if (!isObj(spec) || !isObj(spec['paths'])) throw new Error('not an OpenAPI document: no `paths`');
    this.spec = spec;
    for (const key of Object.keys(spec['paths'])) this.paths.set(shape(key), key);
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats(this.ajv);
    this.ajv.addFormat('binary', true);
    this.ajv.addSchema(spec as object, SPEC_ID);
  }

  static fromFile(path: string): SpecValidator {
    return new SpecValidator(readFileSync(path, 'utf8'));
  }

  /** The spec path key describing a route template or a concrete request path, if any. */
  specPathFor(routeOrPath: string): string | null {
    const direct = this.paths.get(shape(routeOrPath));
    if (direct) return direct;
    // A concrete path (no route matched on the server): try every template.
    const segs = routeOrPath.split('/');
    for (const [s, key] of this.paths) {
      const t = s.split('/');
      if (t.length === segs.length && t.every((p, i) => p === '{}' || p === segs[i])) return key;
    }
    return null;
  }

  private resolveResponse(pointerBase: string, response: unknown): { pointer: string; obj: Obj } | null {
    if (!isObj(response)) return null;
    const ref = response['$ref'];
    if (typeof ref === 'string') {
      if (!ref.startsWith('#/')) return null;
      let node: unknown = this.spec;
      for (const tok of ref.slice(2).split('/')) {
        node = isObj(node) ? node[tok.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
      }
      return isObj(node) ? { pointer: ref, obj: node } : null;
    }
    return { pointer: pointerBase, obj: response };
  }

  private validator(pointer: string): ValidateFunction {
    let v = this.compiled.get(pointer);
    if (!v) {
      v = this.ajv.compile({ $ref: `${SPEC_ID}${pointer}` });
      this.compiled.set(pointer, v);
    }
    return v;
  }

  /** Null when the exchange conforms; otherwise what is wrong. */
  check(ex: Exchange): string | null {
    const method = ex.method.toLowerCase();
    const bodyText = ex.body && ex.body.length ? ex.body.toString('utf8') : '';

    if (ex.route === null) {
      // No server route: only the catch-all may answer (404, no body under /api).
      const specPath = this.specPathFor(ex.path);
      if (ex.status !== 404) return `no route matched but status is ${ex.status}`;
      if (ex.path.startsWith('/api/') && bodyText !== '') return 'catch-all 404 must have no body';
      if (specPath) {
        const op = (this.spec['paths'] as Obj)[specPath];
        const responses = isObj(op) && isObj(op[method]) ? (op[method] as Obj)['responses'] : undefined;
        if (isObj(responses) && !('404' in responses) && !('4XX' in responses) && !('default' in responses)) {
          return `spec path ${specPath} does not describe a 404 for ${ex.method}`;
        }
      }
      return null;
    }

    const specPath = this.specPathFor(ex.route);
    if (!specPath) return `route ${ex.route} is not described by the spec`;
    const item = (this.spec['paths'] as Obj)[specPath];
    if (!isObj(item) || !HTTP_METHODS.includes(method) || !isObj(item[method])) {
      return `${ex.method} ${specPath} is not described by the spec`;
    }
    const responses = (item[method] as Obj)['responses'];
    if (!isObj(responses)) return `${ex.method} ${specPath} has no responses`;
    const code = String(ex.status);
    const key = code in responses ? code : `${code[0]}XX` in responses ? `${code[0]}XX` : 'default' in responses ? 'default' : null;
    if (key === null) return `${ex.method} ${specPath} does not describe status ${code}`;
    const base = `#/paths/${esc(specPath)}/${method}/responses/${esc(key)}`;
    const resolved = this.resolveResponse(base, responses[key]);
    if (!resolved) return `${ex.method} ${specPath} ${code}: unresolvable response object`;
    const content = resolved.obj['content'];
    if (!isObj(content) || Object.keys(content).length === 0) {
      return bodyText === '' ? null : `${ex.method} ${specPath} ${code}: spec describes no body but one was sent`;
    }
    const mediaType = (ex.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!(mediaType in content)) {
      return `${ex.method} ${specPath} ${code}: content type '${mediaType}' not in spec (${Object.keys(content).join(', ')})`;
    }
    const media = content[mediaType];
    if (!isObj(media) || media['schema'] === undefined) return null;
    if (!mediaType.includes('json')) return null; // binary payloads: only the media type is checked
    if (bodyText === '') return `${ex.method} ${specPath} ${code}: empty body, spec describes ${mediaType}`;
    let value: unknown;
    try {
      value = JSON.parse(bodyText);
    } catch {
      return `${ex.method} ${specPath} ${code}: body is not JSON`;
    }
    const validate = this.validator(`${resolved.pointer}/content/${esc(mediaType)}/schema`);
    if (validate(value)) return null;
    const errors = (validate.errors ?? [])
      .slice(0, 5)
      .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`)
      .join('; ');
    return `${ex.method} ${specPath} ${code}: ${errors}`;
  }

  checkAll(exchanges: readonly Exchange[]): ContractProblem[] {
    const out: ContractProblem[] = [];
    for (const ex of exchanges) {
      if (ex.faulted) continue; // injected faults are deliberately off-contract
      const problem = this.check(ex);
      if (problem) out.push({ method: ex.method, path: ex.path, route: ex.route, status: ex.status, problem });
    }
    return out;
  }
}
