/**
 * gs:// exchange over @google-cloud/storage. Only types are imported from the client here: the
 * module itself is loaded by openExchange, and only for gs:// URIs.
 *
 * Objects are written with `ifGenerationMatch: 0` (create-only). A put first looks for an object
 * at the key (so re-running an export does not re-upload); a 412 from a writer that got there in
 * between is treated the same way: compare, then `written: false` or IntegrityError. The source's
 * sha256 is kept in the object's custom metadata (`sha256`), for later comparisons and `stat`.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Bucket, File, FileMetadata, Storage } from '@google-cloud/storage';
import { IntegrityError } from '../errors.js';
import { checkKey, checkPrefix, describeKey, keyProblem, MAX_KEY_BYTES } from './keys.js';
import { gcsStatus, wrapGcsError } from './gcs-errors.js';
import { checkExpectedSize, normaliseSha256, SHA256_HEX, sha256Of, streamInto, VerifyingStream } from './streams.js';
import type { ExchangeStore, GetOptions, MoveResult, ObjectInfo, PutOptions, PutResult } from './types.js';

/** Uploads of known size up to this go in one request; larger or unknown sizes are resumable. */
export const RESUMABLE_THRESHOLD = 8 * 1024 * 1024;
/** Custom metadata written with each object. */
export const SHA256_METADATA = 'sha256';
export const UPLOAD_ID_METADATA = 'exchange-upload-id';

function generationOf(meta: FileMetadata | undefined): string | number | undefined {
  return meta?.generation ?? undefined;
}

export class GcsExchangeStore implements ExchangeStore {
  private readonly bucket: Bucket;
  private readonly attempts: number;

  constructor(
    private readonly storage: Storage,
    readonly bucketName: string,
    /** No leading or trailing slash; '' for the bucket's root. */
    readonly prefix: string,
    readonly uri: string,
    readonly parallelism: number,
  ) {
    this.bucket = storage.bucket(bucketName);
    const retries = (storage as { retryOptions?: { maxRetries?: number } }).retryOptions?.maxRetries;
    this.attempts = (typeof retries === 'number' ? retries : 3) + 1;
  }

  private what(key: string): string {
    return `${this.uri}/${key}`;
  }

  private objectName(key: string): string {
    checkKey(key);
    const name = this.prefix ? `${this.prefix}/${key}` : key;
    if (Buffer.byteLength(name, 'utf8') > MAX_KEY_BYTES) {
      throw new IntegrityError(`Exchange key ${describeKey(key)}: with the prefix, the object name is longer than ${MAX_KEY_BYTES} bytes.`);
    }
    return name;
  }

  private keyOf(name: string): string {
    return this.prefix ? name.slice(this.prefix.length + 1) : name;
  }

  private wrap(e: unknown, op: string, key: string): Error {
    return wrapGcsError(e, op, this.what(key), this.attempts);
  }

  private info(key: string, meta: FileMetadata): ObjectInfo {
    const info: ObjectInfo = { key, size: Number(meta.size ?? 0) };
    const sha = meta.metadata?.[SHA256_METADATA];
    if (typeof sha === 'string' && SHA256_HEX.test(sha)) info.sha256 = sha;
    if (meta.md5Hash) info.md5 = meta.md5Hash;
    if (meta.crc32c) info.crc32c = meta.crc32c;
    return info;
  }

  /** The object's metadata, or undefined on 404. */
  private async metadataOf(key: string, name = this.objectName(key)): Promise<FileMetadata | undefined> {
    try {
      const [meta] = await this.bucket.file(name).getMetadata();
      return meta;
    } catch (e) {
      if (gcsStatus(e) === 404) return undefined;
      throw this.wrap(e, 'stat', key);
    }
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    const meta = await this.metadataOf(key);
    return meta ? this.info(key, meta) : undefined;
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== undefined;
  }

