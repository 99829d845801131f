import { combinePolicy, emptyPolicy } from './policy.js';
import { evaluateGate } from './evaluate.js';
import { parseThresholds } from './thresholds.js';
import type { CandidateFacts, GatePolicy, GateRule, RuleResult } from './types.js';

const NOW = new Date('2025-06-30T12:00:00.000Z');

function facts(over: Partial<CandidateFacts> = {}): CandidateFacts {
  return {
    model: 'readmission-clf',
    version: '3',
    number: 3,
    modelVersionId: '33333333-3333-4333-8333-333333333333',
    stage: 'staging',
    metrics: { accuracy: 0.931, f1: 0.884, latency_ms: 95, dataset: 'uci-diabetes', hyperparameters: { max_depth: 12 } },
    tags: ['candidate', 'validated'],
    createdAt: '2025-06-20T12:00:00.000Z',
    origin: 'server',
    serverUrl: 'http://dev',
    ...over,
  };
}

const champion = (metrics: Record<string, unknown>): CandidateFacts =>
  facts({ version: '9', number: 9, modelVersionId: '99999999-9999-4999-8999-999999999999', stage: 'production', metrics, serverUrl: 'http://prod' });

function policy(p: Partial<GatePolicy>): GatePolicy {
  return { ...emptyPolicy(), ...p };
}

function run(rules: GateRule[] | string, candidate = facts(), champ?: CandidateFacts, targetStage = 'production'): RuleResult[] {
  const p = policy({ rules: typeof rules === 'string' ? parseThresholds(rules) : rules });
  return evaluateGate(p, candidate, champ, NOW, { targetStage }).results;
}

describe('thresholds', () => {
  test('pass and fail, one row each, with the value and why', () => {
    const results = run('accuracy>=0.90, f1>=0.9, latency_ms<=120, latency_ms<95, accuracy!=0.931, accuracy==0.931');
    expect(results.map((r) => [r.rule, r.candidate, r.passed])).toEqual([
      ['accuracy >= 0.9', 0.931, true],
      ['f1 >= 0.9', 0.884, false],
      ['latency_ms <= 120', 95, true],
      ['latency_ms < 95', 95, false],
      ['accuracy != 0.931', 0.931, false],
      ['accuracy == 0.931', 0.931, true],
    ]);
    expect(results.every((r) => r.kind === 'threshold')).toBe(true);
    expect(results[0]?.reason).toBe('accuracy is 0.931 on readmission-clf v3, which meets >= 0.9.');
    expect(results[1]?.reason).toBe('f1 is 0.884 on readmission-clf v3, below 0.9.');
    expect(results[3]?.reason).toBe('latency_ms is 95 on readmission-clf v3, not below 95.');
  });

  test('a missing metric fails closed, saying which', () => {
    const [r] = run('recall>=0.5');
    expect(r).toMatchObject({ passed: false, metric: 'recall', candidate: undefined, reason: 'recall is missing on readmission-clf v3.' });
  });

  test('a value that is not a finite number fails closed, saying what it is', () => {
    const c = facts({ metrics: { f1: 'n/a', auc: null, loss: Number.NaN, ok: true, acc: '0.93', cm: [[1, 2]] } });
    const results = run('f1>=0.8, auc>=0.8, loss<=1, ok==1, acc>=0.9, cm>=0', c);
    expect(results.every((r) => !r.passed)).toBe(true);
    expect(results.map((r) => r.reason)).toEqual([
      "f1 is 'n/a', not a number, on readmission-clf v3.",
      'auc is null, not a number, on readmission-clf v3.',
      'loss is NaN, not a finite number, on readmission-clf v3.',
      'ok is true, not a number, on readmission-clf v3.',
      "acc is '0.93', not a number, on readmission-clf v3.",
      'cm is [[1,2]], not a number, on readmission-clf v3.',
    ]);
    expect(results[0]?.candidate).toBe('n/a');
  });

  test('a dotted metric reads into dict metadata; a named version is labelled by name', () => {
    const [r] = run('hyperparameters.max_depth<=12', facts({ version: 'golden' }));
    expect(r).toMatchObject({ passed: true, candidate: 12 });
    expect(run('x>=1', facts({ version: 'golden' }))[0]?.reason).toBe("x is missing on readmission-clf version 'golden'.");
  });
});

