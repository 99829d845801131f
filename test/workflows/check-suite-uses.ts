import type { ActionInterface } from './suite-actions.js';
import { parseWorkflow, stringsIn, type Job } from './yaml-doc.js';

/** `uses:` of one of this suite's actions, whatever the owner and ref: `<owner>/mlops-actions/<name>@<ref>`. */
export const SUITE_USES = /^[^/\s]+\/mlops-actions\/([^@\s]+)@\S+$/;

const STEP_OUTPUT = /\bsteps\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)/g;
const NEEDS_OUTPUT = /\bneeds\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)/g;

const list = (names: Iterable<string>): string => [...names].sort().join(', ') || 'none';

/**
 * What actionlint cannot check for actions it cannot fetch: that every step using this suite names
 * an action that exists, gives only inputs its action.yml declares and every required one, and
 * reads only outputs the action declares — directly (`steps.<id>.outputs.<x>`) or through a job
 * output (`needs.<job>.outputs.<x>`, which must be declared by that job, whose own value is checked
 * as a step output in that job). Returns one message per problem, each naming file, line and fix.
 */
export function checkSuiteUses(text: string, file: string, actions: ReadonlyMap<string, ActionInterface>): string[] {
  const doc = parseWorkflow(text, file);
  if (!doc.data) return doc.errors;
  const jobs: Record<string, Job> = doc.data.jobs ?? {};
  const problems: string[] = [];

  for (const [jobId, job] of Object.entries(jobs)) {
    // step id → the suite action it runs (undefined: a run step or another action, not ours to check)
    const stepAction = new Map<string, string | undefined>();
    for (const [i, step] of (job.steps ?? []).entries()) {
      const name = typeof step.uses === 'string' ? SUITE_USES.exec(step.uses)?.[1] : undefined;
      if (step.id) stepAction.set(step.id, name && actions.has(name) ? name : undefined);
      if (!name) continue;
      const label = `jobs.${jobId}.steps[${i}]${step.id ? ` (id: ${step.id})` : ''}`;
      const action = actions.get(name);
      if (!action) {
        problems.push(`${doc.at(['jobs', jobId, 'steps', i, 'uses'])}: ${label} uses unknown action '${name}': there is no ${name}/action.yml (the suite has: ${list(actions.keys())})`);
        continue;
      }
      const given = step.with ?? {};
      for (const key of Object.keys(given)) {
        if (!action.inputs.has(key)) {
          problems.push(`${doc.at(['jobs', jobId, 'steps', i, 'with', key])}: ${label}: unknown input '${key}' for ${name} (its inputs: ${list(action.inputs.keys())})`);
        }
      }
      for (const [key, spec] of action.inputs) {
        if (spec.required && !spec.hasDefault && !(key in given)) {
          problems.push(`${doc.at(['jobs', jobId, 'steps', i])}: ${label}: ${name} needs input '${key}' (required, no default)`);
        }
      }
    }

    for (const { path, text: value } of stringsIn(job)) {
      const where = doc.at(['jobs', jobId, ...path]);
      const label = `jobs.${jobId}.${path.join('.')}`;
      for (const [ref, id, output] of value.matchAll(STEP_OUTPUT)) {
        if (!id || !output) continue;
        if (!stepAction.has(id)) {
          problems.push(`${where}: ${label} reads ${ref}, but job '${jobId}' has no step with id '${id}'`);
          continue;
        }
        const name = stepAction.get(id);
        const outputs = name ? actions.get(name)?.outputs : undefined;
        if (name && outputs && !outputs.has(output)) {
          problems.push(`${where}: ${label} reads ${ref}, but ${name} has no output '${output}' (its outputs: ${list(outputs)})`);
        }
      }
      for (const [ref, needed, output] of value.matchAll(NEEDS_OUTPUT)) {
        if (!needed || !output) continue;
        const source = jobs[needed];
        if (!source) {
          problems.push(`${where}: ${label} reads ${ref}, but there is no job '${needed}'`);
        } else if (!Object.hasOwn(source.outputs ?? {}, output)) {
          problems.push(`${where}: ${label} reads ${ref}, but job '${needed}' declares no output '${output}' (its outputs: ${list(Object.keys(source.outputs ?? {}))})`);
        }
      }
    }
  }
  return problems;
}

/** How many steps of the workflow use this suite's actions (so a check that found nothing had something to check). */
export function countSuiteSteps(text: string, file: string): number {
  const jobs = parseWorkflow(text, file).data?.jobs ?? {};
  return Object.values(jobs).flatMap((j) => j.steps ?? []).filter((s) => typeof s.uses === 'string' && SUITE_USES.test(s.uses)).length;
}
