/**
 * The promotion policy file (e.g. `.github/promotion-policy.yml`): reviewed like code, versioned,
 * one section per target stage.
 *
 * ```yaml
 * version: 1
 * stages:
 *   production:
 *     rules:
 *       - accuracy >= 0.90                      # shorthand for a threshold
 *       - metric: f1
 *         op: ">="
 *         value: 0.85
 *         champion: { max-regression: 0.01 }    # and no worse than the current holder − 0.01
 *       - metric: latency_ms
 *         op: "<="
 *         value: 120
 *         champion: { max-regression: 5, higher-is-better: false }
 *     required-tags: [validated]
 *     required-metadata: [dataset]
 *     max-age: 30d
 *     require-approval: true
 *     refuse-self-approval: true
 * ```
 *
 * Every problem is an InputError('policy', "<file>: <key path>: <what is wrong, what was expected>").
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Document, LineCounter } from 'yaml';
import { InputError } from '../errors.js';
import { z } from '../zod.js';
import { DURATION_FORM, durationSeconds } from './duration.js';
import { compareOp, parseRuleExpression, THRESHOLD_FORM } from './thresholds.js';
import { COMPARE_OPS, type ChampionComparison, type GatePolicy, type GateRule } from './types.js';

export const POLICY_VERSION = 1;

const TOP_KEYS = ['version', 'stages'] as const;
const STAGE_KEYS = ['rules', 'required-tags', 'required-metadata', 'max-age', 'require-approval', 'refuse-self-approval'] as const;
const RULE_KEYS = ['metric', 'op', 'value', 'champion'] as const;
const CHAMPION_KEYS = ['max-regression', 'min-improvement', 'higher-is-better'] as const;

/** zod/mini has no z.preprocess: classic's is this same pipe, a transform feeding the schema. */
const preprocess = <S extends z.core.$ZodType>(fn: (v: unknown, ctx: z.core.ParsePayload) => unknown, schema: S) => z.pipe(z.transform(fn), schema);

const amount = z.number({ error: 'a number' }).check(z.minimum(0, { error: 'a number ≥ 0' }));
const flag = z.boolean({ error: 'true or false' });
const names = (what: string) =>
  preprocess(
    (v) => (typeof v === 'string' ? [v] : v),
    z.array(z.string({ error: `${what} (text)` }).check(z.minLength(1, { error: `a non-empty ${what}` })), { error: `a list of ${what}s` }),
  );

const ChampionSchema = preprocess(
  (v) => (v === true ? {} : v === false ? undefined : v),
  z.optional(
    z.strictObject(
      { 'max-regression': z.optional(amount), 'min-improvement': z.optional(amount), 'higher-is-better': z.optional(flag) },
      { error: 'true, or a mapping with max-regression, min-improvement and/or higher-is-better' },
    ),
  ),
);

const RuleObjectSchema = z
  .strictObject(
    {
      metric: z.string({ error: 'a metric name (text)' }).check(z.trim(), z.minLength(1, { error: 'a non-empty metric name' })),
      op: z.optional(
        preprocess((v) => (typeof v === 'string' ? (compareOp(v) ?? v) : v), z.enum(COMPARE_OPS as [string, ...string[]], { error: `one of ${COMPARE_OPS.join(', ')}, in quotes (op: ">=")` })),
      ),
      value: z.optional(z.number({ error: 'a number' })),
      champion: ChampionSchema,
    },
    { error: `a rule: a mapping with metric, op, value and/or champion, or text such as 'accuracy >= 0.9'` },
  )
  .check(
    z.superRefine((r, ctx) => {
      if (r.value !== undefined && r.op === undefined) ctx.addIssue({ code: 'custom', path: ['op'], message: `is required with 'value': give one of ${COMPARE_OPS.join(', ')}` });
      if (r.op !== undefined && r.value === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `is required with 'op': give the number to compare '${r.metric}' with` });
      if (r.value === undefined && r.op === undefined && r.champion === undefined) {
        ctx.addIssue({ code: 'custom', message: `rule for '${r.metric}' has neither a value (op + value) nor a champion comparison: give one or both` });
      }
    }),
  );

