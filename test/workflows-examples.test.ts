import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './harness/run-bundle.js';
import { actionlintProblems } from './workflows/actionlint.js';
import { checkSuiteUses, countSuiteSteps } from './workflows/check-suite-uses.js';
import { checkHeader, checkHygiene } from './workflows/hygiene.js';
import { PINS } from './workflows/pins.js';
import { runStepScript, stepScript } from './workflows/run-step.js';
import { loadSuiteActions } from './workflows/suite-actions.js';

const actions = loadSuiteActions(repoRoot);
const yamlIn = (dir: string): string[] =>
  readdirSync(join(repoRoot, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => `${dir}/${f}`);
const examples = yamlIn('workflows-examples');
const workflows = [...examples, ...yamlIn('.github/workflows')];
const read = (file: string): string => readFileSync(join(repoRoot, file), 'utf8');

describe('the workflow files', () => {
  it('are the four examples and the suite\'s CI and release workflows', () => {
    expect(examples).toEqual([
      'workflows-examples/promote-on-release.yml',
      'workflows-examples/rollback.yml',
      'workflows-examples/scheduled-batch-inference.yml',
      'workflows-examples/train-on-pr.yml',
    ]);
    expect(workflows).toEqual(expect.arrayContaining(['.github/workflows/ci.yml', '.github/workflows/release.yml']));
  });

  it('the suite-uses check knows every action of the suite', () => {
    expect([...actions.keys()].sort()).toEqual(
      ['build-snapshot', 'export-model', 'gate-promotion', 'import-model', 'promote', 'rollback', 'run-snapshot', 'zenml-login'],
    );
  });
});

describe.each(workflows)('%s', (file) => {
  const text = read(file);

  it('passes actionlint', async () => {
    expect(await actionlintProblems(text, file)).toEqual([]);
  });

  it('uses only actions, inputs and outputs this suite declares, and gives every required input', () => {
    expect(checkSuiteUses(text, file, actions)).toEqual([]);
  });

  it('pins third-party actions to reviewed SHAs, keeps secrets out of shared env and permissions minimal', () => {
    expect(checkHygiene(text, file, PINS)).toEqual([]);
  });
});

describe.each(examples)('example %s', (file) => {
  const text = read(file);

  it('uses the suite (so the checks above had something to check)', () => {
    expect(countSuiteSteps(text, file)).toBeGreaterThan(0);
  });

  it('says in its header what to set up: secrets, variables, environments, permissions', () => {
    expect(checkHeader(text, file)).toEqual([]);
  });
});

/** A one-job workflow around `steps` (indented as job steps; the first is on line 7), plus extra jobs. */
function workflow(steps: string, extra = ''): string {
  return `on: push
permissions: {}
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
${steps}
${extra}`;
}
const exportStep = `      - id: exp
        uses: my-org/mlops-actions/export-model@v1
        with:
          model: clf`;

describe('each check reports a broken workflow', () => {
  it('the broken-workflow template itself is clean (so each finding below comes from its breakage)', async () => {
    const text = workflow(exportStep);
    expect(checkSuiteUses(text, 'ok.yml', actions)).toEqual([]);
    expect(await actionlintProblems(text, 'ok.yml')).toEqual([]);
  });

  it('an input the action does not declare, with the inputs it has', () => {
    const text = workflow(`${exportStep}\n          stage: production`);
    expect(checkSuiteUses(text, 'bad.yml', actions)).toEqual([
      expect.stringMatching(/^bad\.yml:11: jobs\.a\.steps\[0\] \(id: exp\): unknown input 'stage' for export-model \(its inputs: .*manifest-artifact.*\)$/),
    ]);
  });

  it('a required input left out', () => {
    const text = workflow(`      - uses: my-org/mlops-actions/rollback@v1
        with:
          model: clf`);
    expect(checkSuiteUses(text, 'bad.yml', actions)).toEqual([expect.stringContaining("rollback needs input 'reason' (required, no default)")]);
  });

  it('an action that does not exist in the suite', () => {
    const text = workflow(`      - uses: acme/mlops-actions/deploy-model@v1.2.0`);
    expect(checkSuiteUses(text, 'bad.yml', actions)).toEqual([
      expect.stringMatching(/^bad\.yml:7: jobs\.a\.steps\[0\] uses unknown action 'deploy-model': there is no deploy-model\/action\.yml \(the suite has: build-snapshot, /),
    ]);
  });

  it('a step output the action does not declare', () => {
    const text = workflow(`${exportStep}\n      - run: echo "\${{ steps.exp.outputs.digest }}"`);
    expect(checkSuiteUses(text, 'bad.yml', actions)).toEqual([
      expect.stringMatching(/^bad\.yml:11: jobs\.a\.steps\.1\.run reads steps\.exp\.outputs\.digest, but export-model has no output 'digest' \(its outputs: .*bundle-digest/),
    ]);
  });

  it('a job output that reads an undeclared step output, and a needs output the job does not declare', () => {
    const text = workflow(
      exportStep,
      `  b:
    needs: a
    runs-on: ubuntu-latest
    steps:
      - uses: my-org/mlops-actions/import-model@v1
        with:
          manifest: \${{ needs.a.outputs.manifest }}
      - run: echo "\${{ needs.a.outputs.digest }}"`,
    ).replace('    steps:\n', '    outputs:\n      manifest: ${{ steps.exp.outputs.manifest-url }}\n    steps:\n');
    expect(checkSuiteUses(text, 'bad.yml', actions)).toEqual([
      expect.stringMatching(/^bad\.yml:7: jobs\.a\.outputs\.manifest reads steps\.exp\.outputs\.manifest-url, but export-model has no output 'manifest-url'/),
      expect.stringMatching(/^bad\.yml:20: jobs\.b\.steps\.1\.run reads needs\.a\.outputs\.digest, but job 'a' declares no output 'digest' \(its outputs: manifest\)$/),
    ]);
  });

  it('a condition reading a step id that does not exist in the job', () => {
    const text = workflow(`${exportStep}\n      - if: steps.export.outputs.bytes != '0'\n        run: echo big`);
    expect(checkSuiteUses(text, 'bad.yml', actions)).toEqual([expect.stringContaining("reads steps.export.outputs.bytes, but job 'a' has no step with id 'export'")]);
  });

  it('a one-letter slip in a real example (an output name through needs, an input name) is caught', () => {
    const file = 'workflows-examples/promote-on-release.yml';
    const text = read(file)
      .replace('manifest-artifact: ${{ steps.export.outputs.manifest-artifact }}', 'manifest-artifact: ${{ steps.export.outputs.manifest-artifacts }}')
      .replace('refuse-self-approval: true', 'refuse-self-approvals: true');
    expect(checkSuiteUses(text, file, actions)).toEqual([
      expect.stringContaining("jobs.export.outputs.manifest-artifact reads steps.export.outputs.manifest-artifacts, but export-model has no output 'manifest-artifacts'"),
      expect.stringContaining("unknown input 'refuse-self-approvals' for gate-promotion"),
    ]);
  });

  it('actionlint skips the suite\'s actions (it cannot fetch them), which is why the suite check exists', async () => {
    const text = workflow(`${exportStep}\n          no-such-input: x`);
    expect(await actionlintProblems(text, 'bad.yml')).toEqual([]);
    expect(checkSuiteUses(text, 'bad.yml', actions)).toHaveLength(1);
  });

  it('actionlint: an unknown permission scope and an undefined expression', async () => {
    const text = workflow(`      - run: echo "\${{ github.event.pull_request.number }} \${{ step.x }}"`).replace(
      'permissions: {}',
      'permissions:\n  pull-request: write',
    );
    const problems = await actionlintProblems(text, 'bad.yml');
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^bad\.yml:3:\d+: .*"pull-request".*\[permissions\]$/),
        expect.stringMatching(/^bad\.yml:\d+:\d+: .*"step".*\[expression\]$/),
      ]),
    );
  });

  it('hygiene: a tag instead of a SHA, a SHA without its version, an unreviewed pin, a wrong SHA', () => {
    const text = workflow(`      - uses: actions/checkout@v5
      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8
      - uses: someone/action@0123456789abcdef0123456789abcdef01234567 # v1.0.0
      - uses: actions/checkout@0123456789abcdef0123456789abcdef01234567 # v5.0.0`);
    expect(checkHygiene(text, 'bad.yml', PINS)).toEqual([
      'bad.yml:7: actions/checkout@v5 is not pinned to a full 40-hex commit SHA',
      "bad.yml:8: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 needs a '# vX.Y.Z' comment naming the release the SHA is",
      'bad.yml:9: someone/action is not a reviewed action (add its verified pin to test/workflows/pins.ts)',
      'bad.yml:10: actions/checkout@0123456789abcdef0123456789abcdef01234567 # v5.0.0 is not the reviewed pin 08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0',
    ]);
  });

  it('hygiene: a secret in job-level env, and write permissions granted to every job', () => {
    const text = workflow(`      - run: echo hi`)
      .replace('permissions: {}', 'permissions:\n  contents: write')
      .replace('    runs-on: ubuntu-latest\n', '    runs-on: ubuntu-latest\n    env:\n      ZENML_STORE_API_KEY: ${{ secrets.ZENML_PROD_API_KEY }}\n');
    expect(checkHygiene(text, 'bad.yml', PINS)).toEqual([
      expect.stringMatching(/^bad\.yml:8: jobs\.a\.env\.ZENML_STORE_API_KEY holds a secret; give it in the env: or with: of the one step that needs it$/),
      expect.stringMatching(/^bad\.yml:3: top-level permissions grant contents: write; grant it only in the job that needs it$/),
    ]);
  });

  it('header: a secret, variable or environment the header does not mention', () => {
    const text = `# Replace my-org/mlops-actions.\n# Environments: production\n# Secrets: none\n# Variables: ZENML_PROD_URL\n# Permissions: none\n${workflow(`      - uses: my-org/mlops-actions/zenml-login@v1
        with:
          server-url: \${{ vars.ZENML_PROD_URL }}
          api-key: \${{ secrets.ZENML_PROD_API_KEY }}`).replace('    runs-on:', '    environment: prod-batch\n    runs-on:')}`;
    expect(checkHeader(text, 'bad.yml')).toEqual([
      'bad.yml: the header comment does not mention ZENML_PROD_API_KEY, which the workflow uses',
      'bad.yml: the header comment does not mention prod-batch, which the workflow uses',
    ]);
  });
});

