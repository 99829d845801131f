export { importModel } from './import-model.js';
export type { ImportRequest, ImportResult, ImportStep, ImportedArtifact } from './types.js';
export { verifyBundle, type VerifiedBundle } from './bundle.js';
export { IMPORTED_DIR } from './destination.js';
export { IMPORTED_TAG, BUNDLE_DIGEST_KEY } from './model-version.js';