// A mini transform gets the bare parse payload (classic added addIssue to it): issues go on its list.
const RuleSchema = preprocess((v, ctx) => {
  if (typeof v !== 'string') return v;
  const r = parseRuleExpression(v);
  if ('error' in r) {
    ctx.issues.push({ code: 'custom', message: r.error, input: v });
    return z.NEVER;
  }
  return r.rule;
}, RuleObjectSchema);

const MaxAgeSchema = z.optional(
  z.pipe(
    z.unknown(),
    z.transform((v, ctx) => {
      if (v === undefined) return undefined;
      const seconds = typeof v === 'number' ? (Number.isFinite(v) && v > 0 ? Math.round(v) : undefined) : typeof v === 'string' ? durationSeconds(v) : undefined;
      if (seconds === undefined) {
        ctx.issues.push({ code: 'custom', message: `expected ${DURATION_FORM}, got ${describe(v)}`, input: v });
        return z.NEVER;
      }
      return seconds;
    }),
  ),
);

const StageSchema = z
  .strictObject(
    {
      rules: z.optional(z.array(RuleSchema, { error: 'a list of rules' })),
      'required-tags': z.optional(names('tag name')),
      'required-metadata': z.optional(names('metadata key')),
      'max-age': MaxAgeSchema,
      'require-approval': z.optional(flag),
      'refuse-self-approval': z.optional(flag),
    },
    { error: `a mapping with any of: ${STAGE_KEYS.join(', ')}` },
  )
  .check(
    z.superRefine((s, ctx) => {
      const checks = (s.rules?.length ?? 0) + (s['required-tags']?.length ?? 0) + (s['required-metadata']?.length ?? 0);
      if (!checks && s['max-age'] === undefined && !s['require-approval']) {
        ctx.addIssue({ code: 'custom', message: `has nothing to check: give rules, required-tags, required-metadata, max-age or require-approval` });
      }
    }),
  );

const PolicyFileSchema = z.strictObject(
  {
    version: z.literal(POLICY_VERSION, { error: `${POLICY_VERSION} (the policy schema version this action reads)` }),
    stages: z.record(z.string(), StageSchema, { error: 'a mapping of target stage → its rules, e.g. production: {rules: [...]}' }),
  },
  { error: 'a mapping with version: 1 and stages:' },
);

type StageSection = z.infer<typeof StageSchema>;

/**
 * Reads and validates a policy YAML file; returns the section for `targetStage`. A relative `file`
 * is read from `opts.baseDir` when given (e.g. GITHUB_WORKSPACE); messages name it as given.
 */
export async function loadPolicy(file: string, targetStage: string, opts: { baseDir?: string } = {}): Promise<GatePolicy> {
  let text: string;
  try {
    text = readFileSync(opts.baseDir ? resolve(opts.baseDir, file) : file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file (the path is relative to the working directory, usually the repository checkout)' : code === 'EISDIR' ? 'is a directory, not a YAML file' : `cannot be read (${code ?? String(err)})`;
    throw new InputError('policy', `${file}: ${why}.`);
  }
  return parsePolicy(text, file, targetStage);
}

/** loadPolicy on text already read; `file` names it in messages. */
export async function parsePolicy(text: string, file: string, targetStage: string): Promise<GatePolicy> {
  // The YAML parser takes ~20 ms to load: only a run that is given a policy pays for it.
  const yaml = await import('yaml');
  const lines = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter: lines, prettyErrors: true });
  const bad = doc.errors[0];
  if (bad) {
    const pos = bad.linePos?.[0];
    const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
    const what = bad.message.split(/ at line \d+|\n/)[0];
    // `op: >=` unquoted: YAML reads '>' as the start of a folded block.
    const hint = /block scalar header/i.test(bad.message) ? ` (an operator must be quoted: op: ">=")` : '';
    throw new InputError('policy', `${file}: invalid YAML${where}: ${what}${hint}.`);
  }
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (err) {
    // The yaml library refuses alias expansions that blow up (a "billion laughs" file) here.
    const why = err instanceof Error ? err.message : String(err);
    throw new InputError('policy', `${file}: cannot be read as a policy: ${why}.`);
  }
  if (data === null || data === undefined) {
    throw new InputError('policy', `${file}: is empty: expected a policy with 'version: ${POLICY_VERSION}' and 'stages:'.`);
  }
  const parsed = PolicyFileSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    throw new InputError('policy', `${file}: ${issueText(issues[0] as z.core.$ZodIssue, data, { yaml, doc, lines })}${more}.`);
  }
  const stage = targetStage.trim();
  const stages = parsed.data.stages;
  const section = stages[stage] ?? stages[stage.toLowerCase()];
  if (!section) {
    const have = Object.keys(stages);
    const list = have.length ? `it has: ${have.join(', ')}` : 'it has none';
    throw new InputError('policy', `${file}: stages: no section for target stage '${stage}'; ${list}. Add a '${stage}:' section under 'stages:'.`);
  }
  return fromSection(section);
}