describe('champion comparison', () => {
  test('max regression: candidate ≥ champion − amount (float noise tolerated)', () => {
    const rule: GateRule = { metric: 'f1', champion: { maxRegression: 0.01 } };
    const pass = run([rule], facts({ metrics: { f1: 0.92 } }), champion({ f1: 0.93 }));
    expect(pass).toEqual([
      {
        kind: 'champion',
        rule: 'f1 ≥ champion − 0.01',
        metric: 'f1',
        candidate: 0.92,
        champion: 0.93,
        passed: true,
        reason: 'f1 is 0.92 on readmission-clf v3; the champion readmission-clf v9 has 0.93, max regression 0.01, so the bound is 0.92.',
      },
    ]);
    const [fail] = run([rule], facts({ metrics: { f1: 0.915 } }), champion({ f1: 0.93 }));
    expect(fail).toMatchObject({ passed: false, reason: 'f1 is 0.915 on readmission-clf v3, below 0.92 (the champion readmission-clf v9 has 0.93, max regression 0.01).' });
  });

  test('min improvement: candidate ≥ champion + amount; both bounds are separate rows', () => {
    const rule: GateRule = { metric: 'f1', champion: { maxRegression: 0.01, minImprovement: 0.005 } };
    const results = run([rule], facts({ metrics: { f1: 0.933 } }), champion({ f1: 0.93 }));
    expect(results.map((r) => [r.rule, r.passed])).toEqual([
      ['f1 ≥ champion − 0.01', true],
      ['f1 ≥ champion + 0.005', false],
    ]);
    expect(run([rule], facts({ metrics: { f1: 0.935 } }), champion({ f1: 0.93 })).every((r) => r.passed)).toBe(true);
  });

  test('no amounts: no worse than the champion', () => {
    expect(run([{ metric: 'f1', champion: {} }], facts({ metrics: { f1: 0.93 } }), champion({ f1: 0.93 }))[0]).toMatchObject({ rule: 'f1 ≥ champion', passed: true });
    expect(run([{ metric: 'f1', champion: {} }], facts({ metrics: { f1: 0.929 } }), champion({ f1: 0.93 }))[0]?.passed).toBe(false);
  });

  test('lower is better (latency) flips the comparison', () => {
    const rule: GateRule = { metric: 'latency_ms', champion: { maxRegression: 5, minImprovement: 2, higherIsBetter: false } };
    const ok = run([rule], facts({ metrics: { latency_ms: 95 } }), champion({ latency_ms: 100 }));
    expect(ok.map((r) => [r.rule, r.passed])).toEqual([
      ['latency_ms ≤ champion + 5', true],
      ['latency_ms ≤ champion − 2', true],
    ]);
    const slow = run([rule], facts({ metrics: { latency_ms: 106 } }), champion({ latency_ms: 100 }));
    expect(slow.map((r) => r.passed)).toEqual([false, false]);
    expect(slow[0]?.reason).toBe('latency_ms is 106 on readmission-clf v3, above 105 (the champion readmission-clf v9 has 100, max regression 5).');
  });

  test('no champion: the rule passes and says so', () => {
    const [r] = run([{ metric: 'f1', champion: { maxRegression: 0.01 } }], facts(), undefined, 'production');
    expect(r).toMatchObject({ passed: true, candidate: 0.884, reason: 'no champion holds production; nothing to compare.' });
    expect(r?.champion).toBeUndefined();
  });

  test('a champion that lacks the metric fails closed', () => {
    const [r] = run([{ metric: 'f1', champion: { maxRegression: 0.01 } }], facts(), champion({ accuracy: 0.9 }));
    expect(r).toMatchObject({ passed: false, reason: 'f1 is missing on the champion readmission-clf v9, so readmission-clf v3 cannot be compared with it.' });
    const [s] = run([{ metric: 'f1', champion: {} }], facts(), champion({ f1: 'broken' }));
    expect(s).toMatchObject({ passed: false, champion: 'broken' });
    expect(s?.reason).toMatch(/^f1 is 'broken', not a number, on the champion readmission-clf v9/);
  });

  test('a candidate that lacks the metric fails, champion or not', () => {
    expect(run([{ metric: 'recall', champion: {} }], facts(), undefined)[0]).toMatchObject({ passed: false, reason: 'recall is missing on readmission-clf v3.' });
    expect(run([{ metric: 'recall', champion: {} }], facts(), champion({ recall: 0.5 }))[0]?.passed).toBe(false);
  });

  test('a rule with a value and a champion gives both rows', () => {
    const results = run([{ metric: 'f1', op: '>=', value: 0.85, champion: { maxRegression: 0.01 } }], facts(), champion({ f1: 0.95 }));
    expect(results.map((r) => [r.kind, r.passed])).toEqual([
      ['threshold', true],
      ['champion', false],
    ]);
  });
});

