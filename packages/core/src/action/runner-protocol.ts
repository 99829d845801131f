/**
 * The Actions runner protocol, written directly: inputs from `INPUT_*`, workflow commands on
 * stdout (`::add-mask::`, `::group::`, …), and the GITHUB_OUTPUT / GITHUB_ENV /
 * GITHUB_STEP_SUMMARY files.
 *
 * Why not @actions/core: its entry module imports its OIDC client, which imports
 * @actions/http-client, which imports undici — about half of every action's bundle, parsed and
 * evaluated at each start although no action asks for an OIDC token. These few commands are all
 * runAction needs, so every action starts without loading any of that.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import { EOL } from 'node:os';
import type { Runtime } from './run-action.js';

/** Escaping of a command's message, as the runner decodes it. */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(name: string, message: string): void {
  process.stdout.write(`::${name}::${escapeData(message)}${EOL}`);
}

/** Appends to a runner file; the runner creates it, so a missing one is an error (as the runner would see it). */
function appendRunnerFile(variable: string, text: string): void {
  const path = process.env[variable];
  if (!path) throw new Error(`${variable} is not set`);
  if (!existsSync(path)) throw new Error(`Missing file at path: ${path}`);
  appendFileSync(path, `${text}${EOL}`, { encoding: 'utf8' });
}

/** `name<<delimiter` … `delimiter`: multi-line safe; a delimiter that occurs in the data is refused. */
function keyValue(name: string, value: string): string {
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter) || value.includes(delimiter)) throw new Error(`Unexpected input: the value of '${name}' contains the delimiter`);
  return `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}`;
}

export const runnerRuntime: Runtime = {
  getInput: (name) => (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim(),
  setSecret: (value) => command('add-mask', value),
  async group(name, fn) {
    command('group', name);
    try {
      return await fn();
    } finally {
      command('endgroup', '');
    }
  },
  info: (m) => void process.stdout.write(`${m}${EOL}`),
  warning: (m) => command('warning', m),
  debug: (m) => command('debug', m),
  isDebug: () => process.env.RUNNER_DEBUG === '1',
  setOutput(name, value) {
    if (process.env.GITHUB_OUTPUT) return appendRunnerFile('GITHUB_OUTPUT', keyValue(name, value));
    process.stdout.write(EOL);
    process.stdout.write(`::set-output name=${escapeProperty(name)}::${escapeData(value)}${EOL}`);
  },
  exportVariable(name, value) {
    process.env[name] = value;
    if (process.env.GITHUB_ENV) return appendRunnerFile('GITHUB_ENV', keyValue(name, value));
    process.stdout.write(`::set-env name=${escapeProperty(name)}::${escapeData(value)}${EOL}`);
  },
  async appendSummary(md) {
    if (!process.env.GITHUB_STEP_SUMMARY) return; // run outside Actions: there is no summary file
    appendRunnerFile('GITHUB_STEP_SUMMARY', md);
  },
  setFailed(m) {
    process.exitCode = 1;
    command('error', m);
  },
  env: process.env,
};
