import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { formatDuration, parseDuration } from './duration.js';
import { combinePolicy, loadPolicy, policyHasChecks } from './policy.js';
import { parseMetricAmounts, parseThresholds } from './thresholds.js';
import type { GatePolicy } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'gate-policy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function policyFile(text: string): string {
  const file = join(dir, `policy-${++n}.yml`);
  writeFileSync(file, text);
  return file;
}

/** The InputError loadPolicy throws, with the file name shortened to `<file>`. */
async function policyError(text: string, stage = 'production'): Promise<string> {
  const file = policyFile(text);
  try {
    await loadPolicy(file, stage);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).input).toBe('policy');
    const msg = (err as InputError).message;
    expect(msg).not.toMatch(/\n/);
    return msg.replace(file, '<file>');
  }
  throw new Error('loadPolicy did not throw');
}

const GOOD = `# reviewed like code
version: 1
stages:
  staging:
    rules: ["accuracy >= 0.8"]
  production:
    rules:
      - accuracy >= 0.90
      - metric: f1
        op: ">="
        value: 0.85
        champion: { max-regression: 0.01 }
      - metric: latency_ms
        op: "<="
        value: 120
        champion: { max-regression: 5, higher-is-better: false }
      - metric: auc
        champion: true
    required-tags: [validated, reviewed]
    required-metadata: [dataset]
    max-age: 30d
    require-approval: true
    refuse-self-approval: true
`;

describe('loadPolicy', () => {
  test('reads the section for the target stage', async () => {
    const file = policyFile(GOOD);
    expect(await loadPolicy(file, 'production')).toEqual({
      rules: [
        { metric: 'accuracy', op: '>=', value: 0.9 },
        { metric: 'f1', op: '>=', value: 0.85, champion: { maxRegression: 0.01 } },
        { metric: 'latency_ms', op: '<=', value: 120, champion: { maxRegression: 5, higherIsBetter: false } },
        { metric: 'auc', champion: {} },
      ],
      requiredTags: ['validated', 'reviewed'],
      requiredMetadata: ['dataset'],
      maxAgeSeconds: 30 * 86400,
      requireApproval: true,
      refuseSelfApproval: true,
    });
    expect(await loadPolicy(file, 'staging')).toEqual({
      rules: [{ metric: 'accuracy', op: '>=', value: 0.8 }],
      requiredTags: [],
      requiredMetadata: [],
      requireApproval: false,
      refuseSelfApproval: false,
    });
  });

  test('max-age as seconds, and a single tag as a string', async () => {
    const p = await loadPolicy(policyFile('version: 1\nstages:\n  production:\n    max-age: 3600\n    required-tags: validated\n'), 'production');
    expect(p.maxAgeSeconds).toBe(3600);
    expect(p.requiredTags).toEqual(['validated']);
  });

  test.each([
    ['bad YAML, with its line', 'version: 1\nstages:\n  production:\n    rules: [a\n  x: 1\n', /^Input 'policy': <file>: invalid YAML at line 5, column 3: .+\.$/],
    ['an unquoted operator', 'version: 1\nstages:\n  production:\n    rules:\n      - metric: f1\n        op: >=\n        value: 1\n', /<file>: invalid YAML at line 6, .*an operator must be quoted: op: ">="/],
    ['a duplicate key', 'version: 1\nversion: 1\n', /<file>: invalid YAML at line 2, column 1: Map keys must be unique/],
    [
      'an unknown key in a rule',
      'version: 1\nstages:\n  production:\n    rules:\n      - metric: f1\n        op: ">="\n        valeu: 0.85\n',
      /<file>: stages\.production\.rules\[0\]\.valeu: unknown key 'valeu'; did you mean 'value'\? expected one of: metric, op, value, champion \(line 7\)/,
    ],
    [
      'an unknown key in a stage',
      'version: 1\nstages:\n  production:\n    rules: ["f1 >= 0.8"]\n    required_tags: [x]\n',
      /<file>: stages\.production\.required_tags: unknown key 'required_tags'; did you mean 'required-tags'\? expected one of: rules, required-tags, .* \(line 5\)\.$/,
    ],
    ['an unknown top-level key', 'version: 1\npolicies: {}\nstages: {}\n', /<file>: policies: unknown key 'policies'; expected one of: version, stages \(line 2\)/],
    [
      'an unknown key in a champion comparison',
      'version: 1\nstages:\n  production:\n    rules:\n      - metric: f1\n        champion: {max-regresion: 0.1}\n',
      /<file>: stages\.production\.rules\[0\]\.champion\.max-regresion: unknown key 'max-regresion'; did you mean 'max-regression'\?/,
    ],
    ['a value of the wrong type', 'version: 1\nstages:\n  production:\n    rules:\n      - metric: f1\n        op: ">="\n        value: high\n', /<file>: stages\.production\.rules\[0\]\.value: expected a number, got 'high' \(line 7\)\.$/],
    ['a boolean of the wrong type', 'version: 1\nstages:\n  production:\n    require-approval: yes please\n', /<file>: stages\.production\.require-approval: expected true or false, got 'yes please' \(line 4\)/],
    ['rules that are not a list', 'version: 1\nstages:\n  production:\n    rules: accuracy\n', /<file>: stages\.production\.rules: expected a list of rules, got 'accuracy'/],
    ['a negative max-regression', 'version: 1\nstages:\n  production:\n    rules:\n      - metric: f1\n        champion: {max-regression: -1}\n', /champion\.max-regression: expected a number ≥ 0, got -1/],
    ['an unknown operator', 'version: 1\nstages:\n  production:\n    rules:\n      - metric: f1\n        op: "=>"\n        value: 0.85\n', /<file>: stages\.production\.rules\[0\]\.op: expected one of >=, >, <=, <, ==, !=, in quotes \(op: ">="\), got '=>' \(line 6\)/],
    ['an unknown operator in a text rule', 'version: 1\nstages:\n  production:\n    rules: ["f1 = 0.8"]\n', /<file>: stages\.production\.rules\[0\]: 'f1 = 0\.8' has an unknown operator '=' \(use '==' for equality\)/],
    ['a rule with neither value nor champion', 'version: 1\nstages:\n  production:\n    rules:\n      - metric: f1\n', /<file>: stages\.production\.rules\[0\]: rule for 'f1' has neither a value \(op \+ value\) nor a champion comparison/],
    ['a value without an operator', 'version: 1\nstages:\n  production:\n    rules:\n      - metric: f1\n        value: 0.8\n', /<file>: stages\.production\.rules\[0\]\.op: is required with 'value'/],
    ['a bad max-age', 'version: 1\nstages:\n  production:\n    max-age: 3 days\n', /<file>: stages\.production\.max-age: expected a duration such as 30d, .*got '3 days' \(line 4\)/],
    ['another schema version', 'version: 2\nstages: {}\n', /<file>: version: expected 1 \(the policy schema version this action reads\), got 2 \(line 1\)/],
    ['no version', 'stages:\n  production:\n    rules: ["f1>=1"]\n', /<file>: version: is required: expected 1/],
    ['a stage with nothing to check', 'version: 1\nstages:\n  production: {}\n', /<file>: stages\.production: has nothing to check/],
    ['an empty file', '# nothing yet\n', /<file>: is empty: expected a policy with 'version: 1' and 'stages:'/],
    ['a list instead of a mapping', '- a\n', /<file>: \(top level\): expected a mapping with version: 1 and stages:, got a list/],
  ])('%s', async (_what, text, expected) => {
    expect(await policyError(text)).toMatch(expected);
  });

  test('a missing stage section lists the stages the file has', async () => {
    expect(await policyError(GOOD, 'archived')).toBe(
      "Input 'policy': <file>: stages: no section for target stage 'archived'; it has: staging, production. Add a 'archived:' section under 'stages:'.",
    );
  });

  test('several problems: the first is told, and how many more', async () => {
    expect(await policyError('version: 1\nstages:\n  production:\n    rules:\n      - metric: 1\n        op: "~"\n        value: x\n')).toMatch(
      /<file>: stages\.production\.rules\[0\]\.metric: expected a metric name \(text\), got 1 \(line 5\) \(and 2 more problems\)\.$/,
    );
  });

  test('a file that does not exist', async () => {
    await expect(loadPolicy(join(dir, 'nope.yml'), 'production')).rejects.toThrow(/^Input 'policy': .*nope\.yml: no such file/);
  });
});