  /** A read stream of exactly the generation described by `meta`; client errors arrive wrapped. */
  private openRead(key: string, name: string, meta: FileMetadata): Readable {
    const gen = generationOf(meta);
    const file = gen === undefined ? this.bucket.file(name) : this.bucket.file(name, { generation: gen });
    return file.createReadStream();
  }

  async get(key: string, opts: GetOptions = {}): Promise<Readable> {
    const what = this.what(key);
    const name = this.objectName(key);
    const expectedSha256 = normaliseSha256(opts.expectedSha256, what);
    const expectedSize = checkExpectedSize(opts.expectedSize, what);
    const meta = await this.metadataOf(key, name);
    if (!meta) throw new IntegrityError(`${what}: no such object.`);
    const info = this.info(key, meta);
    if (expectedSize !== undefined && info.size !== expectedSize) {
      throw new IntegrityError(`${what}: size is ${info.size} bytes, expected ${expectedSize}.`);
    }
    if (expectedSha256 !== undefined && info.sha256 !== undefined && info.sha256 !== expectedSha256) {
      throw new IntegrityError(`${what}: recorded sha256 is ${info.sha256}, expected ${expectedSha256}.`);
    }
    const raw = this.openRead(key, name, meta);
    const verify = new VerifyingStream({ expectedSha256, expectedSize, onProgress: opts.onProgress, what });
    raw.on('error', (e) => verify.destroy(this.wrap(e, 'read', key)));
    verify.on('close', () => raw.destroy());
    raw.pipe(verify);
    return verify;
  }

  async put(key: string, source: Readable | Buffer, opts: PutOptions = {}): Promise<PutResult> {
    const what = this.what(key);
    const name = this.objectName(key);
    const expectedSha256 = normaliseSha256(opts.expectedSha256, what);
    const expectedSize = checkExpectedSize(opts.expectedSize, what);
    const streamOpts = { expectedSha256, expectedSize, onProgress: opts.onProgress, what };

    const existing = await this.metadataOf(key, name);
    if (existing) {
      const { sha256, size } = await streamInto(source, undefined, streamOpts);
      return this.compareExisting(key, name, existing, sha256, size);
    }

    const knownSize = Buffer.isBuffer(source) ? source.length : expectedSize;
    const uploadId = randomUUID();
    const custom: Record<string, string> = { [UPLOAD_ID_METADATA]: uploadId };
    if (expectedSha256) custom[SHA256_METADATA] = expectedSha256;
    const file = this.bucket.file(name);
    const sink = file.createWriteStream({
      resumable: knownSize === undefined || knownSize > RESUMABLE_THRESHOLD,
      contentType: 'application/octet-stream',
      metadata: { metadata: custom },
      preconditionOpts: { ifGenerationMatch: 0 },
    });
    let sinkFailure: unknown;
    sink.on('error', (e) => (sinkFailure ??= e));

    let result;
    try {
      result = await streamInto(source, sink, { ...streamOpts, isBenignSinkError: (e) => gcsStatus(e) === 412 });
    } catch (e) {
      await this.removeAbortedUpload(name, uploadId);
      throw e === sinkFailure ? this.wrap(e, 'upload', key) : e;
    }
    const { sha256, size } = result;

    if (result.sinkError !== undefined) {
      // 412: someone created the object after our look. Compare with theirs.
      const theirs = await this.metadataOf(key, name);
      if (!theirs) {
        throw new IntegrityError(`${what}: the upload's precondition failed but there is no object; try again.`);
      }
      return this.compareExisting(key, name, theirs, sha256, size);
    }

    if (!expectedSha256) {
      const gen = generationOf(file.metadata);
      try {
        await file.setMetadata(
          { metadata: { [SHA256_METADATA]: sha256 } },
          gen === undefined ? {} : { ifGenerationMatch: gen },
        );
      } catch (e) {
        throw this.wrap(e, 'set metadata of', key);
      }
    }
    return { key, size, sha256, written: true };
  }