function fromSection(s: StageSection): GatePolicy {
  return {
    rules: (s.rules ?? []).map(fromRule),
    requiredTags: s['required-tags'] ?? [],
    requiredMetadata: s['required-metadata'] ?? [],
    ...(s['max-age'] !== undefined ? { maxAgeSeconds: s['max-age'] } : {}),
    requireApproval: s['require-approval'] ?? false,
    refuseSelfApproval: s['refuse-self-approval'] ?? false,
  };
}

function fromRule(r: z.infer<typeof RuleObjectSchema>): GateRule {
  const rule: GateRule = { metric: r.metric };
  if (r.op !== undefined) rule.op = r.op as GateRule['op'];
  if (r.value !== undefined) rule.value = r.value;
  if (r.champion) {
    const c: ChampionComparison = {};
    if (r.champion['max-regression'] !== undefined) c.maxRegression = r.champion['max-regression'];
    if (r.champion['min-improvement'] !== undefined) c.minImprovement = r.champion['min-improvement'];
    if (r.champion['higher-is-better'] !== undefined) c.higherIsBetter = r.champion['higher-is-better'];
    rule.champion = c;
  }
  return rule;
}

// ------------------------------------------------------------------ combining with inline inputs

export interface PolicyExtras {
  rules?: GateRule[];
  requiredTags?: string[];
  requiredMetadata?: string[];
  maxAgeSeconds?: number;
  requireApproval?: boolean;
  refuseSelfApproval?: boolean;
  champion?: { maxRegression?: Record<string, number>; minImprovement?: Record<string, number> };
}

export function emptyPolicy(): GatePolicy {
  return { rules: [], requiredTags: [], requiredMetadata: [], requireApproval: false, refuseSelfApproval: false };
}

/**
 * The policy plus the inline inputs. Everything adds up and nothing loosens the file: inline rules
 * are added (a metric in both: both apply), tags and metadata keys are unioned, the shorter max-age
 * wins, and require-approval / refuse-self-approval are on when either says so. A per-metric
 * max-regression / min-improvement becomes a champion rule for that metric; it is lower-is-better
 * when a rule on that metric says so (a champion rule with higher-is-better: false, or a threshold
 * with < or <=).
 */
export function combinePolicy(base: GatePolicy | undefined, extra: PolicyExtras): GatePolicy {
  const b = base ?? emptyPolicy();
  const rules = [...b.rules, ...(extra.rules ?? [])];
  const union = (x: string[], y: string[] | undefined) => [...new Set([...x, ...(y ?? []).map((s) => s.trim()).filter(Boolean)])];

  const regression = extra.champion?.maxRegression ?? {};
  const improvement = extra.champion?.minImprovement ?? {};
  const championMetrics = [...new Set([...Object.keys(regression), ...Object.keys(improvement)])];
  const championRules: GateRule[] = championMetrics.map((metric) => {
    const c: ChampionComparison = {};
    if (regression[metric] !== undefined) c.maxRegression = regression[metric];
    if (improvement[metric] !== undefined) c.minImprovement = improvement[metric];
    if (lowerIsBetter(rules, metric)) c.higherIsBetter = false;
    return { metric, champion: c };
  });

  const ages = [b.maxAgeSeconds, extra.maxAgeSeconds].filter((a): a is number => a !== undefined);
  return {
    rules: [...rules, ...championRules],
    requiredTags: union(b.requiredTags, extra.requiredTags),
    requiredMetadata: union(b.requiredMetadata, extra.requiredMetadata),
    ...(ages.length ? { maxAgeSeconds: Math.min(...ages) } : {}),
    requireApproval: b.requireApproval || extra.requireApproval === true,
    refuseSelfApproval: b.refuseSelfApproval || extra.refuseSelfApproval === true,
  };
}

