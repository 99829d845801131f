import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { InputSpecs } from '@mlops-actions/core';
import { repoRoot } from './harness/run-bundle.js';

interface ActionYml {
  name?: string;
  description?: string;
  inputs?: Record<string, { description?: string; default?: string; required?: boolean }>;
  outputs?: Record<string, { description?: string }>;
  runs?: { using?: string; main?: string };
}

const actions = readdirSync(join(repoRoot, 'actions'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(repoRoot, 'actions', d.name, 'main.ts')))
  .map((d) => d.name);

describe.each(actions)('%s/action.yml', (name) => {
  const yml = parse(readFileSync(join(repoRoot, name, 'action.yml'), 'utf8')) as ActionYml;

  it('runs the committed bundle on node24', () => {
    expect(yml.runs).toEqual({ using: 'node24', main: `../dist/${name}/index.js` });
    expect(existsSync(join(repoRoot, name, yml.runs?.main ?? ''))).toBe(true);
  });

  it('declares exactly the inputs the code reads, with the same defaults, each described', async () => {
    const { inputs } = (await import(join(repoRoot, 'actions', name, 'inputs.ts'))) as { inputs: InputSpecs };
    expect(Object.keys(yml.inputs ?? {}).sort()).toEqual(Object.keys(inputs).sort());
    for (const [key, spec] of Object.entries(inputs)) {
      const declared = yml.inputs?.[key];
      expect({ key, description: Boolean(declared?.description) }).toEqual({ key, description: true });
      expect({ key, default: declared?.default }).toEqual({ key, default: spec.default });
    }
  });

  it('declares exactly the outputs the entry sets, each described', () => {
    const main = readFileSync(join(repoRoot, 'actions', name, 'main.ts'), 'utf8');
    const set = [...main.matchAll(/setOutput\('([a-z0-9-]+)'/g)].map((m) => m[1]);
    expect(Object.keys(yml.outputs ?? {}).sort()).toEqual([...new Set(set)].sort());
    for (const [key, o] of Object.entries(yml.outputs ?? {})) expect({ key, d: Boolean(o.description) }).toEqual({ key, d: true });
  });
});
