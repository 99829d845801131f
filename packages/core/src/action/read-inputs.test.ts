import { InputError } from '../errors.js';
import { boolean, optionalString, requiredString, yamlObject } from './input-types.js';
import { readInputs } from './read-inputs.js';
import { Redactor } from './redact.js';

async function read(specs: Parameters<typeof readInputs>[0], inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  const masked: string[] = [];
  try {
    return { values: await readInputs(specs, (n) => inputs[n] ?? '', env, new Redactor(), (s) => masked.push(s)), masked };
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return { error: err.message, masked };
  }
}

describe('readInputs', () => {
  // The YAML parser is loaded on demand, inside the schema: these go through the asynchronous path.
  it('reads a YAML or JSON mapping; empty means not given', async () => {
    const specs = { parameters: yamlObject(), steps: yamlObject() };
    expect((await read(specs, { parameters: 'batch_size: 512\nlr: 0.1', steps: '  ' })).values).toEqual({ parameters: { batch_size: 512, lr: 0.1 }, steps: undefined });
    expect((await read(specs, { steps: '{"train": {"epochs": 3}}' })).values).toEqual({ parameters: undefined, steps: { train: { epochs: 3 } } });
  });

  it.each([
    ['batch: [1, 2', "Input 'parameters': is not valid YAML or JSON (line 1)"],
    ['- a\n- b', `Input 'parameters': must be a mapping of names to values, e.g. "batch_size: 512" or {"batch_size": 512}`],
    ['42', `Input 'parameters': must be a mapping of names to values, e.g. "batch_size: 512" or {"batch_size": 512}`],
  ])('refuses %j with one line naming the input', async (text, message) => {
    expect((await read({ parameters: yamlObject() }, { parameters: text })).error).toBe(message);
  });

  it('reports the first invalid input in declaration order, after masking every secret', async () => {
    const specs = { token: optionalString({ secret: true }), parameters: yamlObject(), wait: boolean(true), name: requiredString({ env: 'NAME' }) };
    const r = await read(specs, { token: ' tok-123 ', parameters: 'a: [', wait: 'maybe' });
    expect(r.error).toBe("Input 'parameters': is not valid YAML or JSON (line 1)");
    expect(r.masked).toEqual(['tok-123']);
    expect((await read(specs, { parameters: 'a: 1' })).error).toBe("Input 'name': is required (or set NAME)");
  });
});
