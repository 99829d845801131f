/**
 * The create-only logic of the gs:// store, which the emulator can't show (it ignores
 * `ifGenerationMatch`). The seam is the @google-cloud/storage client passed to openExchange: a
 * tiny in-memory fake of the few File/Bucket methods the store calls. Its 412s take the shapes
 * the real client produces (read from @google-cloud/storage 7.22's source): a GaxiosError-like
 * `{ status, response.status }` when a resumable session can't be created, an ApiError-like
 * `{ code }` when a simple upload is answered.
 */
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import type { Storage } from '@google-cloud/storage';
import { InputError, IntegrityError, TransientError } from '../errors.js';
import { gcsStatus, redactMessage, wrapGcsError } from './gcs-errors.js';
import { openExchange } from './open.js';
import type { ExchangeStore } from './types.js';

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const TOKEN = 'ya29.a0AfB_SECRET_TOKEN_VALUE';

interface Obj {
  data: Buffer;
  generation: number;
  metadata: Record<string, string>;
  crc32c: string;
}

interface WriteCall {
  name: string;
  opts: { resumable?: boolean; preconditionOpts?: { ifGenerationMatch?: number }; metadata?: { metadata?: Record<string, string> } };
}

/** In-memory GCS with a hook that runs when an upload checks its precondition. */
class FakeGcs {
  objects = new Map<string, Obj>();
  writes: WriteCall[] = [];
  setMetadataCalls: Array<{ name: string; metadata: Record<string, string>; opts: unknown }> = [];
  deletes: Array<{ name: string; opts: unknown }> = [];
  nextGeneration = 1000;
  /** Runs just before an upload's precondition is checked: a concurrent writer getting there first. */
  beforePrecondition: ((name: string) => void) | undefined;
  /** Runs when an upload fails its precondition (e.g. the other writer deletes its object again). */
  afterPreconditionFailure: ((name: string) => void) | undefined;
  /** Simulates the service finalising an upload whose stream was destroyed mid-way. */
  finaliseOnDestroy = false;
  copyResourceOverride: Partial<Record<string, unknown>> | undefined;

  put(name: string, data: Buffer, metadata: Record<string, string> = {}): Obj {
    const o = { data, generation: this.nextGeneration++, metadata, crc32c: `crc-${sha(data).slice(0, 8)}` };
    this.objects.set(name, o);
    return o;
  }

  resource(bucket: string, name: string, o: Obj): Record<string, unknown> {
    return {
      bucket,
      name,
      size: String(o.data.length),
      generation: String(o.generation),
      md5Hash: createHash('md5').update(o.data).digest('base64'),
      crc32c: o.crc32c,
      metadata: { ...o.metadata },
    };
  }

  storage(): Storage {
    return { bucket: (b: string) => this.bucket(b), retryOptions: { maxRetries: 3 } } as unknown as Storage;
  }

  private notFound(): Error {
    return Object.assign(new Error('No such object'), { code: 404 });
  }