describe('release.yml', () => {
  const file = '.github/workflows/release.yml';
  const text = read(file);
  const version = stepScript(text, file, 'test', 'version');
  const notes = stepScript(text, file, 'test', 'notes');
  const tag = stepScript(text, file, 'release', 'tag');

  it('its scripts read the version from the environment, never from an expression pasted into the script', () => {
    for (const script of [version, notes, tag]) expect(script).not.toContain('${{');
  });

  it.each([
    ['1.0.0', 'v1.0.0', 'v1'],
    ['1.12.3', 'v1.12.3', 'v1'],
    ['2.0.0', 'v2.0.0', 'v2'],
    ['0.4.10', 'v0.4.10', 'v0'],
  ])('version %s: tag %s, major tag %s', (v, t, major) => {
    const r = runStepScript(version, { cwd: repoRoot, env: { VERSION: v } });
    expect({ code: r.code, outputs: r.outputs }).toEqual({ code: 0, outputs: { tag: t, major } });
  });

  it.each(['1.2', 'v1.2.3', '01.2.3', '1.2.3-rc.1', '1.2.3 ', '', '1.2.3;id'])('refuses version %j', (v) => {
    const r = runStepScript(version, { cwd: repoRoot, env: { VERSION: v } });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('version must be X.Y.Z');
    expect(r.outputs).toEqual({});
  });

  describe('release notes', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'changelog-'));
      writeFileSync(
        join(dir, 'CHANGELOG.md'),
        [
          '# Changelog', '', '## [Unreleased]', '', '- not yet', '',
          '## [1.1.0] - 2027-01-02', '', '### Fixed', '', '- the [thing](https://example.com)', '',
          '## [1.0.0] - 2026-12-01', '', '### Added', '', '- everything', '',
          '[1.1.0]: https://example.com/v1.1.0', '[1.0.0]: https://example.com/v1.0.0', '',
        ].join('\n'),
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('are exactly the section of that version', () => {
      expect(runStepScript(notes, { cwd: dir, env: { VERSION: '1.1.0' } }).outputs).toEqual({ notes: '### Fixed\n\n- the [thing](https://example.com)' });
      expect(runStepScript(notes, { cwd: dir, env: { VERSION: '1.0.0' } }).outputs).toEqual({ notes: '### Added\n\n- everything' });
    });

    it('fail the release when CHANGELOG.md has no section for the version', () => {
      const r = runStepScript(notes, { cwd: dir, env: { VERSION: '1.0' } });
      expect(r.code).not.toBe(0);
      expect(r.stdout).toContain("CHANGELOG.md has no '## [1.0]' section");
    });

    it('for 1.0.0 come from the real CHANGELOG.md and name every action', () => {
      const r = runStepScript(notes, { cwd: repoRoot, env: { VERSION: '1.0.0' } });
      expect(r.code).toBe(0);
      for (const name of actions.keys()) expect(r.outputs.notes).toContain(`\`${name}\``);
      expect(r.outputs.notes).not.toContain('## [');
    });
  });

  describe('tagging', () => {
    let dir: string;
    const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', HOME: dir } }).trim();
    const commit = (work: string, message: string): string => {
      git(work, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '--allow-empty', '-qm', message);
      return git(work, 'rev-parse', 'HEAD');
    };
    const remoteTag = (ref: string): string => git(join(dir, 'origin.git'), 'rev-parse', `${ref}^{commit}`);
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'release-tag-'));
      git(dir, 'init', '-q', '--bare', 'origin.git');
      git(dir, 'clone', '-q', 'origin.git', 'work');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('creates vX.Y.Z, moves the major tag forward, and never re-tags a released version', () => {
      const work = join(dir, 'work');
      const first = commit(work, 'one');
      const run = (sha: string, t: string, major: string) => runStepScript(tag, { cwd: work, env: { GITHUB_SHA: sha, TAG: t, MAJOR: major } });
      expect(run(first, 'v1.0.0', 'v1').code).toBe(0);
      expect([remoteTag('v1.0.0'), remoteTag('v1')]).toEqual([first, first]);

      const second = commit(work, 'two');
      expect(run(second, 'v1.1.0', 'v1').code).toBe(0);
      expect([remoteTag('v1.0.0'), remoteTag('v1.1.0'), remoteTag('v1')]).toEqual([first, second, second]);

      const again = run(second, 'v1.0.0', 'v1');
      expect(again.code).not.toBe(0);
      expect(again.stdout).toContain('v1.0.0 already exists');
      expect(remoteTag('v1.0.0')).toBe(first);
    });
  });
});
