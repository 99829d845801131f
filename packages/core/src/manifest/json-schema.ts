import { z } from '../zod.js';
import { ManifestSchema, MANIFEST_SCHEMA_VERSION } from './schema.js';

/** The manifest's schema as JSON Schema 2020-12 (path-safety rules are enforced in code, and described). */
export function manifestJsonSchema(): Record<string, unknown> {
  return {
    $id: `https://mlops-actions/schema/manifest.v${MANIFEST_SCHEMA_VERSION}.json`,
    title: 'mlops-actions promotion bundle manifest',
    description:
      'manifest.json of a promotion bundle, written last by export-model. Paths are relative POSIX paths with no "..", "." or empty segments, no leading "/" and no backslash; import-model re-checks them before any write.',
    ...z.toJSONSchema(ManifestSchema, { target: 'draft-2020-12' }),
  };
}
