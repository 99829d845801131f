import { InputError } from '../errors.js';
import type { InputSpecs, InputValues } from './input-types.js';
import type { Redactor } from './redact.js';

/** Where raw inputs come from: the Actions runtime in production, a plain object in tests. */
export type GetInput = (name: string) => string;

/**
 * Reads every declared input, masks the secret ones before anything is validated (a validation
 * message could otherwise quote them), then validates each, in declaration order. The first
 * invalid input is reported as one line naming it. Asynchronous because a schema may load a
 * parser on demand (see yamlObject).
 */
export async function readInputs<S extends InputSpecs>(
  specs: S,
  getInput: GetInput,
  env: NodeJS.ProcessEnv,
  redactor: Redactor,
  onSecret: (secret: string) => void,
): Promise<InputValues<S>> {
  const raw: Record<string, string | undefined> = {};
  for (const [name, spec] of Object.entries(specs)) {
    let value: string | undefined = getInput(name);
    if (value === '' || value === undefined) value = spec.env ? env[spec.env] || undefined : undefined;
    if (spec.secret && value !== undefined) {
      const secret = value.trim();
      redactor.add(secret);
      onSecret(secret);
    }
    raw[name] = value;
  }
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const parsed = await spec.schema.safeParseAsync(raw[name]);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const fallback = spec.env ? ` (or set ${spec.env})` : '';
      const message = redactor.scrub(issue?.message ?? 'is invalid');
      throw new InputError(name, message === 'is required' ? `is required${fallback}` : message);
    }
    out[name] = parsed.data;
  }
  return out as InputValues<S>;
}