  private bucket(bucketName: string): unknown {
    const fake = this; // eslint-disable-line @typescript-eslint/no-this-alias
    const file = (name: string): unknown => ({
      name,
      metadata: {} as Record<string, unknown>,
      async getMetadata() {
        const o = fake.objects.get(name);
        if (!o) throw fake.notFound();
        return [fake.resource(bucketName, name, o)];
      },
      async setMetadata(m: { metadata: Record<string, string> }, opts: unknown) {
        fake.setMetadataCalls.push({ name, metadata: m.metadata, opts });
        const o = fake.objects.get(name);
        if (!o) throw fake.notFound();
        Object.assign(o.metadata, m.metadata);
        return [fake.resource(bucketName, name, o)];
      },
      async delete(opts?: { ifGenerationMatch?: string | number }) {
        fake.deletes.push({ name, opts });
        if (!fake.objects.has(name)) throw fake.notFound();
        fake.objects.delete(name);
        return [{}];
      },
      createReadStream() {
        const o = fake.objects.get(name);
        return Readable.from(o ? [o.data] : []);
      },
      createWriteStream(opts: WriteCall['opts']) {
        fake.writes.push({ name, opts });
        const self = this as { metadata: Record<string, unknown> };
        const parts: Buffer[] = [];
        const precondition = (): Error | undefined => {
          fake.beforePrecondition?.(name);
          if (opts.preconditionOpts?.ifGenerationMatch === 0 && fake.objects.has(name)) {
            const config = { headers: { Authorization: `Bearer ${TOKEN}` } };
            fake.afterPreconditionFailure?.(name);
            return opts.resumable === false
              ? Object.assign(new Error('At least one of the pre-conditions you specified did not hold.'), { code: 412, config })
              : Object.assign(new Error('Request failed with status code 412'), { status: 412, response: { status: 412, config }, config });
          }
          return undefined;
        };
        const finalise = (): void => {
          const o = fake.put(name, Buffer.concat(parts), { ...(opts.metadata?.metadata ?? {}) });
          self.metadata = fake.resource(bucketName, name, o);
        };
        let started = false;
        return new Writable({
          write(chunk: Buffer, _enc, cb) {
            // A resumable upload creates its session (where the precondition is checked) on first write.
            if (!started && opts.resumable !== false) {
              started = true;
              const err = precondition();
              if (err) return cb(err);
            }
            parts.push(chunk);
            cb();
          },
          final(cb) {
            if (opts.resumable === false) {
              const err = precondition();
              if (err) return cb(err);
            }
            finalise();
            cb();
          },
          destroy(err, cb) {
            if (fake.finaliseOnDestroy && parts.length > 0) finalise();
            cb(err);
          },
        });
      },
      async copy(dest: { name: string }, opts: { preconditionOpts?: { ifGenerationMatch?: number } }) {
        const o = fake.objects.get(name);
        if (!o) throw fake.notFound();
        fake.beforePrecondition?.(dest.name);
        if (opts.preconditionOpts?.ifGenerationMatch === 0 && fake.objects.has(dest.name)) {
          throw Object.assign(new Error('precondition failed'), { code: 412 });
        }
        const c = fake.put(dest.name, o.data, { ...o.metadata });
        return [dest, { resource: { ...fake.resource(bucketName, dest.name, c), ...fake.copyResourceOverride } }];
      },
    });
    return { name: bucketName, file };
  }
}

