import { LineCounter, parseDocument, type Document } from 'yaml';

/** A parsed workflow that can say on which line a value sits, for messages a reader can follow. */
export interface WorkflowDoc {
  file: string;
  /** The workflow as plain data; undefined when the YAML does not parse. */
  data: Workflow | undefined;
  errors: string[];
  /** `file:line` of the node at `path` (the file alone when the path is not there). */
  at(path: readonly (string | number)[]): string;
}

export interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown> | null;
  env?: Record<string, unknown> | null;
}

export interface Job {
  needs?: string | string[];
  outputs?: Record<string, unknown> | null;
  env?: Record<string, unknown> | null;
  environment?: string | { name?: string } | null;
  permissions?: string | Record<string, string> | null;
  steps?: Step[];
}

export interface Workflow {
  env?: Record<string, unknown> | null;
  permissions?: string | Record<string, string> | null;
  jobs?: Record<string, Job> | null;
}

export function parseWorkflow(text: string, file: string): WorkflowDoc {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter });
  const errors = doc.errors.map((e) => `${file}: YAML: ${e.message}`);
  const data = errors.length ? undefined : ((doc.toJS() ?? {}) as Workflow);
  return {
    file,
    data,
    errors,
    at(path) {
      const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
      return node?.range ? `${file}:${lineCounter.linePos(node.range[0]).line}` : file;
    },
  };
}

/** Every string in `value` with its path below it (for expressions hidden in nested `with:`, `env:`, `outputs:`, `if:`). */
export function* stringsIn(value: unknown, path: (string | number)[] = []): Generator<{ path: (string | number)[]; text: string }> {
  if (typeof value === 'string') yield { path, text: value };
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* stringsIn(v, [...path, i]);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* stringsIn(v, [...path, k]);
}
