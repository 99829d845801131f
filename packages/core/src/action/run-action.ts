import { isMlopsError } from '../errors.js';
import type { InputSpecs, InputValues } from './input-types.js';
import { readInputs } from './read-inputs.js';
import { Redactor } from './redact.js';
import { runnerRuntime } from './runner-protocol.js';

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
  /** Runs `cleanup` when the run has ended, passed or failed (after its failure line is out). */
  atEnd(cleanup: () => void): void;
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

/** The runner itself (see runner-protocol.ts for why not @actions/core). */
export const actionsRuntime: Runtime = runnerRuntime;

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
  const cleanups: (() => void)[] = [];
  try {
    const inputs = await readInputs(def.inputs, rt.getInput, rt.env, redactor, mask);
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
      atEnd: (cleanup) => cleanups.push(cleanup),
      env: rt.env,
    };
    await def.run(ctx);
    await flushSummary(rt, summaryParts);
    return 0;
  } catch (err) {
    await flushSummary(rt, summaryParts).catch(() => undefined);
    rt.setFailed(bounded(redactor.scrub(failureLine(def.name, err))));
    if (err instanceof Error && err.stack && (rt.isDebug() || !isMlopsError(err))) rt.debug(redactor.scrub(err.stack));
    return 1;
  } finally {
    for (const cleanup of cleanups) {
      try {
        cleanup();
      } catch {
        // a cleanup must not turn a finished run into a failure
      }
    }
  }
}

function failureLine(action: string, err: unknown): string {
  if (isMlopsError(err)) return err.oneLine();
  const message = err instanceof Error ? err.message : String(err);
  return `${action} failed unexpectedly: ${message.split('\n')[0]} (re-run with debug logging for details, and please report it)`;
}

/**
 * A failure line quotes inputs, URLs and server answers; a 100 kB input quoted back would make a
 * 100 kB "line" nobody can read. Long runs of non-space characters keep their start and end.
 * Applied after scrubbing, so that shortening can never cut a secret into unrecognised pieces.
 */
function bounded(line: string): string {
  const out = line.replace(/\S{241,}/g, (t) => `${t.slice(0, 160)}…(${t.length} characters)…${t.slice(-40)}`);
  return out.length > 2000 ? `${out.slice(0, 1990)}…` : out;
}

async function flushSummary(rt: Runtime, parts: string[]): Promise<void> {
  if (parts.length === 0) return;
  await rt.appendSummary(parts.join('\n'));
  parts.length = 0;
}