describe('gs:// store create-only logic (fake client)', () => {
  let fake: FakeGcs;
  let store: ExchangeStore;
  beforeEach(async () => {
    fake = new FakeGcs();
    store = await openExchange('gs://bucket/ex', { storage: fake.storage() });
  });

  it('writes create-only, simple for small known sizes, resumable for large or unknown ones', async () => {
    await store.put('small', Buffer.from('abc'));
    await store.put('declared-big', Readable.from([Buffer.from('x')]), { expectedSize: 1 });
    await store.put('unknown', Readable.from([Buffer.from('y')]));
    await store.put('big', Readable.from([Buffer.alloc(9 * 1024 * 1024)]), { expectedSize: 9 * 1024 * 1024 });
    expect(fake.writes.map((w) => [w.name, w.opts.resumable, w.opts.preconditionOpts])).toEqual([
      ['ex/small', false, { ifGenerationMatch: 0 }],
      ['ex/declared-big', false, { ifGenerationMatch: 0 }],
      ['ex/unknown', true, { ifGenerationMatch: 0 }],
      ['ex/big', true, { ifGenerationMatch: 0 }],
    ]);
  });

  it('records the sha256 after the upload, on exactly the generation it wrote', async () => {
    await store.put('k', Readable.from([Buffer.from('hello')]));
    const gen = String(fake.objects.get('ex/k')!.generation);
    expect(fake.setMetadataCalls).toEqual([{ name: 'ex/k', metadata: { sha256: sha('hello') }, opts: { ifGenerationMatch: gen } }]);
    expect((await store.stat('k'))?.sha256).toBe(sha('hello'));
    // Known up front: written with the upload, no second request.
    await store.put('k2', Buffer.from('hi'), { expectedSha256: sha('hi') });
    expect(fake.setMetadataCalls).toHaveLength(1);
    expect(fake.objects.get('ex/k2')!.metadata.sha256).toBe(sha('hi'));
  });

  it.each<[string, () => Readable | Buffer]>([
    ['resumable (412 when the session is created)', () => Readable.from([Buffer.from('same '), Buffer.from('bytes')])],
    ['simple (412 when the upload is answered)', () => Buffer.from('same bytes')],
  ])('%s: a racing identical object → written:false', async (_label, makeSource) => {
    const source = makeSource();
    fake.beforePrecondition = (name) => {
      if (!fake.objects.has(name)) fake.put(name, Buffer.from('same bytes'), { sha256: sha('same bytes') });
    };
    const res = await store.put('race', source);
    expect(res).toEqual({ key: 'race', size: 10, sha256: sha('same bytes'), written: false });
    expect(fake.objects.get('ex/race')!.generation).toBe(1000);
    expect(fake.setMetadataCalls).toEqual([]);
  });

  it.each<[string, () => Readable | Buffer]>([
    ['resumable', () => Readable.from([Buffer.from('mine')])],
    ['simple', () => Buffer.from('mine')],
  ])('%s: a racing different object → IntegrityError, theirs kept', async (_label, makeSource) => {
    const source = makeSource();
    fake.beforePrecondition = (name) => {
      if (!fake.objects.has(name)) fake.put(name, Buffer.from('theirs'), { sha256: sha('theirs') });
    };
    const err = await store.put('race', source).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toMatch(/gs:\/\/bucket\/ex\/race already exists with different content/);
    expect(fake.objects.get('ex/race')!.data.toString()).toBe('theirs');
    expect(fake.deletes).toEqual([]);
  });

  it('a racing object without a recorded sha256 is hashed to compare', async () => {
    fake.beforePrecondition = (name) => {
      if (!fake.objects.has(name)) fake.put(name, Buffer.from('same'));
    };
    expect((await store.put('race', Readable.from([Buffer.from('same')]))).written).toBe(false);
  });

  it('a 412 and then no object: IntegrityError asking to try again', async () => {
    fake.beforePrecondition = (name) => void fake.put(name, Buffer.from('x'));
    fake.afterPreconditionFailure = (name) => void fake.objects.delete(name);
    await expect(store.put('vanishing', Buffer.from('x'))).rejects.toThrow(/precondition failed but there is no object; try again/);
  });

  it('removes an aborted upload the service finalised anyway (matched by its upload id), and only that', async () => {
    fake.finaliseOnDestroy = true;
    let i = 0;
    const source = new Readable({
      read() {
        if (++i <= 2) this.push(Buffer.alloc(10, i));
        else this.destroy(new Error('source died'));
      },
    });
    await expect(store.put('aborted', source)).rejects.toThrow('source died');
    expect(fake.objects.has('ex/aborted')).toBe(false);
    expect(fake.deletes).toEqual([{ name: 'ex/aborted', opts: { ifGenerationMatch: '1000' } }]);

    // Someone else's object at the key (no upload id of ours) is left alone.
    fake.put('ex/other', Buffer.from('not ours'));
    fake.beforePrecondition = undefined;
    const bad = await store.put('other2', Buffer.from('data'), { expectedSha256: sha('nope') }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(IntegrityError);
    expect(fake.objects.has('ex/other2')).toBe(false);
    expect(fake.objects.get('ex/other')!.data.toString()).toBe('not ours');
  });

  it('copyTo: a racing identical copy is accepted, a different one refused, a corrupt copy detected', async () => {
    const dest = await openExchange('gs://bucket/dest', { storage: fake.storage() });
    fake.put('ex/src', Buffer.from('payload'), { sha256: sha('payload') });
    fake.beforePrecondition = (name) => {
      if (name === 'dest/same' && !fake.objects.has(name)) fake.put(name, Buffer.from('payload'), { sha256: sha('payload') });
      if (name === 'dest/diff' && !fake.objects.has(name)) fake.put(name, Buffer.from('PAYLOAD'), { sha256: sha('PAYLOAD') });
    };
    expect(await store.copyTo!('src', dest, 'same')).toMatchObject({ key: 'same', size: 7, sha256: sha('payload') });
    await expect(store.copyTo!('src', dest, 'diff')).rejects.toThrow(/dest\/diff already exists with different content/);
    fake.copyResourceOverride = { crc32c: 'AAAAAA==' };
    await expect(store.copyTo!('src', dest, 'corrupt')).rejects.toThrow(/dest\/corrupt differs from its source after the copy/);
  });
});

describe('GCS error wrapping', () => {
  const config = { headers: { Authorization: `Bearer ${TOKEN}` } };
  const what = 'gs://b/p/k';

  it('finds the status in every client error shape', () => {
    expect(gcsStatus({ code: 412 })).toBe(412);
    expect(gcsStatus({ status: 412, response: { status: 412 } })).toBe(412);
    expect(gcsStatus({ code: 'ECONNRESET', response: { status: 503 } })).toBe(503);
    expect(gcsStatus({ code: '404' })).toBe(404);
    expect(gcsStatus(new Error('x'))).toBeUndefined();
  });

  it('maps to the taxonomy in one line, without credentials', () => {
    const denied = wrapGcsError(
      Object.assign(new Error(`Forbidden\nAuthorization: Bearer ${TOKEN} access_token=${TOKEN}`), { code: 403, config }),
      'upload',
      what,
      4,
    );
    expect(denied).toBeInstanceOf(InputError);
    expect(denied.message).toMatch(/^Input 'exchange': GCS upload gs:\/\/b\/p\/k was denied \(403: Forbidden /);
    const transient = wrapGcsError(Object.assign(new Error('Service Unavailable'), { status: 503, response: { status: 503, config } }), 'read', what, 4);
    expect(transient).toBeInstanceOf(TransientError);
    expect((transient as TransientError).attempts).toBe(4);
    const network = wrapGcsError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'list', what, 4);
    expect(network).toBeInstanceOf(TransientError);
    expect(network.message).toBe('GCS list gs://b/p/k failed (ECONNRESET: socket hang up).');
    const creds = wrapGcsError(new Error('Could not load the default credentials. Browse to https://...'), 'stat', what, 4);
    expect(creds).toBeInstanceOf(InputError);
    expect(creds.message).toMatch(/google-github-actions\/auth/);
    const mismatch = wrapGcsError(Object.assign(new Error('The downloaded data did not match'), { code: 'CONTENT_DOWNLOAD_MISMATCH' }), 'read', what, 4);
    expect(mismatch).toBeInstanceOf(IntegrityError);
    for (const e of [denied, transient, network, creds, mismatch]) {
      expect(e.message).not.toContain(TOKEN);
      expect(e.message).not.toContain('\n');
      expect(e.cause).toBeUndefined();
    }
    const bug = new TypeError('x is not a function');
    expect(wrapGcsError(bug, 'put', what, 4)).toBe(bug);
  });

  it('redacts token-looking strings and keeps messages short', () => {
    expect(redactMessage(`bearer abc.def token=xyz&sig=123 "access_token": "zzz" ${TOKEN}`)).toBe(
      'bearer [redacted] token=[redacted]&sig=[redacted] "access_token": "[redacted]" [redacted]',
    );
    expect(redactMessage('x'.repeat(1000))).toHaveLength(300);
  });

  it('a store surfaces client failures wrapped', async () => {
    const storage = {
      retryOptions: { maxRetries: 2 },
      bucket: () => ({
        file: () => ({
          getMetadata: async () => {
            throw Object.assign(new Error(`Forbidden for Bearer ${TOKEN}`), { code: 403, config });
          },
        }),
      }),
    } as unknown as Storage;
    const store = await openExchange('gs://bucket', { storage });
    const err = await store.stat('k').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toContain('GCS stat gs://bucket/k was denied (403: Forbidden for Bearer [redacted])');
  });
});

describe('lazy loading of @google-cloud/storage', () => {
  it('only open.ts imports it, dynamically; the other modules import types only', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const dir = new URL('.', import.meta.url);
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
      const src = readFileSync(new URL(f, dir), 'utf8');
      const valueImports = src.match(/^import\s+(?!type\b)[^;]*from\s+'@google-cloud\/storage'/gm) ?? [];
      expect([f, valueImports]).toEqual([f, []]);
    }
    const open = readFileSync(new URL('open.ts', dir), 'utf8');
    expect(open).toContain("await import('@google-cloud/storage')");
  });
});
