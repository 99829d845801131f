/**
 * Test helpers for the hand-off: zips as GitHub's artifact library (6.2, archiver with deflate and
 * data descriptors) uploaded them for earlier versions of this action, captured from the blob
 * store behind test/peers/artifact-service.ts; and a way to put arbitrary bytes in an artifact.
 */
import { createHash } from 'node:crypto';
import { readArtifactRuntime } from '../runtime.js';
import { ArtifactServiceClient } from '../service.js';

/** `manifest.json` only; its content is LIBRARY_ZIP_MANIFEST. */
export const LIBRARY_ZIP_ONE = Buffer.from(
  'UEsDBBQACAAIAAqAeV0AAAAAAAAAAAAAAAANAAAAbWFuaWZlc3QuanNvbh3KMQqAMBBE0X5PMUxtY5uD2Ie4kgWTwEZFEO8upv3vPwKwp6wlLurdWmXAPP21tFV3BjwCAKyxKANobp0CvGPa7D5OHxA9ZbvUKa98UEsHCF7vehRNAAAAVwAAAFBLAQItAxQACAAIAAqAeV1e73oUTQAAAFcAAAANAAAAAAAAAAAAIACkgQAAAABtYW5pZmVzdC5qc29uUEsFBgAAAAABAAEAOwAAAIgAAAAAAA==',
  'base64',
);
export const LIBRARY_ZIP_MANIFEST = Buffer.from(JSON.stringify({ schemaVersion: 1, model: { name: 'iris' }, fixture: 'archiver' }, null, 2) + '\n');

/** `manifest.json` and `other.json`. */
export const LIBRARY_ZIP_TWO = Buffer.from(
  'UEsDBBQACAAIAAqAeV0AAAAAAAAAAAAAAAANAAAAbWFuaWZlc3QuanNvbh3KMQqAMBBE0X5PMUxtY5uD2Ie4kgWTwEZFEO8upv3vPwKwp6wlLurdWmXAPP21tFV3BjwCAKyxKANobp0CvGPa7D5OHxA9ZbvUKa98UEsHCF7vehRNAAAAVwAAAFBLAwQUAAgACAAKgHldAAAAAAAAAAAAAAAACgAAAG90aGVyLmpzb26rruUCAFBLBwgGsKHdBQAAAAMAAABQSwECLQMUAAgACAAKgHldXu96FE0AAABXAAAADQAAAAAAAAAAACAApIEAAAAAbWFuaWZlc3QuanNvblBLAQItAxQACAAIAAqAeV0GsKHdBQAAAAMAAAAKAAAAAAAAAAAAIACkgYgAAABvdGhlci5qc29uUEsFBgAAAAACAAIAcwAAAMUAAAAAAA==',
  'base64',
);

export const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Uploads `bytes` as artifact `name` of the current job's run, whatever they are. */
export async function uploadBytes(name: string, bytes: Buffer, mimeType: string): Promise<number | undefined> {
  const client = new ArtifactServiceClient(readArtifactRuntime('test'));
  const url = await client.create(name, mimeType);
  await client.putBlob(url, bytes, mimeType);
  return client.finalize(name, bytes.length, sha256(bytes));
}
