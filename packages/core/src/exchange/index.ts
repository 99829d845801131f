export type { ExchangeStore, GetOptions, MoveResult, ObjectInfo, OpenExchangeOptions, PutOptions, PutResult } from './types.js';
export { openExchange, DEFAULT_PARALLELISM } from './open.js';
export { parseExchangeUri, bucketNameProblem, type ExchangeLocation } from './uri.js';
export { checkKey, checkPrefix, keyProblem, MAX_KEY_BYTES } from './keys.js';
export { mapLimit } from './map-limit.js';
export { FileExchangeStore } from './file-store.js';
export { GcsExchangeStore, RESUMABLE_THRESHOLD } from './gcs-store.js';
