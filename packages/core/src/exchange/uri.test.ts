import { InputError } from '../errors.js';
import { openExchange } from './open.js';
import { FileExchangeStore } from './file-store.js';
import { GcsExchangeStore } from './gcs-store.js';
import { parseExchangeUri } from './uri.js';
import type { Storage } from '@google-cloud/storage';

/** Never called: constructing a gs:// store only asks the client for a bucket handle. */
const fakeStorage = { bucket: (name: string) => ({ name }) } as unknown as Storage;

describe('exchange URIs', () => {
  it.each([
    ['file:///tmp/x', 'file:///tmp/x', '/tmp/x'],
    ['file:///tmp/x/', 'file:///tmp/x', '/tmp/x'],
    ['file://localhost/tmp/x', 'file:///tmp/x', '/tmp/x'],
    ['file:///tmp/my%20dir', 'file:///tmp/my%20dir', '/tmp/my dir'],
    ['/tmp/a/../b', 'file:///tmp/b', '/tmp/b'],
    ['  /tmp/x  ', 'file:///tmp/x', '/tmp/x'],
  ])('parses %s', (input, uri, root) => {
    expect(parseExchangeUri(input)).toEqual({ scheme: 'file', uri, root });
  });

  it.each([
    ['gs://bucket', 'gs://bucket', 'bucket', ''],
    ['gs://bucket/', 'gs://bucket', 'bucket', ''],
    ['gs://my-bucket_1/a/b/', 'gs://my-bucket_1/a/b', 'my-bucket_1', 'a/b'],
    ['gs://example.com.bucket/p', 'gs://example.com.bucket/p', 'example.com.bucket', 'p'],
  ])('parses %s', (input, uri, bucket, prefix) => {
    expect(parseExchangeUri(input)).toEqual({ scheme: 'gs', uri, bucket, prefix });
  });

  it.each([
    ['', /is empty/],
    ['   ', /is empty/],
    ['s3://bucket/x', /unsupported scheme 's3'/],
    ['http://host/x', /unsupported scheme 'http'/],
    ['https://storage.googleapis.com/b', /unsupported scheme 'https'/],
    ['relative/path', /relative path/],
    ['./x', /relative path/],
    ['gs://', /no bucket name/],
    ['gs:///prefix', /no bucket name/],
    ['gs://Bucket', /not a valid bucket name/],
    ['gs://ab', /3-63 characters/],
    ['gs://-bucket', /not a valid bucket name/],
    ['gs://bucket-', /not a valid bucket name/],
    ['gs://my_bucket!', /not a valid bucket name/],
    ['gs://192.168.1.1', /IP addresses/],
    ['gs://googlebucket', /goog/],
    ['gs://a..b', /dot-separated/],
    [`gs://${'a'.repeat(64)}`, /3-63 characters/],
    ['gs://bucket/a/../b', /'\.\.' segment/],
    ['gs://bucket/a//b', /empty path segment/],
    ['file://otherhost/x', /remote host/],
    ['file:///tmp/x?y=1', /query or fragment/],
  ])('rejects %j', async (input, why) => {
    const err = await openExchange(input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).input).toBe('exchange');
    expect((err as InputError).message).toMatch(why);
    expect((err as InputError).message).toContain('Supported: file:///absolute/path (or an absolute path) and gs://bucket[/prefix].');
  });

  it('opens the right store, with the normalised URI and parallelism', async () => {
    const f = await openExchange('file:///tmp/some/where/');
    expect(f).toBeInstanceOf(FileExchangeStore);
    expect(f.uri).toBe('file:///tmp/some/where');
    expect(f.parallelism).toBe(8);
    const g = await openExchange('gs://bucket/pre/fix/', { storage: fakeStorage, parallelism: 3 });
    expect(g).toBeInstanceOf(GcsExchangeStore);
    expect(g.uri).toBe('gs://bucket/pre/fix');
    expect(g.parallelism).toBe(3);
    expect(f.canCopyServerSide(g)).toBe(false);
    expect(g.canCopyServerSide(f)).toBe(false);
    expect(g.canCopyServerSide(g)).toBe(true);
    await expect(openExchange('/tmp/x', { parallelism: 0 })).rejects.toThrow(InputError);
  });
});