function lowerIsBetter(rules: GateRule[], metric: string): boolean {
  const own = rules.filter((r) => r.metric === metric);
  const stated = own.find((r) => r.champion?.higherIsBetter !== undefined);
  if (stated) return stated.champion?.higherIsBetter === false;
  return own.some((r) => r.op === '<' || r.op === '<=');
}

/** Whether the policy checks anything at all (an empty gate passes everything: refuse it). */
export function policyHasChecks(p: GatePolicy): boolean {
  return p.rules.length > 0 || p.requiredTags.length > 0 || p.requiredMetadata.length > 0 || p.maxAgeSeconds !== undefined || p.requireApproval;
}

// ------------------------------------------------------------------ messages

/** Where the policy's keys are: the parsed document, and the parser's node tests for walking it. */
interface Source {
  yaml: Pick<typeof import('yaml'), 'isMap' | 'isScalar' | 'isSeq'>;
  doc: Document;
  lines: LineCounter;
}

function issueText(issue: z.core.$ZodIssue, data: unknown, src: Source): string {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] as string;
    const allowed = allowedKeys(path);
    const at = [...path, key];
    const near = allowed && nearest(key, allowed);
    const expected = allowed ? `; ${near ? `did you mean '${near}'? ` : ''}expected one of: ${allowed.join(', ')}` : '';
    return `${keyPath(at)}: unknown key '${key}'${expected}${lineOf(src, at)}`;
  }
  const value = valueAt(data, path);
  let what: string;
  if (issue.code === 'custom') what = issue.message;
  else if (value === undefined) what = `is required: expected ${issue.message}`;
  else what = `expected ${issue.message}, got ${describe(value)}`;
  return `${keyPath(path)}: ${what}${lineOf(src, path)}`;
}

function allowedKeys(path: (string | number)[]): readonly string[] | undefined {
  if (path.length === 0) return TOP_KEYS;
  if (path[path.length - 1] === 'champion') return CHAMPION_KEYS;
  if (path[0] === 'stages' && path.length === 2) return STAGE_KEYS;
  if (path[0] === 'stages' && path[2] === 'rules' && path.length === 4) return RULE_KEYS;
  return undefined;
}

/** The allowed key `key` is probably a typo of: same letters with _ for -, or at most two edits away. */
function nearest(key: string, allowed: readonly string[]): string | undefined {
  const k = key.toLowerCase().replace(/_/g, '-');
  return allowed.find((a) => a === k) ?? allowed.find((a) => editDistance(a, k) <= 2);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/** stages.production.rules[0].op */
function keyPath(path: (string | number)[]): string {
  if (!path.length) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${p}`)).join('');
}

function valueAt(data: unknown, path: (string | number)[]): unknown {
  let v = data;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

function describe(v: unknown): string {
  if (v === null) return 'nothing (an empty value)';
  if (typeof v === 'string') return `'${v.length > 60 ? `${v.slice(0, 57)}...` : v}'`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

/** " (line 7)": where the key (or, for a list item, the item) at `path` is, or the nearest parent that exists. */
function lineOf({ yaml: { isMap, isScalar, isSeq }, doc, lines }: Source, path: (string | number)[]): string {
  let node: unknown = doc.contents;
  let offset: number | undefined = rangeStart(node);
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
      if (!pair) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      offset = rangeStart(node) ?? offset;
    } else break;
  }
  return offset === undefined ? '' : ` (line ${lines.linePos(offset).line})`;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range ? range[0] : undefined;
}
