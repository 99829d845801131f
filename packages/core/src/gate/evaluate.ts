/**
 * The gate's decision. Fail closed: a metric that is missing, null or not a finite number fails its
 * rule with a sentence that says which; so does a champion that lacks the metric, and a candidate
 * without a creation time when a max-age applies.
 */
import { formatDuration } from './duration.js';
import { versionLabel } from './facts.js';
import type { CandidateFacts, ChampionComparison, CompareOp, GatePolicy, GateRule, RuleResult } from './types.js';

export interface EvaluateOptions {
  /** For "no champion holds production; nothing to compare". */
  targetStage?: string;
}

export function evaluateGate(
  policy: GatePolicy,
  candidate: CandidateFacts,
  champion: CandidateFacts | undefined,
  now: Date,
  opts: EvaluateOptions = {},
): { passed: boolean; results: RuleResult[] } {
  const results: RuleResult[] = [];
  for (const rule of policy.rules) {
    if (rule.op !== undefined && rule.value !== undefined) results.push(threshold(rule, rule.op, rule.value, candidate));
    if (rule.champion) results.push(...championRules(rule.metric, rule.champion, candidate, champion, opts.targetStage));
  }
  for (const tag of policy.requiredTags) results.push(requiredTag(tag, candidate));
  for (const key of policy.requiredMetadata) results.push(requiredMetadata(key, candidate));
  if (policy.maxAgeSeconds !== undefined) results.push(maxAge(policy.maxAgeSeconds, candidate, now));
  return { passed: results.every((r) => r.passed), results };
}

// ------------------------------------------------------------------ values

type Read = { ok: true; value: number } | { ok: false; raw: unknown; why: string };

/** The metric as a finite number, or the sentence saying why it is not one. */
export function readMetric(facts: CandidateFacts, metric: string, whose: string): Read {
  const found = lookup(facts.metrics, metric);
  if (!found.present) return { ok: false, raw: undefined, why: `${metric} is missing on ${whose}` };
  const v = found.value;
  if (typeof v === 'number' && Number.isFinite(v)) return { ok: true, value: v };
  if (v === null || v === undefined) return { ok: false, raw: v, why: `${metric} is null, not a number, on ${whose}` };
  if (typeof v === 'number') return { ok: false, raw: v, why: `${metric} is ${String(v)}, not a finite number, on ${whose}` };
  return { ok: false, raw: v, why: `${metric} is ${shown(v)}, not a number, on ${whose}` };
}

/** A key as written; failing that, a dotted path into dict metadata ("hyperparameters.max_depth"). */
function lookup(values: Record<string, unknown>, key: string): { present: boolean; value?: unknown } {
  if (Object.prototype.hasOwnProperty.call(values, key)) return { present: true, value: values[key] };
  if (!key.includes('.')) return { present: false };
  let v: unknown = values;
  for (const part of key.split('.')) {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.prototype.hasOwnProperty.call(v, part)) return { present: false };
    v = (v as Record<string, unknown>)[part];
  }
  return { present: true, value: v };
}

/** A value in a sentence: strings quoted, objects as short JSON. */
export function shown(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 37)}...` : v}'`;
  if (typeof v === 'number') return num(v);
  if (v === null || v === undefined || typeof v === 'boolean') return String(v);
  const json = JSON.stringify(v) ?? String(v);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** Numbers without float noise: 0.88 rather than 0.8800000000000001. */
export function num(n: number): string {
  return Number.isFinite(n) ? String(Number(n.toPrecision(12))) : String(n);
}