  /**
   * After a failed upload: if an object carrying our upload id exists (an aborted upload the
   * service finalised anyway), remove exactly that generation. Best effort.
   */
  private async removeAbortedUpload(name: string, uploadId: string): Promise<void> {
    try {
      const [meta] = await this.bucket.file(name).getMetadata();
      const gen = generationOf(meta);
      if (meta.metadata?.[UPLOAD_ID_METADATA] === uploadId && gen !== undefined) {
        await this.bucket.file(name).delete({ ifGenerationMatch: gen });
      }
    } catch {
      // absent (the usual case) or not removable: nothing more to do
    }
  }

  /** `written: false` when the object at `name` has the given sha256 and size; IntegrityError otherwise. */
  private async compareExisting(key: string, name: string, meta: FileMetadata, sha256: string, size: number): Promise<PutResult> {
    const info = this.info(key, meta);
    let theirs = info.sha256;
    if (info.size !== size) {
      theirs ??= 'unknown';
    } else if (theirs === undefined) {
      // Written by something that did not record a sha256: hash what is there.
      try {
        theirs = (await sha256Of(this.openRead(key, name, meta))).sha256;
      } catch (e) {
        throw this.wrap(e, 'read', key);
      }
    }
    if (theirs !== sha256 || info.size !== size) {
      throw new IntegrityError(
        `${this.what(key)} already exists with different content (sha256 ${theirs}, ${info.size} bytes; ` +
          `new: ${sha256}, ${size} bytes); refusing to overwrite.`,
      );
    }
    return { key, size, sha256, written: false };
  }

