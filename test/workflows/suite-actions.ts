import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** The public interface of one of this suite's actions, from its root `<name>/action.yml`. */
export interface ActionInterface {
  inputs: Map<string, { required: boolean; hasDefault: boolean }>;
  outputs: Set<string>;
}

interface ActionYml {
  inputs?: Record<string, { required?: boolean | string; default?: unknown } | null>;
  outputs?: Record<string, unknown>;
}

/** Every root directory with an action.yml: `uses: <owner>/mlops-actions/<name>@…` resolves there. */
export function loadSuiteActions(repoRoot: string): Map<string, ActionInterface> {
  const actions = new Map<string, ActionInterface>();
  for (const d of readdirSync(repoRoot, { withFileTypes: true })) {
    const file = join(repoRoot, d.name, 'action.yml');
    if (!d.isDirectory() || d.name.startsWith('.') || d.name === 'node_modules' || !existsSync(file)) continue;
    actions.set(d.name, parseActionInterface(readFileSync(file, 'utf8')));
  }
  return actions;
}

export function parseActionInterface(text: string): ActionInterface {
  const yml = (parse(text) ?? {}) as ActionYml;
  const inputs = new Map<string, { required: boolean; hasDefault: boolean }>();
  for (const [name, spec] of Object.entries(yml.inputs ?? {})) {
    // The runner treats `required` as documentation only, but an input that is required and has no
    // default is one the action cannot do without, so a workflow must give it.
    inputs.set(name, { required: spec?.required === true || spec?.required === 'true', hasDefault: spec?.default !== undefined });
  }
  return { inputs, outputs: new Set(Object.keys(yml.outputs ?? {})) };
}