const COMPARE: Record<CompareOp, (a: number, b: number) => boolean> = {
  '>=': (a, b) => a >= b,
  '>': (a, b) => a > b,
  '<=': (a, b) => a <= b,
  '<': (a, b) => a < b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

const FAIL_WORDS: Record<CompareOp, string> = {
  '>=': 'below',
  '>': 'not above',
  '<=': 'above',
  '<': 'not below',
  '==': 'not equal to',
  '!=': 'equal to',
};

// ------------------------------------------------------------------ rules

function threshold(rule: GateRule, op: CompareOp, value: number, c: CandidateFacts): RuleResult {
  const base = { kind: 'threshold' as const, rule: `${rule.metric} ${op} ${num(value)}`, metric: rule.metric };
  const who = versionLabel(c);
  const read = readMetric(c, rule.metric, who);
  if (!read.ok) return { ...base, candidate: read.raw, passed: false, reason: `${read.why}.` };
  const passed = COMPARE[op](read.value, value);
  const reason = passed
    ? `${rule.metric} is ${num(read.value)} on ${who}, which meets ${op} ${num(value)}.`
    : `${rule.metric} is ${num(read.value)} on ${who}, ${FAIL_WORDS[op]} ${num(value)}.`;
  return { ...base, candidate: read.value, passed, reason };
}

/** One row per bound: max-regression and min-improvement are separate rows; neither means "no worse than the champion". */
function championRules(metric: string, cmp: ChampionComparison, c: CandidateFacts, champ: CandidateFacts | undefined, stage: string | undefined): RuleResult[] {
  const higher = cmp.higherIsBetter !== false;
  const bounds: { rule: string; offset: number; what: string }[] = [];
  const ge = higher ? '≥' : '≤';
  // Worse is lower for higher-is-better metrics: allowed regression moves the bound down.
  if (cmp.maxRegression !== undefined && cmp.maxRegression !== 0) {
    bounds.push({ rule: `${metric} ${ge} champion ${higher ? '−' : '+'} ${num(cmp.maxRegression)}`, offset: higher ? -cmp.maxRegression : cmp.maxRegression, what: `max regression ${num(cmp.maxRegression)}` });
  }
  if (cmp.minImprovement !== undefined) {
    bounds.push({ rule: `${metric} ${ge} champion ${higher ? '+' : '−'} ${num(cmp.minImprovement)}`, offset: higher ? cmp.minImprovement : -cmp.minImprovement, what: `min improvement ${num(cmp.minImprovement)}` });
  }
  if (!bounds.length) bounds.push({ rule: `${metric} ${ge} champion`, offset: 0, what: 'no regression allowed' });

  const who = versionLabel(c);
  const cand = readMetric(c, metric, who);
  return bounds.map((b) => {
    const base = { kind: 'champion' as const, rule: b.rule, metric };
    if (!cand.ok) return { ...base, candidate: cand.raw, passed: false, reason: `${cand.why}.` };
    if (!champ) {
      return { ...base, candidate: cand.value, passed: true, reason: `no champion holds ${stage ?? 'the target stage'}; nothing to compare.` };
    }
    const champWho = `the champion ${versionLabel(champ)}`;
    if (champ.modelVersionId && champ.modelVersionId === c.modelVersionId && champ.serverUrl === c.serverUrl) {
      return { ...base, candidate: cand.value, champion: cand.value, passed: true, reason: `${who} is itself the champion; nothing to compare.` };
    }
    const held = readMetric(champ, metric, champWho);
    if (!held.ok) return { ...base, candidate: cand.value, champion: held.raw, passed: false, reason: `${held.why}, so ${who} cannot be compared with it.` };
    const bound = held.value + b.offset;
    // Tolerate float noise in champion ± amount (0.93 − 0.01 is 0.9200000000000002 in binary).
    const eps = 1e-9 * Math.max(1, Math.abs(bound));
    const passed = higher ? cand.value >= bound - eps : cand.value <= bound + eps;
    const vs = `${champWho} has ${num(held.value)}, ${b.what}`;
    const reason = passed
      ? `${metric} is ${num(cand.value)} on ${who}; ${vs}, so the bound is ${num(bound)}.`
      : `${metric} is ${num(cand.value)} on ${who}, ${higher ? 'below' : 'above'} ${num(bound)} (${vs}).`;
    return { ...base, candidate: cand.value, champion: held.value, passed, reason };
  });
}

function requiredTag(tag: string, c: CandidateFacts): RuleResult {
  const base = { kind: 'tag' as const, rule: `tag '${tag}'` };
  const who = versionLabel(c);
  if (c.tags.includes(tag)) return { ...base, candidate: tag, passed: true, reason: `${who} has the tag '${tag}'.` };
  const has = c.tags.length ? `it has: ${c.tags.join(', ')}` : 'it has no tags';
  return { ...base, passed: false, reason: `${who} lacks the required tag '${tag}' (${has}).` };
}

function requiredMetadata(key: string, c: CandidateFacts): RuleResult {
  const base = { kind: 'metadata' as const, rule: `metadata '${key}'`, metric: key };
  const who = versionLabel(c);
  const found = lookup(c.metrics, key);
  if (!found.present) return { ...base, passed: false, reason: `${key} is missing on ${who}.` };
  if (found.value === null || found.value === undefined) return { ...base, candidate: null, passed: false, reason: `${key} is null on ${who}.` };
  return { ...base, candidate: found.value, passed: true, reason: `${who} has ${key} = ${shown(found.value)}.` };
}

function maxAge(maxSeconds: number, c: CandidateFacts, now: Date): RuleResult {
  const base = { kind: 'age' as const, rule: `age ≤ ${formatDuration(maxSeconds)}` };
  const who = versionLabel(c);
  const created = c.createdAt ? Date.parse(c.createdAt) : NaN;
  if (Number.isNaN(created)) {
    return { ...base, candidate: c.createdAt, passed: false, reason: `${who} has no ${c.createdAt ? 'readable ' : ''}creation time${c.createdAt ? ` ('${c.createdAt}')` : ''}, so its age cannot be checked.` };
  }
  const age = Math.max(0, (now.getTime() - created) / 1000);
  const passed = age <= maxSeconds;
  const reason = `${who} was created ${formatDuration(age)} ago (${c.createdAt}), ${passed ? 'within' : 'older than'} the max-age of ${formatDuration(maxSeconds)}.`;
  return { ...base, candidate: c.createdAt, passed, reason };
}