  async delete(key: string): Promise<void> {
    const name = this.objectName(key);
    try {
      await this.bucket.file(name).delete();
    } catch (e) {
      if (gcsStatus(e) === 404) return;
      throw this.wrap(e, 'delete', key);
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    checkPrefix(prefix);
    const full = this.prefix ? `${this.prefix}/${prefix}` : prefix;
    let pageToken: string | undefined;
    do {
      let files: File[];
      let next: { pageToken?: string } | null | undefined;
      try {
        const res = await this.bucket.getFiles({ prefix: full, autoPaginate: false, maxResults: 1000, ...(pageToken ? { pageToken } : {}) });
        files = res[0];
        next = res[1] as { pageToken?: string } | null | undefined;
      } catch (e) {
        throw this.wrap(e, 'list', prefix);
      }
      for (const f of files) {
        const key = this.keyOf(f.name);
        // Skips folder placeholders ("dir/") and names that are not safe keys.
        if (keyProblem(key) !== undefined) continue;
        yield this.info(key, f.metadata);
      }
      pageToken = next?.pageToken;
    } while (pageToken);
  }

  canCopyServerSide(dest: ExchangeStore): boolean {
    return dest instanceof GcsExchangeStore;
  }

  async copyTo(key: string, dest: ExchangeStore, destKey: string): Promise<ObjectInfo> {
    if (!(dest instanceof GcsExchangeStore)) {
      throw new TypeError(`copyTo: ${dest.uri} is not a gs:// exchange; use canCopyServerSide() first`);
    }
    const name = this.objectName(key);
    const destName = dest.objectName(destKey);
    const src = await this.metadataOf(key, name);
    if (!src) throw new IntegrityError(`${this.what(key)}: no such object.`);
    const srcInfo = this.info(key, src);

    const already = await dest.metadataOf(destKey, destName);
    if (already) return dest.checkCopy(destKey, srcInfo, already, 'already exists with different content; refusing to overwrite');

    const gen = generationOf(src);
    const srcFile = gen === undefined ? this.bucket.file(name) : this.bucket.file(name, { generation: gen });
    let copied: FileMetadata | undefined;
    try {
      const [, resp] = await srcFile.copy(dest.bucket.file(destName), { preconditionOpts: { ifGenerationMatch: 0 } });
      copied = (resp as { resource?: FileMetadata } | undefined)?.resource;
    } catch (e) {
      if (gcsStatus(e) !== 412) throw this.wrap(e, 'copy', key);
      const theirs = await dest.metadataOf(destKey, destName);
      if (!theirs) throw new IntegrityError(`${dest.what(destKey)}: the copy's precondition failed but there is no object; try again.`);
      return dest.checkCopy(destKey, srcInfo, theirs, 'already exists with different content; refusing to overwrite');
    }
    copied ??= await dest.metadataOf(destKey, destName);
    if (!copied) throw new IntegrityError(`${dest.what(destKey)}: missing right after the copy.`);
    return dest.checkCopy(destKey, srcInfo, copied, 'differs from its source after the copy');
  }

  /**
   * Server-side copy within the bucket (create-only), checked against the source's size, md5 and
   * crc32c, then the source generation that was copied is deleted.
   */
  async move(fromKey: string, toKey: string): Promise<MoveResult> {
    const name = this.objectName(fromKey);
    const destName = this.objectName(toKey);
    const src = await this.metadataOf(fromKey, name);
    if (!src) throw new IntegrityError(`${this.what(fromKey)}: no such object.`);
    const srcInfo = this.info(fromKey, src);
    if (name === destName) return { key: toKey, size: srcInfo.size, written: false };
    const problem = 'already exists with different content; refusing to overwrite';

    let written = true;
    const already = await this.metadataOf(toKey, destName);
    if (already) {
      this.checkCopy(toKey, srcInfo, already, problem);
      written = false;
    } else {
      const gen = generationOf(src);
      const srcFile = gen === undefined ? this.bucket.file(name) : this.bucket.file(name, { generation: gen });
      let copied: FileMetadata | undefined;
      try {
        const [, resp] = await srcFile.copy(this.bucket.file(destName), { preconditionOpts: { ifGenerationMatch: 0 } });
        copied = (resp as { resource?: FileMetadata } | undefined)?.resource;
      } catch (e) {
        if (gcsStatus(e) !== 412) throw this.wrap(e, 'move', fromKey);
        copied = await this.metadataOf(toKey, destName);
        if (!copied) throw new IntegrityError(`${this.what(toKey)}: the copy's precondition failed but there is no object; try again.`);
        written = false;
      }
      copied ??= await this.metadataOf(toKey, destName);
      if (!copied) throw new IntegrityError(`${this.what(toKey)}: missing right after the copy.`);
      this.checkCopy(toKey, srcInfo, copied, written ? 'differs from its source after the copy' : problem);
    }
    const gen = generationOf(src);
    try {
      await this.bucket.file(name).delete(gen === undefined ? {} : { ifGenerationMatch: gen });
    } catch (e) {
      const status = gcsStatus(e);
      // 404: gone already; 412: replaced by a newer generation, which is not ours to delete.
      if (status !== 404 && status !== 412) throw this.wrap(e, 'delete', fromKey);
    }
    return { key: toKey, size: srcInfo.size, written };
  }

  /** The copy's info, after checking its size, md5 (when both have one) and crc32c equal the source's. */
  private checkCopy(destKey: string, src: ObjectInfo, meta: FileMetadata, problem: string): ObjectInfo {
    const info = this.info(destKey, meta);
    const same =
      info.size === src.size &&
      info.crc32c !== undefined &&
      info.crc32c === src.crc32c &&
      (info.md5 === undefined || src.md5 === undefined || info.md5 === src.md5) &&
      (info.sha256 === undefined || src.sha256 === undefined || info.sha256 === src.sha256);
    if (!same) {
      const d = (i: ObjectInfo): string => `${i.size} bytes, md5 ${i.md5 ?? '-'}, crc32c ${i.crc32c ?? '-'}`;
      throw new IntegrityError(`${this.what(destKey)} ${problem} (source ${d(src)}; copy ${d(info)}).`);
    }
    return info;
  }
}