describe('parseThresholds', () => {
  test('commas and newlines, spaces, unicode operators, a trailing comma', () => {
    expect(parseThresholds('accuracy>=0.90, f1 >= 0.85\nlatency_ms<=120,\n eval/loss ≤ .5, n!=3, v==1e-3,')).toEqual([
      { metric: 'accuracy', op: '>=', value: 0.9 },
      { metric: 'f1', op: '>=', value: 0.85 },
      { metric: 'latency_ms', op: '<=', value: 120 },
      { metric: 'eval/loss', op: '<=', value: 0.5 },
      { metric: 'n', op: '!=', value: 3 },
      { metric: 'v', op: '==', value: 0.001 },
    ]);
    expect(parseThresholds('  ')).toEqual([]);
  });

  test.each([
    ['accuracy', /'accuracy' is not a threshold: expected <metric><operator><number>, e\.g\. accuracy>=0\.90/],
    ['accuracy=>0.9', /'accuracy=>0\.9' has an unknown operator '=>' \(did you mean '>='\?\): expected one of >=, >, <=, <, ==, !=/],
    ['accuracy=0.9', /unknown operator '=' \(use '==' for equality\)/],
    ['accuracy>=high', /'accuracy>=high' compares with 'high', which is not a number/],
    ['accuracy>=', /'accuracy>=' has no value after '>='/],
    ['>=0.9', /'>=0\.9' is not a threshold/],
    ['f1>=0.8, accuracy >= 0,9', /'9' is not a threshold: .*\(commas separate thresholds: write decimals with a point, e\.g\. 0\.9\)\.$/],
  ])('%s', (text, expected) => {
    expect(() => parseThresholds(text)).toThrow(InputError);
    expect(() => parseThresholds(text)).toThrow(expected);
    expect(() => parseThresholds(text)).toThrow(/^Input 'thresholds': /);
  });
});

