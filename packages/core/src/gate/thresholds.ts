/**
 * The inline forms of gate rules: "accuracy>=0.90, f1>=0.85, latency_ms<=120" (commas or
 * newlines), and the per-metric maps of `max-regression` / `min-improvement` ("f1=0.01, auc=0.02").
 */
import { InputError } from '../errors.js';
import { COMPARE_OPS, type CompareOp, type GateRule } from './types.js';

/** Operators as typed, including the Unicode forms people paste from documents. */
const OP_ALIASES: Record<string, CompareOp> = { '>=': '>=', '>': '>', '<=': '<=', '<': '<', '==': '==', '!=': '!=', '≥': '>=', '≤': '<=', '≠': '!=' };

export const THRESHOLD_FORM = `<metric><operator><number>, e.g. accuracy>=0.90 (operators: ${COMPARE_OPS.join(', ')})`;

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite number from text written as a plain decimal (no hex, no "", no Infinity); undefined otherwise. */
export function numberFromText(text: string): number | undefined {
  const t = text.trim();
  if (!NUMBER.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** The operator a token names, if any. */
export function compareOp(token: string): CompareOp | undefined {
  return OP_ALIASES[token.trim()];
}

/** One "metric op number" expression → a threshold rule, or what is wrong with it. */
export function parseRuleExpression(text: string): { rule: GateRule } | { error: string } {
  const t = text.trim();
  const m = /^([^\s<>=!≥≤≠]+)\s*([<>=!≥≤≠]+)\s*(.*)$/.exec(t);
  if (!m) return { error: `'${t}' is not a threshold: expected ${THRESHOLD_FORM}` };
  const [, metric, opText, valueText] = m as unknown as [string, string, string, string];
  const op = compareOp(opText);
  if (!op) {
    const hint = opText === '=' ? " (use '==' for equality)" : opText === '=>' || opText === '=<' ? ` (did you mean '${opText[1]}='?)` : '';
    return { error: `'${t}' has an unknown operator '${opText}'${hint}: expected one of ${COMPARE_OPS.join(', ')}` };
  }
  if (!valueText.trim()) return { error: `'${t}' has no value after '${opText}': expected ${THRESHOLD_FORM}` };
  const value = numberFromText(valueText);
  if (value === undefined) return { error: `'${t}' compares with '${valueText.trim()}', which is not a number: expected ${THRESHOLD_FORM}` };
  return { rule: { metric, op, value } };
}

/** Splits on commas and newlines, dropping empty parts (a trailing comma is fine). */
function parts(text: string): string[] {
  return text
    .split(/[,\n\r]+/)
    .map((p) => p.trim())
    .filter(Boolean);
}

/** Inline thresholds: "accuracy>=0.90, f1>=0.85, latency_ms<=120" (commas or newlines). */
export function parseThresholds(text: string, input = 'thresholds'): GateRule[] {
  return parts(text).map((part) => {
    const r = parseRuleExpression(part);
    // "accuracy>=0,9" splits into "accuracy>=0" and "9".
    const comma = numberFromText(part) !== undefined ? ' (commas separate thresholds: write decimals with a point, e.g. 0.9)' : '';
    if ('error' in r) throw new InputError(input, `${r.error}${comma}.`);
    return r.rule;
  });
}

/**
 * Per-metric numbers, as the `max-regression` and `min-improvement` inputs take them:
 * "f1=0.01, auc: 0.02" → { f1: 0.01, auc: 0.02 }. Each number must be zero or more.
 */
export function parseMetricAmounts(text: string, input: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of parts(text)) {
    const m = /^([^\s=:]+)\s*[=:]\s*(.*)$/.exec(part);
    const value = m ? numberFromText(m[2] as string) : undefined;
    if (!m || value === undefined || value < 0) {
      throw new InputError(input, `'${part}' is not a metric amount: expected <metric>=<number ≥ 0>, e.g. f1=0.01 (commas or newlines between metrics).`);
    }
    out[m[1] as string] = value;
  }
  return out;
}
