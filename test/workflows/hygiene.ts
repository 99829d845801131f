import { SUITE_USES } from './check-suite-uses.js';
import type { Pin } from './pins.js';
import { parseWorkflow, stringsIn } from './yaml-doc.js';

const USES_LINE = /^\s*(?:-\s+)?uses:\s*(['"]?)([^\s'"#]+)\1\s*(?:#\s*(.*))?$/;
const SECRET = /\bsecrets\.|\bgithub\.token\b/;

/**
 * The supply-chain and least-privilege rules every workflow here keeps:
 * - every third-party action is pinned to a full commit SHA with a `# vX.Y.Z` comment, and that
 *   pin is one of the reviewed ones in pins.ts (the suite's own `…/mlops-actions/<name>@v1` is not);
 * - no secret sits in a workflow-level or job-level `env:` (every step would see it);
 * - the workflow sets top-level `permissions:` and grants nothing there beyond read, and no job
 *   asks for `write-all`/`read-all`.
 */
export function checkHygiene(text: string, file: string, pins: Readonly<Record<string, Pin>>): string[] {
  const problems: string[] = [];
  for (const [n, line] of text.split('\n').entries()) {
    const m = USES_LINE.exec(line);
    const ref = m?.[2];
    if (!ref || SUITE_USES.test(ref) || ref.startsWith('./') || ref.startsWith('docker://')) continue;
    const where = `${file}:${n + 1}`;
    const at = ref.lastIndexOf('@');
    const action = ref.slice(0, at).split('/').slice(0, 2).join('/');
    const sha = ref.slice(at + 1);
    const comment = m[3]?.trim() ?? '';
    const pin = pins[action];
    if (at < 0 || !/^[0-9a-f]{40}$/.test(sha)) {
      problems.push(`${where}: ${ref} is not pinned to a full 40-hex commit SHA`);
    } else if (!/^v\d+\.\d+\.\d+$/.test(comment)) {
      problems.push(`${where}: ${ref} needs a '# vX.Y.Z' comment naming the release the SHA is`);
    } else if (!pin) {
      problems.push(`${where}: ${action} is not a reviewed action (add its verified pin to test/workflows/pins.ts)`);
    } else if (pin.sha !== sha || pin.version !== comment) {
      problems.push(`${where}: ${action}@${sha} # ${comment} is not the reviewed pin ${pin.sha} # ${pin.version}`);
    }
  }

  const doc = parseWorkflow(text, file);
  if (!doc.data) return [...problems, ...doc.errors];
  const wf = doc.data;
  const envs: { path: (string | number)[]; env: unknown }[] = [{ path: ['env'], env: wf.env }];
  for (const [jobId, job] of Object.entries(wf.jobs ?? {})) envs.push({ path: ['jobs', jobId, 'env'], env: job.env });
  for (const { path, env } of envs) {
    for (const { path: key, text: value } of stringsIn(env)) {
      if (SECRET.test(value)) {
        problems.push(`${doc.at([...path, ...key])}: ${[...path, ...key].join('.')} holds a secret; give it in the env: or with: of the one step that needs it`);
      }
    }
  }

  if (wf.permissions === undefined || wf.permissions === null) {
    problems.push(`${file}: no top-level permissions: (set permissions: {} or contents: read, and grant more per job)`);
  } else if (typeof wf.permissions === 'string') {
    problems.push(`${doc.at(['permissions'])}: top-level permissions: ${wf.permissions}; set {} or contents: read, and grant more per job`);
  } else {
    for (const [scope, level] of Object.entries(wf.permissions)) {
      if (level !== 'read' && level !== 'none') problems.push(`${doc.at(['permissions', scope])}: top-level permissions grant ${scope}: ${level}; grant it only in the job that needs it`);
    }
  }
  for (const [jobId, job] of Object.entries(wf.jobs ?? {})) {
    if (typeof job.permissions === 'string') problems.push(`${doc.at(['jobs', jobId, 'permissions'])}: jobs.${jobId}.permissions: ${job.permissions}; list only the scopes the job needs`);
  }
  return problems;
}

/**
 * A copied example must say what to set up: its leading comment names every secret, variable and
 * environment the workflow reads, and says to replace the placeholder owner.
 */
export function checkHeader(text: string, file: string): string[] {
  const lines = text.split('\n');
  const end = lines.findIndex((l) => !l.startsWith('#'));
  const header = lines.slice(0, end < 0 ? lines.length : end).join('\n');
  const problems: string[] = [];
  if (!/replace `?my-org\/mlops-actions`?/i.test(header)) problems.push(`${file}: the header comment must say to replace my-org/mlops-actions`);
  for (const word of ['Secrets:', 'Variables:', 'Environments:', 'Permissions:']) {
    if (!header.includes(word)) problems.push(`${file}: the header comment has no '${word}' line`);
  }
  const used = new Set<string>();
  for (const m of text.matchAll(/\b(?:secrets|vars)\.([A-Za-z_][A-Za-z0-9_]*)/g)) if (m[1]) used.add(m[1]);
  const jobs = parseWorkflow(text, file).data?.jobs ?? {};
  for (const job of Object.values(jobs)) {
    const env = typeof job.environment === 'string' ? job.environment : job.environment?.name;
    if (env) used.add(env);
  }
  for (const name of used) {
    if (!new RegExp(`\\b${name}\\b`).test(header)) problems.push(`${file}: the header comment does not mention ${name}, which the workflow uses`);
  }
  return problems;
}
