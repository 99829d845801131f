/** `openExchange(uri)`: the store for an exchange URI. */
import { InputError } from '../errors.js';
import type { ExchangeStore, OpenExchangeOptions } from './types.js';
import { parseExchangeUri } from './uri.js';

export const DEFAULT_PARALLELISM = 8;

/**
 * Opens `file:///abs/path` (or an absolute path) or `gs://bucket[/prefix]`. Nothing is touched
 * yet: a file:// root is created by the first put. For gs://, @google-cloud/storage is loaded
 * here, on first use only, with Application Default Credentials unless `opts.storage` is given.
 * Each store's own code is loaded here too, so an action run that opens no exchange (or only one
 * kind) never loads the other.
 */
export async function openExchange(uri: string, opts: OpenExchangeOptions = {}): Promise<ExchangeStore> {
  const parallelism = opts.parallelism ?? DEFAULT_PARALLELISM;
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 256) {
    throw new InputError('parallelism', `must be an integer from 1 to 256, got ${String(opts.parallelism)}.`);
  }
  const loc = parseExchangeUri(uri);
  if (loc.scheme === 'file') {
    const { FileExchangeStore } = await import('./file-store.js');
    return new FileExchangeStore(loc.root, loc.uri, parallelism);
  }
  const { GcsExchangeStore } = await import('./gcs-store.js');
  const storage = opts.storage ?? new (await import('@google-cloud/storage')).Storage();
  return new GcsExchangeStore(storage, loc.bucket, loc.prefix, loc.uri, parallelism);
}
