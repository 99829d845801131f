/** export-model without the Actions runtime: one model version → a content-addressed bundle in the exchange. */
export { exportModel } from './export-model.js';
export type { ExportRequest, ExportResult, ArtifactSource } from './types.js';
export { ARTIFACT_SOURCES } from './types.js';
export { VERSION_STAGES } from './resolve.js';
export { EXPORTER_VERSION } from './build-manifest.js';
export { PROMOTION_CHAIN_KEY } from './promotion-chain.js';
