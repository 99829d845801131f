/** The public shapes of the exchange layer: where bundles are written to and read from. */
import type { Readable } from 'node:stream';
import type { Storage } from '@google-cloud/storage';

export interface ObjectInfo {
  /** Relative to the store's root. */
  key: string;
  size: number;
  /** Hex. gs:// stores keep it in the object's custom metadata; file:// stat does not compute it. */
  sha256?: string;
  /** Base64, as GCS reports it (gs:// only; absent on composite objects). */
  md5?: string;
  /** Base64, as GCS reports it (gs:// only). */
  crc32c?: string;
}

export interface PutResult {
  key: string;
  size: number;
  sha256: string;
  /** false: an identical object was already there and nothing was rewritten. */
  written: boolean;
}

/** What `move` did. */
export interface MoveResult {
  key: string;
  size: number;
  /** false: an identical object was already at the destination; only the source was removed. */
  written: boolean;
}

export interface PutOptions {
  expectedSha256?: string;
  expectedSize?: number;
  /** Called with the number of bytes consumed so far, as they stream. */
  onProgress?: (bytes: number) => void;
}

export interface GetOptions {
  expectedSha256?: string;
  expectedSize?: number;
  onProgress?: (bytes: number) => void;
}

export interface ExchangeStore {
  /** Normalised, e.g. `file:///tmp/x` or `gs://bucket/prefix`. */
  readonly uri: string;
  /** Suggested concurrency for callers' `mapLimit` (openExchange's `parallelism`). */
  readonly parallelism: number;
  /**
   * Streams `source` to `key`, computing sha256 and size in the same pass. If an object already
   * exists at key: identical → `written: false`; different → IntegrityError, nothing overwritten.
   * Writes are atomic (no partial object under the final key). Expected sha256/size mismatch →
   * IntegrityError and the partial write removed.
   */
  put(key: string, source: Readable | Buffer, opts?: PutOptions): Promise<PutResult>;
  /**
   * Streams an object. Rejects (IntegrityError) when the key does not exist or its size differs
   * from `expectedSize`; the stream errors with IntegrityError at its end when the sha256 or size
   * read differs from the expected values.
   */
  get(key: string, opts?: GetOptions): Promise<Readable>;
  /** undefined when there is no object at key. */
  stat(key: string): Promise<ObjectInfo | undefined>;
  /** Objects whose key starts with `prefix` (a plain string prefix, as in GCS), in key order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  exists(key: string): Promise<boolean>;
  /** Removes the object; no error when it does not exist. */
  delete(key: string): Promise<void>;
  /**
   * Moves the object at `fromKey` to `toKey` in this store, never overwriting: an identical object
   * already at `toKey` → the source is removed and `written: false`; a different one →
   * IntegrityError, both left as they are. A missing source → IntegrityError. file:// publishes
   * with link(2) then unlinks the source; gs:// copies server-side, checks the copy, then deletes
   * the source. Optional so that wrappers and fakes need not implement it (fall back to
   * get + put + delete).
   */
  move?(fromKey: string, toKey: string): Promise<MoveResult>;
  /**
   * Server-side copy between gs:// stores (no bytes through the runner). Returns the copy's info
   * and checks its md5/crc32c equal the source's (IntegrityError otherwise). Only when
   * `canCopyServerSide(dest)`.
   */
  copyTo?(key: string, dest: ExchangeStore, destKey: string): Promise<ObjectInfo>;
  canCopyServerSide(dest: ExchangeStore): boolean;
}

export interface OpenExchangeOptions {
  /** An @google-cloud/storage client to use for gs:// (tests); default: a new one with ADC. */
  storage?: Storage;
  /** Suggested concurrency exposed as `store.parallelism` (default 8). */
  parallelism?: number;
}
