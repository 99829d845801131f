/**
 * Publishes the manifest's zod schema as JSON Schema (packages/core/schema/manifest.v1.json), for
 * consumers outside this repository. `--check` fails when the published file is stale (a jest test
 * checks the same, so `npm test` catches it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifestJsonSchema } from '../packages/core/src/manifest/json-schema.js';

const file = join(import.meta.dirname, '..', 'packages', 'core', 'schema', 'manifest.v1.json');
const text = JSON.stringify(manifestJsonSchema(), null, 2) + '\n';
if (process.argv.includes('--check')) {
  if (readFileSync(file, 'utf8') !== text) {
    console.error("manifest-schema: packages/core/schema/manifest.v1.json is stale. Run 'npm run manifest-schema' and commit it.");
    process.exit(1);
  }
  console.log('manifest-schema: published JSON Schema matches the zod schema');
} else {
  writeFileSync(file, text);
  console.log(`manifest-schema: wrote ${file}`);
}
