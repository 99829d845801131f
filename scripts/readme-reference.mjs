// Keeps README's per-action inputs/outputs tables generated from each action.yml, so that the two
// cannot disagree. `node scripts/readme-reference.mjs` rewrites them; `--check` fails when stale.
// README marks each generated block with <!-- reference:<action> --> … <!-- /reference:<action> -->.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const root = resolve(import.meta.dirname, '..');
const readmePath = join(root, 'README.md');
const check = process.argv.includes('--check');
const readme = readFileSync(readmePath, 'utf8');

const esc = (s) => String(s ?? '').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ').trim();

function reference(action) {
  const file = join(root, action, 'action.yml');
  if (!existsSync(file)) throw new Error(`README names ${action}, but ${action}/action.yml does not exist`);
  const yml = parse(readFileSync(file, 'utf8'));
  const lines = ['#### Inputs', '', '| input | default | description |', '|---|---|---|'];
  for (const [name, i] of Object.entries(yml.inputs ?? {})) {
    const def = i.default !== undefined && i.default !== '' ? `\`${esc(i.default)}\`` : i.required ? '**required**' : '—';
    lines.push(`| \`${name}\` | ${def} | ${esc(i.description)} |`);
  }
  lines.push('', '#### Outputs', '', '| output | description |', '|---|---|');
  for (const [name, o] of Object.entries(yml.outputs ?? {})) lines.push(`| \`${name}\` | ${esc(o.description)} |`);
  return lines.join('\n');
}

const block = /<!-- reference:([a-z0-9-]+) -->\n[\s\S]*?<!-- \/reference:\1 -->/g;
let count = 0;
const next = readme.replace(block, (_, action) => {
  count++;
  return `<!-- reference:${action} -->\n${reference(action)}\n<!-- /reference:${action} -->`;
});
if (check) {
  if (next !== readme) {
    console.error("readme-reference: README's input/output tables differ from action.yml. Run 'node scripts/readme-reference.mjs' and commit README.md.");
    process.exit(1);
  }
  console.log(`readme-reference: ${count} action reference(s) match action.yml`);
} else {
  writeFileSync(readmePath, next);
  console.log(`readme-reference: wrote ${count} action reference(s)`);
}
