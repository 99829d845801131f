import * as core from '@actions/core';
import { isMlopsError } from '../errors.js';
import type { InputSpecs, InputValues } from './input-types.js';
import { readInputs } from './read-inputs.js';
import { Redactor } from './redact.js';

/** What an action's implementation sees: typed inputs and the runtime, behind a redacting facade. */
export interface ActionContext<I> {
  readonly inputs: I;
  /** Registers a secret obtained at run time (a token): masked in logs, scrubbed from files. */
  secret(value: string): void;
  /** A collapsible log group; the phases a reader scans in the step log. */
  phase<T>(name: string, fn: () => Promise<T>): Promise<T>;
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
  setOutput(name: string, value: string | number | boolean): void;
  exportVariable(name: string, value: string): void;
  /** Appends markdown to the job summary (written once, at the end, scrubbed). */
  summary(markdown: string): void;
  readonly env: NodeJS.ProcessEnv;
}

export interface ActionDefinition<S extends InputSpecs> {
  readonly name: string;
  readonly inputs: S;
  run(ctx: ActionContext<InputValues<S>>): Promise<void>;
}

/** The seams runAction uses, so that it can be tested without the Actions runtime. */
export interface Runtime {
  getInput(name: string): string;
  setSecret(value: string): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
  isDebug(): boolean;
  setOutput(name: string, value: string): void;
  exportVariable(name: string, value: string): void;
  appendSummary(markdown: string): Promise<void>;
  setFailed(message: string): void;
  env: NodeJS.ProcessEnv;
}

export const actionsRuntime: Runtime = {
  getInput: (name) => core.getInput(name),
  setSecret: (value) => core.setSecret(value),
  group: (name, fn) => core.group(name, fn),
  info: (m) => core.info(m),
  warning: (m) => core.warning(m),
  debug: (m) => core.debug(m),
  isDebug: () => core.isDebug(),
  setOutput: (n, v) => core.setOutput(n, v),
  exportVariable: (n, v) => core.exportVariable(n, v),
  appendSummary: async (md) => {
    if (!process.env.GITHUB_STEP_SUMMARY) return; // run outside Actions: there is no summary file
    await core.summary.addRaw(md, true).write();
  },
  setFailed: (m) => core.setFailed(m),
  env: process.env,
};

/**
 * The one wrapper every action entry uses. Order matters: secrets are masked before anything
 * else can print, and every failure becomes one line (the stack only under ACTIONS_STEP_DEBUG).
 * Returns the process exit code it set (0 or 1) for callers that run it in-process.
 */
export async function runAction<S extends InputSpecs>(def: ActionDefinition<S>, rt: Runtime = actionsRuntime): Promise<number> {
  const redactor = new Redactor();
  const mask = (value: string): void => {
    redactor.add(value);
    rt.setSecret(value);
  };
  const summaryParts: string[] = [];
  try {
    const inputs = readInputs(def.inputs, rt.getInput, rt.env, redactor, mask);
    const ctx: ActionContext<InputValues<S>> = {
      inputs,
      secret: mask,
      phase: (name, fn) => rt.group(name, fn),
      info: (m) => rt.info(redactor.scrub(m)),
      warning: (m) => rt.warning(redactor.scrub(m)),
      debug: (m) => rt.debug(redactor.scrub(m)),
      setOutput: (n, v) => rt.setOutput(n, redactor.scrub(String(v))),
      exportVariable: (n, v) => rt.exportVariable(n, v),
      summary: (md) => summaryParts.push(redactor.scrub(md)),
      env: rt.env,
    };
    await def.run(ctx);
    await flushSummary(rt, summaryParts);
    return 0;
  } catch (err) {
    await flushSummary(rt, summaryParts).catch(() => undefined);
    rt.setFailed(redactor.scrub(failureLine(def.name, err)));
    if (err instanceof Error && err.stack && (rt.isDebug() || !isMlopsError(err))) rt.debug(redactor.scrub(err.stack));
    return 1;
  }
}

function failureLine(action: string, err: unknown): string {
  if (isMlopsError(err)) return err.oneLine();
  const message = err instanceof Error ? err.message : String(err);
  return `${action} failed unexpectedly: ${message.split('\n')[0]} (re-run with debug logging for details, and please report it)`;
}

async function flushSummary(rt: Runtime, parts: string[]): Promise<void> {
  if (parts.length === 0) return;
  await rt.appendSummary(parts.join('\n'));
  parts.length = 0;
}