describe('tags, metadata, age', () => {
  test('each required tag is a row; a missing one fails, naming what the version has', () => {
    const { passed, results } = evaluateGate(policy({ requiredTags: ['validated', 'signed-off'] }), facts(), undefined, NOW);
    expect(passed).toBe(false);
    expect(results).toEqual([
      { kind: 'tag', rule: "tag 'validated'", candidate: 'validated', passed: true, reason: "readmission-clf v3 has the tag 'validated'." },
      { kind: 'tag', rule: "tag 'signed-off'", passed: false, reason: "readmission-clf v3 lacks the required tag 'signed-off' (it has: candidate, validated)." },
    ]);
    expect(evaluateGate(policy({ requiredTags: ['x'] }), facts({ tags: [] }), undefined, NOW).results[0]?.reason).toMatch(/\(it has no tags\)/);
  });

  test('required metadata: missing or null fails', () => {
    const c = facts({ metrics: { dataset: 'uci', owner: null, hyperparameters: { max_depth: 12 } } });
    const { results } = evaluateGate(policy({ requiredMetadata: ['dataset', 'owner', 'git_commit', 'hyperparameters'] }), c, undefined, NOW);
    expect(results.map((r) => [r.rule, r.passed, r.reason])).toEqual([
      ["metadata 'dataset'", true, "readmission-clf v3 has dataset = 'uci'."],
      ["metadata 'owner'", false, 'owner is null on readmission-clf v3.'],
      ["metadata 'git_commit'", false, 'git_commit is missing on readmission-clf v3.'],
      ["metadata 'hyperparameters'", true, 'readmission-clf v3 has hyperparameters = {"max_depth":12}.'],
    ]);
  });

  test('max-age: older fails, within passes, unknown creation time fails closed', () => {
    const p = policy({ maxAgeSeconds: 14 * 86400 });
    expect(evaluateGate(p, facts(), undefined, NOW).results[0]).toEqual({
      kind: 'age',
      rule: 'age ≤ 14d',
      candidate: '2025-06-20T12:00:00.000Z',
      passed: true,
      reason: 'readmission-clf v3 was created 10d ago (2025-06-20T12:00:00.000Z), within the max-age of 14d.',
    });
    const old = evaluateGate(p, facts({ createdAt: '2025-05-01T00:00:00.000Z' }), undefined, NOW).results[0];
    expect(old).toMatchObject({ passed: false, reason: 'readmission-clf v3 was created 60d 12h ago (2025-05-01T00:00:00.000Z), older than the max-age of 14d.' });
    const { createdAt: _drop, ...noDate } = facts();
    expect(evaluateGate(p, noDate, undefined, NOW).results[0]).toMatchObject({ passed: false, reason: 'readmission-clf v3 has no creation time, so its age cannot be checked.' });
    expect(evaluateGate(p, facts({ createdAt: 'unknown' }), undefined, NOW).results[0]).toMatchObject({ passed: false, reason: "readmission-clf v3 has no readable creation time ('unknown'), so its age cannot be checked." });
  });
});

test('the verdict is the conjunction of every row', () => {
  const p = combinePolicy(undefined, { rules: parseThresholds('accuracy>=0.9, f1>=0.8'), requiredTags: ['validated'], maxAgeSeconds: 30 * 86400 });
  expect(evaluateGate(p, facts(), undefined, NOW).passed).toBe(true);
  expect(evaluateGate(p, facts({ tags: [] }), undefined, NOW).passed).toBe(false);
  expect(evaluateGate(emptyPolicy(), facts(), undefined, NOW)).toEqual({ passed: true, results: [] });
});