describe('durations and amounts', () => {
  test('parseDuration', () => {
    expect(parseDuration('30d', 'max-age')).toBe(2592000);
    expect(parseDuration('12h', 'max-age')).toBe(43200);
    expect(parseDuration('90m', 'max-age')).toBe(5400);
    expect(parseDuration('3600', 'max-age')).toBe(3600);
    expect(parseDuration('2w', 'max-age')).toBe(1209600);
    expect(parseDuration('1.5h', 'max-age')).toBe(5400);
    for (const bad of ['', '0', '-1d', '3 days', 'd', '10y']) {
      expect(() => parseDuration(bad, 'max-age')).toThrow(/^Input 'max-age': expected a duration such as 30d, 12h/);
    }
  });

  test('formatDuration', () => {
    expect([0, 45, 90, 5400, 2592000, 90061].map(formatDuration)).toEqual(['0s', '45s', '1m 30s', '1h 30m', '30d', '1d 1h']);
  });

  test('parseMetricAmounts', () => {
    expect(parseMetricAmounts('f1=0.01, auc: 0.02\nlatency_ms=5', 'max-regression')).toEqual({ f1: 0.01, auc: 0.02, latency_ms: 5 });
    expect(() => parseMetricAmounts('f1', 'max-regression')).toThrow(/^Input 'max-regression': 'f1' is not a metric amount: expected <metric>=<number ≥ 0>/);
    expect(() => parseMetricAmounts('f1=-1', 'min-improvement')).toThrow(/^Input 'min-improvement'/);
  });
});

describe('combinePolicy', () => {
  let base: GatePolicy;
  beforeAll(async () => {
    base = await loadPolicy(policyFile(GOOD), 'production');
  });

  test('inline rules are added; a metric in both gets both', () => {
    const p = combinePolicy(base, { rules: parseThresholds('accuracy>=0.95, recall>=0.7') });
    expect(p.rules.filter((r) => r.metric === 'accuracy')).toEqual([
      { metric: 'accuracy', op: '>=', value: 0.9 },
      { metric: 'accuracy', op: '>=', value: 0.95 },
    ]);
    expect(p.rules.map((r) => r.metric)).toContain('recall');
  });

  test('nothing loosens the file: tags union, shorter max-age, approval flags stay on', () => {
    const p = combinePolicy(base, { requiredTags: ['validated', 'signed'], requiredMetadata: ['owner'], maxAgeSeconds: 86400 * 90, requireApproval: false, refuseSelfApproval: false });
    expect(p.requiredTags).toEqual(['validated', 'reviewed', 'signed']);
    expect(p.requiredMetadata).toEqual(['dataset', 'owner']);
    expect(p.maxAgeSeconds).toBe(30 * 86400);
    expect(p.requireApproval).toBe(true);
    expect(p.refuseSelfApproval).toBe(true);
    expect(combinePolicy(base, { maxAgeSeconds: 3600 }).maxAgeSeconds).toBe(3600);
  });

  test('per-metric champion amounts become champion rules; lower-is-better is inferred', () => {
    const p = combinePolicy(undefined, {
      rules: parseThresholds('latency_ms<=120, f1>=0.8'),
      champion: { maxRegression: { f1: 0.01, latency_ms: 5 }, minImprovement: { f1: 0.002 } },
    });
    expect(p.rules).toEqual([
      { metric: 'latency_ms', op: '<=', value: 120 },
      { metric: 'f1', op: '>=', value: 0.8 },
      { metric: 'f1', champion: { maxRegression: 0.01, minImprovement: 0.002 } },
      { metric: 'latency_ms', champion: { maxRegression: 5, higherIsBetter: false } },
    ]);
    expect(combinePolicy(base, { champion: { maxRegression: { latency_ms: 10 } } }).rules.at(-1)).toEqual({ metric: 'latency_ms', champion: { maxRegression: 10, higherIsBetter: false } });
  });

  test('no policy and no inputs: nothing to check', () => {
    const p = combinePolicy(undefined, {});
    expect(p).toEqual({ rules: [], requiredTags: [], requiredMetadata: [], requireApproval: false, refuseSelfApproval: false });
    expect(policyHasChecks(p)).toBe(false);
    expect(policyHasChecks(combinePolicy(undefined, { requireApproval: true }))).toBe(true);
  });
});

describe('a hostile policy file', () => {
  it('refuses a YAML alias bomb with one InputError naming the file, not a ReferenceError', async () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [prev, name] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f']] as const) {
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const msg = await policyError(`version: 1\n${levels.join('\n')}\nstages: {production: {rules: [*f]}}\n`);
    expect(msg).toMatch(/^Input 'policy': <file>: cannot be read as a policy: .*alias/i);
  });
});
